"""Every failure exits non-zero with one clear message, usage errors exit 2, every command reads the one
settings object (issue 14, items 10-13). Real subprocesses: the exit code is the promise."""

from pathlib import Path

import pytest

from tests.fault_helpers import SEEDS, copy_warehouse, dateline, run_cli, seeded_warehouse, subprocess_env


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unexpected_exception_exits_1_with_one_line_and_the_traceback_only_with_debug(tmp_path):
    bad = tmp_path / "bad.conll"
    bad.write_bytes(b"\x94\xff garbage\n")
    result = run_cli(dateline("eval", "ner", "--conll", str(bad)), subprocess_env(tmp_path))
    assert result.returncode == 1
    _no_traceback(result)
    assert result.stderr.strip().splitlines() == [
        "error: UnicodeDecodeError: 'utf-8' codec can't decode byte 0x94 in position 0: invalid start byte"]
    debug = run_cli(dateline("--debug", "eval", "ner", "--conll", str(bad)), subprocess_env(tmp_path))
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr


@pytest.mark.parametrize("args", [
    ["query", "select 1", "--format", "xml"],
    ["query"],
    ["run", "--no-such-option"],
    ["dedupe", "seeds", "--threshold", "2"],
], ids=["bad choice", "missing argument", "unknown option", "out of range"])
def test_usage_errors_exit_2(tmp_path, args):
    result = run_cli(dateline(*args), subprocess_env(tmp_path))
    assert result.returncode == 2, result.stderr
    _no_traceback(result)


def test_a_bad_setting_is_a_usage_error_naming_the_field(tmp_path):
    result = run_cli(dateline("dedupe", str(SEEDS)), subprocess_env(tmp_path, DATELINE_BATCH_SIZE="0"))
    assert result.returncode == 2
    _no_traceback(result)
    assert "bad settings" in result.stderr and "batch_size" in result.stderr


@pytest.mark.parametrize("what", ["folder", "not duckdb", "missing"])
def test_query_and_report_on_something_that_is_no_warehouse_fail_cleanly(tmp_path, what):
    target = {"folder": tmp_path, "not duckdb": tmp_path / "notes.duckdb", "missing": tmp_path / "none.duckdb"}[what]
    if what == "not duckdb":
        target.write_text("not a database")
    for args in (["query", "select 1", "--warehouse", str(target)],
                 ["report", "--out", str(tmp_path / "r.html"), "--warehouse", str(target)]):
        result = run_cli(dateline(*args), subprocess_env(tmp_path))
        assert result.returncode == 1, (args, result.stderr)
        _no_traceback(result)
        assert result.stderr.startswith("error:") and str(target) in result.stderr


def test_a_typo_in_input_fails_at_once_before_prefect_starts(tmp_path):
    env = subprocess_env(tmp_path)
    env.pop("PREFECT_API_URL", None)  # a run would start a temporary Prefect server: it must not get that far
    result = run_cli(dateline("run", "--input", str(tmp_path / "nwes"), "--warehouse", str(tmp_path / "w.duckdb")),
                     env, timeout=120)
    assert result.returncode == 2
    _no_traceback(result)
    assert result.stderr.strip() == f"error: input '{tmp_path / 'nwes'}' matches no file or folder"
    # no temporary Prefect server was started: it would have created its database in the run's PREFECT_HOME
    assert not list(Path(env["PREFECT_HOME"]).rglob("*.db")), "a Prefect server was started"
    assert not (tmp_path / "w.duckdb").exists()


def test_serve_shows_the_whole_cron_error(tmp_path):
    result = run_cli(dateline("serve", "--cron", "every hour"), subprocess_env(tmp_path))
    assert result.returncode == 2
    _no_traceback(result)
    assert "Invalid cron string" in result.stderr and "every hour" in result.stderr


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_duckdb_errors_keep_their_did_you_mean_and_query_export_report_read_dateline_warehouse(
    tmp_path_factory, tmp_path
):
    warehouse = copy_warehouse(seeded_warehouse(tmp_path_factory), tmp_path / "elsewhere" / "w.duckdb")
    env = subprocess_env(tmp_path, DATELINE_WAREHOUSE=str(warehouse))
    typo = run_cli(dateline("query", "select * from dim_entiy"), env)
    assert typo.returncode == 1
    assert 'Did you mean "dim_entity"' in typo.stderr
    counted = run_cli(dateline("query", "-f", "csv", "select count(*) as n from dim_document"), env)
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.splitlines() == ["n", "5"]
    exported = run_cli(dateline("export", "--parquet", str(tmp_path / "pq")), env)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "pq" / "dim_document.parquet").is_file()
    reported = run_cli(dateline("report", "--out", str(tmp_path / "r.html")), env)
    assert reported.returncode == 0, reported.stderr
    assert "w.duckdb" in Path(tmp_path / "r.html").read_text(encoding="utf-8")
    nested = run_cli(dateline("query", "-f", "csv", "select aliases from dim_entity limit 1"), env)
    assert nested.returncode == 0, nested.stderr
    assert nested.stdout.splitlines()[1].startswith('"[')


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_failed_run_exits_1_with_the_error_and_no_traceback(tmp_path):
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("not a database")
    result = run_cli(dateline("run", "--input", str(SEEDS), "--warehouse", str(not_duckdb)), subprocess_env(tmp_path))
    assert result.returncode == 1
    _no_traceback(result)
    assert result.stderr.strip().splitlines()[-1].startswith("error: IOException:")
    assert "not a valid DuckDB database file" in result.stderr.strip().splitlines()[-1]
