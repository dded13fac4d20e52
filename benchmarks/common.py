"""Shared pieces of the benchmarks: where the corpora are, reading a sample, peak RSS of a process tree."""

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
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
    """One child process run: wall seconds, CPU seconds and peak RSS of its process tree, exit code, output.

    ``process_peaks_mb``: each process's own peak RSS, keyed "ROLE PID" (``process_role``), e.g. one
    entry per spaCy worker.
    """

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    process_peaks_mb: dict[str, float] = field(default_factory=dict)
    timed_out: bool = False


def process_role(command_line: list[str], root: bool) -> str:
    """What a process of a measured tree is, from its command line: run, spacy-worker, prefect-server, other."""
    text = " ".join(command_line)
    if root:
        return "run"
    if "spawn_main" in text:  # spawned pool workers: spaCy's, or the run's own
        return "spacy-worker"
    if "uvicorn" in text or "prefect" in text:
        return "prefect-server"
    return "other"


def tree_rss(process: psutil.Process, each: dict[int, int] | None = None) -> int:
    """RSS in bytes of a process and all its descendants (spaCy workers, Prefect's temporary server).

    With ``each``, every member's RSS is also recorded there by pid.
    """
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            rss = member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += rss
        if each is not None:
            each[member.pid] = rss
    return total


POLL_SECONDS = 0.1  # how often run_measured samples the process tree's RSS


def run_measured(
    command: Sequence[str], env: dict[str, str] | None = None, timeout: float | None = None, nice: int = 0,
) -> Measured:
    """Run ``command`` to completion, polling the RSS of its process tree; the peak is the max of the sums.

    After ``timeout`` seconds the whole tree is killed and the result says ``timed_out``; ``nice`` is
    added to the child's niceness (a build that should yield to other work).

    Summing RSS counts pages shared by forked workers more than once, so with ``n_process`` > 1
    the figure is an upper bound, which is the safe side for a memory goal.
    """
    # CPU of waited-for descendants (user + system): unlike wall time, it barely moves when other
    # work shares the machine. Prefect's server and spaCy workers are waited for by their parents.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(
        list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, cwd=ROOT, preexec_fn=(lambda: os.nice(nice)) if nice else None,
    )
    handle = psutil.Process(child.pid)
    peak = 0
    peaks: dict[int, int] = {}
    roles: dict[int, str] = {}
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            each: dict[int, int] = {}
            peak = max(peak, tree_rss(handle, each))
            for pid, rss in each.items():
                peaks[pid] = max(peaks.get(pid, 0), rss)
                if pid not in roles:
                    try:
                        roles[pid] = process_role(psutil.Process(pid).cmdline(), pid == child.pid)
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        roles[pid] = "other"
            done.wait(POLL_SECONDS)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    timed_out = False
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        for member in [*handle.children(recursive=True), handle]:
            try:
                member.kill()
            except psutil.NoSuchProcess:
                continue
        stdout, stderr = child.communicate()
    seconds = time.perf_counter() - start
    done.set()
    poller.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    by_process = {f"{roles[pid]} {pid}": round(rss / 2**20, 1) for pid, rss in sorted(peaks.items())}
    return Measured(seconds, cpu, peak / 2**20, child.returncode, stdout, stderr, by_process, timed_out)
