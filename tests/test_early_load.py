"""The load staged while the run validates (``flows.tasks.EarlyLoad``): invisible until committed, rolled back
when validation fails, and loaded the usual way when staging fails."""

import datetime as dt
import shutil

import polars as pl
import pytest
from dateline.flows import tasks
from dateline.flows.settings import Settings
from dateline.flows.summary import RunCounts, run_row
from dateline.transforms import star
from dateline.transforms.ingest import QUARANTINE_SCHEMA
from dateline.warehouse import db


@pytest.fixture
def warehouse(seeds_warehouse, tmp_path):
    path = tmp_path / "wh" / "dateline.duckdb"
    path.parent.mkdir()
    shutil.copy(seeds_warehouse, path)
    return path


def _quarantine(run_id: str, reason: str = "empty") -> dict[str, pl.DataFrame]:
    rejected = pl.DataFrame([{"source_path": f"/nowhere/{run_id}.txt", "record": None, "reason": reason,
                              "detail": "a test row"}], schema=QUARANTINE_SCHEMA)
    return {"quarantine": star.build_quarantine(rejected, run_id)}


def _row(run_id: str) -> dict:
    return run_row(run_id, RunCounts(), dt.datetime(2026, 1, 1), {"validate": 1.0}, ("success", ""))


def _count(path, sql: str) -> int:
    with db.connect_read(path) as con:
        return con.execute(sql).fetchone()[0]


def test_the_staged_load_is_invisible_to_the_lookups_until_committed(warehouse):
    quarantined = _count(warehouse, "select count(*) from quarantine")
    runs = _count(warehouse, "select count(*) from etl_run")
    early = tasks.EarlyLoad(warehouse, 0.0, _quarantine("early1"))
    early._thread.join()  # staged: the transaction is open, its rows written
    # what validation's look-ups see meanwhile: the warehouse as committed
    assert early.lookups.execute("select count(*) from quarantine").fetchone()[0] == quarantined
    validation = pl.DataFrame({"table_name": ["quarantine"], "expectation": ["x"], "column_name": [None],
                               "success": [True], "observed_value": [""], "run_id": ["early1"]})
    added = early.commit(_row("early1"), validation)
    assert added is not None and added["quarantine"] == 1
    assert _count(warehouse, "select count(*) from quarantine") == quarantined + 1
    assert _count(warehouse, "select count(*) from etl_run") == runs + 1
    assert _count(warehouse, "select count(*) from etl_validation where run_id = 'early1'") == 1


def test_an_abandoned_staged_load_leaves_the_warehouse_as_it_was(warehouse):
    before = _count(warehouse, "select count(*) from quarantine"), _count(warehouse, "select count(*) from etl_run")
    early = tasks.EarlyLoad(warehouse, 0.0, _quarantine("early2"))
    early.abandon()
    assert (_count(warehouse, "select count(*) from quarantine"),
            _count(warehouse, "select count(*) from etl_run")) == before


def test_a_load_that_could_not_be_staged_says_so_and_leaves_nothing(warehouse):
    frames = _quarantine("early3")
    frames["quarantine"] = frames["quarantine"].drop("reason")  # the load's SQL reads it: the staging fails
    before = _count(warehouse, "select count(*) from quarantine")
    early = tasks.EarlyLoad(warehouse, 0.0, frames)
    assert early.commit(_row("early3"), pl.DataFrame()) is None  # the flow then loads the usual way
    assert _count(warehouse, "select count(*) from quarantine") == before
    assert _count(warehouse, "select count(*) from etl_run where run_id = 'early3'") == 0


def test_new_small_or_memory_bounded_warehouses_with_rows_to_load_are_loaded_early(warehouse, tmp_path, monkeypatch):
    rows = _quarantine("early4")
    assert tasks.loads_early(tmp_path / "new" / "dateline.duckdb", rows)
    assert tasks.loads_early(warehouse, rows)
    assert not tasks.loads_early(warehouse, {"quarantine": rows["quarantine"].clear()})  # a no-op rerun
    assert not tasks.loads_early(warehouse, {"quarantine": rows["quarantine"].clear()}, "2GB")
    monkeypatch.setattr(tasks, "EARLY_LOAD_MAX_BYTES", warehouse.stat().st_size - 1)
    # a big warehouse: early under a bounded memory_limit (the run's default, 2GB), not under DuckDB's own
    assert tasks.loads_early(warehouse, rows, "2GB")
    assert tasks.loads_early(warehouse, rows, Settings.model_fields["warehouse_memory_limit"].default)
    assert not tasks.loads_early(warehouse, rows)
    assert not tasks.loads_early(warehouse, rows, db.DUCKDB_DEFAULT)
