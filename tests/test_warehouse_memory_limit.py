"""``DATELINE_WAREHOUSE_MEMORY_LIMIT``: the run's warehouse connections get DuckDB's memory_limit (issue 16).

DuckDB's default limit is 80 % of RAM, and a run over a big warehouse fills it with cached blocks; the
setting caps that (default ``2GB``; ``duckdb``: DuckDB's own), and a load that runs out of memory under it
is loaded again with DuckDB's own. Checked on the real connections a run opens (look-ups, load) and
through the CLI."""

import re

import duckdb
import pytest
from dateline.flows.lookups import WarehouseLookups
from dateline.flows.settings import Settings
from dateline.warehouse import db
from pydantic import ValidationError

from tests.fault_helpers import SEEDS, dateline, run_cli, subprocess_env


def _limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    # DuckDB reports the limit as text in binary units ("488.2 MiB")
    text = con.execute("select current_setting('memory_limit')").fetchone()[0]
    number, unit = text.split()
    scale = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]
    return int(float(number) * scale)


def test_a_run_setting_limits_every_warehouse_connection_it_opens(tmp_path):
    path = tmp_path / "w.duckdb"
    db.connect_write(path, 0.0).close()
    with db.connect_read(path) as con:
        default = _limit_bytes(con)
    assert default > 600 * 2**20  # DuckDB's own default on this machine, well above the limit set below
    with db.connect_write(path, 0.0, "512MB") as con:
        assert _limit_bytes(con) <= 512 * 10**6
    with db.connect_read(path, 0.0, "512MB") as con:
        assert _limit_bytes(con) <= 512 * 10**6
    lookups = WarehouseLookups(path, 0.0, "512MB")
    lookups.prepare()
    with lookups._connection() as con:
        assert _limit_bytes(con) <= 512 * 10**6
    with WarehouseLookups(path, 0.0)._connection() as con:
        assert _limit_bytes(con) == default
    with WarehouseLookups(path, 0.0, "duckdb")._connection() as con:
        assert _limit_bytes(con) == default
    with db.connect_write(path, 0.0, "duckdb") as con:
        assert _limit_bytes(con) == default


def test_a_run_is_bounded_at_2gb_by_default_and_keeps_duckdbs_limit_when_told(tmp_path):
    path = tmp_path / "w.duckdb"
    db.connect_write(path, 0.0).close()
    assert Settings().warehouse_memory_limit == "2GB"
    with WarehouseLookups(path, 0.0, Settings().warehouse_memory_limit)._connection() as con:
        assert 1.8 * 10**9 < _limit_bytes(con) <= 2 * 10**9
    with WarehouseLookups(path, 0.0, "duckdb")._connection() as con, db.connect_read(path) as own:
        assert _limit_bytes(con) == _limit_bytes(own)


def test_out_of_memory_is_told_from_other_errors():
    assert db.out_of_memory(duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block"))
    # how DuckDB 2.0 reports a COMMIT that ran out (the 500-article load into the 1,000,000-document warehouse)
    assert db.out_of_memory(duckdb.TransactionException(
        "TransactionContext Error: Failed to commit: could not allocate block of size 256.0 KiB (953.5 MiB/953.6 MiB used)"
    ))
    # and one whose commit could not pin a block (stop 26: a delete + insert load at 1,000,000 documents)
    assert db.out_of_memory(duckdb.TransactionException(
        "TransactionContext Error: Failed to commit: failed to pin block of size 256.0 KiB (1.8 GiB/1.8 GiB used)"
    ))
    assert not db.out_of_memory(duckdb.TransactionException("cannot rollback - no transaction is active"))
    assert not db.out_of_memory(duckdb.ConstraintException("Duplicate key"))
    assert not db.out_of_memory(ValueError("could not allocate"))  # not DuckDB's


@pytest.mark.usefixtures("prefect_harness")
def test_a_load_out_of_memory_under_the_bound_is_loaded_again_with_duckdbs_limit(seeds_warehouse, tmp_path, caplog):
    """The bound never fails a load: a load that runs out under it (here a bound too small for the seeds'
    rows) is rolled back and loaded again at once with DuckDB's own limit; the warehouse holds it once,
    as loaded without a bound. Another error is raised as it was."""
    import datetime as dt

    import polars as pl
    from dateline.flows.tasks import load_warehouse
    from dateline.warehouse.load import LOAD_ORDER

    from tests.helpers import DATA_TABLES, snapshot

    with duckdb.connect(str(seeds_warehouse), read_only=True) as con:
        frames = {t: con.sql(f"select * from {t}").pl() for t in LOAD_ORDER}
    now = dt.datetime(2024, 1, 1)
    row = {"run_id": "r1", "started_at": now, "finished_at": now, "status": "success"}
    validation = pl.DataFrame()
    tiny = "4MB"
    with db.connect_write(tmp_path / "probe.duckdb", 0.0, tiny) as con:  # the bound alone fails this load
        with pytest.raises(duckdb.Error) as failed:
            from dateline.warehouse.load import load_run

            load_run(con, frames, row)
        assert db.out_of_memory(failed.value)
    bounded, unbounded = tmp_path / "bounded.duckdb", tmp_path / "unbounded.duckdb"
    with caplog.at_level("WARNING"):
        added = load_warehouse.fn(bounded, 0.0, frames, row, validation, tiny)
    assert "out of memory under warehouse_memory_limit 4MB" in caplog.text
    # loaded again in a connection of its own, after the explicit indexes are built again (a commit that
    # failed for memory can leave one unusable; the warehouse declares none since the band table's went)
    assert "indexes built again before loading again: none" in caplog.text
    assert added == load_warehouse.fn(unbounded, 0.0, frames, row, validation, "duckdb")
    assert added["fact_entity_mention"] == frames["fact_entity_mention"].height > 0
    expected, actual = snapshot(unbounded), snapshot(bounded)
    for table in DATA_TABLES:
        assert actual[table].equals(expected[table]), table
    with duckdb.connect(str(bounded), read_only=True) as con:
        assert con.execute("select count(*) from etl_run").fetchone()[0] == 1
        assert con.execute("select index_name from duckdb_indexes()").fetchall() == []
    with pytest.raises(duckdb.ConstraintException):  # the same run again, within the bound: its key is taken
        load_warehouse.fn(bounded, 0.0, frames, row, validation, "2GB")


def test_the_fallback_builds_every_explicit_index_of_the_warehouse_again(tmp_path):
    # the warehouse's own DDL declares none since stop 29; an index a user added is rebuilt the same way
    path = tmp_path / "indexed.duckdb"
    with db.connect_write(path, 0.0) as con:
        con.execute("insert into document_lsh_band values (1, 'd1'), (2, 'd2')")
        con.execute("create index user_band_index on document_lsh_band (band_key)")
        assert db.rebuild_indexes(con) == ["user_band_index"]
        assert con.execute("select index_name from duckdb_indexes()").fetchall() == [("user_band_index",)]
        assert con.execute("select document_key from document_lsh_band where band_key = 2").fetchall() == [("d2",)]


def test_a_warehouse_still_declaring_the_old_primary_keys_is_written_with_duckdbs_default(tmp_path):
    # its key indexes must be held whole in memory by a load (README: The warehouse contract, Keys)
    path = tmp_path / "old.duckdb"
    keyed = re.compile(r"^(\s+)(\w+_key) varchar not null,\s*-- unique:.*$", re.MULTILINE)
    with duckdb.connect(str(path)) as con:
        for _, ddl in db.sql_files("tables"):
            con.execute(keyed.sub(r"\1\2 varchar primary key,", ddl))
        default = _limit_bytes(con)
    with db.connect_write(path, 0.0, "512MB") as con:
        assert _limit_bytes(con) == default
    with db.connect_read(path, 0.0, "512MB") as con:  # a read holds no key index: bounded
        assert _limit_bytes(con) <= 512 * 10**6
    new = tmp_path / "new.duckdb"
    db.connect_write(new, 0.0).close()
    with db.connect_write(new, 0.0, "512MB") as con:
        assert _limit_bytes(con) <= 512 * 10**6


def test_the_setting_is_validated():
    assert Settings(warehouse_memory_limit="1GB").warehouse_memory_limit == "1GB"
    assert Settings(warehouse_memory_limit="duckdb").warehouse_memory_limit == "duckdb"
    for bad in ("lots", "1 gigabyte", "-1GB", "", "DuckDB's"):
        with pytest.raises(ValidationError):
            Settings(warehouse_memory_limit=bad)


def test_a_run_with_the_limit_loads_and_a_bad_value_is_a_usage_error(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    bad = run_cli(dateline("run", "--input", str(SEEDS), "--warehouse", str(warehouse)),
                  subprocess_env(tmp_path, DATELINE_WAREHOUSE_MEMORY_LIMIT="lots"))
    assert bad.returncode == 2, bad.stderr
    assert "warehouse_memory_limit" in bad.stderr and not warehouse.exists()
    good = run_cli(dateline("run", "--input", str(SEEDS), "--warehouse", str(warehouse), "--quiet"),
                   subprocess_env(tmp_path, DATELINE_WAREHOUSE_MEMORY_LIMIT="256MB"))
    assert good.returncode == 0, good.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from dim_document").fetchone()[0] == len(list(SEEDS.glob("*.txt")))


def test_a_load_whose_commit_failed_raises_its_own_error_not_the_rollbacks(tmp_path):
    """DuckDB rolls back a transaction whose COMMIT fails; the load's ROLLBACK then finds none and says
    "no transaction is active" — the error the user must see is the one that made the load fail."""
    from dateline.warehouse import load

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("begin transaction")
    con.execute("commit")  # as a failed COMMIT leaves it: no transaction open
    with pytest.raises(duckdb.TransactionException):
        con.execute("rollback")  # what load_run called, and raised instead of the load's error
    load._rollback(con)  # now: nothing to roll back is not an error of its own
    con.execute("begin transaction")
    con.execute("create table t (i integer)")
    load._rollback(con)  # an open transaction is still rolled back
    assert con.execute("select count(*) from information_schema.tables where table_name = 't'").fetchone() == (0,)
