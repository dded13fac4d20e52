"""New versions of a source supersede the old: an edited file, a re-sent record, a corrected manifest row.

A source is identified by its path (a .txt file) or its record id (a .jsonl / .csv record; without an
id, "file:line"). A document whose bytes changed gets a new ``document_key`` (keys are content-
addressed): when the warehouse holds a current document of the same source under another key, the
new one **supersedes** it — the old row stays in ``dim_document`` as history (``is_current`` false,
``superseded_by_key`` the new key) and its mentions and event reports are replaced by the new
version's, in the run's one transaction. A document whose bytes did not change but whose given
metadata did (a manifest's corrected date, URL or source: ``metadata_hash``) is **corrected**: it is
extracted again under its own key and its row takes the new metadata.
"""

import polars as pl
from dateline.transforms.keys import sha256_hex

VERSION_SCHEMA = pl.Schema(
    {
        "old_key": pl.String,  # the warehouse document being replaced
        "new_key": pl.String,  # the document replacing it (the same key for a correction)
        "change": pl.String,  # superseded / corrected
    }
)
KNOWN_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,
        "source_path": pl.String,
        "record": pl.Int64,
        "document_id": pl.String,
        "is_current": pl.Boolean,
        "metadata_hash": pl.String,
    }
)


def source_identity() -> pl.Expr:
    """What stays the same across versions of one source: the path of a .txt file, a record's id."""
    return pl.when(pl.col("record").is_null()).then(pl.lit("path:") + pl.col("source_path")).otherwise(
        pl.lit("id:") + pl.col("document_id"))


def with_metadata_hash(raw: pl.DataFrame) -> pl.DataFrame:
    """``raw`` (ingest.RAW_SCHEMA) plus ``metadata_hash``: sha256 of the given url, source and published."""
    return raw.with_columns(
        metadata_hash=pl.struct("url", "source_name", "published").map_elements(
            lambda r: sha256_hex("\x1f".join(v or "" for v in (r["url"], r["source_name"], r["published"]))),
            return_dtype=pl.String,
        )
    )


def plan_versions(raw: pl.DataFrame, known: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(documents to process, VERSION_SCHEMA rows) for ``raw`` (with ``metadata_hash``) against the
    warehouse's documents ``known`` (KNOWN_SCHEMA; ``is_current`` / ``metadata_hash`` null in a
    warehouse from before versions: current, and never compared).

    To process: documents whose key is new, and known current documents whose metadata changed.
    A known document with the same key and metadata costs nothing, as before.
    """
    known = known.with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in KNOWN_SCHEMA.items() if name not in known.columns
    ).select(KNOWN_SCHEMA.names()).cast(dict(KNOWN_SCHEMA)).with_columns(pl.col("is_current").fill_null(True))
    in_warehouse = raw.get_column("document_key").is_in(known.get_column("document_key").implode())
    fresh = raw.filter(~in_warehouse)
    corrected = (
        raw.filter(in_warehouse)
        .join(known.select("document_key", "is_current", known_hash="metadata_hash"), on="document_key")
        .filter(pl.col("is_current") & pl.col("known_hash").is_not_null()
                & (pl.col("known_hash") != pl.col("metadata_hash")))
        .drop("is_current", "known_hash")
    )
    current = known.filter(pl.col("is_current")).select(identity=source_identity(), old_key="document_key")
    superseded = (
        fresh.select(identity=source_identity(), new_key="document_key")
        .unique("identity", keep="first", maintain_order=True)
        .join(current, on="identity")
        .filter(pl.col("old_key") != pl.col("new_key"))
        .select("old_key", "new_key", change=pl.lit("superseded"))
    )
    versions = pl.concat([
        superseded,
        corrected.select(old_key="document_key", new_key="document_key", change=pl.lit("corrected")),
    ]).cast(VERSION_SCHEMA).sort("old_key")
    return pl.concat([fresh, corrected]), versions


def current_documents(known: pl.DataFrame, versions: pl.DataFrame) -> pl.DataFrame:
    """The warehouse documents new documents may be duplicates of: current ones, not being replaced now."""
    replaced = versions.get_column("old_key").implode()
    is_current = pl.col("is_current").fill_null(True) if "is_current" in known.columns else pl.lit(True)
    return known.filter(is_current & ~pl.col("document_key").is_in(replaced))
