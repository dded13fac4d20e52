"""The model's rule lemmatizer with the same output, each distinct word form lemmatized once per Doc.

spaCy's rule ``Lemmatizer`` walks every token in Python: it makes a ``Token`` object, asks its cache
for the (ORTH, POS, MORPH) key and interns the lemma string, about 3 % of the model's CPU on news for
work that is a look-up for nearly every token. A rule lemma depends on nothing else than that key
(``rule_lemmatize`` reads the token's text, coarse tag and morphology; ``is_base_form`` the tag and
morphology), so ``ArrayLemmatizer`` reads the three columns with one ``Doc.to_array``, lemmatizes
each distinct key once with the model's own ``lemmatize`` (on its first token) and keeps the lemma's
hash for the next Docs (spaCy's own cache skips base forms, which it recomputes every time), and
writes the LEMMA column back with one ``Doc.from_array``. Its ``lemma_index`` is held as sets
(``_index_as_sets``): the same membership answers without a scan of a 57,528-word list per new form. Tokens that already have a lemma (set by the attribute ruler)
keep it unless the lemmatizer overwrites, as in spaCy. Other modes (lookup, POS lookup) are spaCy's.

``use_array_lemmatizer(nlp)`` turns the model's lemmatizer into one, keeping its tables and settings;
``tests/test_array_lemmatizer.py`` compares it with spaCy's token for token, on text of its own and,
when ``../shared/corpora`` is there, on 300 real articles.
"""

import numpy as np
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors
from spacy.language import Language
from spacy.lookups import Table
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

KEY_COLUMNS = [ORTH, POS, MORPH, LEMMA]


# Distinct (ORTH, POS, MORPH) keys whose lemma hash is kept between Docs (11,556 over the first 80 corpus
# articles); at ~260 bytes a key (measured) the bound keeps the cache under ~55 MB per process.
MAX_CACHED_KEYS = 200_000


class ArrayLemmatizer(Lemmatizer):
    """A rule ``Lemmatizer`` (or subclass: the language's own) that writes the LEMMA column in one go.

    Not made by a factory: ``use_array_lemmatizer`` re-classes the model's lemmatizer, so its lookup
    tables, mode, ``overwrite`` and scorer stay what the model shipped.
    """

    def _lemma_hashes(self) -> dict[tuple[int, int, int], int]:
        """(ORTH, POS, MORPH) → the LEMMA hash spaCy's rule lemmatizer gives a token with that key."""
        if not hasattr(self, "_hashes"):
            self._hashes = {}
        return self._hashes

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule":
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        error_handler = self.get_error_handler()
        try:
            if not len(doc):
                return doc
            columns = doc.to_array(KEY_COLUMNS)
            todo = np.arange(len(doc)) if self.overwrite else np.flatnonzero(columns[:, 3] == 0)
            if not todo.size:
                return doc
            keys, first, inverse = np.unique(columns[todo, :3], axis=0, return_index=True, return_inverse=True)
            known = self._lemma_hashes()
            if len(known) > MAX_CACHED_KEYS:
                known.clear()  # a bound on memory only: a forgotten key is lemmatized again, the same way
            lemmas = np.empty(len(keys), dtype=np.uint64)
            for k, (key, at) in enumerate(zip(map(tuple, keys.tolist()), first.tolist(), strict=True)):
                lemma = known.get(key)
                if lemma is None:
                    lemma = known[key] = self.vocab.strings.add(self.lemmatize(doc[int(todo[at])])[0])
                lemmas[k] = lemma
            columns[todo, 3] = lemmas[inverse.reshape(-1)]
            doc.from_array([LEMMA], np.ascontiguousarray(columns[:, 3:4]))
            return doc
        except Exception as e:
            error_handler(self.name, self, [doc], e)


_CLASSES: dict[type, type] = {}


def _array_class(base: type) -> type:
    """``ArrayLemmatizer``'s behaviour over ``base`` (the language's lemmatizer class, e.g. English's)."""
    if base not in _CLASSES:
        _CLASSES[base] = base if issubclass(base, ArrayLemmatizer) else type(
            f"Array{base.__name__}", (ArrayLemmatizer, base), {})
    return _CLASSES[base]


def use_array_lemmatizer(nlp: Language, name: str = "lemmatizer") -> Language:
    """Make ``nlp``'s rule lemmatizer ``name`` an ``ArrayLemmatizer`` in place; idempotent.

    A pipeline without one, or whose lemmatizer is not spaCy's ``Lemmatizer`` (or a language's subclass
    of it) in rule mode, is left as it is.
    """
    if name not in nlp.pipe_names:
        return nlp
    current = nlp.get_pipe(name)
    if isinstance(current, Lemmatizer) and current.mode == "rule":
        current.__class__ = _array_class(type(current))
        _index_as_sets(current)
    return nlp


def _index_as_sets(lemmatizer: Lemmatizer) -> None:
    """The lemmatizer's ``lemma_index`` (known lemmas per part of speech, shipped as lists: 57,528 nouns) as
    frozensets. ``rule_lemmatize`` only asks whether a form is in it (``form in index``) and whether it is
    empty, so the answers are the same; a list answers by a linear scan for every new word form."""
    if "lemma_index" not in lemmatizer.lookups:
        return
    index = lemmatizer.lookups.get_table("lemma_index")
    as_sets = Table(name=index.name)
    for key, words in index.items():
        as_sets[key] = words if isinstance(words, frozenset) else frozenset(words)
    lemmatizer.lookups.set_table("lemma_index", as_sets)
