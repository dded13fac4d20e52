"""The model's attribute ruler with the same output at a fraction of its cost.

spaCy's ``AttributeRuler`` runs its ``Matcher`` over every token and then, in Python, builds a ``Span``
and sets the attributes for every match. In ``en_core_web_sm`` its 179 patterns are a tag map (56
patterns ``[{"TAG": t}]`` → POS and MORPH, one of which matches every token) and exceptions on
common words ("the", "that", pronouns, auxiliaries): together about a seventh of the model's CPU.

``ArrayAttributeRuler`` evaluates each pattern as array comparisons over the Doc's ``LOWER``, ``TAG``,
``DEP`` and ``IS_SPACE`` columns (equality, ``IN``, ``NOT_IN``, ``REGEX``; fixed-length patterns, no
operators), writes the POS, MORPH, LEMMA and TAG of every match into the Doc's arrays in pattern
order (a later pattern wins, as in spaCy) and writes them back with one ``Doc.from_array``. A pattern
it cannot evaluate that way goes through spaCy's own matcher; attributes other than those four are
set token by token as spaCy sets them. The result is token for token the model's
(``tests/test_attribute_rules.py`` compares both on text of its own and, when ``../shared/corpora``
is there, on 300 real articles).

``use_array_attribute_ruler(nlp)`` swaps it in under the same name with the model's patterns.
"""

import re
from dataclasses import dataclass

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

COLUMNS = {"LOWER": LOWER, "TAG": TAG, "DEP": DEP, "IS_SPACE": IS_SPACE}
READ = [LOWER, TAG, DEP, IS_SPACE]
WRITTEN = [POS, MORPH, LEMMA, TAG]


@dataclass(frozen=True)
class Condition:
    """One token spec's test on one column: values (hashes) it must (not) be in, or a regex on the text."""

    column: int
    values: tuple[int, ...] = ()
    negate: bool = False
    regex: re.Pattern | None = None


@dataclass(frozen=True)
class ArrayPattern:
    attr_id: int
    index: int
    tokens: tuple[tuple[Condition, ...], ...]


def _condition(vocab, key: str, value) -> Condition | None:
    column = COLUMNS.get(key)
    if column is None:
        return None
    if key == "IS_SPACE":
        return Condition(READ.index(column), (int(value),)) if isinstance(value, bool) else None
    if isinstance(value, str):
        return Condition(READ.index(column), (vocab.strings.add(value),))
    if isinstance(value, dict) and len(value) == 1:
        (op, arg), = value.items()
        if op in ("IN", "NOT_IN") and all(isinstance(v, str) for v in arg):
            return Condition(READ.index(column), tuple(vocab.strings.add(v) for v in arg), negate=op == "NOT_IN")
        if op == "REGEX" and isinstance(arg, str):
            return Condition(READ.index(column), regex=re.compile(arg))
    return None


def compile_pattern(vocab, attr_id: int, tokens: list[dict], index: int) -> ArrayPattern | None:
    """``tokens`` as array conditions, or None when one of its specs is beyond them (operators, other keys)."""
    specs = []
    for spec in tokens:
        conditions = tuple(_condition(vocab, key, value) for key, value in spec.items())
        if not conditions or any(c is None for c in conditions):
            return None
        specs.append(conditions)
    return ArrayPattern(attr_id, index, tuple(specs))


class ArrayAttributeRuler(AttributeRuler):
    """``AttributeRuler`` whose patterns are evaluated and applied over the Doc's arrays."""

    def __init__(self, vocab, name: str = "attribute_ruler", *, validate: bool = False, scorer=None) -> None:
        super().__init__(vocab, name, validate=validate)
        if scorer is not None:
            self.scorer = scorer
        self._compiled: tuple[list[ArrayPattern], Matcher] | None = None
        self._regex_cache: dict[str, tuple[set[int], set[int]]] = {}

    def clear(self) -> None:
        super().clear()
        self._compiled = None

    def add(self, patterns, attrs, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._compiled = None

    def _compile(self) -> tuple[list[ArrayPattern], Matcher]:
        """The patterns evaluated over arrays (in attr id order) and a matcher of the rest."""
        if self._compiled is None:
            arrays: list[ArrayPattern] = []
            rest = Matcher(self.vocab, validate=self.validate)
            for attr_id, entry in enumerate(self.patterns):
                compiled = [compile_pattern(self.vocab, attr_id, p, entry.get("index", 0))
                            for p in entry["patterns"]]
                if all(c is not None for c in compiled):
                    arrays.extend(compiled)
                else:
                    rest.add(self.vocab.strings.add(str(attr_id)), entry["patterns"])
            self._compiled = (arrays, rest)
        return self._compiled

    def _mask(self, condition: Condition, column: np.ndarray, strings) -> np.ndarray:
        if condition.regex is None:
            hit = column == condition.values[0] if len(condition.values) == 1 else np.isin(column, condition.values)
            return ~hit if condition.negate else hit
        return np.isin(column, self._regex_hits(condition.regex, np.unique(column), strings))

    def _regex_hits(self, regex: re.Pattern, values: np.ndarray, strings) -> np.ndarray:
        """The hashes among ``values`` whose string ``regex`` finds, each string tested once per process."""
        seen, hits = self._regex_cache.get(regex.pattern, (set(), set()))
        for value in values.tolist():
            if value not in seen:
                seen.add(value)
                if value and regex.search(strings[value]):
                    hits.add(value)
        self._regex_cache[regex.pattern] = (seen, hits)
        return np.fromiter(hits, dtype=np.uint64, count=len(hits))

    def _targets(self, doc: Doc) -> list[tuple[int, np.ndarray]]:
        """``(attr_id, token indices)`` of every pattern's matches in ``doc``, sorted by attr id (stable)."""
        arrays, rest = self._compile()
        n = len(doc)
        found: list[tuple[int, np.ndarray]] = []
        if len(rest):
            for m_id, start, end in rest(doc, allow_missing=True, as_spans=False):
                attr_id = int(self.vocab.strings[m_id])
                found.append((attr_id, self._target(attr_id, start, end)))
        columns = doc.to_array(READ).astype(np.uint64).T if n else None
        for pattern in arrays:
            length = len(pattern.tokens)
            if length > n:
                continue
            starts = np.ones(n - length + 1, dtype=bool)
            for offset, conditions in enumerate(pattern.tokens):
                for condition in conditions:
                    starts &= self._mask(condition, columns[condition.column][offset:n - length + 1 + offset],
                                         doc.vocab.strings)
            hits = np.flatnonzero(starts)
            if len(hits):
                found.append((pattern.attr_id, hits + self._offset(pattern.attr_id, length)))
        found.sort(key=lambda item: item[0])
        return found

    def _target(self, attr_id: int, start: int, end: int) -> np.ndarray:
        return np.array([start + self._offset(attr_id, end - start)])

    def _offset(self, attr_id: int, length: int) -> int:
        """Where in a match of ``length`` tokens pattern ``attr_id``'s token is (its index may be negative)."""
        index = self.indices[attr_id]
        if not -length <= index < length:
            raise ValueError(f"attribute ruler pattern {self.patterns[attr_id]['patterns']}: index {index} is "
                             f"outside its match of {length} tokens")
        return index if index >= 0 else length + index

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()
        try:
            found = self._targets(doc)
            if not found:
                return doc
            values = doc.to_array(WRITTEN).astype(np.uint64)
            others = []
            for attr_id, targets in found:
                for attr, value in self.attrs[attr_id].items():
                    if attr in WRITTEN:
                        values[targets, WRITTEN.index(attr)] = value
                    else:
                        others.append((attr_id, attr, value, targets))
            doc.from_array(WRITTEN, values)
            for _, attr, value, targets in others:
                for i in targets.tolist():
                    set_token_attrs(doc[i], {attr: value})
            return doc
        except Exception as e:
            return error_handler(self.name, self, [doc], e)


@Language.factory("dateline_array_attribute_ruler", default_config={"validate": False})
def make_array_attribute_ruler(nlp: Language, name: str, validate: bool) -> ArrayAttributeRuler:
    return ArrayAttributeRuler(nlp.vocab, name, validate=validate)


def use_array_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> Language:
    """Replace ``nlp``'s attribute ruler ``name`` by an ``ArrayAttributeRuler`` with its patterns; idempotent."""
    if name not in nlp.pipe_names:
        return nlp
    current = nlp.get_pipe(name)
    if type(current) is not AttributeRuler:
        return nlp
    patterns = current.patterns
    nlp.replace_pipe(name, "dateline_array_attribute_ruler", config={"validate": current.validate})
    replacement = nlp.get_pipe(name)
    replacement.scorer = current.scorer
    replacement.add_patterns(patterns)
    return nlp
