"""``dateline_entity_consistency``: one label per name within a document, a person's surname alone is
that person, and a name found once is found at its other occurrences.

The alias table's labels come in through ``initialize(aliases=...)`` and are saved with the pipeline.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import numpy as np
from dateline.transforms.entity_names import NAME_LABELS, DataComponent, capitalized_neighbour
from spacy.attrs import IS_LOWER, LOWER, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import filter_spans


@Language.factory("dateline_entity_consistency")
def make_entity_consistency(nlp: Language, name: str) -> "EntityConsistency":
    return EntityConsistency()


class EntityConsistency(DataComponent):
    """One label per name within a document, surnames as persons, names found at every occurrence.

    Reuters-style texts name a person in full once and by surname after; the model often calls the
    surname an organization or a place. Names from the alias table keep their own label.
    """

    def __init__(self) -> None:
        self._apply({"aliases": []})

    def initialize(
        self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None,
        aliases: Iterable[dict] = (),
    ) -> None:
        """Hand over the alias table rows (``transforms.entities.load_aliases``)."""
        self._apply({"aliases": list(aliases)})

    def _apply(self, data: dict) -> None:
        self.data = data
        self.alias_labels: dict[str, str] = {}
        for row in data["aliases"]:
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
        # The Doc's columns, read once: a Token object per word only where a name can start.
        columns = doc.to_array([ORTH, LOWER, IS_LOWER])
        strings = doc.vocab.strings
        lowered = {strings[h] for h in np.unique(columns[columns[:, 2] == 1, 1]).tolist()}
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
        if not by_first:
            return found
        # Only tokens whose ORTH is the hash of a first word can open a name (the look-up below is by text).
        firsts = np.fromiter((get_string_id(first) for first in by_first), dtype=np.uint64, count=len(by_first))
        for i in np.flatnonzero(np.isin(columns[:, 0], firsts)).tolist():
            token = doc[i]
            for words, label in by_first.get(token.text, ()):
                end = token.i + len(words)
                if end > len(doc) or any(taken[token.i : end]):
                    continue
                if tuple(t.text for t in doc[token.i : end]) != words:
                    continue
                if capitalized_neighbour(doc, token.i - 1) or capitalized_neighbour(doc, end):
                    continue  # part of a longer name the model did not see
                found.append(Span(doc, token.i, end, label=label))
                taken[token.i : end] = b"\x01" * (end - token.i)
                break
        return found
