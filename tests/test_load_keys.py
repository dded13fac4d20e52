"""The load keeps the big tables' keys unique itself, with or without a declared PRIMARY KEY (issue 16).

The batch is every row of the seed run's warehouse (the real flow's output), loaded again through
``load_run``: once more, doubled within the batch, and into a warehouse made with the old DDL, whose
PRIMARY KEYs ``dateline migrate-keys`` then removes.
"""

import datetime as dt
import re
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dateline.warehouse.db import apply_schema, sql_files
from dateline.warehouse.load import LOAD_ORDER, load_run
from dateline.warehouse.migrate import UNINDEXED_KEYS, drop_primary_keys, keyed_tables

from tests.fault_helpers import run_cli, subprocess_env
from tests.helpers import DATA_TABLES, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def batch(seeds_warehouse) -> dict[str, pl.DataFrame]:
    """Every row of the seed warehouse's data tables, as frames to load."""
    with duckdb.connect(str(seeds_warehouse), read_only=True) as con:
        return {t: con.sql(f"select * from {t}").pl() for t in LOAD_ORDER}


def _load(path: Path, frames: dict[str, pl.DataFrame], run: str) -> dict[str, int]:
    now = dt.datetime(2024, 1, 1)
    with duckdb.connect(str(path)) as con:
        apply_schema(con)
        return load_run(con, frames, {"run_id": run, "started_at": now, "finished_at": now, "status": "success"})


def _old_schema(path: Path) -> None:
    """The tables as the DDL declared them before issue 16: each big table's key a PRIMARY KEY."""
    keyed = re.compile(r"^(\s+)(\w+_key) varchar not null,\s*-- unique:.*$", re.MULTILINE)
    with duckdb.connect(str(path)) as con:
        for _, ddl in sql_files("tables"):
            con.execute(keyed.sub(r"\1\2 varchar primary key,", ddl))
        apply_schema(con)


def _assert_same(path: Path, expected: dict[str, pl.DataFrame]) -> None:
    actual = snapshot(path)
    for table in DATA_TABLES:
        assert actual[table].equals(expected[table]), table


def test_a_batch_loaded_again_or_doubled_writes_each_key_once(seeds_warehouse, batch, tmp_path):
    expected = snapshot(seeds_warehouse)
    path = tmp_path / "copy.duckdb"
    added = _load(path, batch, "r1")
    assert added["fact_entity_mention"] == batch["fact_entity_mention"].height > 0
    _assert_same(path, expected)
    # A rerun of the same batch: its documents are loaded, so none of their facts is written again.
    assert set(_load(path, batch, "r2").values()) == {0}
    _assert_same(path, expected)
    # Every row twice within one batch: each key once.
    doubled = tmp_path / "doubled.duckdb"
    _load(doubled, {t: pl.concat([f, f]) for t, f in batch.items()}, "r1")
    _assert_same(doubled, expected)
    with duckdb.connect(str(doubled), read_only=True) as con:
        assert keyed_tables(con) == []


def test_a_warehouse_with_the_old_primary_keys_loads_the_same_and_is_converted_on_request(
    seeds_warehouse, batch, tmp_path
):
    expected = snapshot(seeds_warehouse)
    path = tmp_path / "old.duckdb"
    _old_schema(path)
    with duckdb.connect(str(path)) as con:
        assert keyed_tables(con) == list(UNINDEXED_KEYS)
    _load(path, batch, "r1")
    assert set(_load(path, batch, "r2").values()) == {0}
    _assert_same(path, expected)
    with duckdb.connect(str(path)) as con:
        assert keyed_tables(con) == list(UNINDEXED_KEYS)  # a run never converts a warehouse itself

    command = [sys.executable, "-m", "dateline.cli", "migrate-keys", "--warehouse", str(path)]
    result = run_cli(command, subprocess_env(tmp_path))
    assert result.returncode == 0, result.stderr
    for table in UNINDEXED_KEYS:
        assert f"{table}: " in result.stdout
    _assert_same(path, expected)
    with duckdb.connect(str(path)) as con:
        assert keyed_tables(con) == []
        not_null = con.execute(
            "select table_name, constraint_column_names[1] from duckdb_constraints() where constraint_type = 'NOT NULL'"
        ).fetchall()
        assert {(t, k) for t, k in UNINDEXED_KEYS.items()} <= set(not_null)
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fact_event'").fetchone()[0]
        assert comment.startswith("one real-world event")
        assert drop_primary_keys(con) == {}
    again = run_cli(command, subprocess_env(tmp_path))
    # the console wraps long lines (a long warehouse path): compare the words, not the line breaks
    assert again.returncode == 0 and "nothing to do" in " ".join(again.stdout.split())
    assert set(_load(path, batch, "r3").values()) == {0}
    _assert_same(path, expected)
