"""Load one run's validated frames into the warehouse in a single DuckDB transaction."""

import json
import os
import sys
import time
from collections.abc import Mapping

import duckdb
import polars as pl
from dateline.warehouse.db import sql_text

TEST_PAUSE_ENV = "DATELINE_TEST_PAUSE_BEFORE_COMMIT"

# Dimensions before facts; etl_run last, inside the same transaction.
# Before them, in the same transaction: a new version's predecessor loses its facts (transforms/versions.py).
BEFORE_LOAD = ("document_versions",)
LOAD_ORDER = (
    "dim_date",
    "dim_source",
    "dim_document",
    "dim_entity",
    "dim_event_type",
    "fact_entity_mention",
    "fact_event",
    "fact_event_mention",
    "quarantine",
)


def load_run(
    con: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pl.DataFrame],
    run_row: Mapping[str, object],
    validation: pl.DataFrame | None = None,
) -> dict[str, int]:
    """Merge every frame by key, refresh event counts and record the run, all or nothing.

    Returns rows added per table. On any error the transaction is rolled back and the
    warehouse is exactly as before.
    """
    before = {t: _count(con, t) for t in LOAD_ORDER}
    con.execute("begin transaction")
    try:
        for table in (*BEFORE_LOAD, *LOAD_ORDER):
            frame = frames.get(table)
            if frame is None or frame.is_empty():
                continue
            con.register(f"staged_{table}", frame.to_arrow())
            con.execute(sql_text(f"load/{table}.sql"))
            con.unregister(f"staged_{table}")
        con.execute(sql_text("load/redirect_entities.sql"))  # facts follow entities resolved elsewhere
        con.execute(sql_text("load/refresh_event_counts.sql"))
        insert_run(con, run_row)
        if validation is not None and not validation.is_empty():
            insert_validation(con, validation)
        _pause_for_fault_tests()
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {t: _count(con, t) - before[t] for t in LOAD_ORDER}


def _pause_for_fault_tests() -> None:
    """Test-only hook: with ``DATELINE_TEST_PAUSE_BEFORE_COMMIT=<seconds>`` the loader announces itself on
    stderr and holds the open transaction that long, so tests/test_faults.py can kill -9 it mid-load.

    Unset (always, outside that test) it does nothing.
    """
    seconds = float(os.environ.get(TEST_PAUSE_ENV) or 0)
    if seconds > 0:
        print(f"{TEST_PAUSE_ENV}: holding the load transaction {seconds:g}s", file=sys.stderr, flush=True)
        time.sleep(seconds)


def insert_run(con: duckdb.DuckDBPyConnection, run_row: Mapping[str, object]) -> None:
    """Insert one etl_run row (stage_seconds serialized as JSON)."""
    row = dict(run_row)
    row["stage_seconds"] = json.dumps(row.get("stage_seconds") or {}, sort_keys=True)
    frame = pl.DataFrame([row])
    con.register("staged_etl_run", frame.to_arrow())
    con.execute("insert into etl_run by name select * from staged_etl_run")
    con.unregister("staged_etl_run")


def insert_validation(con: duckdb.DuckDBPyConnection, results: pl.DataFrame) -> None:
    """Append one run's expectation results to etl_validation."""
    con.register("staged_etl_validation", results.to_arrow())
    con.execute("insert into etl_validation by name select * from staged_etl_validation")
    con.unregister("staged_etl_validation")


def record_failed_run(
    con: duckdb.DuckDBPyConnection, run_row: Mapping[str, object], validation: pl.DataFrame | None
) -> None:
    """Record a failed run (and why) in its own small transaction; no data of the run is loaded."""
    con.execute("begin transaction")
    try:
        insert_run(con, run_row)
        if validation is not None and not validation.is_empty():
            insert_validation(con, validation)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]
