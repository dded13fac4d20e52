"""The load repoints loaded facts by deleting and inserting them again, never by updating them in place.

A redirect's mentions and reports (warehouse/sql/load/redirect_entities.sql) and the events whose counts
change (refresh_event_counts.sql) lie in every row group of a big table; an UPDATE would make the commit
rewrite the updated columns of each row group it touched. So each repointed row is deleted and appended
with its new values (its rowid changes), every other row stays where it was (its rowid is the same), and
the table holds what an update would have left."""

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dateline.warehouse.db import connect_write
from dateline.warehouse.load import load_run

pytestmark = pytest.mark.usefixtures("prefect_harness")

NOW = dt.datetime(2024, 1, 1)


def _load(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame], run: str) -> None:
    load_run(con, frames, {"run_id": run, "started_at": NOW, "finished_at": NOW, "status": "success"})


def _copy(seeds_warehouse: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(seeds_warehouse, path)
    return path


def _rows(con: duckdb.DuckDBPyConnection, table: str, key: str, expression: str = "*") -> dict[str, tuple]:
    """key → (rowid, the row as ``expression`` gives it)."""
    found = con.execute(f"select {key}, rowid, {expression} from {table}").fetchall()
    return {row[0]: (row[1], row[2:]) for row in found}


def _assert_moved_exactly(before: dict[str, tuple], after: dict[str, tuple], expected: dict[str, tuple]) -> int:
    """``after`` holds ``expected``'s rows; the rows that changed were appended (rowids past every old one),
    the others kept their rowid. Returns how many moved."""
    assert {key: row for key, (_, row) in after.items()} == expected
    last = max(rowid for rowid, _ in before.values())
    moved = {key for key, (_, row) in before.items() if row != expected[key]}
    for key, (rowid, _) in after.items():
        if key in moved:
            assert rowid > last, key
        else:
            assert rowid == before[key][0], key
    return len(moved)


def test_a_redirect_deletes_and_appends_the_mentions_and_reports_it_repoints(seeds_warehouse, tmp_path):
    con = connect_write(_copy(seeds_warehouse, tmp_path), 0.0)
    try:
        # The live entity named by the most mentions (by name key) and reports is resolved into a new one.
        key = con.execute("""
            select m.entity_key from fact_entity_mention as m
            join fact_event_mention as r on m.entity_key in (r.actor1_entity_key, r.actor2_entity_key)
            where m.name_key = m.entity_key
            group by all order by count(distinct m.mention_key) desc, 1 limit 1""").fetchall()[0][0]
        mentions = _rows(con, "fact_entity_mention", "mention_key")
        reports = _rows(con, "fact_event_mention", "event_mention_key")
        columns = [c[0] for c in con.execute("select * from fact_entity_mention limit 0").description]
        at = columns.index("entity_key")
        names = columns.index("name_key")

        def follows(row: tuple) -> tuple:
            named = row[names] == key or (row[names] is None and row[at] == key)
            return (*row[:at], "test_target", *row[at + 1:]) if named else row

        report_columns = [c[0] for c in con.execute("select * from fact_event_mention limit 0").description]
        actors = [report_columns.index(c) for c in ("actor1_entity_key", "actor2_entity_key", "location_entity_key")]

        def report_follows(row: tuple) -> tuple:
            return tuple("test_target" if i in actors and value == key else value for i, value in enumerate(row))

        entity = con.sql(f"select * from dim_entity where entity_key = '{key}'").pl()
        target = entity.with_columns(entity_key=pl.lit("test_target"), canonical_name=pl.lit("Test Target"))
        _load(con, {"dim_entity": pl.concat([entity.with_columns(merged_into_key=pl.lit("test_target")), target])},
              "r-redirect")

        moved = _assert_moved_exactly(mentions, _rows(con, "fact_entity_mention", "mention_key"),
                                      {k: follows(row) for k, (_, row) in mentions.items()})
        assert moved > 1
        moved = _assert_moved_exactly(reports, _rows(con, "fact_event_mention", "event_mention_key"),
                                      {k: report_follows(row) for k, (_, row) in reports.items()})
        assert moved > 0
    finally:
        con.close()


def test_events_whose_counts_change_are_deleted_and_appended(seeds_warehouse, tmp_path):
    con = connect_write(_copy(seeds_warehouse, tmp_path), 0.0)
    try:
        # A correction of a document (same key) removes its facts: the events it reported with other
        # documents keep their other reports and lose its count; the events only it reported go.
        document = con.execute("""
            select m.document_key from fact_event_mention as m
            where m.event_key in (select event_key from fact_event_mention as o where o.document_key <> m.document_key)
            group by all order by count(distinct m.event_key) desc, 1 limit 1""").fetchall()[0][0]
        counts = "num_mentions, num_documents, num_sources, first_reported, last_reported"
        events = _rows(con, "fact_event", "event_key", f"* exclude ({counts}), {counts}")
        versions = pl.DataFrame({"old_key": [document], "new_key": [document], "change": ["corrected"]})
        _load(con, {"document_versions": versions}, "r-correct")
        after = _rows(con, "fact_event", "event_key", f"* exclude ({counts}), {counts}")
        # what the reports left say
        recount = {
            row[0]: row[1:]
            for row in con.execute("""
                select m.event_key, count(*)::integer, count(distinct m.document_key)::integer,
                    count(distinct d.source_key)::integer, min(d.published_date), max(d.published_date)
                from fact_event_mention as m join dim_document as d using (document_key)
                group by all""").fetchall()
        }
        assert set(after) == set(recount) and len(after) < len(events)
        expected = {key: (*row[:-5], *recount[key]) for key, (_, row) in events.items() if key in recount}
        kept = {key: value for key, value in events.items() if key in recount}
        assert _assert_moved_exactly(kept, after, expected) > 0
    finally:
        con.close()
