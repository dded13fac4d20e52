"""``dateline_sentence_breaks``: a line break in the stored body ends a sentence, before the parser reads it.

The normalizer keeps one paragraph per line (``normalize.split_title_body`` joins them with a blank line),
so a line is a paragraph, a headline, a caption, a byline or a link teaser ("RELATED: …", "Read more").
spaCy's parser alone often reads on across the break, gluing a teaser or a caption onto the next
paragraph's first sentence, or the closing quote of one paragraph onto the next: the event's trigger and
its actor then land in a sentence that is not one. This component marks the first token after every line
break as a sentence start (the parser keeps boundaries set before it and finds the others itself), and a
standalone "|", which separates a photo credit or a section label from the text around it.

A hard-wrapped text (lines cut inside sentences, as in e-mail or plain-text archives) has no paragraph per
line: when at least ``WRAPPED_SHARE`` of its line breaks (and ``MIN_WRAPPED_BREAKS`` of them) go on with a
lowercase word, its line breaks are left to the parser.
"""

import numpy as np
from spacy.attrs import IS_SPACE, ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

WRAPPED_SHARE = 0.5
MIN_WRAPPED_BREAKS = 3
SEPARATOR_TOKENS = frozenset({"|"})
_SEPARATOR_ORTHS = np.array([get_string_id(text) for text in sorted(SEPARATOR_TOKENS)], dtype=np.uint64)


@Language.factory("dateline_sentence_breaks")
def make_sentence_breaks(nlp: Language, name: str) -> "SentenceBreaks":
    return SentenceBreaks()


class SentenceBreaks:
    """Set ``is_sent_start`` on the first token of each line and on separator tokens; leave the rest unset."""

    def __call__(self, doc: Doc) -> Doc:
        starts = line_starts(doc)
        if is_hard_wrapped(starts):
            starts = []
        columns = doc.to_array([ORTH, IS_SPACE])
        # a separator token not after a space (looked at only where ORTH is a separator's hash)
        after_word = np.flatnonzero(np.isin(columns[1:, 0], _SEPARATOR_ORTHS) & (columns[:-1, 1] == 0)) + 1
        starts += [doc[i] for i in after_word.tolist() if doc[i].text in SEPARATOR_TOKENS]
        for token in starts:
            token.is_sent_start = True
        return doc


def line_starts(doc: Doc) -> list[Token]:
    """The first non-space token after each line break inside the text. A text that opens with a line break
    (a piece of a long document, ``extract.split_for_model``) opens its first sentence with it, as the
    whole document's reading would."""
    space = doc.to_array([IS_SPACE]).reshape(-1) == 1
    # a word after a whitespace token (from the third token on): only there can a line break precede it
    after_space = np.flatnonzero(~space[2:] & space[1:-1]) + 2
    return [doc[i] for i in after_space.tolist() if "\n" in doc[i - 1].text]


def is_hard_wrapped(starts: list[Token]) -> bool:
    """Whether most lines go on with a lowercase word: lines cut inside sentences, not paragraphs."""
    lowercase = sum(1 for token in starts if token.text[:1].islower())
    return lowercase >= MIN_WRAPPED_BREAKS and lowercase >= WRAPPED_SHARE * len(starts)


def add_sentence_breaks(nlp: Language) -> Language:
    """Put ``dateline_sentence_breaks`` before the parser (first in a pipeline without one); idempotent."""
    if "dateline_sentence_breaks" not in nlp.pipe_names:
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        nlp.add_pipe("dateline_sentence_breaks", **where)
    return nlp
