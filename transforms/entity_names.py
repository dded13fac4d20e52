"""What Dateline's entity components share: entity labels, name spellings, and data handed over like spaCy's rulers.

The components (``headline_ner``, ``entity_cleanup``, ``entity_consistency``, ``canonicalizer``;
``entity_components.add_entity_components`` puts them in a pipeline) read their reference data (aliases,
titles) through ``initialize(...)`` and save it with the pipeline (``to_disk`` / ``from_disk``, ``to_bytes``
/ ``from_bytes``), as spaCy's own ``SpanRuler`` does with its patterns.
"""

import weakref
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import srsly
from spacy.attrs import IS_ALPHA, IS_SPACE, LIKE_NUM, LOWER, ORTH, SENT_START
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

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


class DataComponent(ABC):
    """A component whose reference data is handed over by ``initialize`` and saved with the pipeline.

    ``data`` is a JSON-able dict of the tables as given; ``_apply`` builds the component's lookups from it.
    ``to_disk`` writes it as ``data.json`` in the component's folder, ``from_disk`` reads it back.
    """

    data: dict

    @abstractmethod
    def _apply(self, data: dict) -> None:
        """Build the component's lookups from ``data``."""

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.json_dumps(self.data).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "DataComponent":
        self._apply(srsly.json_loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "data.json", self.data)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "DataComponent":
        self._apply(srsly.read_json(ensure_path(path) / "data.json"))
        return self


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


def line_segments(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the doc's lines within sentences (line breaks and sentence starts cut)."""
    has_sents = doc.has_annotation("SENT_START")
    # Only a line break (a whitespace token holding "\n") or a sentence start can close a segment: the
    # Doc's columns say where those are, and the tokens in between are never made into Token objects.
    columns = doc.to_array([IS_SPACE, SENT_START])
    cuts = {i for i in np.flatnonzero(columns[:, 0] == 1).tolist() if "\n" in doc[i].text}
    sent_starts = set(np.flatnonzero(columns[:, 1].astype(np.int64) > 0).tolist()) if has_sents else set()
    segments = []
    start = None
    following = 0  # the first token not looked at yet
    for i in sorted(cuts | sent_starts):
        if start is None and following < i:
            start = following  # a token between the cuts opens a segment
        following = i + 1
        cut = i in cuts
        if i in sent_starts and start is not None and not cut:
            segments.append((start, i))
            start = None
        if cut:
            if start is not None:
                segments.append((start, i))
            start = None
            continue
        if start is None:
            start = i
    if start is None and following < len(doc):
        start = following
    if start is not None:
        segments.append((start, len(doc)))
    return segments


class LineWords:
    """What the entity components read of how the words of one Doc are written, read with one ``Doc.to_array``
    and looked at once per distinct word, so that a line's or a sentence's verdict costs no ``Token`` object per
    word (spaCy makes a new one per access). Per distinct word (``words``: a token's index into them) its
    ``text``, ``lower`` (``lower_``), ``alpha`` (``is_alpha``), ``num`` (``like_num``), ``cased`` (alphabetic and
    longer than one character: ``headline_ner._cased_words``, ``entity_roles.flat_case``), ``stop`` (``lower_`` a
    stop word) and ``capital`` (``text[0].isupper()``); and running counts over the tokens (``count``)."""

    __slots__ = ("words", "text", "lower", "alpha", "num", "cased", "stop", "capital", "_alpha_at", "_counts", "_token_lower")
    # the running counts, by column: cased words, cased in capitals (text.isupper()), content words (cased, not a
    # stop word), capitalized content words, cased in lower case (text.islower()), all digits (text.isdigit())
    CASED, CAPITALS, CONTENT, CAPITALIZED, LOWER_CASE, DIGITS = range(6)

    def __init__(self, doc: Doc, known: dict[int, tuple] | None = None):
        """``known``: the flags of the words met before (by ``ORTH``), filled as new ones are met; one per vocab."""
        columns = doc.to_array([ORTH, LOWER, IS_ALPHA, LIKE_NUM]).reshape(len(doc), 4)
        ids, first, inverse = np.unique(columns[:, 0], return_index=True, return_inverse=True)
        self.words = inverse.reshape(-1)
        known = {} if known is None else known
        strings = doc.vocab.strings
        flags = []
        for orth, lower, alpha, num in columns[first].tolist():
            word = known.get(orth)
            if word is None:
                text, lower_text = strings[orth], strings[lower]
                cased, stop = bool(alpha) and len(text) > 1, lower_text in STOP_WORDS
                capital = text[:1].isupper()
                word = known[orth] = (text, lower_text, bool(alpha), bool(num), cased, stop, capital,
                                      cased and text.isupper(), cased and not stop, cased and not stop and capital,
                                      cased and text.islower(), text.isdigit())
            flags.append(word)
        self.text, self.lower, self.alpha, self.num, self.cased, self.stop, self.capital, *counted = (
            list(column) for column in zip(*flags, strict=True)) if flags else ([] for _ in range(12))
        # counts[i] = how many of the tokens before token i are of each kind (the columns above)
        counts = np.zeros((len(doc) + 1, 6), dtype=np.int64)
        if flags:
            np.cumsum(np.array([self.cased, *counted], dtype=bool).T[self.words], axis=0, out=counts[1:])
        self._counts = counts
        self._alpha_at = np.array(self.alpha, dtype=bool)[self.words]
        self._token_lower: list[str] | None = None

    @property
    def token_lower(self) -> list[str]:
        """Each token's ``lower_``, by token index (read on first use)."""
        if self._token_lower is None:
            self._token_lower = np.array(self.lower, dtype=object)[self.words].tolist() if self.lower else []
        return self._token_lower

    def count(self, start: int, end: int) -> list[int]:
        """How many of the tokens ``start``..``end`` are of each kind (``CASED`` … ``DIGITS``)."""
        return (self._counts[end] - self._counts[start]).tolist()

    def case(self, start: int, end: int) -> str | None:
        """``headline_ner.headline_case`` of the tokens ``start``..``end``."""
        words, capitals, content, capitalized, _, _ = self.count(start, end)
        if words < 2:
            return None
        if capitals >= 0.8 * words:
            return "caps"
        if content >= 3 and capitalized == content:
            return "title"
        return None

    def is_headline(self, start: int, end: int, evidence: dict[str, Counter]) -> bool:
        """``headline_ner.is_headline`` of the tokens ``start``..``end``."""
        case = self.case(start, end)
        if case != "title":
            return case == "caps"
        tokens = self.words[start:end].tolist()
        words = [w for w in tokens if self.cased[w]]
        if any(self.stop[w] and self.capital[w] for w in words[1:]):
            return True
        if any(self.num[w] for w in tokens):
            return False
        content = [w for w in words if not self.stop[w]]
        lowered = sum(1 for w in content if self.lower[w] in evidence.get(self.lower[w], ()))
        return 3 * lowered >= len(content)

    def evidence(self, segments: list[tuple[int, int]]) -> dict[str, Counter]:
        """``headline_ner.case_evidence`` over ``segments`` (disjoint, in document order)."""
        evidence: dict[str, Counter] = defaultdict(Counter)
        if not segments:
            return evidence
        starts, ends = np.array(segments, dtype=np.int64).T
        # the alphabetic tokens of the segments, and the segment each is in
        inside = np.zeros(len(self.words) + 1, dtype=np.int64)
        np.add.at(inside, starts, 1)
        np.add.at(inside, ends, -1)
        counted = np.flatnonzero((np.cumsum(inside)[:-1] > 0) & self._alpha_at)
        segment = np.searchsorted(starts, counted, side="right")
        # each segment's first alphabetic token is left out
        counted = counted[1:][segment[1:] == segment[:-1]]
        # a word's count, its forms (and the lower-case words) in the order they first appear, as the
        # token-by-token count inserts them
        words, first, count = np.unique(self.words[counted], return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        for word, n in zip(words[order].tolist(), count[order].tolist(), strict=True):
            evidence[self.lower[word]][self.text[word]] = n
        return evidence


# The LineWords of the Docs being processed, shared by the components that read them (a Doc's tokens do not
# change after the tokenizer: a Doc of another length is read again), and the flags of the words met, by the
# vocab's language (a word's flags follow from its text and the language's lexical attributes).
_LINE_WORDS: "weakref.WeakKeyDictionary[Doc, LineWords]" = weakref.WeakKeyDictionary()
_KNOWN_WORDS: dict[str, dict[int, tuple]] = {}
# At most this many words' flags are kept per language (about 300 bytes each): a worker that reads for a long
# time meets ever new words (names, typos), and what it keeps must not grow with them. Past it the flags are
# forgotten and read again as the words come back.
KNOWN_WORDS_MAX = 200_000


def line_words(doc: Doc) -> LineWords:
    """The ``LineWords`` of ``doc``, read once for all the components that ask."""
    words = _LINE_WORDS.get(doc)
    if words is None or len(words.words) != len(doc):
        known = _KNOWN_WORDS.setdefault(doc.vocab.lang, {})
        if len(known) > KNOWN_WORDS_MAX:
            known.clear()
        words = _LINE_WORDS[doc] = LineWords(doc, known)
    return words


def capitalized_neighbour(doc: Doc, i: int) -> bool:
    if i < 0 or i >= len(doc):
        return False
    t = doc[i]
    return t.is_alpha and t.text[0].isupper() and t.lower_ not in STOP_WORDS


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


def strip_article(text: str) -> str:
    return text[4:] if text[:4].lower() == "the " and len(text) > 4 else text


def canonical_text(text: str) -> str:
    """Canonical spelling of a name: single spaces, no leading "the", no trailing possessive."""
    name = strip_article(" ".join(text.split()))
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
