"""``dateline_headline_ner``: re-read headline-cased lines (ALL CAPS, Title Case) with the case a sentence would have.

"Putin Visits Xi Jinping" is then two people, not one. The known name forms (the alias table's) come in
through ``initialize(known_forms=...)`` and are saved with the pipeline.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import numpy as np
from dateline.transforms.entity_names import DataComponent, line_segments
from spacy.attrs import IS_ALPHA, LIKE_NUM, LOWER, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans


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


class LineWords:
    """What ``headline_case``, ``is_headline`` and ``case_evidence`` read of the tokens of one Doc, read with one
    ``Doc.to_array`` and looked at once per distinct word, so that a line's verdict costs no ``Token`` object per
    word (spaCy makes a new one per access): per distinct word (``words``: a token's index into them) its
    ``text``, ``lower`` (``lower_``), ``alpha`` (``is_alpha``), ``num`` (``like_num``), ``cased``
    (``_cased_words``: alphabetic, longer than one character), ``stop`` (``lower_`` a stop word) and ``capital``
    (``text[0].isupper()``); running counts of the tokens that are cased, cased in capitals (``text.isupper()``),
    content words (cased, not a stop word) and capitalized content words."""

    __slots__ = ("words", "text", "lower", "alpha", "num", "cased", "stop", "capital", "_alpha_at", "_counts")

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
                word = known[orth] = (text, lower_text, bool(alpha), bool(num), cased, stop, text[:1].isupper(),
                                      cased and text.isupper(), cased and not stop,
                                      cased and not stop and text[:1].isupper())
            flags.append(word)
        self.text, self.lower, self.alpha, self.num, self.cased, self.stop, self.capital, *counted = (
            list(column) for column in zip(*flags, strict=True)) if flags else ([] for _ in range(10))
        # counts[i] = how many of the tokens before token i are cased, cased capitals, content, capitalized content
        counts = np.zeros((len(doc) + 1, 4), dtype=np.int64)
        if flags:
            np.cumsum(np.array([self.cased, *counted], dtype=bool).T[self.words], axis=0, out=counts[1:])
        self._counts = counts
        self._alpha_at = np.array(self.alpha, dtype=bool)[self.words]

    def case(self, start: int, end: int) -> str | None:
        """``headline_case`` of the tokens ``start``..``end``."""
        words, capitals, content, capitalized = (self._counts[end] - self._counts[start]).tolist()
        if words < 2:
            return None
        if capitals >= 0.8 * words:
            return "caps"
        if content >= 3 and capitalized == content:
            return "title"
        return None

    def is_headline(self, start: int, end: int, evidence: dict[str, Counter]) -> bool:
        """``is_headline`` of the tokens ``start``..``end``."""
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
        """``case_evidence`` over ``segments`` (disjoint, in document order)."""
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


@Language.factory("dateline_headline_ner", default_config={"ner_component": "ner"})
def make_headline_ner(nlp: Language, name: str, ner_component: str) -> "HeadlineNer":
    return HeadlineNer(nlp, ner_component)


class HeadlineNer(DataComponent):
    """Re-run the entity recognizer on headline-cased lines after restoring sentence case.

    A word takes the case it has elsewhere in the document's running text; without that evidence, a
    known name form (alias table) keeps its case, function words and words the lemmatizer knows as
    verbs, adjectives or adverbs go lower case, and anything else is capitalized. Only the re-read
    lines cost a second pass of ``ner`` (no tagger or parser), and their old entities are replaced.
    """

    def __init__(self, nlp: Language, ner_component: str):
        self.nlp = nlp
        self.ner_component = ner_component
        self._lexicon: frozenset[str] | None = None
        self._known_words: dict[int, tuple] = {}  # LineWords' flags of the words met so far, by ORTH
        self._apply({"known_forms": []})

    def initialize(
        self, get_examples: Callable[[], Iterable] | None = None, *, nlp: Language | None = None,
        known_forms: Iterable[str] = (),
    ) -> None:
        """Hand over the name forms whose case is known (the alias table's aliases)."""
        self._apply({"known_forms": list(known_forms)})

    def _apply(self, data: dict) -> None:
        self.data = data
        self.known_forms: dict[str, str] = {}
        for form in data["known_forms"]:
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
        segments = line_segments(doc)
        words = LineWords(doc, self._known_words)
        candidates = {s for s in segments if words.case(*s)}
        if not candidates:
            return doc
        evidence = case_evidence(doc, [s for s in segments if s not in candidates], words)
        heads = [s for s in segments if s in candidates and words.is_headline(*s, evidence)]
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


def case_evidence(doc: Doc, segments: list[tuple[int, int]], words: LineWords | None = None) -> dict[str, Counter]:
    """How each word is written in running text, skipping each line's first word (capitalized anyway); the
    ``segments`` disjoint and in document order (``line_segments``'). ``words``: the Doc's ``LineWords`` when the
    caller has read them."""
    return (LineWords(doc) if words is None else words).evidence(segments)
