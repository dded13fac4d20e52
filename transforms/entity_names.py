"""What Dateline's entity components share: entity labels, name spellings, and data handed over like spaCy's rulers.

The components (``headline_ner``, ``entity_cleanup``, ``entity_consistency``, ``canonicalizer``;
``entity_components.add_entity_components`` puts them in a pipeline) read their reference data (aliases,
titles) through ``initialize(...)`` and save it with the pipeline (``to_disk`` / ``from_disk``, ``to_bytes``
/ ``from_bytes``), as spaCy's own ``SpanRuler`` does with its patterns.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import srsly
from spacy.attrs import IS_SPACE, SENT_START
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
