"""The one spaCy pass: every new canonical document goes through ``nlp.pipe`` exactly once.

A document longer than ``MAX_PIECE_CHARS`` (or the pipeline's ``max_length``, if lower) is read in
pieces cut at paragraph, line, sentence or word boundaries; each piece's rows are shifted back to
the document's own offsets and sentence numbers, so every row points into the stored body as for a
short document. The model never sees more than it can take (spaCy's E088), and no text is dropped.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import polars as pl
from dateline.transforms.entities import MENTION_SCHEMA, doc_mentions
from dateline.transforms.events import EVENT_MENTION_SCHEMA, Lexicon, doc_events
from dateline.transforms.frames import rows_frame
from spacy.language import Language

# spaCy's parser and NER need about 1 GB of temporary memory per 100,000 characters (its E088 note):
# longer documents are read in pieces of at most this many characters.
MAX_PIECE_CHARS = 100_000
# Characters per nlp.pipe minibatch: the model's working memory grows with the text it holds at once, so a
# minibatch of long articles is cut short. 64 articles of the 2018-2019 corpus hold 363,000 characters on
# average and up to 450,000; at 200,000 a worker's peak fell from ~1.4 GB to ~0.85 GB (README, Performance).
MAX_BATCH_CHARS = 200_000
# Where a piece may end, best first: before a paragraph break, a line break, the space after a
# sentence end, any whitespace. The whitespace opens the next piece, as it opens the next sentence
# when spaCy reads the whole text, so sentence numbers come out the same.
_BOUNDARIES = (re.compile(r"\n[^\S\n]*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?\"”’)])\s"), re.compile(r"\s"))
# Offsets into the text in each row schema, shifted by a piece's start.
_MENTION_OFFSETS = ("start_char", "end_char", "name_start_char", "name_end_char")
_EVENT_OFFSETS = ("sentence_start", "trigger_start", "trigger_end", "location_start", "location_end")
_EVENT_OFFSET_LISTS = ("actor1_starts", "actor1_ends", "actor2_starts", "actor2_ends", "group_starts")


def split_for_model(text: str, max_chars: int) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pairs of at most ``max_chars`` characters; pieces concatenate to ``text``.

    A text within the limit is one piece (itself). A cut is made before the last paragraph break
    inside the window, else before the last line break, the space after a sentence end or any
    whitespace; only a window with none of them (one enormous word) is cut at the limit.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > max_chars:
        window_end = start + max_chars
        cut = window_end
        for boundary in _BOUNDARIES:
            starts = [m.start() for m in boundary.finditer(text, start, window_end) if m.start() > start]
            if starts:
                cut = starts[-1]
                break
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:] if start else text))
    return pieces


def minibatches(lengths: Sequence[int], max_docs: int, max_chars: int) -> list[range]:
    """Consecutive index ranges over texts of ``lengths`` characters: at most ``max_docs`` texts and
    ``max_chars`` characters each, in order, covering every index once.

    A text longer than ``max_chars`` on its own is a minibatch of one (it is never dropped or cut here;
    ``split_for_model`` bounds a single text). Greedy: a minibatch closes when the next text would
    break either cap, so the minibatches of a run of short texts are ``max_docs`` long as before.
    """
    if max_docs < 1 or max_chars < 1:
        raise ValueError("max_docs and max_chars must be at least 1")
    batches: list[range] = []
    start, chars = 0, 0
    for index, length in enumerate(lengths):
        if index > start and (index - start >= max_docs or chars + length > max_chars):
            batches.append(range(start, index))
            start, chars = index, 0
        chars += length
    if len(lengths) > start:
        batches.append(range(start, len(lengths)))
    return batches


def _shift(rows: list[dict], columns: tuple[str, ...], list_columns: tuple[str, ...], offset: int,
           sentences: int) -> list[dict]:
    """Rows of a piece moved to the whole document: offsets + ``offset``, sentence_index + ``sentences``."""
    if not offset and not sentences:
        return rows
    for row in rows:
        row["sentence_index"] += sentences
        for column in columns:
            if row.get(column) is not None:
                row[column] += offset
        for column in list_columns:
            if row.get(column) is not None:
                row[column] = [value + offset for value in row[column]]
    return rows


@dataclass
class Extracted:
    mentions: pl.DataFrame  # entities.MENTION_SCHEMA
    documents: int
    words: int
    event_mentions: pl.DataFrame = field(default_factory=EVENT_MENTION_SCHEMA.to_frame)  # events.EVENT_MENTION_SCHEMA


def extract_documents(
    nlp: Language,
    docs: pl.DataFrame,
    *,
    lexicon: Lexicon | None = None,
    max_chars: int | None = None,
    **batching: int,
) -> Extracted:
    """Run ``nlp.pipe`` once over ``docs`` (document_key, body) and collect what each Doc yields.

    Docs are consumed as they stream out of the pipe and never held together, so memory stays flat.
    With a trigger ``lexicon``, event mentions are read from the same Doc and its entity mentions;
    without one, only entities are extracted. A document over ``max_chars`` (default: the smaller of
    ``MAX_PIECE_CHARS`` and ``nlp.max_length``) is read in pieces (``split_for_model``); its rows
    keep the document's own offsets and sentence numbers. Entities and events are then found within
    a piece: a short name ("Xi") links to a full name seen in the same piece. The pieces go through
    the model in minibatches (``batching``: at most ``batch_size`` pieces, default 64, and
    ``max_batch_chars`` characters, default ``MAX_BATCH_CHARS``; ``minibatches``), so the model's memory
    is bounded by the longest minibatch, not by how many long articles happen to meet in one.
    """
    keys = docs.get_column("document_key").to_list()
    texts = docs.get_column("body").to_list()
    limit = max_chars or min(MAX_PIECE_CHARS, nlp.max_length)
    rows: list[dict] = []
    event_rows: list[dict] = []
    # Whitespace-separated words, as dim_document.word_count counts them: vectorised, off the token loop.
    words = int(docs.select(pl.col("body").str.count_matches(r"\S+").sum()).item() or 0)
    pieces = list(_pieces(keys, texts, limit))
    size, chars = _batching(**batching)
    groups = minibatches([len(piece) for _, _, piece in pieces], size, chars)
    docs_out = (doc for group in groups
                for doc in nlp.pipe((pieces[i][2] for i in group), batch_size=len(group)))
    sentences_before, previous_key = 0, None
    for (key, offset, piece), doc in zip(pieces, docs_out, strict=True):
        if key != previous_key:
            sentences_before, previous_key = 0, key
        doc_rows = doc_mentions(key, doc)
        if lexicon is not None:
            event_rows.extend(_shift(doc_events(key, doc, doc_rows, lexicon, text=piece), _EVENT_OFFSETS,
                                     _EVENT_OFFSET_LISTS, offset, sentences_before))
        rows.extend(_shift(doc_rows, _MENTION_OFFSETS, (), offset, sentences_before))
        sentences_before += _sentence_count(doc)
    mentions = rows_frame(rows, MENTION_SCHEMA)
    events = rows_frame(event_rows, EVENT_MENTION_SCHEMA)
    return Extracted(mentions=mentions, documents=len(keys), words=words, event_mentions=events)


def _batching(batch_size: int = 64, max_batch_chars: int = MAX_BATCH_CHARS) -> tuple[int, int]:
    """The minibatch limits of ``extract_documents``: (pieces, characters)."""
    return batch_size, max_batch_chars


def _pieces(keys: list[str], texts: list[str], limit: int) -> Iterator[tuple[str, int, str]]:
    for key, text in zip(keys, texts, strict=True):
        for offset, piece in split_for_model(text, limit):
            yield key, offset, piece


def _sentence_count(doc) -> int:
    return sum(1 for _ in doc.sents) if doc.has_annotation("SENT_START") else 1
