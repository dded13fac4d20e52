"""`dateline query`, `report` and `export` read through a connection the engine locks: nothing of any
shape writes, reads another file or downloads anything (issue 14, items 1 and 2). Real subprocesses."""

import hashlib
from pathlib import Path

import pytest

from tests.fault_helpers import copy_warehouse, dateline, run_cli, seeded_warehouse, subprocess_env
from tests.helpers import counts

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture
def seeded(tmp_path_factory, tmp_path) -> Path:
    return copy_warehouse(seeded_warehouse(tmp_path_factory), tmp_path / "wh" / "dateline.duckdb")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


ATTACKS = {
    # COPY hidden in a CTE: the statement's top-level type is SELECT.
    "copy in a cte over the warehouse": "with x as (copy (select 'pwned' as a) to '{warehouse}' (format csv)) select * from x",
    "copy in a cte beside it": "with x as (copy (select 'pwned' as a) to '{out}/leak.csv' (format csv)) select * from x",
    # EXPLAIN ANALYZE executes the statement it explains.
    "explain analyze copy": "explain analyze copy (select 43) to '{out}/x.csv'",
    "copy": "copy dim_document to '{out}/leak.csv'",
    "export database": "export database '{out}/dump'",
    "attach": "attach '{out}/other.duckdb' as other",
    "read another file": "select * from read_csv('/etc/passwd')",
    "install": "install httpfs",
    "load": "load httpfs",
    "set back on": "set enable_external_access = true",
    "insert": "insert into dim_source values ('x', 'x', null)",
    "delete": "delete from fact_entity_mention",
    "drop after a select": "select 1; drop view v_who_met_whom",
}


@pytest.mark.parametrize("sql", ATTACKS.values(), ids=ATTACKS.keys())
def test_query_cannot_write_read_other_files_or_load_anything(seeded, tmp_path, sql):
    out = tmp_path / "out"
    out.mkdir()
    before_counts, before_digest, before_files = counts(seeded), _digest(seeded), _files(seeded.parent)
    result = run_cli(dateline("query", "--warehouse", str(seeded), "--", sql.format(out=out, warehouse=seeded)),
                     subprocess_env(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
    assert list(out.iterdir()) == [], "nothing written anywhere"
    assert _digest(seeded) == before_digest and counts(seeded) == before_counts
    assert _files(seeded.parent) == before_files


def test_a_select_never_downloads_an_extension(seeded, tmp_path):
    result = run_cli(
        dateline("query", "--warehouse", str(seeded), "select * from read_csv('https://example.com/news.csv')"),
        subprocess_env(tmp_path), timeout=60,
    )
    assert result.returncode == 1
    assert "disabled by configuration" in result.stderr
    assert not list(Path.home().glob(".duckdb/extensions/*/*/httpfs*")), "no extension was installed"


def test_report_and_export_read_through_the_locked_connection(seeded, tmp_path):
    """Their reading side is the same locked connection: their output files are written by Python."""
    from dateline.warehouse import db

    assert db.LOCKED_READ_CONFIG == {"enable_external_access": False, "autoinstall_known_extensions": False,
                                     "autoload_known_extensions": False, "lock_configuration": True}
    con = db.connect_analyst(seeded)
    try:
        settings = dict(con.execute(
            "select name, value from duckdb_settings() where name in ('enable_external_access', "
            "'autoinstall_known_extensions', 'autoload_known_extensions', 'lock_configuration', 'access_mode')"
        ).fetchall())
    finally:
        con.close()
    assert settings == {"access_mode": "read_only", "enable_external_access": "false",
                        "autoinstall_known_extensions": "false", "autoload_known_extensions": "false",
                        "lock_configuration": "true"}
    before = _digest(seeded)
    env = subprocess_env(tmp_path)
    exported = run_cli(dateline("export", "--parquet", str(tmp_path / "parquet"), "--warehouse", str(seeded)), env)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "parquet" / "dim_document.parquet").is_file()
    reported = run_cli(dateline("report", "--out", str(tmp_path / "r.html"), "--warehouse", str(seeded)), env)
    assert reported.returncode == 0, reported.stderr
    assert (tmp_path / "r.html").stat().st_size > 0
    assert _digest(seeded) == before
