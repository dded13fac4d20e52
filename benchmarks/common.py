"""Shared pieces of the benchmarks: where the corpora are, reading a sample, peak RSS of a process tree."""

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"


def corpus_path(name: str) -> Path | None:
    """``../shared/corpora/<name>`` relative to the repository root, or None when it is absent."""
    path = CORPORA / name
    return path if path.exists() else None


def skip(message: str) -> None:
    """Print why a benchmark cannot run and exit 0 (an absent corpus is not a failure)."""
    print(f"skipped: {message}", file=sys.stderr)
    raise SystemExit(0)


def read_jsonl(path: Path, limit: int) -> Iterator[dict]:
    """The first ``limit`` JSON objects of a JSON-lines file, streamed (the corpus is never held whole)."""
    with path.open(encoding="utf-8") as handle:
        for count, line in enumerate(handle):
            if count >= limit:
                return
            if line.strip():
                yield json.loads(line)


@dataclass
class Measured:
    """One child process run: wall seconds, CPU seconds and peak RSS of its process tree, exit code, output."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def tree_rss(process: psutil.Process) -> int:
    """RSS in bytes of a process and all its descendants (spaCy workers, Prefect's temporary server)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def run_measured(
    command: Sequence[str], env: dict[str, str] | None = None, poll_seconds: float = 0.1, cwd: Path = ROOT
) -> Measured:
    """Run ``command`` to completion, polling the RSS of its process tree; the peak is the max of the sums.

    Summing RSS counts pages shared by forked workers more than once, so with ``n_process`` > 1
    the figure is an upper bound, which is the safe side for a memory goal.
    """
    # CPU of waited-for descendants (user + system): unlike wall time, it barely moves when other
    # work shares the machine. Prefect's server and spaCy workers are waited for by their parents.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, cwd=cwd,
    )
    handle = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(handle))
            done.wait(poll_seconds)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    stdout, stderr = child.communicate()
    seconds = time.perf_counter() - start
    done.set()
    poller.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(seconds, cpu, peak / 2**20, child.returncode, stdout, stderr)
