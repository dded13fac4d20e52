"""`dateline query` is read-only; `dateline export --parquet` writes every table and view, row counts intact."""

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dateline.cli.main import app
from typer.testing import CliRunner

from tests.helpers import DATA_TABLES, counts

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def warehouse(seeds_warehouse) -> Path:
    """The session's seeds warehouse (conftest); every test here checks that it leaves it unchanged."""
    return seeds_warehouse


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_query_prints_csv_and_json(warehouse):
    sql = "select canonical_name from dim_entity where canonical_name in ('Xi Jinping', 'Vladimir Putin') order by 1"
    result = runner.invoke(app, ["query", sql, "--warehouse", str(warehouse), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["canonical_name", "Vladimir Putin", "Xi Jinping"]
    result = runner.invoke(app, ["query", sql, "--warehouse", str(warehouse), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"canonical_name": "Vladimir Putin"}, {"canonical_name": "Xi Jinping"}]


def test_query_reads_the_views(warehouse):
    result = runner.invoke(app, ["query", "select status from v_run_health", "--warehouse", str(warehouse), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["status", "success"]


@pytest.mark.parametrize("sql", [
    "insert into dim_source values ('x', 'x', null)",
    "delete from fact_entity_mention",
    "update dim_entity set canonical_name = 'x'",
    "drop table dim_document",
    "create table scratch as select 1 as a",
    "select 1; drop view v_who_met_whom",
    "copy dim_document to '{out}/leak.csv'",
    "export database '{out}/dump'",
    "attach '{out}/other.duckdb' as other",
    "install httpfs",
    "set threads = 1",
])
def test_query_refuses_writes(warehouse, tmp_path, sql):
    """DuckDB refuses them (read-only database, no external access, locked configuration)."""
    before_counts, before_digest = counts(warehouse), _digest(warehouse)
    result = runner.invoke(app, ["query", sql.format(out=tmp_path), "--warehouse", str(warehouse)])
    assert result.exit_code == 1
    assert any(word in result.output for word in ("read-only", "disabled by configuration", "locked"))
    assert list(tmp_path.iterdir()) == [], "nothing written next to the warehouse"
    assert counts(warehouse) == before_counts
    assert _digest(warehouse) == before_digest


@pytest.mark.parametrize("sql", ["create temp table scratch as select 1 as a", "checkpoint"])
def test_query_statements_that_touch_only_the_session_leave_the_warehouse_as_it_was(warehouse, sql):
    before_counts, before_digest = counts(warehouse), _digest(warehouse)
    result = runner.invoke(app, ["query", sql, "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert counts(warehouse) == before_counts
    assert _digest(warehouse) == before_digest


def test_query_reports_a_bad_query_in_one_line(warehouse):
    result = runner.invoke(app, ["query", "select nope from dim_entity", "--warehouse", str(warehouse)])
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output


def test_query_without_a_warehouse_fails_cleanly(tmp_path):
    result = runner.invoke(app, ["query", "select 1", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no warehouse" in result.output


def test_export_writes_every_table_and_view_with_its_row_count(warehouse, tmp_path):
    before = _digest(warehouse)
    out = tmp_path / "parquet"
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        objects = dict(reader.execute(
            "select table_name, table_type from information_schema.tables where table_schema = 'main'"
        ).fetchall())
        expected = {name: reader.execute(f'select count(*) from "{name}"').fetchone()[0] for name in objects}
        columns = {name: [r[0] for r in reader.execute(f'describe "{name}"').fetchall()] for name in objects}
    columns["dim_document"] = [c for c in columns["dim_document"] if c not in ("raw_text", "minhash")]
    # A BI tool holding its own read-only connection (another process) does not block the export.
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(warehouse)!r}, read_only=True); "
                               "print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = runner.invoke(app, ["export", "--parquet", str(out), "--warehouse", str(warehouse)])
    finally:
        holder.communicate("", timeout=30)
    assert result.exit_code == 0, result.output
    assert set(DATA_TABLES) | {"etl_run", "etl_validation", "v_entity_mentions_daily", "v_entity_cooccurrence",
                               "v_event_timeline", "v_who_met_whom", "v_run_health"} <= set(objects)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{name}.parquet" for name in objects)
    for name, rows in expected.items():
        frame = pl.read_parquet(out / f"{name}.parquet")
        assert frame.height == rows, name
        assert frame.columns == columns[name], name
    assert expected["dim_document"] == 5 and expected["fact_entity_mention"] > 0
    assert _digest(warehouse) == before, "export never writes the warehouse"


def test_export_replaces_files_of_an_earlier_export(warehouse, tmp_path):
    out = tmp_path / "parquet"
    out.mkdir()
    (out / "dim_entity.parquet").write_bytes(b"stale")
    (out / "notes.txt").write_text("kept")
    result = runner.invoke(app, ["export", "--parquet", str(out), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out / "dim_entity.parquet").height == counts(warehouse)["dim_entity"]
    assert (out / "notes.txt").read_text() == "kept"


def test_export_leaves_out_internal_columns_unless_asked(warehouse, tmp_path):
    result = runner.invoke(app, ["export", "--parquet", str(tmp_path / "plain"), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    plain = pl.read_parquet(tmp_path / "plain" / "dim_document.parquet").columns
    assert "raw_text" not in plain and "minhash" not in plain and "body" in plain
    result = runner.invoke(app, ["export", "--parquet", str(tmp_path / "all"), "--warehouse", str(warehouse),
                                 "--internal"])
    assert result.exit_code == 0, result.output
    assert {"raw_text", "minhash"} <= set(pl.read_parquet(tmp_path / "all" / "dim_document.parquet").columns)
    assert not list((tmp_path / "all").glob(".*.partial")), "no partial file left behind"


def test_csv_output_writes_nested_columns_as_json_and_defuses_formulas(warehouse):
    result = runner.invoke(app, ["query", "select canonical_name, aliases from dim_entity "
                                 "where canonical_name = 'Xi Jinping'", "--warehouse", str(warehouse), "-f", "csv"])
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header == "canonical_name,aliases"
    name, aliases = next(iter(csv.reader([row])))
    assert name == "Xi Jinping" and "Xi Jinping" in json.loads(aliases)
    sql = "select '=HYPERLINK(\"http://x\")' as a, '+1' as b, '-1' as c, '@SUM(A1)' as d, -1 as n, 'ok' as e"
    result = runner.invoke(app, ["query", sql, "--warehouse", str(warehouse), "-f", "csv"])
    assert result.exit_code == 0, result.output
    cells = next(iter(csv.reader([result.stdout.splitlines()[1]])))
    assert cells == ["'=HYPERLINK(\"http://x\")", "'+1", "'-1", "'@SUM(A1)", "-1", "ok"]
    raw = runner.invoke(app, ["query", sql, "--warehouse", str(warehouse), "-f", "csv", "--raw-csv"])
    assert next(iter(csv.reader([raw.stdout.splitlines()[1]])))[0] == "=HYPERLINK(\"http://x\")"
