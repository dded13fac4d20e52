"""What an incremental run costs over a big warehouse, against the same run into an empty one.

    python -m benchmarks.incremental --warehouse-docs 1000000 --new 500 [--seed-docs 2000] [--json]

(1) A *seed* warehouse: ``dateline run`` over the first ``--seed-docs`` articles of
``../shared/corpora/news_allsides_2018_2019.jsonl`` (read at run time; the benchmark says so and exits
0 when the corpus is absent). (2) A *synthetic* warehouse of at least ``--warehouse-docs`` documents
grown from it in DuckDB SQL (``benchmarks.synthetic``: the seed's keys, MinHashes, names, dates and
per-document counts, in replicas). Both are built once and cached under ``--cache`` (default
``$XDG_CACHE_HOME/dateline-bench``, else ``~/.cache/dateline-bench``), at niceness +10. Then, each in
its own child process (a cached synthetic warehouse built before the index tables has them filled in its
copy first, untimed; one built before the load kept its keys itself has its big tables rebuilt without
their PRIMARY KEY in its copy, untimed, unless ``--keep-primary-keys``) with the process-tree sampler of
``benchmarks.throughput``
(``benchmarks.common.run_measured``): ``dateline run`` of the next ``--new`` articles (not in the
seed) into a copy of the synthetic warehouse, the same articles into an empty warehouse, and the
same command again over the big one (the no-op rerun). It prints ``ratio_time_big_vs_empty``,
``peak_rss_mb_big``, ``peak_rss_mb_empty``, the no-op's seconds and the stage times of each run
(the run's own JSON summary); and, as ``benchmarks.throughput`` does for its full run, each run's CPU
seconds by role (``big_process_cpu_s``, ``empty_process_cpu_s``, ``noop_process_cpu_s``) and its
timeline cut at its log lines (``big_timeline``, ``empty_timeline``, ``noop_timeline``: start-up, each
stage, the flow's end, shutdown; seconds, CPU seconds by role, idle core-seconds), with
``phase_seconds_big_minus_empty``: where the big run's extra seconds go, the time outside the stages included.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, Measured, corpus_path, read_jsonl, run_measured, skip, timeline
from benchmarks.throughput import QUIET_ENV, STARTUP_ENV, _inherited, _load, prepare_prefect_home

CORPUS = "news_allsides_2018_2019.jsonl"


def default_cache() -> Path:
    """``$XDG_CACHE_HOME/dateline-bench``, else ``~/.cache/dateline-bench``: outside the repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dateline-bench"


def write_articles(source: Path, target: Path, skip_first: int, count: int) -> int:
    """Records ``skip_first`` … ``skip_first + count - 1`` of ``source`` into ``target``; how many there were."""
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with target.open("w", encoding="utf-8") as out:
        for index, record in enumerate(read_jsonl(source, skip_first + count)):
            if index >= skip_first:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


def run_command(input_path: Path, warehouse: Path) -> list[str]:
    return [sys.executable, "-m", "dateline.cli", "run", "--quiet", "--json", "--input", str(input_path),
            "--warehouse", str(warehouse)]


def _env() -> dict[str, str]:
    return QUIET_ENV | STARTUP_ENV | _inherited(STARTUP_ENV)


def _summary(measured: Measured, what: str) -> dict:
    """The run's JSON summary (its last stdout line); a failed or killed run stops the benchmark."""
    if measured.timed_out:
        raise SystemExit(f"dateline run ({what}) did not finish within the timeout ({measured.seconds:.0f} s)")
    if measured.returncode != 0:
        raise SystemExit(f"dateline run ({what}) failed:\n{measured.stderr[-3000:]}")
    return json.loads(measured.stdout.strip().splitlines()[-1])


def _seed_is_complete(warehouse: Path) -> bool:
    import duckdb

    if not warehouse.exists():
        return False
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from etl_run where status = 'success'").fetchone()[0] > 0


def seed_warehouse(source: Path, cache: Path, seed_docs: int, workdir: Path, timeout: float | None) -> Path:
    """The cached real warehouse of the first ``seed_docs`` articles, built by ``dateline run`` if absent."""
    folder = cache / f"seed-{seed_docs}"
    warehouse = folder / "dateline.duckdb"
    if _seed_is_complete(warehouse):
        return warehouse
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    articles = workdir / "seed" / "articles.jsonl"
    written = write_articles(source, articles, 0, seed_docs)
    print(f"building the seed warehouse: dateline run over {written} articles into {warehouse}",
          file=sys.stderr, flush=True)
    measured = run_measured(run_command(articles, warehouse), env=_env(), timeout=timeout, nice=10)
    summary = _summary(measured, "seed")
    (folder / "seed.json").write_text(json.dumps({"articles": written, "seconds": round(measured.seconds, 1),
                                                 "summary": summary}, default=str), encoding="utf-8")
    return warehouse


def synthetic_warehouse(seed: Path, cache: Path, args: argparse.Namespace) -> tuple[Path, dict]:
    """The cached synthetic warehouse of at least ``args.warehouse_docs`` documents (grown from the seed
    warehouse of ``args.seed_docs`` articles), built in a niced child if absent."""
    seed_docs, documents, head_documents = args.seed_docs, args.warehouse_docs, args.head_documents
    memory_limit = args.memory_limit
    folder = cache / f"synthetic-{seed_docs}-{documents}-h{head_documents}"
    warehouse = folder / "dateline.duckdb"
    info = folder / "build.json"
    if warehouse.exists() and info.exists():
        return warehouse, json.loads(info.read_text(encoding="utf-8"))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    print(f"building the synthetic warehouse of {documents:,} documents in {folder}", file=sys.stderr, flush=True)
    command = [sys.executable, "-m", "benchmarks.incremental", "--build-worker", str(seed), str(warehouse),
               str(documents), str(head_documents), memory_limit or ""]
    measured = run_measured(command, nice=10)
    if measured.returncode != 0:
        raise SystemExit(f"building the synthetic warehouse failed:\n{measured.stderr[-3000:]}")
    built = json.loads(measured.stdout.strip().splitlines()[-1]) | {"peak_rss_mb": round(measured.peak_rss_mb, 1)}
    built["file_mb"] = round(warehouse.stat().st_size / 2**20, 1)
    info.write_text(json.dumps(built), encoding="utf-8")
    return warehouse, built


def index_tables(warehouse: Path) -> float | None:
    """Fill the index tables of a copied warehouse built before they existed (the near-duplicate band
    table, the entity name index; the synthetic build fills both since,
    ``benchmarks/sql/synthetic/09_document_lsh_band.sql`` and ``10_entity_name_index.sql``), and drop the
    band table's ART index a cache built before stop 29 holds (``warehouse/sql/tables/12_document_lsh_band.sql``:
    a warehouse loses it at its first write, about 1 s at 1,000,000 documents), before any run is timed: a
    warehouse that has grown run by run is in that state already. Returns the seconds it took, or None."""
    import duckdb
    from dateline.warehouse.db import connect_write

    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()}
        filled = all(
            table in tables and con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("document_lsh_band", "entity_name_index", "entity_name_votes", "entity_event_index")
        )
        indexed = con.execute("select count(*) from duckdb_indexes() where index_name = 'document_lsh_band_by_key'"
                              ).fetchone()[0]
        if filled and not indexed:
            return None
    print(f"filling the index tables of {warehouse} (a cache built before them), dropping the band table's "
          "ART index (a cache built before stop 29)", file=sys.stderr, flush=True)
    started = time.perf_counter()
    connect_write(warehouse, 0.0).close()  # apply_schema: the index tables, filled from the stored rows
    return round(time.perf_counter() - started, 1)


def drop_primary_keys(warehouse: Path, memory_limit: str | None) -> dict | None:
    """Rebuild the big tables of a copied warehouse built before the load kept their keys itself without
    their PRIMARY KEY (``dateline migrate-keys``), before any run is timed: a warehouse made since never
    has one. Returns what was rebuilt ({table: {rows, seconds}}), or None when nothing was."""
    from dateline.warehouse.migrate import migrate_keys

    print(f"rebuilding the big tables of {warehouse} without their PRIMARY KEY (a cache built before issue 16)",
          file=sys.stderr, flush=True)
    return migrate_keys(warehouse, memory_limit, log=lambda line: print(line, file=sys.stderr, flush=True)) or None


def _warehouse_memory_limit() -> str:
    """The runs' DATELINE_WAREHOUSE_MEMORY_LIMIT as they read it (inherited, else the setting's default)."""
    from dateline.flows.settings import Settings

    return Settings().warehouse_memory_limit


def _worker_peaks(measured: Measured) -> list[float]:
    return [mb for name, mb in measured.process_peaks_mb.items() if name.startswith("spacy-worker")]


def _run_result(measured: Measured, summary: dict) -> dict:
    return {
        "seconds": round(measured.seconds, 2),
        "cpu_seconds": round(measured.cpu_seconds, 1),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "flow_process_peak_rss_mb": next((mb for name, mb in measured.process_peaks_mb.items()
                                          if name.startswith("run ")), None),
        "worker_peak_rss_mb": _worker_peaks(measured),
        "stage_seconds": summary.get("stage_seconds"),
        "documents_new": summary.get("documents_new"),
        "documents_extracted": summary.get("documents_extracted"),
        "documents_duplicate": summary.get("documents_duplicate"),
        "rows_added": summary.get("rows_added"),
        # the run's own account of its warehouse look-ups: rows read, queries, seconds per query
        "warehouse_lookups": next((text.split(" - ", 1)[-1] for _, text in measured.lines
                                   if "warehouse look-ups:" in text), None),
    }


RUNS = ("big", "empty", "noop")


def phase_seconds_extra(big: list[dict], empty: list[dict]) -> dict[str, float]:
    """Seconds of each phase of the big run's timeline minus the same phase of the empty run's (a phase one
    of them lacks counts as 0 there), in the big run's order then the empty run's: where the extra time goes."""
    big_s = {phase["phase"]: phase["seconds"] for phase in big}
    empty_s = {phase["phase"]: phase["seconds"] for phase in empty}
    names = [*big_s, *(name for name in empty_s if name not in big_s)]
    return {name: round(big_s.get(name, 0.0) - empty_s.get(name, 0.0), 2) for name in names}


def run_timelines(runs: dict[str, Measured]) -> dict:
    """For each measured run ("big", "empty", "noop"): its CPU seconds by role (``NAME_process_cpu_s``,
    ``Measured.cpu_by_role``) and its timeline cut at its log lines (``NAME_timeline``,
    ``benchmarks.common.timeline``, as ``benchmarks.throughput``'s ``pipeline_timeline``); with both the
    big and the empty run, ``phase_seconds_big_minus_empty``."""
    result: dict = {}
    for name in RUNS:
        if name in runs:
            result[f"{name}_process_cpu_s"] = runs[name].cpu_by_role()
            result[f"{name}_timeline"] = timeline(runs[name])
    if "big" in runs and "empty" in runs:
        result["phase_seconds_big_minus_empty"] = phase_seconds_extra(result["big_timeline"],
                                                                      result["empty_timeline"])
    return result


def benchmark(args: argparse.Namespace, workdir: Path) -> dict:
    source = corpus_path(CORPUS)
    if source is None:
        skip(f"{CORPUS} not found under ../shared/corpora")
    cache = (args.cache or default_cache()).resolve()
    seed = seed_warehouse(source, cache, args.seed_docs, workdir, args.timeout)
    big_source, built = synthetic_warehouse(seed, cache, args)
    if args.build_only:
        return {"warehouse": str(big_source), "seed": str(seed)} | built

    new_articles = workdir / "new" / "articles.jsonl"
    count = write_articles(source, new_articles, args.seed_docs, args.new)
    if count == 0:
        skip(f"{CORPUS} holds no article after the first {args.seed_docs}")
    if count < args.new:
        print(f"note: only {count} articles follow the seed's {args.seed_docs}; measuring those", file=sys.stderr)

    big = workdir / "big" / "dateline.duckdb"
    big.parent.mkdir()
    shutil.copyfile(big_source, big)
    index_seconds = index_tables(big)
    keys_dropped = None if args.keep_primary_keys else drop_primary_keys(big, args.memory_limit)
    empty = workdir / "empty" / "dateline.duckdb"
    empty.parent.mkdir()

    prepare_prefect_home()
    load_avg = {}
    runs: dict[str, tuple[Measured, dict]] = {}
    for name, warehouse in zip(RUNS, (big, empty, big), strict=True):
        load_avg[f"before_{name}"] = _load()
        print(f"timing dateline run ({name}) ...", file=sys.stderr, flush=True)
        measured = run_measured(run_command(new_articles, warehouse), env=_env(), timeout=args.timeout)
        runs[name] = (measured, _summary(measured, name))
    load_avg["after"] = _load()

    big_run, empty_run, noop_run = (_run_result(*runs[name]) for name in RUNS)
    return {
        "warehouse_docs": built["counts"]["dim_document"],
        "new": count,
        "ratio_time_big_vs_empty": round(big_run["seconds"] / empty_run["seconds"], 3),
        "ratio_rss_big_vs_empty": round(big_run["peak_rss_mb"] / empty_run["peak_rss_mb"], 3),
        # CPU seconds of the process trees: on a shared machine they move far less than wall time
        "ratio_cpu_big_vs_empty": round(big_run["cpu_seconds"] / empty_run["cpu_seconds"], 3),
        "peak_rss_mb_big": big_run["peak_rss_mb"],
        "peak_rss_mb_empty": empty_run["peak_rss_mb"],
        "noop_seconds_big": noop_run["seconds"],
        "peak_rss_mb_noop": noop_run["peak_rss_mb"],
        "seconds_big": big_run["seconds"],
        "seconds_empty": empty_run["seconds"],
        "stage_seconds_big": big_run["stage_seconds"],
        "stage_seconds_empty": empty_run["stage_seconds"],
        "stage_seconds_noop": noop_run["stage_seconds"],
        # CPU seconds by role and each run cut at its log lines into phases (start-up, each stage, shutdown):
        # the stages' own seconds leave out what happens before the flow begins and after it ends
        **run_timelines({name: measured for name, (measured, _) in runs.items()}),
        "details": {"big": big_run, "empty": empty_run, "noop": noop_run, "warehouse": built,
                    "warehouse_file_mb": built.get("file_mb"), "index_seconds": index_seconds,
                    "primary_keys_dropped": keys_dropped,
                    "load_avg": load_avg, "cpus": os.cpu_count(),
                    "warehouse_memory_limit": _warehouse_memory_limit(),
                    "cache": str(cache)},
    }


def _print_table(result: dict) -> None:
    print(f"warehouse: {result['warehouse_docs']:,} documents; {result['new']} new articles")
    rows = [
        ("seconds: big / empty / no-op over big", f"{result['seconds_big']} / {result['seconds_empty']} / "
                                                  f"{result['noop_seconds_big']}"),
        ("ratio_time_big_vs_empty (goal <= 1.25)", result["ratio_time_big_vs_empty"]),
        ("peak RSS MB: big / empty / no-op", f"{result['peak_rss_mb_big']} / {result['peak_rss_mb_empty']} / "
                                            f"{result['peak_rss_mb_noop']}"),
        ("ratio_rss_big_vs_empty (goal <= 1.25)", result["ratio_rss_big_vs_empty"]),
        ("ratio_cpu_big_vs_empty (CPU seconds)", result["ratio_cpu_big_vs_empty"]),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    for name in ("big", "empty", "noop"):
        stages = result[f"stage_seconds_{name}"] or {}
        print(f"stages ({name}, s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items()))
    for name in RUNS:
        print(f"CPU seconds by role ({name}): {result[f'{name}_process_cpu_s']}")
    print("timelines (phase: seconds big / empty / no-op; idle core-seconds big / empty):")
    phases = {name: {phase["phase"]: phase for phase in result[f"{name}_timeline"]} for name in RUNS}
    for phase in phases["big"] | phases["empty"] | phases["noop"]:
        seconds = " / ".join(f"{phases[name][phase]['seconds']:.2f}" if phase in phases[name] else "-"
                             for name in RUNS)
        idle = " / ".join(f"{phases[name][phase]['idle_core_s']:.2f}" if phase in phases[name] else "-"
                          for name in ("big", "empty"))
        print(f"  {phase:<16} {seconds:<24} idle {idle}")
    print(f"load average before each run: {result['details']['load_avg']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.incremental", description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse-docs", type=int, default=1_000_000, help="documents of the big warehouse")
    parser.add_argument("--new", type=int, default=500, help="new articles per run")
    parser.add_argument("--seed-docs", type=int, default=2000, help="articles of the real seed warehouse")
    parser.add_argument("--head-documents", type=int, default=2,
                        help="an entity named in this many seed documents is shared by every replica")
    parser.add_argument("--cache", type=Path, help="where the seed and synthetic warehouses are kept")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit of the build (and of the copy's key rebuild), e.g. 6GB")
    parser.add_argument("--keep-primary-keys", action="store_true",
                        help="time the copy of a cache built before issue 16 with its PRIMARY KEYs (default: rebuilt without)")
    parser.add_argument("--timeout", type=float, help="seconds after which a run is killed (and reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (inputs, warehouses)")
    parser.add_argument("--build-only", action="store_true",
                        help="build (or find) the cached seed and synthetic warehouses, print what was built, time nothing")
    parser.add_argument("--build-worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_worker:
        from benchmarks.synthetic import BuildOptions, build

        seed, out, documents, head, memory = args.build_worker
        options = BuildOptions(head_documents=int(head), memory_limit=memory or None, temp_dir=Path(out).parent / "spill")
        built = build(Path(seed), Path(out), int(documents), options,
                      log=lambda line: print(line, file=sys.stderr, flush=True))
        shutil.rmtree(Path(out).parent / "spill", ignore_errors=True)
        print(json.dumps(built))
        return
    workdir = Path(tempfile.mkdtemp(prefix="dateline-incremental-"))
    try:
        result = benchmark(args, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json or args.build_only:
        print(json.dumps(result, default=str))
    else:
        _print_table(result)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
