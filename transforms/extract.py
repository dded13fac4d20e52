"""The one spaCy pass: every new canonical document goes through ``nlp.pipe`` exactly once."""

from dataclasses import dataclass

import polars as pl
from spacy.language import Language

from transforms.entities import MENTION_SCHEMA, doc_mentions


@dataclass
class Extracted:
    mentions: pl.DataFrame  # entities.MENTION_SCHEMA
    documents: int
    words: int


def extract_documents(
    nlp: Language, docs: pl.DataFrame, *, batch_size: int = 64, n_process: int = 1
) -> Extracted:
    """Run ``nlp.pipe`` once over ``docs`` (document_key, body) and collect what each Doc yields.

    Docs are consumed as they stream out of the pipe and never held together, so memory stays flat.
    """
    keys = docs.get_column("document_key").to_list()
    texts = docs.get_column("body").to_list()
    rows: list[dict] = []
    words = 0
    for key, doc in zip(keys, nlp.pipe(texts, batch_size=batch_size, n_process=n_process), strict=True):
        words += sum(1 for t in doc if not t.is_space and not t.is_punct)
        rows.extend(doc_mentions(key, doc))
    mentions = pl.DataFrame(rows, schema=MENTION_SCHEMA) if rows else MENTION_SCHEMA.to_frame()
    return Extracted(mentions=mentions, documents=len(keys), words=words)
