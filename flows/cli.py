"""The ``dateline`` command line (Typer)."""

import atexit
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Dateline: folders of news articles → a DuckDB warehouse of documents, entities, events.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def run(
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="File, folder or glob (repeatable).")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to load.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Documents per Prefect task.")] = None,
    workers: Annotated[int | None, typer.Option(help="spaCy worker processes (default: one per CPU).")] = None,
    task_runner: Annotated[
        str | None, typer.Option("--task-runner", help="Where extraction batches run: thread | dask.")
    ] = None,
    dask_address: Annotated[
        str | None, typer.Option(help="Dask scheduler, e.g. tcp://HOST:8786 (default: a local cluster).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars (log lines stay).")] = False,
) -> None:
    """Run the pipeline over the inputs (default: seeds/) into the warehouse and print a summary."""
    from flows.settings import Settings

    overrides = {"inputs": input, "warehouse": warehouse, "batch_size": batch_size, "workers": workers,
                 # an address alone means Dask: it would otherwise be ignored without a word
                 "task_runner": task_runner or ("dask" if dask_address else None),
                 "dask_address": dask_address, "quiet": quiet or None}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except Exception as exc:  # pydantic's message is the reason
        _fail(f"bad settings: {exc}")
    summary = _run_flow(settings)
    _print_summary(summary)


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help='Cron schedule, e.g. "0 * * * *" (every hour, on the hour).')],
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="File, folder or glob (repeatable).")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to load.")] = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "dateline-scheduled",
) -> None:
    """Create a deployment of news_etl on a cron schedule and serve it (needs PREFECT_API_URL; README: Scheduling)."""
    from flows.serve import NoPrefectServerError, api_url
    from flows.serve import serve as serve_deployment
    from flows.settings import Settings

    overrides = {"inputs": input, "warehouse": warehouse}
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
        api_url()
    except NoPrefectServerError as exc:
        _fail(str(exc))
    except Exception as exc:  # pydantic's message is the reason
        _fail(f"bad settings: {exc}")
    try:
        serve_deployment(settings, cron, name)
    except ValueError as exc:  # e.g. an invalid cron string
        _fail(str(exc).splitlines()[0])


def _run_flow(settings):
    from flows.api import TemporaryServerError, start_temporary_api

    api_ready = start_temporary_api()  # boots while the flow module's imports run
    from flows.etl import news_etl

    try:
        api_ready()
    except TemporaryServerError as exc:
        _fail(str(exc))
    try:
        return news_etl(settings=settings)
    except Exception as exc:
        _fail(f"{type(exc).__name__}: {exc}".splitlines()[0])


def _print_summary(summary) -> None:
    table = Table(title=f"dateline run {summary.run_id[:8]} — {summary.status}", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for label, value in (
        ("files seen", summary.files_seen),
        ("documents read", summary.documents_read),
        ("documents new", summary.documents_new),
        ("documents skipped (already loaded)", summary.documents_skipped),
        ("documents duplicate", summary.documents_duplicate),
        ("documents extracted (spaCy)", summary.documents_extracted),
        ("inputs quarantined", summary.files_quarantined),
        ("entity mentions", summary.mentions),
        ("entities", summary.entities),
        ("event mentions", summary.event_mentions),
        ("events", summary.events),
        ("validation", summary.validation),
        ("warehouse", summary.warehouse),
        ("data docs", summary.data_docs or "not built (nothing validated)"),
    ):
        table.add_row(label, str(value))
    for stage, seconds in summary.stage_seconds.items():
        table.add_row(f"time {stage}", f"{seconds:.2f}s")
    console.print(table)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    warehouse: Annotated[Path, typer.Option(help="DuckDB file.")] = Path("warehouse/dateline.duckdb"),
    format: Annotated[str, typer.Option("--format", "-f", help="table | csv | json")] = "table",
) -> None:
    """Run one SQL query against the warehouse opened read-only."""
    import duckdb

    from warehouse.db import WarehouseBusyError, connect_read

    if format not in ("table", "csv", "json"):
        _fail("--format must be table, csv or json")
    try:
        con = connect_read(warehouse)
    except (FileNotFoundError, WarehouseBusyError) as exc:
        _fail(str(exc))
    try:
        # The connection is read-only already; refusing by statement type also stops what read-only
        # mode allows but an analyst's query must not do (COPY/EXPORT to files, ATTACH, SET, INSTALL).
        statements = con.extract_statements(sql)
        refused = sorted({s.type.name for s in statements} - {"SELECT", "EXPLAIN"})
        if refused or not statements:
            _fail(f"query is read-only: only SELECT/EXPLAIN statements are run (got {', '.join(refused) or 'none'})")
        frame = None
        for statement in statements:
            relation = con.sql(statement.query)
            frame = relation.pl() if relation is not None else None
    except duckdb.Error as exc:
        _fail(str(exc).splitlines()[0])
    finally:
        con.close()
    if frame is None:
        return
    if format == "csv":
        sys.stdout.write(frame.write_csv())
    elif format == "json":
        sys.stdout.write(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=1) + "\n")
    else:
        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(column, overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


def _open_read(warehouse: Path):
    from warehouse.db import WarehouseBusyError, connect_read

    try:
        return connect_read(warehouse)
    except (FileNotFoundError, WarehouseBusyError) as exc:
        _fail(str(exc))


@app.command()
def export(
    parquet: Annotated[Path, typer.Option("--parquet", help="Folder to write one .parquet file per table and view.")],
    warehouse: Annotated[Path, typer.Option(help="DuckDB file.")] = Path("warehouse/dateline.duckdb"),
) -> None:
    """Export every dimension, fact, run table and view as Parquet (read-only: BI tools read the files)."""
    import duckdb

    from flows.export import export_parquet

    con = _open_read(warehouse)
    try:
        written = export_parquet(con, parquet)
    except (duckdb.Error, OSError) as exc:
        _fail(str(exc).splitlines()[0])
    finally:
        con.close()
    table = Table(title=f"Parquet export → {parquet}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in written.items():
        table.add_row(f"{name}.parquet", str(rows))
    console.print(table)


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("reports/dashboard.html"),
    warehouse: Annotated[Path, typer.Option(help="DuckDB file.")] = Path("warehouse/dateline.duckdb"),
) -> None:
    """Write one self-contained HTML dashboard (plotly.js and data inlined) from the warehouse views."""
    import time

    import duckdb

    from flows.report import write_report

    started = time.perf_counter()
    con = _open_read(warehouse)
    try:
        size = write_report(con, warehouse, out)
    except (duckdb.Error, OSError) as exc:
        _fail(str(exc).splitlines()[0])
    finally:
        con.close()
    console.print(f"dashboard written to {out} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.2f}s",
                  highlight=False)


@app.command()
def dedupe(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or globs to check.")],
    as_json: Annotated[bool, typer.Option("--json", help='Print one JSON object {"groups": [...]}.')] = False,
    threshold: Annotated[float | None, typer.Option(help="Near-duplicate Jaccard threshold (default: the pipeline's).")] = None,
) -> None:
    """Preview the exact and near-duplicate groups of the inputs (no spaCy, no warehouse write)."""
    from flows.dedupe_cmd import preview
    from flows.settings import Settings
    from transforms.deduplicate import NEAR_THRESHOLD

    try:
        result, quarantine = preview(inputs, Settings().max_file_bytes, NEAR_THRESHOLD if threshold is None else threshold)
    except FileNotFoundError as exc:
        _fail(str(exc))
    for row in quarantine.iter_rows(named=True):
        where = row["source_path"] + (f":{row['record']}" if row["record"] is not None else "")
        err.print(f"[yellow]quarantined:[/] {where} ({row['reason']}: {row['detail']})", highlight=False, soft_wrap=True)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(result['groups'])} duplicate groups")
    for column in ("group", "kind", "document_id", "source_path", "record", "similarity"):
        table.add_column(column)
    for number, group in enumerate(result["groups"], start=1):
        for member in group["members"]:
            label = f"{number}*" if member is group["canonical"] else str(number)
            table.add_row(label, group["kind"], member["document_id"], member["source_path"],
                          "" if member["record"] is None else str(member["record"]), f"{member['similarity']:.3f}")
    console.print(table)


eval_app = typer.Typer(help="Measure Dateline against public gold data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("ner")
def eval_ner(
    conll: Annotated[Path, typer.Option("--conll", help="CoNLL-2003 file (e.g. ../shared/corpora/conll2003/valid.txt).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object {bare, pipeline}.")] = False,
) -> None:
    """NER precision/recall/F1 of the bare model and of Dateline's entity step on a CoNLL-2003 file."""
    from flows import eval_ner as ner_eval
    from flows.nlp import load_nlp
    from flows.settings import Settings

    if not conll.is_file():
        _fail(f"no such file: {conll}")
    docs = ner_eval.read_conll(conll)
    if not docs:
        _fail(f"no CoNLL documents in {conll}")
    model = Settings().model
    try:
        result = ner_eval.evaluate_ner(load_nlp(model, False), load_nlp(model), docs)
    except RuntimeError as exc:
        _fail(str(exc))
    if as_json:
        sys.stdout.write(ner_eval.to_json(result) + "\n")
    else:
        sys.stdout.write(ner_eval.format_table(result) + "\n")


@eval_app.command("entities")
def eval_entities(
    ecbplus: Annotated[Path | None, typer.Option("--ecbplus", help="ECB+ JSON-lines file (named participants).")] = None,
    split_rate: Annotated[Path | None, typer.Option("--split-rate", help="A warehouse whose split rate to measure.")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N ECB+ documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per requested evaluation.")] = False,
) -> None:
    """Entity resolution: ECB+ cross-document coreference of named participants, a warehouse's split rate."""
    from flows import eval_entities as entities_eval

    if ecbplus is None and split_rate is None:
        _fail("give --ecbplus FILE and/or --split-rate WAREHOUSE")
    for path in (ecbplus, split_rate):
        if path is not None and not path.exists():
            _fail(f"no such file: {path}")
    results = {}
    if split_rate is not None:
        results["split_rate"] = entities_eval.split_rate(split_rate)
    if ecbplus is not None:
        from flows.nlp import load_nlp
        from flows.settings import Settings

        try:
            nlp = load_nlp(Settings().model)
        except RuntimeError as exc:
            _fail(str(exc))
        results["ecbplus"] = entities_eval.evaluate_ecbplus(nlp, ecbplus, limit)
    single = next(iter(results.values())) if len(results) == 1 else results
    if as_json:
        sys.stdout.write(json.dumps(single, sort_keys=True, default=str) + "\n")
        return
    console.print_json(json.dumps(single, default=str))


@eval_app.command("events")
def eval_events(
    ecbplus: Annotated[Path | None, typer.Option("--ecbplus", help="ECB+ JSON-lines file (mention recall, B³ F1).")] = None,
    petrarch: Annotated[Path | None, typer.Option("--petrarch", help="PETRARCH2 gold sentences (JSON lines).")] = None,
    seeds: Annotated[Path | None, typer.Option("--seeds", help="Folder of seed articles, scored against --gold.")] = None,
    gold: Annotated[Path, typer.Option(help="Gold event list for --seeds.")] = Path("tests/golden/seed_events.csv"),
    limit: Annotated[int | None, typer.Option(help="Only the first N ECB+ documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per requested evaluation.")] = False,
) -> None:
    """Event quality: ECB+ mention detection and cross-document merging, PETRARCH2 types and actors, seed gold."""
    from flows import eval_events as events_eval
    from flows.nlp import load_nlp
    from flows.settings import Settings
    from transforms.events import build_lexicon, load_triggers

    requested = {"ecbplus": ecbplus, "petrarch": petrarch, "seeds": seeds}
    if not any(requested.values()):
        _fail("give --ecbplus FILE, --petrarch FILE and/or --seeds DIR")
    for name, path in requested.items():
        if path is not None and not path.exists():
            _fail(f"no such {name} input: {path}")
    try:
        nlp = load_nlp(Settings().model)
    except RuntimeError as exc:
        _fail(str(exc))
    lexicon = build_lexicon(load_triggers())
    results = {}
    if ecbplus is not None:
        results["ecbplus"] = events_eval.evaluate_ecbplus(nlp, lexicon, ecbplus, limit)
    if petrarch is not None:
        results["petrarch"] = events_eval.evaluate_petrarch(nlp, lexicon, petrarch)
    if seeds is not None:
        results["seeds"] = events_eval.evaluate_seeds(nlp, lexicon, seeds, gold)
    if as_json:
        single = next(iter(results.values())) if len(results) == 1 else results
        sys.stdout.write(json.dumps(single, sort_keys=True) + "\n")
        return
    for name, result in results.items():
        table = Table(title=f"eval events: {name}", show_header=False)
        table.add_column("metric")
        table.add_column("value", justify="right")
        for metric, value in result.items():
            if not isinstance(value, dict | list):
                table.add_row(metric, str(value))
        console.print(table)


_exit_code = 0


def _exit_without_finalizers() -> None:
    # Registered before anything imports Prefect, so it runs last among atexit handlers (after Prefect
    # stops its temporary server). Skipping module finalization avoids nanobind's benign
    # "leaked instances" report from DuckDB's bindings at interpreter shutdown.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_code)


def main() -> None:
    """Console-script entry point: the Typer app, with a clean interpreter exit."""
    global _exit_code
    atexit.register(_exit_without_finalizers)
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        _exit_code = code if isinstance(code, int) else (0 if code is None else 1)
        raise


if __name__ == "__main__":
    main()
