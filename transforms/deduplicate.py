"""Find duplicate documents: the same normalized body (exact) within a batch and against the warehouse."""

import polars as pl

DEDUP_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,
        "duplicate_of_key": pl.String,  # null when the document is canonical
        "duplicate_kind": pl.String,  # null / exact / near
        "similarity": pl.Float64,  # 1.0 for exact duplicates, null for canonical documents
    }
)


def deduplicate(docs: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
    """Link each new document to the canonical document of its group.

    ``docs`` needs document_key, content_hash, published_date, word_count; ``existing`` (canonical
    documents already in the warehouse) needs document_key, content_hash. A warehouse document always
    stays canonical; within new documents the canonical one is the earliest published, then the
    longest, then the smallest key, so the choice does not depend on input order.
    """
    ranked = docs.select("document_key", "content_hash", "published_date", "word_count").sort(
        ["published_date", "word_count", "document_key"],
        descending=[False, True, False],
        nulls_last=True,
    )
    first_new = ranked.unique("content_hash", keep="first", maintain_order=True).select(
        "content_hash", pl.col("document_key").alias("new_canonical")
    )
    old = existing.select("content_hash", pl.col("document_key").alias("old_canonical")).unique(
        "content_hash", keep="first", maintain_order=True
    )
    out = (
        docs.select("document_key", "content_hash")
        .join(first_new, on="content_hash", how="left")
        .join(old, on="content_hash", how="left")
        .with_columns(canonical=pl.coalesce("old_canonical", "new_canonical"))
        .with_columns(
            duplicate_of_key=pl.when(pl.col("canonical") != pl.col("document_key")).then("canonical")
        )
        .with_columns(
            duplicate_kind=pl.when(pl.col("duplicate_of_key").is_not_null()).then(pl.lit("exact")),
            similarity=pl.when(pl.col("duplicate_of_key").is_not_null()).then(pl.lit(1.0)),
        )
    )
    return out.select(DEDUP_SCHEMA.names()).cast(DEDUP_SCHEMA)
