"""The entity → event index (entity_event_index) follows fact_event through loads, redirects and removed
versions: after each load it holds exactly the rows derived from every event (entity_event_rows), so the
load's redirect of loaded events (warehouse/sql/load/redirect_events.sql) finds the same events as a split
of every event's signature would."""

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dateline.warehouse.db import connect_write
from dateline.warehouse.load import LOAD_ORDER, load_run

pytestmark = pytest.mark.usefixtures("prefect_harness")

NOW = dt.datetime(2024, 1, 1)


def _index(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from entity_event_index order by all").fetchall()


def _derived(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from entity_event_rows('fact_event') order by all").fetchall()


def _load(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], run: str) -> None:
    load_run(con, frames, {"run_id": run, "started_at": NOW, "finished_at": NOW, "status": "success"})


def _copy(seeds_warehouse: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(seeds_warehouse, path)
    return path


def test_the_seed_run_leaves_the_index_equal_to_its_derivation(seeds_warehouse):
    with duckdb.connect(str(seeds_warehouse), read_only=True) as con:
        index = _index(con)
        assert index == _derived(con)
        events = con.execute("select count(*) from fact_event").fetchall()[0][0]
        assert events > 10 and len({row[1] for row in index}) > events / 2  # an event may name no entity


def test_a_redirect_repoints_the_events_and_their_index_rows(seeds_warehouse, tmp_path):
    path = _copy(seeds_warehouse, tmp_path)
    con = connect_write(path, 0.0)
    try:
        # The entity named by the most events is resolved into a new one: every event naming it follows.
        key, named = con.execute(
            "select entity_key, count(*) from entity_event_index group by all order by 2 desc, 1 limit 1"
        ).fetchall()[0]
        assert named > 1
        entity = con.sql(f"select * from dim_entity where entity_key = '{key}'").pl()
        target = entity.with_columns(entity_key=pl.lit("test_target"), canonical_name=pl.lit("Test Target"))
        redirected = entity.with_columns(merged_into_key=pl.lit("test_target"))
        _load(con, {"dim_entity": pl.concat([redirected, target])}, "r-redirect")
        assert (
            con.execute(
                f"select count(*) from entity_event_rows('fact_event') where entity_key = '{key}'"
            ).fetchall()[0][0]
            == 0
        )
        assert (
            con.execute(
                "select count(*) from entity_event_index where entity_key = 'test_target'"
            ).fetchall()[0][0]
            == named
        )
        assert _index(con) == _derived(con)
    finally:
        con.close()


def test_events_left_without_reports_leave_the_index(seeds_warehouse, tmp_path):
    path = _copy(seeds_warehouse, tmp_path)
    con = connect_write(path, 0.0)
    try:
        # A correction of a document (same key) removes its facts; its re-extraction brings none here, so
        # the events only it reported go, and their index rows with them.
        document, only = con.execute("""
            select m.document_key, count(distinct m.event_key)
            from fact_event_mention as m
            where m.event_key not in (
                select event_key from fact_event_mention as o where o.document_key <> m.document_key)
            group by all order by 2 desc, 1 limit 1""").fetchall()[0]
        assert only > 0
        versions = pl.DataFrame({"old_key": [document], "new_key": [document], "change": ["corrected"]})
        events_before = con.execute("select count(*) from fact_event").fetchall()[0][0]
        _load(con, {"document_versions": versions}, "r-correct")
        assert con.execute("select count(*) from fact_event").fetchall()[0][0] == events_before - only
        assert _index(con) == _derived(con)
    finally:
        con.close()


def test_a_batch_loaded_into_an_empty_warehouse_and_again_keeps_the_index_exact(seeds_warehouse, tmp_path):
    with duckdb.connect(str(seeds_warehouse), read_only=True) as con:
        batch = {t: con.sql(f"select * from {t}").pl() for t in LOAD_ORDER}
        expected = _index(con)
    con = connect_write(tmp_path / "fresh.duckdb", 0.0)
    try:
        _load(con, batch, "r1")
        assert _index(con) == _derived(con) == expected
        _load(con, batch, "r2")  # a rerun writes nothing
        assert _index(con) == expected
    finally:
        con.close()


def test_a_warehouse_from_before_the_index_gets_it_filled_once(seeds_warehouse, tmp_path):
    path = _copy(seeds_warehouse, tmp_path)
    with duckdb.connect(str(path)) as con:
        expected = _index(con)
        con.execute("drop table entity_event_index")  # as a warehouse loaded before the table existed
    connect_write(path, 0.0).close()
    with duckdb.connect(str(path), read_only=True) as con:
        assert _index(con) == _derived(con) == expected
