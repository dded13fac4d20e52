"""A singular demonym used as a person stands for the document's leading person of that country.

"In a video meeting, the Chinese supported the Russian": news prose names a leader once ("Chinese
President Xi Jinping", "Russia's Vladimir Putin", "the leader of China, Xi Jinping") and then calls
him by his nationality. As an event's actor, such a "the Chinese" / "the Russian" (a noun with "the",
singular, not a modifier as in "the Chinese government") is that person, written as the fullest name
the document gives (EVENT_GUIDE: actors are the fullest name the context gives), when one person of
that country is the document's most mentioned one; with no such person, or two equally mentioned, the
demonym stays its country, as before.

A person is "of" a country when a mention of the country or its demonym modifies the person's name
("Chinese President Xi Jinping", "Russia's Vladimir Putin"), is in a phrase in apposition with it ("the
leader of China, Xi Jinping"; "Xi Jinping, the Chinese president"), or is possessed by the person
("Vladimir Putin's Russia"). Only persons introduced before the demonym count: it refers back.
"""

from collections import Counter
from functools import cache

from dateline.transforms.event_mentions import CharSpan
from spacy.tokens import Doc, Span, Token

# Dependencies that start a clause: what a person did there says nothing about whose leader they are.
_CLAUSES = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "csubj", "parataxis", "conj", "cc"})
# Where a singular noun "the Chinese" stands as a participant.
_NOMINAL = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "dative", "attr", "appos", "agent"})
# Kinds of alias that name a country or its people (a capital, "Moscow's Putin", is left out).
_COUNTRY_KINDS = ("country", "demonym")


@cache
def _country_names() -> tuple[dict[str, str], frozenset[str]]:
    """(case-folded country name or demonym → country, case-folded demonyms) from the alias table."""
    from dateline.transforms.reference import load_reference  # reference reads the event tables of events.py

    countries = {}
    demonyms = set()
    for row in load_reference().alias_rows():
        if row["kind"] in _COUNTRY_KINDS:
            countries[row["alias"].casefold()] = row["canonical_name"]
        if row["kind"] == "demonym":
            demonyms.add(row["alias"].casefold())
    return countries, frozenset(demonyms)


def demonym_people(doc: Doc, mentions: list[dict]) -> dict[int, CharSpan]:
    """Start of each singular demonym mention used as a person → the span of the person it stands for.

    ``mentions`` are the Doc's entity-mention rows (entities.MENTION_SCHEMA, offsets into the Doc's
    text). A person's span is the fullest of its mentions (the first of the longest names).
    """
    countries, demonyms = _country_names()
    people = [m for m in mentions if m["label"] == "PERSON"]
    if not people:
        return {}
    known = _people_of_countries(doc, mentions, people, countries)
    counts = Counter(m["canonical_name"] for m in people)
    stand_ins: dict[int, CharSpan] = {}
    for mention in mentions:
        if mention["label"] != "NORP" or _name(mention).casefold() not in demonyms:
            continue
        span = _span(doc, mention)
        if span is None or not _as_person(span, demonyms):
            continue
        country = countries[_name(mention).casefold()]
        # the people of that country introduced before the demonym, most mentioned first
        ranked = sorted(
            (name for name, (first, of, _) in known.items() if country in of and first < mention["start_char"]),
            key=lambda n: (-counts[n], n),
        )
        if not ranked or (len(ranked) > 1 and counts[ranked[0]] == counts[ranked[1]]):
            continue  # nobody, or two people of that country as prominent: which one is not said
        stand_ins[mention["start_char"]] = known[ranked[0]][2]
    return stand_ins


def _people_of_countries(
    doc: Doc, mentions: list[dict], people: list[dict], countries: dict[str, str]
) -> dict[str, tuple[int, set[str], CharSpan]]:
    """Person (within-document canonical name) → (start of its first mention, the countries its mentions
    are introduced with, the span of its fullest mention)."""
    country_at: dict[int, str] = {}  # token index → country of a country / demonym mention there
    for mention in mentions:
        country = countries.get(_name(mention).casefold())
        span = _span(doc, mention)
        if country is not None and span is not None and mention["label"] in ("GPE", "NORP"):
            country_at.update((token.i, country) for token in span)
    known: dict[str, tuple[int, set[str], CharSpan]] = {}
    fullest: dict[str, dict] = {}
    for mention in people:
        span = _span(doc, mention)
        if span is None:
            continue
        name = mention["canonical_name"]
        first, of, _ = known.get(name, (mention["start_char"], set(), (0, 0)))
        of.update(country_at[t.i] for t in _introduction(span) if t.i in country_at)
        if name not in fullest or len(_name(mention)) > len(_name(fullest[name])):
            fullest[name] = mention
        best = fullest[name]
        known[name] = (min(first, mention["start_char"]), of, (best["start_char"], best["end_char"]))
    return known


def replace_stand_ins(spans: list[CharSpan], stand_ins: dict[int, CharSpan]) -> list[CharSpan]:
    """Actor spans with each demonym standing for a person replaced by that person (no repeats)."""
    out: list[CharSpan] = []
    for span in spans:
        span = stand_ins.get(span[0], span)
        if span not in out:
            out.append(span)
    return out


def _name(mention: dict) -> str:
    start = mention.get("name_start_char")
    end = mention.get("name_end_char")
    text = mention["mention_text"]
    if start is None or end is None:
        return text
    return text[start - mention["start_char"]: end - mention["start_char"]]


def _span(doc: Doc, mention: dict) -> Span | None:
    return doc.char_span(mention["start_char"], mention["end_char"], alignment_mode="expand")


def _as_person(span: Span, demonyms: frozenset[str]) -> bool:
    """Whether a demonym is a noun for one person: "the Russian" as a participant, not "the Russians",
    "the Chinese government", or "the Chinese have" (a people: a plural verb).

    The tagger calls an invariant demonym ("Chinese", "Japanese") plural whatever it means, so number
    is read from the word ("Russians" is "Russian" and an s) and from the verb it agrees with.
    """
    token = span.root
    if len(span) != 1 or token.dep_ not in _NOMINAL:
        return False
    word = token.text.casefold()
    if word.endswith("s") and word[:-1] in demonyms:
        return False
    children = list(token.children)
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in children):
        return False
    if any(c.dep_ in ("compound", "amod", "nummod", "prep", "poss") for c in children):
        return False
    # "the Chinese have the second economy", "have criticized": a verb in the plural speaks of the people
    verbs = [token.head, *(c for c in token.head.children if c.dep_ in ("aux", "auxpass"))]
    return not (token.dep_ in ("nsubj", "nsubjpass") and any(v.tag_ == "VBP" for v in verbs))


def _introduction(span: Span) -> list[Token]:
    """The tokens that introduce a person's mention: its modifiers, its appositions, what possesses it."""
    head = span.root
    inside = {t.i for t in span}
    tokens = [t for t in _phrase(head) if t.i not in inside]
    for child in head.children:
        if child.dep_ == "appos":
            tokens.extend(_phrase(child))
    if head.dep_ == "appos":
        tokens.extend(t for t in _phrase(head.head, skip=head) if t.i not in inside)
    if head.dep_ == "poss":
        tokens.append(head.head)
    if span[-1].tag_ == "POS" and span.end < len(span.doc):
        # "Vladimir Putin's Russia", however the parser attached the possessive
        tokens.append(span.doc[span.end])
    return tokens


def _phrase(token: Token, skip: Token | None = None) -> list[Token]:
    """The noun phrase under ``token`` without its clauses (and without ``skip``'s subtree)."""
    out = [token]
    for child in token.children:
        if child.dep_ in _CLAUSES or child.dep_ == "punct" or child is skip or child.dep_ == "appos":
            continue
        out.extend(_phrase(child))
    return out
