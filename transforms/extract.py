"""The one spaCy pass: every new canonical document goes through ``nlp.pipe`` exactly once."""

from dataclasses import dataclass, field

import polars as pl
from spacy.language import Language

from transforms.entities import MENTION_SCHEMA, doc_mentions
from transforms.events import EVENT_MENTION_SCHEMA, Lexicon, doc_events


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
    batch_size: int = 64,
    n_process: int = 1,
    lexicon: Lexicon | None = None,
) -> Extracted:
    """Run ``nlp.pipe`` once over ``docs`` (document_key, body) and collect what each Doc yields.

    Docs are consumed as they stream out of the pipe and never held together, so memory stays flat.
    With a trigger ``lexicon``, event mentions are read from the same Doc and its entity mentions;
    without one, only entities are extracted.
    """
    keys = docs.get_column("document_key").to_list()
    texts = docs.get_column("body").to_list()
    rows: list[dict] = []
    event_rows: list[dict] = []
    # Whitespace-separated words, as dim_document.word_count counts them: vectorised, off the token loop.
    words = int(docs.select(pl.col("body").str.count_matches(r"\S+").sum()).item() or 0)
    docs_out = nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
    for key, text, doc in zip(keys, texts, docs_out, strict=True):
        doc_rows = doc_mentions(key, doc)
        rows.extend(doc_rows)
        if lexicon is not None:
            event_rows.extend(doc_events(key, doc, doc_rows, lexicon, text=text))
    mentions = pl.DataFrame(rows, schema=MENTION_SCHEMA) if rows else MENTION_SCHEMA.to_frame()
    events = pl.DataFrame(event_rows, schema=EVENT_MENTION_SCHEMA) if event_rows else EVENT_MENTION_SCHEMA.to_frame()
    return Extracted(mentions=mentions, documents=len(keys), words=words, event_mentions=events)
