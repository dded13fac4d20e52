"""Helpers for end-to-end tests: run the real flow, read tables back."""

from pathlib import Path

import duckdb
import polars as pl
from dateline.flows.etl import news_etl
from dateline.flows.settings import Settings

DATA_TABLES = (
    "dim_date", "dim_source", "dim_document", "dim_entity", "dim_event_type",
    "fact_entity_mention", "fact_event", "fact_event_mention", "quarantine",
)


def run_flow(inputs: list[Path | str], warehouse: Path, **overrides):
    """Run the real ``news_etl`` flow (needs the prefect_harness fixture)."""
    settings = Settings(inputs=[str(p) for p in inputs], warehouse=warehouse, lock_timeout=5, **overrides)
    return news_etl(settings=settings)


def counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in DATA_TABLES}


def query(warehouse: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def snapshot(warehouse: Path) -> dict[str, pl.DataFrame]:
    """Every data table's rows, sorted, for before/after comparisons."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.sql(f"select * from {t} order by all").pl() for t in DATA_TABLES}
