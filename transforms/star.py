"""Assemble the star-schema rows (dimensions and facts) from the stage outputs of one run."""

import polars as pl
from dateline.transforms.keys import date_key, key_expr, make_key

DIM_DATE_SCHEMA = pl.Schema(
    {
        "date_key": pl.Int32,
        "date": pl.Date,
        "year": pl.Int32,
        "quarter": pl.Int32,
        "month": pl.Int32,
        "day": pl.Int32,
        "day_of_week": pl.Int32,
        "day_name": pl.String,
        "month_name": pl.String,
    }
)
DIM_SOURCE_SCHEMA = pl.Schema({"source_key": pl.String, "source_name": pl.String, "domain": pl.String})
UNKNOWN_SOURCE = "unknown"


def build_dates(dates: pl.Series) -> pl.DataFrame:
    """One dim_date row per distinct non-null date."""
    days = pl.DataFrame({"date": dates.cast(pl.Date)}).drop_nulls().unique().sort("date")
    return days.select(
        date_key=date_key(pl.col("date")),
        date=pl.col("date"),
        year=pl.col("date").dt.year().cast(pl.Int32),
        quarter=pl.col("date").dt.quarter().cast(pl.Int32),
        month=pl.col("date").dt.month().cast(pl.Int32),
        day=pl.col("date").dt.day().cast(pl.Int32),
        day_of_week=pl.col("date").dt.weekday().cast(pl.Int32),
        day_name=pl.col("date").dt.strftime("%A"),
        month_name=pl.col("date").dt.strftime("%B"),
    ).cast(DIM_DATE_SCHEMA)


def with_source(raw: pl.DataFrame) -> pl.DataFrame:
    """Add source_name (given, else the URL's host, else "unknown"), domain and source_key."""
    domain = (
        pl.col("url")
        .str.extract(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)", 1)
        .str.to_lowercase()
        .str.strip_prefix("www.")
    )
    return (
        raw.with_columns(domain=domain)
        .with_columns(source_name=pl.coalesce(pl.col("source_name").str.strip_chars(), "domain", pl.lit(UNKNOWN_SOURCE)))
        .with_columns(
            source_key=pl.col("source_name").map_elements(lambda s: make_key(s.casefold()), return_dtype=pl.String)
        )
    )


def build_sources(docs: pl.DataFrame) -> pl.DataFrame:
    """One dim_source row per source_key seen (first domain by sorted order wins)."""
    return (
        docs.select("source_key", "source_name", "domain")
        .sort(["source_key", "domain"], nulls_last=True)
        .unique("source_key", keep="first", maintain_order=True)
        .cast(DIM_SOURCE_SCHEMA)
    )


def build_documents(
    raw: pl.DataFrame, normalized: pl.DataFrame, dedup: pl.DataFrame, run_id: str
) -> pl.DataFrame:
    """dim_document rows: raw metadata + normalized text + duplicate links and MinHash, one per new document.

    ``date_key`` is null unless the publication day is known (published_precision day). Built once
    per run, right after deduplication: the run's one ``documents`` frame from then on.
    """
    return (
        raw.drop("title")
        .join(normalized, on="document_key", how="left")
        .join(dedup, on="document_key", how="left")
        # A day key only for a known day: a month-precise date is not the 1st of its month.
        .with_columns(
            date_key=pl.when(pl.col("published_precision") == "day").then(date_key(pl.col("published_date"))),
            loaded_run_id=pl.lit(run_id),
        )
        .select(
            "document_key", "document_id", "source_key", "title", "url", "published_date", "date_key",
            "date_source", "published_precision", "content_hash", "fingerprint", "word_count", "duplicate_of_key", "duplicate_kind",
            "similarity", "source_path", "record", "encoding", "language", "body", "raw_text", "extra",
            "loaded_run_id", *(["metadata_hash"] if "metadata_hash" in raw.columns else []),
            *(["minhash"] if "minhash" in dedup.columns else []),
        )
        .sort("document_key")
    )


def build_mentions(mentions: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """fact_entity_mention rows: resolved mentions with the date_key of their document."""
    return (
        mentions.join(documents.select("document_key", "date_key"), on="document_key", how="left")
        .select(
            "mention_key", "document_key", "entity_key", "date_key", "sentence_index", "start_char",
            "end_char", "mention_text", "label", "name_key", "entity_label",
        )
        .sort("mention_key")
    )


def build_quarantine(rejected: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """quarantine rows keyed by (path, record, reason), so the same rejection is recorded once."""
    return (
        rejected.with_columns(
            quarantine_key=key_expr("source_path", "record", "reason"),
            run_id=pl.lit(run_id),
        )
        .unique("quarantine_key", keep="first", maintain_order=True)
        .select("quarantine_key", "run_id", "source_path", "record", "reason", "detail")
        .sort("quarantine_key")
    )
