"""``dateline_entity_cleanup``: a name never crosses a line break or punctuation that separates names,
never starts or ends with a bare number, and a span without letters is no name. A hyphen-joined pair of
names ("the Trump-Kim summit", "the Trump-Russia inquiry") is two names when each side is a name of its own
elsewhere in the document. A photo credit ("Jonathan Ernst/Reuters", "REUTERS/Kevin Lamarque", "AP Photo/Evan
Vucci", "Chip Somodevilla/Getty Images") names no one the news is about: its names are dropped.
"""

from collections.abc import Iterator

import numpy as np
from dateline.transforms.entity_names import (
    ARTICLES,
    ENTITY_LABELS,
    NAME_LABELS,
    PERSON_JOINERS,
    POSSESSIVES,
    SEPARATORS,
    line_segments,
    line_words,
)
from spacy.attrs import ORTH, SPACY
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans


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
        hyphens = _joining_hyphens(doc)
        doc.ents = _through_hyphens(doc, hyphens)
        pairs, paired = _hyphen_pairs(doc, doc.ents, _standalone_names(doc.ents), hyphens)
        ents = list(pairs)
        for ent in doc.ents:
            if paired.intersection(range(ent.start, ent.end)):
                continue  # replaced by the pair's names
            if ent.label_ in NAME_LABELS:
                ents.extend(p for p in (_trim(part) for part in _split(ent)) if p is not None)
            elif ent.label_ in ENTITY_LABELS:
                ents.extend(p for p in _split_lines(ent) if any(c.isalpha() for c in p.text))
            else:
                ents.append(ent)
        ents = _without_credits(doc, ents)
        doc.ents = filter_spans(ents + _result_sides(doc, ents))
        return doc


# Labels a side of a hyphen-joined pair may have: people, places, organizations ("Israeli-Palestinian" and
# "Mexican-American" are one adjective, not two groups).
PAIR_LABELS = frozenset({"PERSON", "GPE", "ORG"})
_HYPHEN = get_string_id("-")
_SLASH = get_string_id("/")

# The words of a photo agency or a credit's kind, as a credit writes them after (or before) the slash.
CREDIT_WORDS = frozenset({
    "reuters", "ap", "afp", "getty", "images", "file", "photo", "photos", "pool", "tass", "npr", "epa", "efe",
    "bloomberg", "contributed", "xinhua", "sputnik", "upi", "anadolu", "agency", "sipa", "ria", "novosti",
    "kcna", "yonhap", "nurphoto", "shutterstock", "via", "/", "-",
})
# What may start the agency side: an agency, or the kind of credit ("File Photo", "Pool", "Contributed").
CREDIT_STARTS = CREDIT_WORDS - {"images", "photo", "photos", "agency", "novosti", "via", "/", "-"}


def _joins(token: Token) -> bool:
    """A hyphen written inside a word ("Trump-Kim"), not a dash between spaced words."""
    doc = token.doc
    return (
        token.text == "-" and 0 < token.i < len(doc) - 1
        and not doc[token.i - 1].whitespace_ and not token.whitespace_
    )


def _hyphenated(token: Token) -> bool:
    doc = token.doc
    return any(0 <= i < len(doc) and _joins(doc[i]) for i in (token.i - 1, token.i + 1))


def _standalone_names(ents) -> dict[str, str]:
    """Names the document writes on their own, with their label: each whole name span, and for a person
    each capitalized word of the name ("Trump" of "Donald Trump", "Kim" of "Kim Jong Un"). Words joined by a
    hyphen ("Ocasio" of "Ocasio-Cortez") are no evidence."""
    known: dict[str, str] = {}
    for ent in ents:
        if ent.label_ not in PAIR_LABELS or any(_hyphenated(t) for t in ent):
            continue
        known.setdefault(ent.text, ent.label_)
        if ent.label_ == "PERSON":
            for token in ent:
                if token.is_alpha and token.text[0].isupper() and len(token) > 1:
                    known.setdefault(token.text, "PERSON")
    return known


def _joining_hyphens(doc: Doc) -> list[int]:
    """The indices of the hyphens that join two words (``_joins``), read off the Doc's columns at once."""
    columns = doc.to_array([ORTH, SPACY])
    joined = (columns[1:-1, 0] == _HYPHEN) & (columns[1:-1, 1] == 0) & (columns[:-2, 1] == 0)
    return (np.flatnonzero(joined) + 1).tolist()


def _hyphen_pairs(doc: Doc, ents, known: dict[str, str], hyphens: list[int]) -> tuple[list[Span], set[int]]:
    """Names written "X-Y" (or "X-Y-Z") whose every side is a one-word name the document writes on its own
    (``_standalone_names``): a span per side with that name's label, and the tokens of those pairs. A pair
    inside a longer name span ("the Trump-Kim Summit Committee") is left as the model found it.
    ``hyphens``: ``_joining_hyphens(doc)``; a chain can only start right before one, so the scan jumps from
    one to the next (every other start gives a chain of one word)."""
    sides: list[Span] = []
    tokens: set[int] = set()
    at = 0
    i = 0
    while i < len(doc):
        while at < len(hyphens) and hyphens[at] <= i:
            at += 1
        if at == len(hyphens):
            break
        i = hyphens[at] - 1
        end = i + 1
        while end + 1 < len(doc) and _joins(doc[end]):
            end += 2
        chain = [doc[j] for j in range(i, end, 2)]
        if len(chain) >= 2 and all(t.text in known for t in chain) and not _inside_longer(doc, ents, i, end):
            sides.extend(Span(doc, t.i, t.i + 1, label=known[t.text]) for t in chain)
            tokens.update(range(i, end))
        i = end
    return sides, tokens


# Short English words (four letters at most, as ``_name_tail`` reads) written after a name and a hyphen
# ("the Trump-era rules", "a Saudi-led coalition"): the name's compound, not the rest of the name (a word
# ending in "-ed" or "-ing" is none either).
COMPOUND_HEADS = frozenset({
    "era", "led", "run", "like", "born", "made", "wide", "type", "area", "free", "held", "size", "only", "up",
    "out", "old", "ish", "day", "year", "law", "fan", "war", "deal", "plan", "bill", "foe", "ally", "pick",
    "team", "camp", "tie", "ties", "link", "ban", "tax", "aid", "arms", "gate", "ism", "ist", "ite", "less",
})


def _through_hyphens(doc: Doc, hyphens: list[int]) -> tuple[Span, ...]:
    """``doc.ents`` with the names the model cut at a hyphen inside a word made whole: "Moon Jae" of "Moon
    Jae-in" is "Moon Jae-in". A name of two words or more, ending in a capitalized word the document never
    writes but before that hyphen, takes the hyphen and the short lower-case word after it (up to four
    letters, no English compound's head: "Trump-era", "Saudi-led", "New York-based" stay as found).
    ``hyphens``: ``_joining_hyphens(doc)``."""
    ents = doc.ents
    if not hyphens:
        return ents
    cut = [
        i for i, ent in enumerate(ents)
        if ent.label_ in NAME_LABELS and len(ent) > 1 and ent.end + 1 < len(doc) and _joins(doc[ent.end])
        and ent[-1].is_alpha and ent[-1].is_title and _name_tail(doc[ent.end + 1])
        and doc[ent.end + 1].ent_iob_ == "O" and doc[ent.end].ent_iob_ == "O"
    ]
    if not cut:
        return ents
    alone = {t.text for t in doc if not (t.i + 1 < len(doc) and _joins(doc[t.i + 1]))}
    ents = list(ents)
    for i in cut:
        ent = ents[i]
        if ent[-1].text not in alone:
            ents[i] = Span(doc, ent.start, ent.end + 2, label=ent.label_)
    return tuple(ents)


def _name_tail(token: Token) -> bool:
    """The word after the hyphen may end a name: short, lower case, no English compound's head, no further
    hyphen after it."""
    text = token.text
    doc = token.doc
    return (
        token.is_alpha and text.islower() and len(text) <= 4 and text not in COMPOUND_HEADS
        and not text.endswith(("ed", "ing")) and not (token.i + 1 < len(doc) and _joins(doc[token.i + 1]))
    )


def _inside_longer(doc: Doc, ents, start: int, end: int) -> bool:
    """Whether an entity span reaches words beyond ``doc[start:end]`` other than "the" or a possessive."""
    for ent in ents:
        if ent.end <= start or ent.start >= end:
            continue
        outside = [t for t in ent if not start <= t.i < end]
        if any(t.lower_ not in ARTICLES and t.text not in POSSESSIVES for t in outside):
            return True
    return False


def _result_sides(doc: Doc, ents: list[Span]) -> list[Span]:
    """Unlabelled sides of a match result line: "Team 2 Team 1", each a run of one to three capitalized
    words that starts the line or follows a score and is followed by a score; at least two per line."""
    taken = bytearray(len(doc))
    for e in ents:
        taken[e.start : e.end] = b"\x01" * len(e)
    found = []
    words = line_words(doc)
    for start, end in line_segments(doc):
        if not words.count(start, end)[words.DIGITS]:  # no score in the line
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
    # a possessive or an apostrophe never starts a name ("it’s Buttigieg", "'The Sewing Circle")
    while start < end and (_is_edge_junk(doc[start]) or doc[start].text in POSSESSIVES):
        start += 1
    while end > start and _is_edge_junk(doc[end - 1]):
        end -= 1
    if end <= start or not any(c.isalpha() for c in doc[start:end].text):
        return None
    if all(t.lower_ in STOP_WORDS or t.text in POSSESSIVES for t in doc[start:end]):
        return None
    return Span(doc, start, end, label=span.label_)


def _without_credits(doc: Doc, ents: list[Span]) -> list[Span]:
    """``ents`` less the names a photo credit holds (``_credits``). A name span that runs on past the agency
    of a credit ("Jeff Chiu/AP Bernie Sanders": a caption glued to its credit) keeps what follows it."""
    credits = _credits(doc)
    if not credits:
        return ents
    kept = []
    for ent in ents:
        start = ent.start
        # a span may hold the same credit twice ("Win McNamee/AP Win McNamee/AP"): each is cut off in turn
        while (hit := next(((s, e, rest) for s, e, rest in credits if s < ent.end and start < e), None)) is not None:
            _, end, rest = hit
            if not (rest and end < ent.end and any(t.is_alpha and (t.is_title or t.is_upper) for t in doc[end : ent.end])):
                start = ent.end
                break
            start = end
        if start == ent.start:
            kept.append(ent)
        elif start < ent.end:
            kept.append(Span(doc, start, ent.end, label=ent.label_))
    return kept


def _credits(doc: Doc) -> list[tuple[int, int, bool]]:
    """Photo credits as (start, end, whether a name span may go on after ``end``): a name, a slash and an
    agency ("Jonathan Ernst/Reuters", "Chris Kleponis-Pool/Getty Images", "Sergei Konkov/TASS via Getty
    Images", "Pool/Getty Images"; from the name's last word to the agency's end), or an agency in capitals
    or with "Photo", a slash and a name ("REUTERS/Jonathan Ernst", "AP Photo/Evan Vucci"; from the agency to
    the name's first word). "DOJ/FBI", "China/Russia relations" and the "Reuters/Ipsos" poll are none."""
    slashes = np.flatnonzero(doc.to_array([ORTH]) == _SLASH).tolist()
    found = []
    for i in slashes:
        if not 0 < i < len(doc) - 1:
            continue
        agency_end = _agency_after(doc, i)
        if agency_end > i + 1 and _capitalized(doc[i - 1]):
            found.append((i - 1, agency_end, True))
        elif _capitalized(doc[i + 1]) and doc[i + 1].lower_ not in CREDIT_WORDS and (start := _agency_before(doc, i)) < i:
            found.append((start, i + 2, False))
    return found


def _capitalized(token: Token) -> bool:
    return token.text[:1].isupper() and any(c.isalpha() for c in token.text)


def _agency_after(doc: Doc, slash: int) -> int:
    """The end of the agency written right after ``doc[slash]`` (``slash + 1`` if none is)."""
    end = slash + 1
    if doc[end].lower_ in CREDIT_STARTS and _capitalized(doc[end]):
        while end < len(doc) and doc[end].lower_ in CREDIT_WORDS and not doc[end].is_space:
            end += 1
    return end


def _agency_before(doc: Doc, slash: int) -> int:
    """Where an agency written in capitals ("REUTERS") or with "Photo" ("AP Photo") right before
    ``doc[slash]`` starts (``slash`` if none is)."""
    start = slash
    while start > 0 and doc[start - 1].lower_ in CREDIT_WORDS and doc[start - 1].orth != _SLASH:
        start -= 1
    words = [t for t in doc[start:slash] if t.is_alpha]
    if not words or words[0].lower_ not in CREDIT_STARTS:
        return slash
    if all(t.is_upper for t in words) or any(t.lower_ in ("photo", "photos") for t in words):
        return start
    return slash
