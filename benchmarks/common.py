"""Shared pieces of the benchmarks: where the corpora are, reading a sample, peak RSS and CPU of a process tree."""

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
    entry per spaCy worker. ``process_cpu_s``: each process's CPU seconds (user + system) as last sampled,
    same keys; ``lines``: (seconds since start, text) of every stdout and stderr line as it arrived;
    ``cpu_samples``: (seconds since start, {role: CPU seconds so far of that role's processes}) at each poll.
    """

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    process_peaks_mb: dict[str, float] = field(default_factory=dict)
    timed_out: bool = False
    process_cpu_s: dict[str, float] = field(default_factory=dict)
    lines: list[tuple[float, str]] = field(default_factory=list)
    cpu_samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per role (run, prefect-server, spacy-worker, other), summed over its processes,
        and ``unsampled``: what the tree's waited-for CPU holds beyond the samples (each process's last
        0.1 s, processes too short-lived to be seen)."""
        roles: dict[str, float] = {}
        for key, seconds in self.process_cpu_s.items():
            role = key.rsplit(" ", 1)[0]
            roles[role] = roles.get(role, 0.0) + seconds
        roles["unsampled"] = max(0.0, self.cpu_seconds - sum(roles.values()))
        return {role: round(seconds, 2) for role, seconds in sorted(roles.items())}


def process_role(command_line: list[str], root: bool, root_command_line: list[str] | None = None) -> str:
    """What a process of a measured tree is, from its command line: run, spacy-worker, prefect-server, other.

    A child with the root's own command line was forked by it: ``nlp.pipe(n_process=N)``'s workers in
    the bare pass.
    """
    text = " ".join(command_line)
    if root:
        return "run"
    if "spawn_main" in text or (root_command_line and command_line == root_command_line):
        return "spacy-worker"  # spawned pool workers (spaCy's, or the run's own), or forked ones
    if "uvicorn" in text or "prefect" in text:
        return "prefect-server"
    return "other"


def tree_rss(process: psutil.Process, each: dict[int, int] | None = None,
             cpu: dict[int, float] | None = None) -> int:
    """RSS in bytes of a process and all its descendants (spaCy workers, Prefect's temporary server).

    With ``each``, every member's RSS is also recorded there by pid; with ``cpu``, its CPU seconds so far
    (user + system of the process itself, not of its children).
    """
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            with member.oneshot():
                rss = member.memory_info().rss
                times = member.cpu_times() if cpu is not None else None
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += rss
        if each is not None:
            each[member.pid] = rss
        if times is not None:
            cpu[member.pid] = times.user + times.system
    return total


POLL_SECONDS = 0.1  # how often run_measured samples the process tree's RSS and CPU


def _by_role(each: dict[int, int], peaks: dict[int, int], cpu: dict[int, float], roles: dict[int, str],
             root: psutil.Process) -> dict[str, float]:
    """One poll's bookkeeping: each pid's peak RSS and role, and CPU seconds so far by role.

    A role is found once, except "spacy-worker": a child of the root that has the root's own command line
    may be a fork that has not exec'd its program yet (``subprocess.Popen`` runs ``preexec_fn`` there: the
    temporary Prefect server was counted as a spaCy worker when first seen then), so it is asked again.
    """
    for pid, rss in each.items():
        peaks[pid] = max(peaks.get(pid, 0), rss)
        if roles.get(pid, "spacy-worker") == "spacy-worker":
            try:
                command_line = psutil.Process(pid).cmdline()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                command_line = []
            # a worker that has exited keeps the role it had: gone, or a zombie whose command line reads empty
            if command_line or pid not in roles:
                roles[pid] = process_role(command_line, pid == root.pid, root.cmdline())
    by_role: dict[str, float] = {}
    for pid, seconds in cpu.items():
        role = roles.get(pid, "other")
        by_role[role] = by_role.get(role, 0.0) + seconds
    return by_role


def _read_lines(stream, start: float, into: list[tuple[float, str]], text: list[str]) -> None:
    """Every line of ``stream`` with the seconds since ``start`` when it arrived; the whole text too."""
    for line in stream:
        into.append((round(time.perf_counter() - start, 3), line.rstrip("\n")))
        text.append(line)


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
    cpu: dict[int, float] = {}  # each process's CPU seconds when last seen (a finished one keeps its last)
    roles: dict[int, str] = {}
    samples: list[tuple[float, dict[str, float]]] = []
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            each: dict[int, int] = {}
            peak = max(peak, tree_rss(handle, each, cpu))
            samples.append((round(time.perf_counter() - start, 3), _by_role(each, peaks, cpu, roles, handle)))
            done.wait(POLL_SECONDS)

    lines: list[tuple[float, str]] = []
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=_read_lines, args=(stream, start, lines, text), daemon=True)
               for stream, text in ((child.stdout, out), (child.stderr, err))]
    poller = threading.Thread(target=poll, daemon=True)
    for thread in (poller, *readers):
        thread.start()
    timed_out = False
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        for member in [*handle.children(recursive=True), handle]:
            try:
                member.kill()
            except psutil.NoSuchProcess:
                continue
        child.wait()
    seconds = time.perf_counter() - start
    for reader in readers:
        reader.join()
    done.set()
    poller.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    by_process = {f"{roles[pid]} {pid}": round(rss / 2**20, 1) for pid, rss in sorted(peaks.items())}
    cpu_by_process = {f"{roles.get(pid, 'other')} {pid}": round(seconds, 2) for pid, seconds in sorted(cpu.items())}
    return Measured(seconds, total_cpu, peak / 2**20, child.returncode, "".join(out), "".join(err), by_process,
                    timed_out, cpu_by_process, sorted(lines), samples)


# Log lines of ``dateline run`` (Prefect's console format: "HH:MM:SS.mmm | LEVEL | Flow run 'x' - message")
# that mark a moment of the run, in the order they come; the first line holding each text counts.
RUN_MARKS = (
    ("flow_begins", "Beginning flow run"),
    ("ingested", "- ingest: "),  # also the progress line "ingest: done, ..." just before: the same moment
    ("normalized", "- normalize: "),
    ("deduplicated", "- deduplicate: "),
    ("extracted", "- extract: done"),
    ("resolved", "Task run 'resolve-"),
    ("validated", "- validate: "),
    ("loaded", "- load: rows added"),
    ("flow_ends", "Flow run '"),  # the flow's "Finished in state" line, looked for after "loaded"
)


def run_marks(lines: list[tuple[float, str]]) -> dict[str, float]:
    """When each of ``RUN_MARKS`` was logged (seconds since the command started), in order: a mark is
    looked for only after the one before it was found; absent marks are left out."""
    marks: dict[str, float] = {}
    position = 0
    for name, text in RUN_MARKS:
        for index in range(position, len(lines)):
            when, line = lines[index]
            if text in line and (name != "flow_ends" or "Finished in state" in line):
                marks[name] = when
                position = index + 1
                break
    return marks


def cpu_at(samples: list[tuple[float, dict[str, float]]], when: float) -> dict[str, float]:
    """CPU seconds so far per role at ``when``: the last sample taken at or before it (none: zeros)."""
    found: dict[str, float] = {}
    for sampled, by_role in samples:
        if sampled > when:
            break
        found = by_role
    return found


def timeline(measured: Measured, cores: int | None = None) -> list[dict]:
    """The run cut at its marks (``run_marks``) into phases: for each, its seconds, the CPU seconds each
    role used in it, and the idle core-seconds (``cores`` × seconds − the tree's CPU in it: where the
    machine had a core the run did not use; on a shared machine other work may have used it).

    Phases: "start-up" (command start → flow begins), then one per stage mark ("ingest" ends at
    "ingested", …), and "shutdown" (flow ends → the command exits).
    """
    cores = cores or os.cpu_count() or 1
    marks = run_marks(measured.lines)
    names = {"flow_begins": "start-up", "ingested": "discover+ingest", "normalized": "normalize",
             "deduplicated": "deduplicate", "extracted": "extract", "resolved": "resolve",
             "validated": "validate", "loaded": "load", "flow_ends": "flow end"}
    bounds = [("", 0.0), *((names[name], when) for name, when in marks.items()),
              ("shutdown", measured.seconds)]
    final = measured.cpu_samples[-1][1] if measured.cpu_samples else {}
    phases = []
    for (_, begin), (name, end) in zip(bounds, bounds[1:], strict=False):
        first, last = cpu_at(measured.cpu_samples, begin), (
            final if name == "shutdown" else cpu_at(measured.cpu_samples, end))
        used = {role: round(last.get(role, 0.0) - first.get(role, 0.0), 2) for role in sorted(last)}
        span = end - begin
        phases.append({"phase": name, "from_s": round(begin, 2), "seconds": round(span, 2), "cpu_s": used,
                       "idle_core_s": round(max(0.0, cores * span - sum(used.values())), 2)})
    return phases
