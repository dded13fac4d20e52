"""``DATELINE_WAREHOUSE_MEMORY_LIMIT``: the run's warehouse connections get DuckDB's memory_limit (issue 16).

DuckDB's default limit is 80 % of RAM, and a run over a big warehouse fills it with cached blocks; the
setting caps that. Checked on the real connections a run opens (look-ups, load) and through the CLI."""

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


def test_the_setting_is_validated():
    assert Settings(warehouse_memory_limit="1GB").warehouse_memory_limit == "1GB"
    assert Settings().warehouse_memory_limit is None
    for bad in ("lots", "1 gigabyte", "-1GB"):
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
