"""Throughput and memory of a Dateline run against spaCy's own floor, in one run on one machine.

    python -m benchmarks.throughput --docs 2000 [--json] [--no-bare]

Takes the first N articles of ``../shared/corpora/news_allsides_2018_2019.jsonl`` and measures
(1) bare ``nlp.pipe`` over their texts with the installed model alone (``spacy.load``: none of
Dateline's components, which count as the pipeline's cost) and the run's ``nlp_batch_size`` and
``n_process`` (the DATELINE_ settings), timed from the first text to the last Doc, model load excluded; (2) ``dateline run`` end to end into a fresh warehouse; (3) the same
command again (the no-op rerun). Each runs in its own child process and its peak RSS is the max over
time of the summed RSS of that process tree (Prefect's temporary server and spaCy workers included).
``ratio_pipeline_vs_bare`` = (1) ÷ (2) seconds; ``ratio_noop_vs_full`` = (3) ÷ (2).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, corpus_path, read_jsonl, run_measured, skip, timeline

CORPUS = "news_allsides_2018_2019.jsonl"
QUIET_ENV = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
# Prefect's temporary server gets 20 s to start by default; on a loaded shared machine it needs more,
# and a timeout there would throw away the minutes already spent on the bare pass.
STARTUP_ENV = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}


# Boots the run's temporary Prefect server and waits until it answers (cli.api), then exits, which stops it.
_BOOT_SERVER = "from dateline.cli.api import start_temporary_api; start_temporary_api()()"


def prepare_prefect_home(timeout: float = 300) -> None:
    """Boot the temporary Prefect server once, untimed, with the timed runs' environment: a first boot on a new
    ``PREFECT_HOME`` creates the server's database (≈ 5 CPU s and seconds of start-up), a one-time cost the first
    timed run would otherwise carry. Nothing is started when ``PREFECT_API_URL`` names a server."""
    subprocess.run([sys.executable, "-c", _BOOT_SERVER], env={**os.environ, **QUIET_ENV, **STARTUP_ENV, **_inherited(STARTUP_ENV)},
                   cwd=ROOT, check=True, timeout=timeout, stdout=subprocess.DEVNULL)


def bare_worker(texts_path: Path) -> dict:
    """Stage (1) inside its own process: load the bare model, then time ``nlp.pipe`` alone."""
    from dateline.flows.nlp import load_nlp
    from dateline.flows.settings import Settings

    settings = Settings()
    texts = json.loads(texts_path.read_text(encoding="utf-8"))
    start = time.perf_counter()
    nlp = load_nlp(settings.model, entity_components=False)
    loaded = time.perf_counter()
    words = 0
    # Count words as the extract step does, so "words" means the same thing in both runs.
    for doc in nlp.pipe(texts, batch_size=settings.nlp_batch_size, n_process=settings.workers):
        words += sum(1 for t in doc if not t.is_space and not t.is_punct)
    end = time.perf_counter()
    return {"docs": len(texts), "words": words, "load_seconds": loaded - start, "pipe_seconds": end - loaded,
            "pipes": list(nlp.pipe_names), "batch_size": settings.nlp_batch_size,
            "n_process": settings.workers}


def last_run(warehouse: Path) -> dict:
    """The newest etl_run row of ``warehouse`` (stage times and counts of the run just measured)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.sql("select * from etl_run order by started_at desc limit 1").pl()
    row = frame.to_dicts()[0] if frame.height else {}
    stages = row.get("stage_seconds")
    if isinstance(stages, str):
        row["stage_seconds"] = json.loads(stages)
    return {k: v for k, v in row.items() if k not in ("started_at", "finished_at", "message")}


def _inherited(names: dict[str, str]) -> dict[str, str]:
    """The caller's own values of ``names``, which win over the defaults."""
    return {k: os.environ[k] for k in names if k in os.environ}


def _rate(docs: int, seconds: float) -> float:
    return round(docs / seconds, 3) if seconds > 0 else 0.0


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def benchmark(docs: int, with_bare: bool, workdir: Path) -> dict:
    """Run the three measurements over the first ``docs`` articles; returns the result object."""
    source = corpus_path(CORPUS)
    if source is None:
        skip(f"{CORPUS} not found under ../shared/corpora")
    input_path = workdir / "input" / "articles.jsonl"
    input_path.parent.mkdir(parents=True)
    texts = []
    with input_path.open("w", encoding="utf-8") as out:
        for record in read_jsonl(source, docs):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            texts.append(record.get("text") or "")
    if len(texts) < docs:
        print(f"note: {CORPUS} holds only {len(texts)} articles; measuring those", file=sys.stderr)
    texts_path = workdir / "texts.json"
    texts_path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    count = len(texts)
    del texts

    details: dict = {"corpus": CORPUS, "load_avg": {}}
    bare: dict = {}
    bare_rss = bare_cpu = None
    bare_roles: dict[str, float] | None = None
    if with_bare:
        details["load_avg"]["before_bare"] = _load()
        measured = run_measured([sys.executable, "-m", "benchmarks.throughput", "--bare-worker", str(texts_path)],
                                env=QUIET_ENV)
        if measured.returncode != 0:
            raise SystemExit(f"bare nlp.pipe failed:\n{measured.stderr[-2000:]}")
        bare = json.loads(measured.stdout.strip().splitlines()[-1])
        bare_rss = round(measured.peak_rss_mb, 1)
        bare_cpu = measured.cpu_seconds
        bare_roles = measured.cpu_by_role()
        print(f"bare nlp.pipe: {json.dumps(bare | {'peak_rss_mb': bare_rss})}", file=sys.stderr, flush=True)

    warehouse = workdir / "warehouse" / "dateline.duckdb"
    command = [sys.executable, "-m", "dateline.cli", "run", "--input", str(input_path), "--warehouse", str(warehouse)]
    prepare_prefect_home()
    runs = {}
    for name in ("pipeline", "noop"):
        details["load_avg"][f"before_{name}"] = _load()
        measured = run_measured(command, env=QUIET_ENV | STARTUP_ENV | _inherited(STARTUP_ENV))
        if measured.returncode != 0:
            raise SystemExit(f"dateline run ({name}) failed:\n{measured.stderr[-3000:]}")
        runs[name] = (measured, last_run(warehouse))
    details["load_avg"]["after"] = _load()

    full, full_row = runs["pipeline"]
    noop, noop_row = runs["noop"]
    result = {
        "docs": count,
        "words": bare.get("words", full_row.get("words")),
        "bare_docs_per_s": _rate(count, bare["pipe_seconds"]) if bare else None,
        "pipeline_docs_per_s": _rate(count, full.seconds),
        "noop_docs_per_s": _rate(count, noop.seconds),
        "ratio_pipeline_vs_bare": round(bare["pipe_seconds"] / full.seconds, 3) if bare else None,
        "ratio_noop_vs_full": round(noop.seconds / full.seconds, 4),
        "bare_peak_rss_mb": bare_rss,
        "pipeline_peak_rss_mb": round(full.peak_rss_mb, 1),
        "noop_peak_rss_mb": round(noop.peak_rss_mb, 1),
        # each process's own peak during the full run: one entry per spaCy worker
        "pipeline_process_peaks_mb": full.process_peaks_mb,
        # CPU seconds by role (run, prefect-server, spacy-worker; "unsampled": the tree's CPU the 0.1 s
        # samples did not see), and the full run cut at its log lines into phases (benchmarks.common.timeline)
        "bare_process_cpu_s": bare_roles,
        "pipeline_process_cpu_s": full.cpu_by_role(),
        "noop_process_cpu_s": noop.cpu_by_role(),
        "pipeline_timeline": timeline(full),
        "details": details | {
            "bare_seconds": round(bare["pipe_seconds"], 2) if bare else None,
            "bare_load_seconds": round(bare["load_seconds"], 2) if bare else None,
            "bare_pipes": bare.get("pipes"),
            "nlp_batch_size": bare.get("batch_size"),
            "n_process": bare.get("n_process"),
            "pipeline_seconds": round(full.seconds, 2),
            "noop_seconds": round(noop.seconds, 2),
            # CPU seconds of each process tree: the bare one includes its model load and start-up
            "bare_cpu_seconds": round(bare_cpu, 1) if bare_cpu is not None else None,
            "pipeline_cpu_seconds": round(full.cpu_seconds, 1),
            "noop_cpu_seconds": round(noop.cpu_seconds, 1),
            "ratio_pipeline_vs_bare_cpu": round(bare_cpu / full.cpu_seconds, 3) if bare_cpu else None,
            "ratio_noop_vs_full_cpu": round(noop.cpu_seconds / full.cpu_seconds, 4),
            "pipeline_cpu_by_process": full.process_cpu_s,
            "pipeline_run": full_row,
            "noop_run": noop_row,
            "cpus": os.cpu_count(),
        },
    }
    return result


def _print_table(result: dict) -> None:
    rows = [
        ("docs", result["docs"]), ("words", result["words"]),
        ("bare nlp.pipe docs/s", result["bare_docs_per_s"]),
        ("dateline run docs/s", result["pipeline_docs_per_s"]),
        ("no-op rerun docs/s", result["noop_docs_per_s"]),
        ("ratio_pipeline_vs_bare (goal >= 0.90)", result["ratio_pipeline_vs_bare"]),
        ("ratio_noop_vs_full (goal <= 0.05)", result["ratio_noop_vs_full"]),
        ("peak RSS bare (MB)", result["bare_peak_rss_mb"]),
        ("peak RSS dateline run (MB)", result["pipeline_peak_rss_mb"]),
        ("peak RSS no-op rerun (MB)", result["noop_peak_rss_mb"]),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    stages = result["details"]["pipeline_run"].get("stage_seconds") or {}
    print("stages of the full run (s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    details = result["details"]
    print(f"CPU seconds (process trees): bare {details['bare_cpu_seconds']}, run {details['pipeline_cpu_seconds']}, "
          f"rerun {details['noop_cpu_seconds']}; CPU ratios: pipeline/bare {details['ratio_pipeline_vs_bare_cpu']}, "
          f"noop/full {details['ratio_noop_vs_full_cpu']}")
    print(f"CPU seconds by role: bare {result['bare_process_cpu_s']}, run {result['pipeline_process_cpu_s']}, "
          f"rerun {result['noop_process_cpu_s']}")
    print("timeline of the full run (phase: from, seconds, idle core-seconds, CPU by role):")
    for phase in result["pipeline_timeline"]:
        print(f"  {phase['phase']:<16} {phase['from_s']:8.2f} s {phase['seconds']:8.2f} s  idle {phase['idle_core_s']:7.2f}"
              f"  {phase['cpu_s']}")
    print(f"load average before each stage: {details['load_avg']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=2000, help="articles to take from the corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-bare", action="store_true", help="skip (1), e.g. for a memory-only run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (input, warehouse)")
    parser.add_argument("--bare-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_worker:
        print(json.dumps(bare_worker(args.bare_worker)))
        return
    workdir = Path(tempfile.mkdtemp(prefix="dateline-throughput-"))
    try:
        result = benchmark(args.docs, not args.no_bare, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps(result, default=str))
    else:
        _print_table(result)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
