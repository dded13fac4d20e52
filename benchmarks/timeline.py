"""Where a ``dateline run`` keeps a core idle: its process tree's CPU over time, beside its log lines.

    python -m benchmarks.timeline --docs 500 [--interval 2] [--json]

Runs ``dateline run`` over the first N articles of ``../shared/corpora/news_allsides_2018_2019.jsonl``
into a fresh warehouse, samples every process of its tree (the run, Prefect's temporary server, the
spaCy workers: ``benchmarks.common.process_role``) every 0.25 s, and prints, per ``--interval``
seconds since the command started, the cores each role used, then each log line with its time.
A core is idle wherever the total is below the machine's cores (on a quiet machine).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import psutil

from benchmarks.common import ROOT, corpus_path, process_role, read_jsonl, skip
from benchmarks.throughput import CORPUS, QUIET_ENV, STARTUP_ENV

SAMPLE_SECONDS = 0.25


def sample(command: list[str], env: dict[str, str]) -> tuple[list[tuple[float, str, float]], list, int, float]:
    """Run ``command``; → (samples of (seconds, role, cores), log lines (seconds, text), exit code, wall)."""
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                             env={**os.environ, **env})
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in child.stdout:
            lines.append((round(time.monotonic() - start, 2), line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    root = psutil.Process(child.pid)
    last: dict[int, tuple[float, float, str]] = {}
    samples = []
    while child.poll() is None:
        now = time.monotonic() - start
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            members = []
        for member in members:
            try:
                times = member.cpu_times()
                cpu = times.user + times.system
                role = last[member.pid][2] if member.pid in last else process_role(member.cmdline(),
                                                                                   member.pid == child.pid)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            if member.pid in last and now > last[member.pid][0]:
                samples.append((now, f"{role} {member.pid}", (cpu - last[member.pid][1]) / (now - last[member.pid][0])))
            last[member.pid] = (now, cpu, role)
        time.sleep(SAMPLE_SECONDS)
    reader.join(timeout=5)
    return samples, lines, child.returncode, time.monotonic() - start


def buckets(samples: list[tuple[float, str, float]], interval: float) -> list[dict]:
    """Mean cores per process over each ``interval`` seconds."""
    used: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    ticks: dict[int, set[float]] = defaultdict(set)
    for when, who, cores in samples:
        slot = int(when // interval)
        used[slot][who] += cores
        ticks[slot].add(when)
    rows = []
    for slot in sorted(used):
        each = {who: round(v / max(1, len(ticks[slot])), 2) for who, v in sorted(used[slot].items())}
        rows.append({"from_s": slot * interval, "cores": round(sum(each.values()), 2),
                     "processes": {k: v for k, v in each.items() if v >= 0.05}})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.timeline", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=500, help="articles to take from the corpus")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds per row of the CPU table")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    source = corpus_path(CORPUS)
    if source is None:
        skip(f"{CORPUS} not found under ../shared/corpora")
    with tempfile.TemporaryDirectory(prefix="dateline-timeline-") as tmp:
        articles = Path(tmp) / "articles.jsonl"
        with articles.open("w", encoding="utf-8") as out:
            for record in read_jsonl(source, args.docs):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        command = [sys.executable, "-m", "dateline.cli", "run", "--quiet", "--input", str(articles),
                   "--warehouse", str(Path(tmp) / "warehouse.duckdb")]
        samples, lines, code, wall = sample(command, QUIET_ENV | STARTUP_ENV)
    rows = buckets(samples, args.interval)
    if args.json:
        print(json.dumps({"docs": args.docs, "exit_code": code, "seconds": round(wall, 2), "cpu": rows,
                          "log": lines}))
    else:
        for row in rows:
            print(f"{row['from_s']:7.1f} s  cores {row['cores']:4.2f}  "
                  + "  ".join(f"{k}={v:.2f}" for k, v in row["processes"].items()))
        for when, text in lines:
            print(f"{when:7.2f} s  {text}")
        print(f"exit code {code}, {wall:.1f} s")
    if code != 0:
        raise SystemExit(code)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
