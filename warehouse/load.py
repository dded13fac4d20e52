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
    warehouse is exactly as before. Every statement is keyed by what the batch holds (its keys, the
    entities whose redirect it changes, the events it touches), so a load costs what its batch costs;
    a run with nothing to load (a no-op rerun) only records itself.
    """
    return commit_run(con, stage_run(con, frames), run_row, validation)


class StagedLoad:
    """A load's open transaction with every frame written (``stage_run``), not committed yet: ``commit_run``
    records the run and commits, or the caller rolls it back (``abandon``)."""

    def __init__(self, staged: list[str], before: dict[str, int]) -> None:
        self.staged, self.before = staged, before


def stage_run(con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame]) -> StagedLoad:
    """Begin the load's transaction and write every frame (the statements of ``load_run`` before the run's
    own record); rolled back on any error. ``commit_run`` finishes it."""
    staged = [t for t in (*BEFORE_LOAD, *LOAD_ORDER) if frames.get(t) is not None and not frames[t].is_empty()]
    before = {t: _count(con, t) for t in LOAD_ORDER} if staged else {}
    con.execute("begin transaction")
    try:
        if staged:
            _load_frames(con, frames, staged)
    except BaseException:
        _rollback(con)
        raise
    return StagedLoad(staged, before)


def commit_run(
    con: duckdb.DuckDBPyConnection, load: StagedLoad, run_row: Mapping[str, object],
    validation: pl.DataFrame | None = None,
) -> dict[str, int]:
    """Record the run (and its validation results) in ``load``'s transaction and commit → rows added per
    table; rolled back on any error."""
    try:
        insert_run(con, run_row)
        if validation is not None and not validation.is_empty():
            insert_validation(con, validation)
        _pause_for_fault_tests()
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    return {t: _count(con, t) - load.before[t] if load.staged else 0 for t in LOAD_ORDER}


def abandon(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back a staged load (``stage_run``) that is not to be committed."""
    _rollback(con)


def _load_frames(con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame], staged: list[str]) -> None:
    """The frames' statements in order, then the facts that follow this load's entity redirects, then the
    counts of the events it touched (warehouse/sql/load/batch_keys.sql lists what is collected).

    Before the dimensions, the documents whose facts this load writes are settled (fact_documents.sql):
    the fact tables and dim_entity / dim_document carry no PRIMARY KEY index, their keys are kept unique
    by the statements themselves (README: The warehouse contract)."""
    con.execute(sql_text("load/batch_keys.sql"))
    helpers = _fact_keys(frames)
    for name, frame in {**{f"staged_{t}": frames[t] for t in staged}, **helpers}.items():
        con.register(name, frame.to_arrow())
    # On an error the transaction is aborted and rolled back by load_run; the views go with the connection.
    for table in (t for t in staged if t in BEFORE_LOAD):
        con.execute(sql_text(f"load/{table}.sql"))
    con.execute(sql_text("load/fact_documents.sql"))
    for table in (t for t in staged if t in LOAD_ORDER):
        con.execute(sql_text(f"load/{table}.sql"))
    for name in (*(f"staged_{t}" for t in staged), *helpers):
        con.unregister(name)
    redirected = _any(con, "load_redirected")
    if redirected:
        con.execute(sql_text("load/redirect_entities.sql"))  # facts follow entities resolved elsewhere
    if redirected or _any(con, "load_new_events"):
        con.execute(sql_text("load/redirect_events.sql"))
    if _any(con, "load_touched_events"):
        con.execute(sql_text("load/refresh_event_counts.sql"))
    if _any(con, "load_vote_delta"):
        con.execute(sql_text("load/entity_name_votes.sql"))
    for table in ("load_redirected", "load_new_events", "load_touched_events", "load_cleared_documents",
                  "load_fact_documents", "load_vote_delta"):
        con.execute(f"drop table {table}")


def _fact_keys(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The staged facts' document keys (``staged_fact_documents``) and their reports' (event, document)
    keys (``staged_event_documents``), as fact_documents.sql and fact_event.sql read them."""
    documents = [
        frames[t].select("document_key")
        for t in ("fact_entity_mention", "fact_event_mention")
        if frames.get(t) is not None and not frames[t].is_empty()
    ]
    reports = frames.get("fact_event_mention")
    empty = pl.DataFrame(schema={"event_key": pl.String, "document_key": pl.String})
    return {
        "staged_fact_documents": pl.concat(documents).unique() if documents else empty.select("document_key"),
        "staged_event_documents": (
            empty if reports is None or reports.is_empty() else reports.select("event_key", "document_key").unique()
        ),
    }


def _any(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return con.execute(f"select exists (select 1 from {table})").fetchone()[0]


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
        _rollback(con)
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the load's transaction. When its COMMIT itself failed (e.g. out of memory while writing),
    DuckDB has already rolled it back and a ROLLBACK raises "no transaction is active": that must not hide
    the error that made the load fail, which the caller re-raises."""
    try:
        con.execute("rollback")
    except duckdb.TransactionException:
        pass  # nothing left to roll back: the caller raises the load's own error


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]
