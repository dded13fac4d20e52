"""spaCy components that make entity mentions worth counting, registered by factory.

``add_entity_components`` appends them after the model's ``ner``, in this order:

1. ``dateline_headline_ner`` re-reads headline-cased lines (ALL CAPS, Title Case) with the case a
   sentence would have, so "Putin Visits Xi Jinping" is two people, not one.
2. ``dateline_entity_cleanup``: a name never crosses a line break or punctuation that separates names,
   never starts or ends with a bare number, and a span without letters is no name.
3. ``dateline_alias_ruler``, spaCy's own ``entity_ruler`` with the alias table as phrase patterns:
   adds names the model missed, never overwrites what it found.
4. ``dateline_entity_consistency``: one label per name within a document, a person's surname alone is
   that person, and a name found once is found at its other occurrences.
5. ``dateline_canonical``: drops the tail of a title ("State" of "Secretary of State"), then gives each
   entity its name span (no "the", title or possessive), canonical name
   (aliases, short forms linked to the full name seen in the document), entity label and coarse type,
   stored on the span as ``Span._.canonical_name`` and friends.

Everything a component needs beyond the Doc (aliases, titles) is handed in by the caller.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
ENTITY_LABELS = frozenset(NAME_LABELS | {"PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})
COARSE_TYPES = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "NORP": "group",
}
# Tokens that separate two names rather than sit inside one.
SEPARATORS = frozenset({",", ";", ":", "(", ")", "[", "]", '"', "“", "”", "|", "--", "—", "–"})
PERSON_JOINERS = frozenset({"and", "&", "or"})
POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
ARTICLES = frozenset({"the"})
for _attr in ("canonical_name", "coarse_type", "entity_label", "name_start_char", "name_end_char"):
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, default=None)


def add_entity_components(
    nlp: Language,
    aliases: Iterable[dict],
    titles: Iterable[str],
    *,
    ner: str = "ner",
    organization_heads: Iterable[str] = (),
) -> Language:
    """Append Dateline's entity components to ``nlp`` (after ``ner``) and hand them their data.

    ``aliases`` rows have alias, canonical_name, label, kind (country / demonym / capital /
    organization / party), see ``transforms.reference``. ``ner`` names the component that
    finds entities (the model's ``ner``, or an entity ruler in tests). ``organization_heads`` are the
    last words that make a person's name an organization's ("Trump Organization", "Clinton Foundation").
    """
    aliases = list(aliases)
    headline = nlp.add_pipe("dateline_headline_ner", config={"ner_component": ner})
    headline.add_known_forms(a["alias"] for a in aliases)
    nlp.add_pipe("dateline_entity_cleanup")
    ruler = nlp.add_pipe("entity_ruler", name="dateline_alias_ruler", config={"overwrite_ents": False})
    ruler.add_patterns(alias_patterns(aliases))
    consistency = nlp.add_pipe("dateline_entity_consistency")
    consistency.add_aliases(aliases)
    canonical = nlp.add_pipe("dateline_canonical")
    canonical.add_aliases(aliases)
    canonical.add_titles(titles)
    canonical.add_organization_heads(organization_heads)
    return nlp


def alias_patterns(aliases: Iterable[dict]) -> list[dict]:
    """Entity-ruler phrase patterns for the alias table, each as written and in capitals.

    A leading "the" is left out of the pattern: the model's own span decides about articles.
    """
    patterns: dict[tuple[str, str], dict] = {}
    for row in aliases:
        text = row["alias"]
        if text.lower().startswith("the "):
            text = text[4:]
        for form in (text, text.upper()):
            patterns.setdefault((row["label"], form), {"label": row["label"], "pattern": form})
    return [patterns[k] for k in sorted(patterns)]


def _segments(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the doc's lines within sentences (line breaks and sentence starts cut)."""
    has_sents = doc.has_annotation("SENT_START")
    segments = []
    start = None
    for token in doc:
        cut = token.is_space and "\n" in token.text
        if has_sents and token.is_sent_start and start is not None and not cut:
            segments.append((start, token.i))
            start = None
        if cut:
            if start is not None:
                segments.append((start, token.i))
            start = None
            continue
        if start is None:
            start = token.i
    if start is not None:
        segments.append((start, len(doc)))
    return segments


def _cased_words(tokens: Iterable[Token]) -> list[Token]:
    return [t for t in tokens if t.is_alpha and len(t.text) > 1]


def headline_case(tokens: list[Token]) -> str | None:
    """ "caps" (most words in capitals), "title" (every content word capitalized, at least three) or None."""
    words = _cased_words(tokens)
    if len(words) < 2:
        return None
    if sum(t.text.isupper() for t in words) >= 0.8 * len(words):
        return "caps"
    content = [t for t in words if t.lower_ not in STOP_WORDS]
    if len(content) >= 3 and all(t.text[0].isupper() for t in content):
        return "title"
    return None


def is_headline(tokens: list[Token], evidence: dict[str, Counter]) -> bool:
    """A line to re-read: ALL CAPS, or Title Case that reads as a headline rather than a list of names.

    Title Case counts when a function word past the first word is capitalized ("Putin Tries to Gain
    China's Support Against ...") or, in a line without numbers, a third of its content words appear in
    lower case in the running text ("New Russian Tank Troop Drills at Ukraine's Border"). A list of names
    ("Mark McNulty ( Zimbabwe ) 254,247", "Sean Fitzpatrick , Walter Little") passes neither, and
    re-reading it would only lower-case names that are also words ("Mark", "Little").
    """
    case = headline_case(tokens)
    if case != "title":
        return case == "caps"
    words = _cased_words(tokens)
    if any(t.lower_ in STOP_WORDS and t.text[0].isupper() for t in words[1:]):
        return True
    if any(t.like_num for t in tokens):
        return False
    content = [t for t in words if t.lower_ not in STOP_WORDS]
    lowered = sum(1 for t in content if t.lower_ in evidence.get(t.lower_, ()))
    return 3 * lowered >= len(content)


@Language.factory("dateline_headline_ner", default_config={"ner_component": "ner"})
def make_headline_ner(nlp: Language, name: str, ner_component: str) -> "HeadlineNer":
    return HeadlineNer(nlp, ner_component)


class HeadlineNer:
    """Re-run the entity recognizer on headline-cased lines after restoring sentence case.

    A word takes the case it has elsewhere in the document's running text; without that evidence, a
    known name form (alias table) keeps its case, function words and words the lemmatizer knows as
    verbs, adjectives or adverbs go lower case, and anything else is capitalized. Only the re-read
    lines cost a second pass of ``ner`` (no tagger or parser), and their old entities are replaced.
    """

    def __init__(self, nlp: Language, ner_component: str):
        self.nlp = nlp
        self.ner_component = ner_component
        self.known_forms: dict[str, str] = {}
        self._lexicon: frozenset[str] | None = None

    def add_known_forms(self, forms: Iterable[str]) -> None:
        for form in forms:
            for word in form.split():
                if word.lower() not in STOP_WORDS and any(c.isupper() for c in word):
                    self.known_forms.setdefault(word.lower(), word)

    def _common_words(self) -> frozenset[str]:
        """Verbs, adjectives and adverbs from the lemmatizer's index (nouns include proper names)."""
        if self._lexicon is None:
            words: set[str] = set()
            if "lemmatizer" in self.nlp.pipe_names:
                lookups = getattr(self.nlp.get_pipe("lemmatizer"), "lookups", None)
                if lookups is not None and lookups.has_table("lemma_index"):
                    index = lookups.get_table("lemma_index")
                    for pos in ("verb", "adj", "adv"):
                        if pos in index:
                            words.update(index[pos])
            self._lexicon = frozenset(words)
        return self._lexicon

    def _is_common(self, low: str) -> bool:
        lexicon = self._common_words()
        candidates = {low}
        for suffix, repl in (
            ("ies", "y"),
            ("es", ""),
            ("s", ""),
            ("ed", ""),
            ("ed", "e"),
            ("d", ""),
            ("ing", ""),
            ("ing", "e"),
        ):
            if low.endswith(suffix) and len(low) - len(suffix) >= 2:
                candidates.add(low[: -len(suffix)] + repl)
        return any(c in lexicon for c in candidates)

    def recase(self, token: Token, evidence: dict[str, Counter]) -> str:
        text = token.text
        low = text.lower()
        if not any(c.isalpha() for c in text) or text not in (text.upper(), text.capitalize()):
            return text  # numbers, punctuation, and deliberate mixed case (McDonald, iPhone)
        seen = evidence.get(low)
        if seen:
            return seen.most_common(1)[0][0]
        if low in self.known_forms:
            return self.known_forms[low]
        # Two-letter words are too often names or initials to trust the lexicon ("Xi", "Li").
        if low in STOP_WORDS or (len(low) > 2 and self._is_common(low)):
            return low
        return text.capitalize() if len(text) > 1 else text

    def __call__(self, doc: Doc) -> Doc:
        if self.ner_component not in self.nlp.pipe_names:
            return doc
        segments = _segments(doc)
        candidates = {s for s in segments if headline_case(list(doc[s[0] : s[1]]))}
        if not candidates:
            return doc
        evidence = _case_evidence(doc, [s for s in segments if s not in candidates])
        heads = [s for s in segments if s in candidates and is_headline(list(doc[s[0] : s[1]]), evidence)]
        if not heads:
            return doc
        subdocs, offsets = [], []
        for start, end in heads:
            tokens = doc[start:end]
            words = [self.recase(t, evidence) for t in tokens]
            if words == [t.text for t in tokens]:
                continue
            spaces = [bool(t.whitespace_) for t in tokens]
            subdocs.append(Doc(doc.vocab, words=words, spaces=spaces))
            offsets.append((start, end))
        if not subdocs:
            return doc
        ner = self.nlp.get_pipe(self.ner_component)
        reread = list(ner.pipe(subdocs)) if hasattr(ner, "pipe") else [ner(d) for d in subdocs]
        kept = [e for e in doc.ents if not any(e.start < end and start < e.end for start, end in offsets)]
        new = [
            Span(doc, start + e.start, start + e.end, label=e.label_)
            for (start, _), sub in zip(offsets, reread, strict=True)
            for e in sub.ents
        ]
        doc.ents = filter_spans(kept + new)
        return doc


def _case_evidence(doc: Doc, segments: list[tuple[int, int]]) -> dict[str, Counter]:
    """How each word is written in running text, skipping each line's first word (capitalized anyway)."""
    evidence: dict[str, Counter] = defaultdict(Counter)
    for start, end in segments:
        first = True
        for token in doc[start:end]:
            if not token.is_alpha:
                continue
            if first:
                first = False
                continue
            evidence[token.lower_][token.text] += 1
    return evidence


@Language.factory("dateline_entity_cleanup")
def make_entity_cleanup(nlp: Language, name: str) -> "EntityCleanup":
    return EntityCleanup()


class EntityCleanup:
    """Split name spans at line breaks and separating punctuation, trim numbers and stray punctuation.

    Only name labels are reshaped (PERSON, ORG, GPE, LOC, FAC, NORP); dates, amounts and quantities stay
    as the model found them, for the steps that read them. Other named labels are only cut at line breaks.
    In a line of match results ("Huddersfield 2 Barnet 1") the sides the model missed become ORG.
    """

    def __call__(self, doc: Doc) -> Doc:
        ents = []
        for ent in doc.ents:
            if ent.label_ in NAME_LABELS:
                ents.extend(p for p in (_trim(part) for part in _split(ent)) if p is not None)
            elif ent.label_ in ENTITY_LABELS:
                ents.extend(p for p in _split_lines(ent) if any(c.isalpha() for c in p.text))
            else:
                ents.append(ent)
        doc.ents = filter_spans(ents + _result_sides(doc, ents))
        return doc


def _result_sides(doc: Doc, ents: list[Span]) -> list[Span]:
    """Unlabelled sides of a match result line: "Team 2 Team 1", each a run of one to three capitalized
    words that starts the line or follows a score and is followed by a score; at least two per line."""
    taken = bytearray(len(doc))
    for e in ents:
        taken[e.start : e.end] = b"\x01" * len(e)
    found = []
    for start, end in _segments(doc):
        tokens = doc[start:end]
        if not any(t.text.isdigit() for t in tokens):
            continue
        sides = []
        i = start
        while i < end:
            if i == start or doc[i - 1].text.isdigit():
                j = i
                while j < end and j - i < 3 and doc[j].is_alpha and doc[j].text[0].isupper():
                    j += 1
                if j > i and j < end and doc[j].text.isdigit() and not any(taken[i:j]):
                    if not all(t.lower_ in STOP_WORDS for t in doc[i:j]):
                        sides.append(Span(doc, i, j, label="ORG"))
                    i = j
                    continue
            i += 1
        if len(sides) >= 2:
            found.extend(sides)
    return found


def _split_lines(ent: Span) -> Iterator[Span]:
    start = ent.start
    for token in ent:
        if token.is_space:
            if token.i > start:
                yield Span(ent.doc, start, token.i, label=ent.label_)
            start = token.i + 1
    if ent.end > start:
        yield Span(ent.doc, start, ent.end, label=ent.label_)


def _split(ent: Span) -> Iterator[Span]:
    start = ent.start
    for token in ent:
        cut = token.is_space or token.text in SEPARATORS
        if ent.label_ == "PERSON" and token.lower_ in PERSON_JOINERS:
            cut = True
        # A score between two names ("Haitai 2 Samsung 0") separates them; a number that ends a name
        # ("Cold War 2.0", "Apollo 11") is trimmed or kept by _trim, not cut here.
        if _bare_number(token) and start < token.i < ent.end - 1 and ent.doc[token.i + 1].text[:1].isupper():
            cut = True
        if cut:
            if token.i > start:
                yield Span(ent.doc, start, token.i, label=ent.label_)
            start = token.i + 1
    if ent.end > start:
        yield Span(ent.doc, start, ent.end, label=ent.label_)


def _bare_number(token: Token) -> bool:
    return any(c.isdigit() for c in token.text) and not any(c.isalpha() for c in token.text)


def _is_edge_junk(token: Token) -> bool:
    """Punctuation or a bare number at the edge of a name ("Kent 244", "- Reuters")."""
    if token.text in POSSESSIVES:
        return False  # the possessive stays in the mention; the name span drops it
    return token.is_punct or token.is_space or not any(c.isalpha() for c in token.text)


def _trim(span: Span) -> Span | None:
    start, end = span.start, span.end
    doc = span.doc
    while start < end and _is_edge_junk(doc[start]):
        start += 1
    while end > start and _is_edge_junk(doc[end - 1]):
        end -= 1
    if end <= start or not any(c.isalpha() for c in doc[start:end].text):
        return None
    if all(t.lower_ in STOP_WORDS or t.text in POSSESSIVES for t in doc[start:end]):
        return None
    return Span(doc, start, end, label=span.label_)


@Language.factory("dateline_entity_consistency")
def make_entity_consistency(nlp: Language, name: str) -> "EntityConsistency":
    return EntityConsistency()


class EntityConsistency:
    """One label per name within a document, surnames as persons, names found at every occurrence.

    Reuters-style texts name a person in full once and by surname after; the model often calls the
    surname an organization or a place. Names from the alias table keep their own label.
    """

    def __init__(self) -> None:
        self.alias_labels: dict[str, str] = {}

    def add_aliases(self, aliases: Iterable[dict]) -> None:
        for row in aliases:
            if row["kind"] in ("country", "organization", "capital", "party"):
                self.alias_labels.setdefault(row["alias"], row["label"])

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        names = [e for e in ents if e.label_ in NAME_LABELS]
        surnames = {
            e[-1].text
            for e in names
            if e.label_ == "PERSON" and len(e) >= 2 and e[-1].is_alpha and e[-1].text[0].isupper()
        }
        labels: dict[str, Counter] = defaultdict(Counter)
        for e in names:
            labels[e.text][self._label(e, surnames)] += 1
        chosen = {}
        for text, counts in labels.items():
            (top, n), *rest = counts.most_common()
            if not rest or n > rest[0][1]:
                chosen[text] = top
        out = [
            Span(doc, e.start, e.end, label=chosen.get(e.text, e.label_)) if e.label_ in NAME_LABELS else e
            for e in ents
        ]
        out.extend(self._propagate(doc, out, chosen, surnames))
        doc.ents = filter_spans(out)
        return doc

    def _label(self, ent: Span, surnames: set[str]) -> str:
        if ent.text in self.alias_labels:
            return self.alias_labels[ent.text]
        if len(ent) == 1 and ent.text in surnames:
            return "PERSON"
        return ent.label_

    def _propagate(
        self, doc: Doc, ents: list[Span], chosen: dict[str, str], surnames: set[str]
    ) -> list[Span]:
        """Unlabelled occurrences of the document's names (and persons' surnames) become entities."""
        taken = bytearray(len(doc))
        for e in ents:
            taken[e.start : e.end] = b"\x01" * len(e)
        lowered = {t.lower_ for t in doc if t.is_lower}
        names = {
            tuple(t.text for t in doc[e.start : e.end]): chosen.get(e.text, e.label_)
            for e in ents
            if e.label_ in NAME_LABELS
        }
        for surname in surnames:
            names.setdefault((surname,), "PERSON")
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for words, label in names.items():
            if len(words) == 1 and (
                words[0].lower() in STOP_WORDS or words[0].lower() in lowered or len(words[0]) < 2
            ):
                continue  # a common word written capitalized is no evidence of a name
            by_first[words[0]].append((words, label))
        for candidates in by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))
        found = []
        for token in doc:
            for words, label in by_first.get(token.text, ()):
                end = token.i + len(words)
                if end > len(doc) or any(taken[token.i : end]):
                    continue
                if tuple(t.text for t in doc[token.i : end]) != words:
                    continue
                if _capitalized_neighbour(doc, token.i - 1) or _capitalized_neighbour(doc, end):
                    continue  # part of a longer name the model did not see
                found.append(Span(doc, token.i, end, label=label))
                taken[token.i : end] = b"\x01" * (end - token.i)
                break
        return found


def _capitalized_neighbour(doc: Doc, i: int) -> bool:
    if i < 0 or i >= len(doc):
        return False
    t = doc[i]
    return t.is_alpha and t.text[0].isupper() and t.lower_ not in STOP_WORDS


@Language.factory("dateline_canonical")
def make_canonical(nlp: Language, name: str) -> "Canonicalizer":
    return Canonicalizer()


class Canonicalizer:
    """Name span, canonical name, entity label and coarse type of every named entity.

    The name span drops a leading "the", a person's titles ("President", "Chinese leader") and a
    trailing possessive; the mention keeps its own span. Alias-table names resolve to their entry:
    countries and organizations always (and relabel the span); a demonym, noun or modifier, is its
    country's group (NORP, named by the country's first demonym in the table: "Americans" → "American",
    which ``resolve_entities`` relates to the country), never the country itself, and a language after
    "in" or "speak"; capitals only where they stand for their government in a political act
    ("Washington said", "Moscow's buildup", see ``_acting``). A person's short form links to the one
    longer name in the document that starts or ends with it ("Xi" → "Xi Jinping", "Putin" →
    "Vladimir Putin").
    """

    def __init__(self) -> None:
        self.exact: dict[str, dict] = {}
        self.folded: dict[str, dict] = {}
        self.titles: dict[str, list[tuple[str, ...]]] = {}  # first word → titles, longest first
        self.demonyms: set[str] = set()
        self.group_names: dict[str, str] = {}  # country → its group's name (its first demonym)
        self.organization_heads: set[str] = set()

    def add_organization_heads(self, words: Iterable[str]) -> None:
        self.organization_heads.update(w.casefold() for w in words)

    def add_aliases(self, aliases: Iterable[dict]) -> None:
        for row in aliases:
            text = _strip_article(row["alias"])
            self.exact.setdefault(text, row)
            # Short capitals-only forms (US, UN, EU) match only as written: "us" is a pronoun. Party
            # labels too: "democratic" in lower case is an adjective, "Democratic" the party.
            if row["kind"] != "party" and not (text.isupper() and len(text) <= 3):
                self.folded.setdefault(text.casefold(), row)
            if row["kind"] == "demonym":
                self.demonyms.add(text.casefold())
                self.group_names.setdefault(row["canonical_name"], text)

    def add_titles(self, titles: Iterable[str]) -> None:
        for title in titles:
            words = tuple(title.casefold().split())
            options = self.titles.setdefault(words[0], [])
            if words not in options:
                options.append(words)
                options.sort(key=len, reverse=True)

    def lookup(self, name: str) -> dict | None:
        return self.exact.get(name) or self.folded.get(name.casefold())

    def __call__(self, doc: Doc) -> Doc:
        relabelled: list[Span] = []
        names: list[_Name | None] = []
        flat: dict[int, bool] = {}
        surnames = {e[-1].lower_ for e in doc.ents if e.label_ == "PERSON" and len(e) > 1}
        for ent in doc.ents:
            if ent.label_ not in ENTITY_LABELS:
                relabelled.append(ent)
                names.append(None)
                continue
            if self._ends_a_title(ent):
                continue  # "State" of "Secretary of State" is part of a title, no organization
            label = ent.label_
            if label == "PERSON" and len(ent) > 1 and ent[-1].lower_ in self.organization_heads:
                label = "ORG"  # "Trump Organization", "Clinton Foundation": named after a person, not one
            # A lone word taken for a person but no person's surname here ("Surrey 4", "Kent 108-3") is a
            # team in a results line, as a place is.
            lone = label == "PERSON" and len(ent) == 1 and ent[0].lower_ not in surnames
            if (label in ("GPE", "LOC") or lone) and _scoreline_team(ent):
                row = self.lookup(canonical_text(ent.text))
                if row is None or row["kind"] not in ("country", "demonym"):
                    label = "ORG"  # "Pohang 3 Ulsan 2", "CHICAGO 74 60 .552": a city's team
            start, end = self._name_tokens(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label))
            name = _Name(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), "", label, False)
            name.canonical = canonical_text(doc[start:end].text)
            row = self.lookup(name.canonical)
            if row is not None and row["kind"] == "demonym" and (label == "LANGUAGE" or _language_use(ent)):
                name.entity_label = label = "LANGUAGE"  # "in Spanish", "speaks Russian": a language
                row = None
            if row is not None:
                kind = row["kind"]
                if kind in ("country", "organization", "party"):
                    name.canonical, name.entity_label, name.from_alias = (
                        row["canonical_name"],
                        row["label"],
                        True,
                    )
                    if label in NAME_LABELS and label != "NORP":
                        label = row["label"]
                elif kind == "demonym":
                    # One key per group, related to its country: "the Americans said" and "American
                    # troops" are both the group "American" (events read it as the country's actor).
                    group = self.group_names[row["canonical_name"]]
                    name.canonical, name.entity_label, name.from_alias = group, "NORP", True
                    if label in NAME_LABELS:
                        label = "NORP"
                elif kind == "capital" and label in ("GPE", "ORG", "LOC") and _acting(ent) and not _a_state(ent):
                    name.canonical, name.entity_label, name.from_alias = row["canonical_name"], "GPE", True
            if not name.from_alias and _flat_case(ent, flat):
                name.canonical = proper_case(name.canonical)
            relabelled.append(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label=label))
            names.append(name)
        _link_short_forms([n for n in names if n is not None])
        doc.ents = relabelled
        for span, name in zip(doc.ents, names, strict=True):
            if name is not None:
                span._.name_start_char = name.start_char
                span._.name_end_char = name.end_char
                span._.canonical_name = name.canonical
                span._.entity_label = name.entity_label
                span._.coarse_type = COARSE_TYPES.get(name.entity_label, "other")
        return doc

    def _name_tokens(self, ent: Span) -> tuple[int, int]:
        doc = ent.doc
        start, end = ent.start, ent.end
        while end - start > 1 and (doc[end - 1].text in POSSESSIVES or doc[end - 1].is_punct):
            end -= 1
        while end - start > 1 and doc[start].lower_ in ARTICLES:
            start += 1
        if ent.label_ == "PERSON":
            start = self._skip_titles(doc, start, end)
        return start, end

    def _ends_a_title(self, ent: Span) -> bool:
        """The entity is the last words of a title that begins before it ("Secretary of State")."""
        if ent.label_ == "PERSON":
            return False
        doc = ent.doc
        words = [t.lower_ for t in ent]
        for k in range(1, min(3, ent.start) + 1):
            before = [t.lower_ for t in doc[ent.start - k : ent.start]]
            if tuple(before + words) in self.titles.get(before[0], ()):
                return True
        return False

    def _skip_titles(self, doc: Doc, start: int, end: int) -> int:
        """Drop leading titles, also after a demonym or a party ("Chinese leader", "Democrat President")."""
        changed = True
        while changed and end - start > 1:
            changed = False
            lowered = [t.lower_ for t in doc[start:end]]
            skip = 1 if lowered[0] in self.demonyms else 0
            for title in self.titles.get(lowered[skip], ()) if skip < len(lowered) else ():
                n = skip + len(title)
                if n < end - start and tuple(lowered[skip:n]) == title:
                    start += n
                    changed = True
                    break
        return start


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# What a government does, as the lemma of the verb whose subject (or passive agent) a capital is:
# speaking and taking positions, coercion and policy, diplomacy, force. "Washington imposed",
# "Beijing said", "criticized by Moscow". Verbs a city, a state or a team does as well ("host", "see",
# "beat", "have", "meet", "reach") are left out: there the capital is the place.
GOVERNMENT_ACTS = _words(
    "say tell announce state declare insist claim allege argue assert maintain deny confirm acknowledge "
    "admit "
    "warn threaten accuse blame condemn criticize criticise denounce rebuke protest complain object "
    "urge demand ask request call press pressure push lobby persuade appeal "
    "vow pledge promise signal respond reply react retaliate reciprocate forecast predict "
    "welcome praise hail applaud endorse support back oppose reject dismiss refuse decline rebuff veto "
    "agree disagree accept approve authorize recognize recognise designate label blacklist "
    "impose sanction levy slap ban bar block restrict embargo freeze seize expel recall summon suspend "
    "halt withdraw lift ease extend renew tighten toughen "
    "negotiate mediate broker consult sign ratify quit propose offer seek want consider weigh plan intend "
    "decide "
    "believe fear suspect worry view regard "
    "deploy station arm fund finance supply sponsor spur encourage incite instigate "
    "invade annex occupy attack bomb strike retake recapture capture intervene interfere meddle "
    "indict charge prosecute extradite"
)
# What is done to a government, as the verb of which a capital is the object or passive subject:
# "sanction Moscow", "Beijing warned Washington", "Washington was accused of".
GOVERNMENT_TARGETS = _words(
    "sanction punish accuse blame criticize criticise condemn rebuke warn threaten urge pressure press "
    "lobby persuade convince court woo reassure assure placate appease provoke antagonize defy challenge "
    "confront oppose support back trust distrust tell inform notify ask thank praise snub betray "
    "deceive mislead join destabilize destabilise undermine weaken isolate contain deter coerce "
    "intimidate bully"
)
# Verbs that pass their subject on to the act they govern: "Washington has been trying to persuade",
# "Beijing continues to press", "Washington will keep imposing".
CONTROL_VERBS = _words(
    "try attempt continue keep stop begin start seem appear plan intend hope want need have go fail refuse "
    "decide agree threaten vow promise seek aim move prepare expect wish prefer choose struggle scramble "
    "rush hesitate"
)
# Adjectives that make "CAPITAL is ..." a government's position ("Washington is ready to talk").
GOVERNMENT_STANCES = _words(
    "ready willing prepared determined concerned worried opposed committed unwilling reluctant eager keen "
    "wary skeptical sceptical critical adamant unhappy angry furious open"
)
# Nouns of a government's acts, positions and relations: the capital as their owner ("Washington's
# policy", "Moscow's buildup"), or after "of", "from", "with", "against", "on", "between" … ("pressure
# from Washington", "talks with Beijing", "tensions between Washington and Moscow"). "Washington's
# traffic", "a trip to Washington", "flights from Washington" keep the place.
GOVERNMENT_NOUNS = _words(
    "policy position stance posture approach strategy doctrine agenda response reaction decision move "
    "demand request proposal offer plan initiative sanction tariff measure restriction ban embargo "
    "pressure threat warning ultimatum accusation allegation claim criticism condemnation objection "
    "protest refusal insistence veto recognition retaliation crackdown support backing aid assistance "
    "commitment pledge promise assurance guarantee approval blessing consent endorsement "
    "ally alliance partner partnership adversary enemy rival rivalry foe opponent "
    "relation relationship tie talk negotiation negotiator dialogue diplomacy engagement cooperation "
    "deal agreement accord treaty pact dispute tension conflict war standoff confrontation feud spat "
    "diplomat envoy ambassador embassy delegation emissary "
    "government administration leadership regime military troop force army navy intelligence "
    "aggression aggressiveness hostility intention objective goal aim priority interest influence role "
    "involvement intervention interference meddling buildup effort bid attempt message statement signal "
    "announcement view assessment concern suggestion invasion annexation offensive incursion occupation "
    "accession jab swipe rebuke action overreach meeting summit"
)
# The objects that make any verb a government's act: its means and dealings, not other actors
# ("Moscow gathered troops", "Washington faces pressure"; "Washington sued the administration" is the
# state).
GOVERNMENT_MEANS = _words(
    "sanction tariff measure restriction ban embargo troop force military army navy missile pressure "
    "threat warning ultimatum demand proposal offer plan policy talk negotiation tension deal agreement "
    "accord treaty pact war conflict standoff dispute odds aid assistance assurance guarantee exercise "
    "drill"
)
# Prepositions after which a capital may be a government, when the word they attach to is a
# government's act or noun. "to", "from" and "at" only after a noun ("a warning to Moscow", "a jab at
# Washington"; "sent troops to Washington" is the place). "in", "near", "across" … always keep the place.
GOVERNMENT_PREPOSITIONS = _words("with against by on of between toward towards for over")
NOUN_ONLY_PREPOSITIONS = _words("to from at")
# Verbs with a government on the other side ("negotiate with Beijing", "clash with Moscow").
INTERACTION_VERBS = _words(
    "negotiate talk cooperate clash side align ally deal engage reconcile break trade spar feud wrangle "
    "coordinate consult confer communicate"
)


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _government_act(verb: Token, acts: frozenset[str]) -> bool:
    """``verb`` is one of ``acts``, or a control verb whose complement is ("trying to persuade")."""
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    if _lemma(verb) in acts:
        return True
    # an act whose object is a government's ("Moscow gathered troops", "Moscow is facing tensions")
    for obj in verb.children:
        if obj.dep_ == "dobj":
            objects = [obj] + [p for c in obj.children if c.lower_ == "of" for p in c.children]
            if any(_lemma(o) in GOVERNMENT_MEANS for o in objects):
                return True
    if _lemma(verb) in ("be", "remain", "stay"):
        # "is ready to", "is Kyiv's main backer", "remains at war / at odds / in talks with"
        return any(
            (c.dep_ == "acomp" and _lemma(c) in GOVERNMENT_STANCES)
            or (c.dep_ == "attr" and _lemma(c) in GOVERNMENT_NOUNS)
            or (c.dep_ == "prep" and any({_lemma(p), p.lower_} & GOVERNMENT_MEANS for p in c.children))
            for c in verb.children
        )
    if _lemma(verb) in CONTROL_VERBS:
        return any(c.dep_ == "xcomp" and _government_act(c, acts) for c in verb.children)
    return False


def _acting(ent: Span) -> bool:
    """The capital stands for its government in a political act: as the subject or agent of a
    government's verb ("Washington imposed", "Beijing said", "criticized by Moscow", "Washington is
    ready to talk"), as the owner of a government's noun ("Moscow's buildup", "Washington's policy"), or
    on the receiving end ("sanction Moscow", "talks with Beijing", "sanctions against Moscow", "pressure
    from Washington"). Anywhere else — "Washington hosted the parade", "Washington's traffic", "visits
    Beijing", "in Moscow", "Tourists love Beijing" — it is the place."""
    root = ent.root
    while root.dep_ == "conj" and root.head is not root:
        root = root.head
    head = root.head
    if root.dep_ == "nsubj":
        return _government_act(head, GOVERNMENT_ACTS)
    if root.dep_ == "nsubjpass":
        return _government_act(head, GOVERNMENT_TARGETS)
    if root.dep_ in ("dobj", "iobj", "dative"):
        return _government_act(head, GOVERNMENT_TARGETS)
    if root.dep_ == "poss":
        return _lemma(head) in GOVERNMENT_NOUNS
    if root.dep_ == "pobj":
        prep, governor = head.lower_, head.head
        if head.dep_ == "agent":  # "criticized by Moscow"
            return _government_act(governor, GOVERNMENT_ACTS)
        if governor.pos_ in ("NOUN", "PROPN"):
            nominal = prep in GOVERNMENT_PREPOSITIONS or prep in NOUN_ONLY_PREPOSITIONS
            return nominal and _lemma(governor) in GOVERNMENT_NOUNS
        if prep in GOVERNMENT_PREPOSITIONS and governor.pos_ in ("VERB", "AUX"):
            # "retaliated against Washington", "call on Moscow", "negotiate with Beijing"
            return _lemma(governor) in INTERACTION_VERBS or _government_act(governor, GOVERNMENT_ACTS)
    return False


_DATE_AFTER = re.compile(r"\s*\d{4}\s*-\s*\d{1,2}\s*-\s*\d{1,2}\b|\s*\d{1,2}\s*[-/]\s*\d{1,2}\s*[-/]\s*\d{2,4}\b")


def _scoreline_team(ent: Span) -> bool:
    """A place followed by a score in a results or standings line ("Pohang 3 Ulsan 2 ( halftime 1-0 )",
    "CHICAGO 74 60 .552"): in such a line a place names its team. A results line is a line of its own
    with at least two numbers, where numbers and punctuation make up at least a third of the tokens.
    """
    doc = ent.doc
    if ent.end >= len(doc) or not any(c.isdigit() for c in doc[ent.end].text):
        return False
    start = ent.start
    while start > 0 and not (doc[start - 1].is_space and "\n" in doc[start - 1].text):
        start -= 1
    end = ent.end
    while end < len(doc) and not (doc[end].is_space and "\n" in doc[end].text):
        end += 1
    if _DATE_AFTER.match(doc[ent.end : end].text):
        return False  # a dateline: "SEOUL 1996-08-30"
    line = [t for t in doc[start:end] if not t.is_space]
    numbers = sum(1 for t in line if any(c.isdigit() for c in t.text))
    other = sum(1 for t in line if t.is_punct or any(c.isdigit() for c in t.text))
    return numbers >= 2 and 3 * other >= len(line) and len(line) <= 40


# Words before a capital that make it a region or a part of the city ("eastern Washington").
PLACE_MODIFIERS = _words(
    "eastern western northern southern central northeastern northwestern southeastern southwestern "
    "rural downtown suburban greater upstate coastal"
)
# Words after a capital that make it a state or a city ("Washington state", "Washington, D.C."), and a
# dateline's dash or parenthesis.
STATE_AFTER = _words("state state's county city d.c. dc")
DATELINE_MARKS = frozenset({"—", "–", "-", "("})


def _a_state(ent: Span) -> bool:
    """The capital is a place or part of another name, whatever its role in the sentence.

    "Washington state", "the state of Washington", "eastern Washington", "Washington, D.C.", a dateline
    ("WASHINGTON —", "Washington (CNN)"), a name in capitals (datelines again), and a capitalized word
    before it ("George Washington", "Lake Washington"). Teams ("Washington Redskins") and titles
    ("Washington Gov. Jay Inslee") are the model's longer names or compounds, never acting.
    """
    doc = ent.doc
    after = doc[ent.end : ent.end + 3]
    if len(after) and (after[0].lower_ in STATE_AFTER or after[0].text in DATELINE_MARKS):
        return True
    if len(after) > 1 and after[0].text == "," and after[1].lower_ in ("d.c.", "dc", "d.c"):
        return True
    if len(ent.text) > 4 and ent.text.isupper():
        return True
    before = [t for t in doc[max(ent.start - 2, 0) : ent.start]]
    if [t.lower_ for t in before[-2:]] == ["state", "of"]:
        return True
    if before and before[-1].lower_ in PLACE_MODIFIERS:
        return True
    return bool(before) and _capitalized_neighbour(doc, ent.start - 1) and not before[-1].is_sent_start


# Verbs whose object or "in" phrase is a language ("speaks Russian", "translated into English").
LANGUAGE_VERBS = frozenset("speak say write read learn teach translate dub subtitle publish broadcast".split())


def _language_use(ent: Span) -> bool:
    """A demonym used as a language: "in Spanish", "into English" (no noun follows), "speaks Russian"."""
    if len(ent) != 1:
        return False
    doc = ent.doc
    before = doc[ent.start - 1] if ent.start > 0 else None
    after = doc[ent.end] if ent.end < len(doc) else None
    if before is not None and before.lower_ in ("in", "into"):
        return after is None or after.is_punct or after.is_space or after.lower_ in STOP_WORDS
    root = ent.root
    return root.dep_ == "dobj" and root.head.lemma_ in LANGUAGE_VERBS and not root.n_lefts


def _flat_case(ent: Span, cache: dict[int, bool]) -> bool:
    """The entity's sentence is written all in lower case or all in capitals (a name's case says nothing)."""
    sent = ent.sent if ent.doc.has_annotation("SENT_START") else ent.doc[:]
    if sent.start not in cache:
        words = [t.text for t in sent if t.is_alpha and len(t.text) > 1]
        lower = sum(w.islower() for w in words)
        upper = sum(w.isupper() for w in words)
        cache[sent.start] = len(words) >= 3 and max(lower, upper) >= 0.9 * len(words)
    return cache[sent.start]


@dataclass
class _Name:
    start_char: int
    end_char: int
    canonical: str
    entity_label: str
    from_alias: bool  # resolved by the alias table: no short-form linking


def _link_short_forms(names: list[_Name]) -> None:
    """A person's short name that begins or ends exactly one longer person name takes that name."""
    persons = sorted({n.canonical for n in names if n.entity_label == "PERSON" and not n.from_alias})
    for name in names:
        if name.entity_label == "PERSON" and not name.from_alias:
            target = short_form_target(name.canonical, persons)
            if target is not None:
                name.canonical = target


def short_form_target(name: str, full_names: Iterable[str]) -> str | None:
    """The one full name of which ``name`` is the first or last words, or None (none or ambiguous)."""
    words = name.split()
    n = len(words)
    matches = set()
    for full in full_names:
        parts = full.split()
        if len(parts) > n and (parts[:n] == words or parts[-n:] == words):
            matches.add(full)
    # "Xi" inside both "Xi Jinping" and "Xi Jinping Thought" still means the shortest one
    minimal = {
        m for m in matches if not any(o != m and o.split()[: len(m.split())] == m.split() for o in matches)
    }
    return next(iter(minimal)) if len(minimal) == 1 else None


_POSSESSIVE_SUFFIXES = ("’s", "'s", "’", "'")


def _strip_article(text: str) -> str:
    return text[4:] if text[:4].lower() == "the " and len(text) > 4 else text


def canonical_text(text: str) -> str:
    """Canonical spelling of a name: single spaces, no leading "the", no trailing possessive."""
    name = _strip_article(" ".join(text.split()))
    for suffix in _POSSESSIVE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name.strip()


def proper_case(name: str) -> str:
    """A name written all in capitals or all in lower case, as a name is written ("gujarat" → "Gujarat").

    Mixed case is kept as written (McDonald, iPhone, al-Assad). In capitals, a short single word is an
    acronym and stays (NATO, FBI); in lower case every word is capitalized; words with dots keep
    their capitals (U.S., D.C.).
    """
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return name
    upper = all(c.isupper() for c in letters)
    lower = all(c.islower() for c in letters)
    if not (upper or lower):
        return name
    words = name.split(" ")
    if upper and (len(words) == 1 and len(letters) <= 4):
        return name
    out = []
    for word in words:
        if "." in word:
            out.append(word.upper())
        else:
            out.append("-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")))
    return " ".join(out)
