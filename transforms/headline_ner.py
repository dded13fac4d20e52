"""``dateline_headline_ner``: re-read headline-cased lines (ALL CAPS, Title Case) with the case a sentence would have.

"Putin Visits Xi Jinping" is then two people, not one. The known name forms (the alias table's) come in
through ``initialize(known_forms=...)`` and are saved with the pipeline.
"""

from collections import Counter
from collections.abc import Callable, Iterable

from dateline.transforms.entity_names import DataComponent, LineWords, line_segments, line_words
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
        words = line_words(doc)
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
    return (line_words(doc) if words is None else words).evidence(segments)
