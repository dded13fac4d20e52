"""Crashes, contention and reruns never corrupt the warehouse (process-level tests use real subprocesses)."""

import datetime as dt
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from dateline.warehouse.db import WarehouseBusyError, connect_read
from dateline.warehouse.load import TEST_PAUSE_ENV

from tests.fault_helpers import (
    ALL_TABLES,
    BROKEN_OFFSETS,
    RUN_COLUMNS,
    SEEDS,
    copy_warehouse,
    dateline,
    dateline_with_fault,
    run_cli,
    run_with,
    seeded_warehouse,
    subprocess_env,
    table_differences,
)
from tests.helpers import DATA_TABLES, counts, query, run_flow

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

NEW_ARTICLE = (
    "Biden Meets Macron in Paris\n\nPresident Joe Biden met French President Emmanuel Macron in Paris on "
    "Thursday to discuss support for Ukraine and sanctions on Russia.\n"
)


@pytest.fixture
def seeded(tmp_path_factory, tmp_path) -> Path:
    """A private copy of the seeded warehouse."""
    return copy_warehouse(seeded_warehouse(tmp_path_factory), tmp_path / "wh" / "dateline.duckdb")


@pytest.fixture
def inbox(tmp_path) -> Path:
    """The seeds plus one new article: a run over it has something to extract and load."""
    target = tmp_path / "inbox"
    shutil.copytree(SEEDS, target)
    (target / "005_new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    return target


def _holder(tmp_path: Path, code: str) -> subprocess.Popen:
    """A helper process running ``code`` that prints "ready" once it holds what it holds, then waits for stdin."""
    child = subprocess.Popen(
        [sys.executable, "-c", code + "\nprint('ready', flush=True)\nimport sys\nsys.stdin.read()\n"],
        cwd=Path(__file__).resolve().parents[1], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=subprocess_env(tmp_path),
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def _release(child: subprocess.Popen) -> None:
    child.stdin.close()
    child.wait(timeout=60)


def _stderr_lines(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for_line(lines: queue.Queue, marker: str, timeout: float = 600) -> list[str]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=5)
        except queue.Empty:
            continue
        if line is None:
            raise AssertionError("process ended before " + marker + ":\n" + "".join(seen[-30:]))
        seen.append(line)
        if marker in line:
            return seen
    raise AssertionError(f"no {marker!r} within {timeout}s:\n" + "".join(seen[-30:]))


def test_kill_9_during_the_load_leaves_the_previous_state_and_a_rerun_completes(seeded, inbox, tmp_path):
    before = copy_warehouse(seeded, tmp_path / "before.duckdb")
    reference = copy_warehouse(seeded, tmp_path / "reference" / "dateline.duckdb")

    env = subprocess_env(tmp_path, **{TEST_PAUSE_ENV: "600"})
    victim = subprocess.Popen(
        dateline("run", "--input", str(inbox), "--warehouse", str(seeded)),
        cwd=Path(__file__).resolve().parents[1], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_line(_stderr_lines(victim), TEST_PAUSE_ENV)
        # Meanwhile a second run is refused at once, naming the run that writes.
        with pytest.raises(WarehouseBusyError, match=f"another dateline run \\(pid {victim.pid}\\)"):
            run_flow([inbox], seeded)
        # and a reader is told who writes, instead of seeing half a load.
        with pytest.raises(WarehouseBusyError, match=f"held by process {victim.pid} "):
            connect_read(seeded)
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL

    # Exactly the previous state: every table, the run log and the validation log included.
    assert table_differences(before, seeded, ALL_TABLES) == {}

    rerun = run_flow([inbox], seeded)
    assert rerun.status == "success" and rerun.documents_new == 1
    uninterrupted = run_flow([inbox], reference)
    assert uninterrupted.status == "success"
    assert table_differences(reference, seeded, DATA_TABLES, ignore=RUN_COLUMNS) == {}


def test_a_second_run_is_refused_at_once_with_a_clear_message(seeded, inbox, tmp_path):
    before = copy_warehouse(seeded, tmp_path / "before.duckdb")
    holder = _holder(tmp_path, f"from pathlib import Path\nfrom dateline.warehouse.db import run_lock\n"
                               f"lock = run_lock(Path({str(seeded)!r}))\nlock.__enter__()")
    try:
        result = run_cli(dateline("run", "--input", str(inbox), "--warehouse", str(seeded)), subprocess_env(tmp_path))
    finally:
        _release(holder)
    assert result.returncode != 0
    assert f"another dateline run (pid {holder.pid}) is writing" in result.stderr
    assert table_differences(before, seeded, ALL_TABLES) == {}


@pytest.mark.parametrize("read_only", [True, False], ids=["read-only reader", "read-write holder"])
def test_a_process_holding_the_warehouse_makes_the_run_wait_then_fail_naming_it(seeded, tmp_path, read_only):
    before = copy_warehouse(seeded, tmp_path / "before.duckdb")
    # A BI tool: a read-only reader blocks only the load; one opening read-write blocks reading too.
    holder = _holder(tmp_path, f"import duckdb\ncon = duckdb.connect({str(seeded)!r}, read_only={read_only})")
    try:
        with pytest.raises(WarehouseBusyError, match=f"held by process {holder.pid} .*waited 2s"):
            run_with([SEEDS], seeded, lock_timeout=2)
    finally:
        _release(holder)
    assert table_differences(before, seeded, ALL_TABLES) == {}
    # Once the holder is gone the same run goes through.
    assert run_flow([SEEDS], seeded).status == "success"


def test_dateline_query_blocks_a_run_only_for_the_length_of_its_query(seeded, tmp_path):
    # A query that computes for many seconds (the analysts' connection may read no other file, so it
    # cannot wait on a pipe): longer than a run over already-loaded seeds takes to reach its load.
    sql = ("select (select count(*) from dim_document) as documents, "
           "count(*) filter (where hash(range) % 7 = 0) > 0 as computed from range(2000000000)")
    reader = subprocess.Popen(
        dateline("query", sql, "--warehouse", str(seeded), "--format", "csv"),
        cwd=Path(__file__).resolve().parents[1], env=subprocess_env(tmp_path), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        _wait_until_open(reader, seeded)
        outcome: dict = {}
        runner = threading.Thread(target=lambda: outcome.update(summary=run_with([SEEDS], seeded, lock_timeout=600)))
        runner.start()
        runner.join(timeout=5)
        assert runner.is_alive(), "the run finished while a reader held the warehouse"
        stdout, stderr = reader.communicate(timeout=600)
        reader_done = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        runner.join(timeout=600)
    finally:
        if reader.poll() is None:
            reader.kill()
    assert reader.returncode == 0, stderr
    assert stdout.splitlines()[-1] == "5,true"
    assert outcome["summary"].status == "success"
    assert query(seeded, "select count(*) as n from etl_run").item() == 2
    loaded = query(seeded, "select max(finished_at) as t from etl_run").item()
    assert loaded >= reader_done, "the run loaded only after the query had closed the warehouse"


def _wait_until_open(process: subprocess.Popen, path: Path, timeout: float = 300) -> None:
    """Block until ``process`` has ``path`` open (it holds DuckDB's file lock from then on)."""
    deadline = time.monotonic() + timeout
    fd_dir = Path(f"/proc/{process.pid}/fd")
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if any(os.path.realpath(fd_dir / fd) == str(path.resolve()) for fd in os.listdir(fd_dir)):
                return
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{path} never opened by pid {process.pid}")


def _flaky(module: str, function: str, error: str, failures: int = 1) -> str:
    """Fault source: ``module.function`` raises ``error`` on its first ``failures`` calls, and says on
    stderr each time it is called."""
    return (
        f"import {module} as target\n"
        f"real = target.{function}\n"
        "calls = []\n"
        "def flaky(*args, **kwargs):\n"
        "    calls.append(1)\n"
        f"    print('{function} call', len(calls), file=sys.stderr, flush=True)\n"
        f"    if len(calls) <= {failures}:\n"
        f"        raise {error}\n"
        "    return real(*args, **kwargs)\n"
        f"target.{function} = flaky\n"
    )


def _summary(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_transient_io_failure_is_retried(seeded, tmp_path):
    fault = _flaky("dateline.flows.sources", "read_files", "OSError(5, 'Input/output error (injected)')")
    result = run_cli(dateline_with_fault(fault, "run", "--input", str(SEEDS), "--warehouse", str(seeded), "--json"),
                     subprocess_env(tmp_path))
    summary = _summary(result)
    assert summary["status"] == "success" and summary["documents_read"] == 5
    assert result.stderr.count("read_files call") == 2


def test_a_bug_is_not_retried(seeded, tmp_path):
    fault = _flaky("dateline.flows.sources", "read_files", "KeyError('a bug, not an I/O failure (injected)')", failures=9)
    result = run_cli(dateline_with_fault(fault, "run", "--input", str(SEEDS), "--warehouse", str(seeded)),
                     subprocess_env(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: KeyError:")
    assert result.stderr.count("read_files call") == 1
    runs = query(seeded, "select status, message, files_seen from etl_run order by started_at")
    assert runs.get_column("status").to_list() == ["success", "failed"]
    assert runs.get_column("message").to_list()[-1].startswith("ingest failed: KeyError: ")
    assert runs.get_column("files_seen").to_list()[-1] == 0  # the ingest that counts them failed


def test_a_run_failing_in_its_resolve_stage_exits_non_zero_loads_nothing_and_records_the_failure(
    seeded, inbox, tmp_path
):
    """A bug in a stage before the load (here resolve, as the KeyError of an entity redirect the look-ups had not
    read, found at stop 32) fails the run: exit 1, nothing loaded, and the run recorded in ``etl_run`` as failed
    with its stage, its error and what it had counted, so a scheduled run's failure shows in the warehouse."""
    before = copy_warehouse(seeded, tmp_path / "before.duckdb")
    fault = _flaky("dateline.flows.tasks", "resolve_mentions", "KeyError('14b6d8dbe7d05158')", failures=9)
    result = run_cli(dateline_with_fault(fault, "run", "--input", str(inbox), "--warehouse", str(seeded)),
                     subprocess_env(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == "error: KeyError: '14b6d8dbe7d05158'"
    assert table_differences(before, seeded, DATA_TABLES) == {}
    runs = query(seeded, "select status, message, documents_read, documents_new, documents_extracted, stage_seconds "
                         "from etl_run order by started_at")
    assert runs.get_column("status").to_list() == ["success", "failed"]
    failed = runs.row(-1, named=True)
    assert failed["message"] == "resolve failed: KeyError: '14b6d8dbe7d05158'"
    assert (failed["documents_read"], failed["documents_new"], failed["documents_extracted"]) == (6, 1, 1)
    assert "resolve" in json.loads(failed["stage_seconds"]) and "load" not in json.loads(failed["stage_seconds"])


def test_a_transient_warehouse_read_failure_is_retried(seeded, tmp_path):
    fault = "import duckdb\n" + _flaky(
        "dateline.warehouse.db", "connect_read", "duckdb.IOException('IO Error: could not read block (injected)')"
    )
    result = run_cli(dateline_with_fault(fault, "run", "--input", str(SEEDS), "--warehouse", str(seeded), "--json"),
                     subprocess_env(tmp_path))
    assert _summary(result)["status"] == "success"
    assert result.stderr.count("connect_read call") >= 2


def test_a_transient_load_failure_is_retried(seeded, inbox, tmp_path):
    # The load's frames are written by ``stage_run`` (``load_run`` calls it; so does the load staged while the run
    # validates, flows.tasks.EarlyLoad). It fails twice: the early staging (the run then loads the usual way), and
    # the load task's first attempt, which is retried.
    fault = "import duckdb\n" + _flaky(
        "dateline.warehouse.load", "stage_run", "duckdb.IOException('IO Error: could not write block (injected)')",
        failures=2,
    )
    result = run_cli(dateline_with_fault(fault, "run", "--input", str(inbox), "--warehouse", str(seeded), "--json"),
                     subprocess_env(tmp_path))
    summary = _summary(result)
    assert summary["status"] == "success" and summary["documents_new"] == 1
    assert result.stderr.count("stage_run call") == 3
    assert "the load staged during validation failed" in result.stderr
    runs = query(seeded, "select status from etl_run order by started_at")
    assert runs.get_column("status").to_list() == ["success", "success"]


def test_rerunning_the_same_inputs_leaves_every_table_identical(seeded, tmp_path):
    before = copy_warehouse(seeded, tmp_path / "before.duckdb")
    summary = run_flow([SEEDS], seeded)
    assert summary.status == "success" and summary.documents_new == 0
    assert table_differences(before, seeded, DATA_TABLES) == {}
    assert counts(seeded) == counts(before)
    assert query(seeded, "select count(*) as n from etl_run").item() == 2


def test_failed_validation_through_the_cli_exits_non_zero_loads_nothing_and_records_the_failure(
    seeded, inbox, tmp_path
):
    before = copy_warehouse(seeded, tmp_path / "before.duckdb")
    # A real bug's shape, injected into the child process: every new mention points past its body.
    result = run_cli(dateline_with_fault(BROKEN_OFFSETS, "run", "--input", str(inbox), "--warehouse", str(seeded)),
                     subprocess_env(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "ValidationFailedError" in result.stderr and "fact_entity_mention" in result.stderr
    assert "body_length,end_char" in result.stderr
    assert f"Data Docs: {(tmp_path / 'data_docs' / 'index.html').resolve()}" in result.stderr
    assert table_differences(before, seeded, DATA_TABLES) == {}
    runs = query(seeded, "select status, message from etl_run order by started_at")
    assert runs.get_column("status").to_list() == ["success", "failed"]
    assert "fact_entity_mention" in runs.get_column("message").to_list()[-1]
    failed = query(seeded, "select table_name, column_name from etl_validation where not success")
    assert ("fact_entity_mention", "body_length,end_char") in failed.rows()


def test_a_load_failing_inside_its_transaction_is_rolled_back_and_recorded(seeded, inbox, tmp_path, monkeypatch):
    import dateline.warehouse.load as load

    before = copy_warehouse(seeded, tmp_path / "before.duckdb")
    real = load.sql_text

    def failing(relative: str) -> str:
        # A statement failing halfway through the load, after the dimensions went in.
        return "select error('injected load failure')" if relative == "load/fact_entity_mention.sql" else real(relative)

    monkeypatch.setattr(load, "sql_text", failing)
    with pytest.raises(duckdb.Error, match="injected load failure"):
        run_flow([inbox], seeded)
    assert table_differences(before, seeded, DATA_TABLES) == {}
    runs = query(seeded, "select status, message from etl_run order by started_at")
    assert runs.get_column("status").to_list() == ["success", "failed"]
    assert "injected load failure" in runs.get_column("message").to_list()[-1]
