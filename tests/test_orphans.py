"""`kill -9` of a run leaves no process behind and the next run removes its staging folder (issue 14,
item 9). Real subprocesses: the run, its temporary Prefect server, its spaCy workers and the resource
tracker are all real processes."""

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from dateline.cli.api import SERVER_APP

from tests.conftest import SEEDS
from tests.fault_helpers import dateline, run_cli, subprocess_env

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
ROOT = Path(__file__).resolve().parents[1]


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                out.append(process)
        except psutil.NoSuchProcess:
            pass
    return out


def _kind(process: psutil.Process) -> str:
    try:
        line = " ".join(process.cmdline())
    except psutil.Error:
        return "gone"
    if "uvicorn" in line and (SERVER_APP in line or "prefect.server" in line):  # cli/server_app.py: Prefect's app
        return "prefect server"
    if "resource_tracker" in line:
        return "resource tracker"
    if "multiprocessing" in line:
        return "spacy worker"
    return "other"


def test_kill_9_leaves_no_orphans_and_the_next_run_removes_the_staging_folder(tmp_path):
    env = subprocess_env(tmp_path, DATELINE_NLP_BATCH_SIZE="1", DATELINE_WORKERS="2")
    env.pop("PREFECT_API_URL", None)  # the run starts its own temporary Prefect server
    staging_parent = Path(env["TMPDIR"])
    run = subprocess.Popen(dateline("run", "--input", str(SEEDS), "--warehouse", str(tmp_path / "w.duckdb")),
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[psutil.Process] = []
    kinds: list[str] = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert run.poll() is None, "the run ended before its workers were seen"
            children = psutil.Process(run.pid).children(recursive=True)
            kinds = [_kind(c) for c in children]
            # A run into a new warehouse starts its workers before the flow (and its staging folder)
            if (kinds.count("spacy worker") >= 2 and "prefect server" in kinds
                    and list(staging_parent.glob("dateline-run-*"))):
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"no server, two workers and a staging folder within 300s: {kinds}")
        assert list(staging_parent.glob("dateline-run-*")), "the run's staging folder exists"
        children = psutil.Process(run.pid).children(recursive=True)  # the tracker may start with the workers
        kinds = [_kind(c) for c in children]
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {(_kind(p), p.pid) for p in _alive(children)}
    for process in _alive(children):  # do not leave them to the next test either
        process.kill()
    assert left == set(), f"orphans after kill -9: {left}"
    assert set(kinds) >= {"prefect server", "spacy worker"}, kinds

    stale = list(staging_parent.glob("dateline-run-*"))
    assert stale, "kill -9 left the staging folder (removed by the next run, below)"
    again = run_cli(dateline("run", "--input", str(SEEDS / "000_fe54a43580a24ec2.txt"),
                             "--warehouse", str(tmp_path / "w2.duckdb")), subprocess_env(tmp_path))
    assert again.returncode == 0, again.stderr
    assert not any(folder.exists() for folder in stale)
