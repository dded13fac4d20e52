"""The ``dateline`` command line (Typer)."""

import atexit
import json
import logging
import os
import sys
import traceback
from enum import StrEnum
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(help="Dateline: folders of news articles → a DuckDB warehouse of documents, entities, events.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
console = Console()
err = Console(stderr=True)

# Exit codes: 0 done, 1 the command failed (one line on stderr; the traceback only with --debug),
# 2 the command was called wrongly (an unknown option, a bad value, a setting out of range, an input
# that names nothing).
EXIT_FAILED = 1
EXIT_USAGE = 2
_debug = False


def _fail(message: str, code: int = EXIT_FAILED) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _error_text(exc: BaseException) -> str:
    """The whole message of the library that raised ``exc`` (DuckDB's "Did you mean", pydantic's field list)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _settings(**overrides):
    """The one settings object: DATELINE_* environment, then the options given (None = not given)."""
    from pydantic import ValidationError

    from flows.settings import Settings

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        _fail(f"bad settings: {exc}", EXIT_USAGE)


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"dateline {package_version('dateline')}\n")
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="On a failure, print the traceback too.")] = False,
    version: Annotated[bool | None, typer.Option("--version", callback=_show_version, is_eager=True,
                                                 help="Print the version and exit.")] = None,
) -> None:
    """Dateline: folders of news articles → a DuckDB warehouse of documents, entities, events."""
    global _debug
    _debug = debug


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


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
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Run the pipeline over the inputs (default: seeds/) into the warehouse and print a summary."""
    from flows.sources import NothingReadableError, find_inputs

    settings = _settings(inputs=input, warehouse=warehouse, batch_size=batch_size, workers=workers,
                         # an address alone means Dask: it would otherwise be ignored without a word
                         task_runner=task_runner or ("dask" if dask_address else None),
                         dask_address=dask_address, quiet=quiet or None)
    # Before Prefect starts (seconds): a typo in --input, or inputs of which nothing can be read, are
    # told at once.
    try:
        find_inputs(settings.inputs)
    except FileNotFoundError as exc:
        _fail(str(exc), EXIT_USAGE)
    except NothingReadableError as exc:
        _fail(str(exc))
    if settings.warehouse.is_dir():
        _fail(f"warehouse {settings.warehouse} is a folder: give the DuckDB file's path", EXIT_USAGE)
    summary = _run_flow(settings)
    if as_json:
        from dataclasses import asdict

        sys.stdout.write(json.dumps(asdict(summary), ensure_ascii=False, sort_keys=True) + "\n")
    else:
        _print_summary(summary)


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help='Cron schedule, e.g. "0 * * * *" (every hour, on the hour).')],
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="File, folder or glob (repeatable).")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to load.")] = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "dateline-scheduled",
) -> None:
    """Create a deployment of news_etl on a cron schedule and serve it (needs PREFECT_API_URL; README: Scheduling)."""
    from flows.serve import NoPrefectServerError, api_url, check_cron
    from flows.serve import serve as serve_deployment

    settings = _settings(inputs=input, warehouse=warehouse)
    try:
        check_cron(cron)
    except ValueError as exc:  # the cron library's whole message
        _fail(f"bad --cron {cron!r}: {exc}", EXIT_USAGE)
    try:
        api_url()
    except NoPrefectServerError as exc:
        _fail(str(exc))
    try:
        serve_deployment(settings, cron, name)
    except ValueError as exc:
        _fail(_error_text(exc))


def _run_flow(settings):
    from flows.api import TemporaryServerError, start_temporary_api

    api_ready = start_temporary_api()  # boots while the flow module's imports run
    from flows.etl import news_etl

    try:
        api_ready()
    except TemporaryServerError as exc:
        _fail(str(exc))
    if not _debug:
        _console_logs_without_tracebacks()
    try:
        return news_etl(settings=settings)
    except Exception as exc:
        if _debug:
            traceback.print_exc()
        _fail(_error_text(exc))


class _NoTraceback(logging.Filter):
    """Drops the traceback from a console log record (the error line stays); --debug keeps it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        return True


def _console_logs_without_tracebacks() -> None:
    """Prefect's console handlers print a failed task's or flow's log line, not its traceback.

    The Prefect API (and so its UI) still receives the whole record: only stream handlers are filtered.
    """
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
                                       if name.startswith("prefect")]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                handler.addFilter(_NoTraceback())


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
    _wide(console).print(table)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="table | csv | json")] = OutputFormat.table,
    raw_csv: Annotated[bool, typer.Option("--raw-csv", help="CSV cells as stored: no ' before = + - @.")] = False,
) -> None:
    """Run SQL against the warehouse on a read-only connection that can touch no other file."""
    import duckdb

    path = _settings(warehouse=warehouse).warehouse
    con = _open_read(path)
    try:
        # DuckDB itself refuses anything that writes, reads another file or fetches an extension
        # (warehouse.db.LOCKED_READ_CONFIG): the SQL is not inspected here.
        relation = con.sql(sql)
        frame = relation.pl() if relation is not None else None
    except duckdb.Error as exc:
        _fail(_error_text(exc))
    finally:
        con.close()
    if frame is not None:
        _print_frame(frame, format, raw_csv)


def _print_frame(frame, format: OutputFormat, raw_csv: bool = False) -> None:
    from flows.tabular import to_csv

    if format is OutputFormat.csv:
        sys.stdout.write(to_csv(frame, raw=raw_csv))
    elif format is OutputFormat.json:
        sys.stdout.write(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=1) + "\n")
    else:
        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(column, overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        _wide(console).print(table)


def _wide(terminal: Console) -> Console:
    """``terminal`` on a terminal; elsewhere (a pipe, a file) a console wide enough never to cut a cell."""
    return terminal if terminal.is_terminal else Console(width=100_000, file=terminal.file)


def _read_sql(warehouse: Path | None, sql_file: str, parameters: list):
    import duckdb

    from warehouse.db import sql_text

    con = _open_read(_settings(warehouse=warehouse).warehouse)
    try:
        return con.sql(sql_text(sql_file), params=parameters).pl()
    except duckdb.Error as exc:
        _fail(_error_text(exc))
    finally:
        con.close()


@app.command()
def runs(
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="table | csv | json")] = OutputFormat.table,
) -> None:
    """List the latest pipeline runs: status, counts, validation failures (v_run_health)."""
    _print_frame(_read_sql(warehouse, "cli/recent_runs.sql", [limit]), format)


@app.command()
def quarantine(
    run: Annotated[str | None, typer.Option("--run", help="Only this run (its id or a prefix of it).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many rows, newest run first.")] = 100,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="table | csv | json")] = OutputFormat.table,
) -> None:
    """List quarantined inputs with their reason and detail (v_quarantine_log)."""
    _print_frame(_read_sql(warehouse, "cli/quarantined.sql", [run, run, limit]), format)


def _open_read(warehouse: Path):
    """The analysts' connection (``warehouse.db.connect_analyst``), or a one-line failure."""
    import duckdb

    from warehouse.db import WarehouseBusyError, connect_analyst

    try:
        return connect_analyst(warehouse)
    except (OSError, WarehouseBusyError) as exc:
        _fail(str(exc))
    except duckdb.Error as exc:  # not a DuckDB file, or one of a newer version
        _fail(f"cannot open {warehouse} as a DuckDB warehouse: {_error_text(exc)}")


@app.command()
def export(
    parquet: Annotated[Path, typer.Option("--parquet", help="Folder to write one .parquet file per table and view.")],
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    internal: Annotated[bool, typer.Option("--internal", help="Also the internal columns (minhash, raw_text).")] = False,
) -> None:
    """Export every dimension, fact, run table and view as Parquet (read-only: BI tools read the files)."""
    import duckdb

    from flows.export import export_parquet

    path = _settings(warehouse=warehouse).warehouse
    con = _open_read(path)
    try:
        written = export_parquet(con, parquet, internal=internal)
    except (duckdb.Error, OSError) as exc:
        _fail(_error_text(exc))
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
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
) -> None:
    """Write one self-contained HTML dashboard (plotly.js and data inlined) from the warehouse views."""
    import time

    import duckdb

    from flows.report import write_report

    started = time.perf_counter()
    path = _settings(warehouse=warehouse).warehouse
    con = _open_read(path)
    try:
        size = write_report(con, path, out)
    except (duckdb.Error, OSError) as exc:
        _fail(_error_text(exc))
    finally:
        con.close()
    console.print(f"dashboard written to {out} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.2f}s",
                  highlight=False)


@app.command()
def dedupe(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or globs to check.")],
    as_json: Annotated[bool, typer.Option("--json", help='Print one JSON object {"groups": [...]}.')] = False,
    threshold: Annotated[float | None, typer.Option(min=0.0, max=1.0,
                                                    help="Near-duplicate Jaccard threshold (default: the pipeline's).")] = None,
) -> None:
    """Preview the exact and near-duplicate groups of the inputs (no spaCy, no warehouse write)."""
    from flows.dedupe_cmd import preview
    from flows.sources import check_inputs
    from transforms.deduplicate import NEAR_THRESHOLD

    settings = _settings()
    try:
        check_inputs(inputs)
    except FileNotFoundError as exc:
        _fail(str(exc), EXIT_USAGE)
    result, quarantine = preview(inputs, settings.max_file_bytes, NEAR_THRESHOLD if threshold is None else threshold)
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


train_app = typer.Typer(help="Train Dateline's models on annotated data.", no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("events")
def train_events(
    gold: Annotated[list[Path] | None, typer.Option("--gold", help="Gold folder (sentences.jsonl + gold.jsonl), repeatable.")] = None,
    labels: Annotated[list[Path] | None, typer.Option("--labels", help="Label file (record_id, start, end, events), repeatable.")] = None,
    corpus: Annotated[Path, typer.Option(help="JSON-lines corpus the sentences come from (id, text).")] = Path("../shared/corpora/news_allsides_2018_2019.jsonl"),
    out: Annotated[Path, typer.Option(help="Folder to write the detector to.")] = Path("transforms/models/event_detector"),
    c: Annotated[float, typer.Option(help="Inverse regularisation strength of the logistic regression.")] = 0.5,
) -> None:
    """Train the event detector on sentence gold; prints what cross-validation and the test split measured."""
    from training.events import TrainingSources, train_detector

    gold = gold if gold is not None else [Path("../shared/eval/events_train")]
    labels = labels if labels is not None else sorted(Path("training/labels").glob("*.jsonl"))
    for path in [*gold, *labels, corpus]:
        if not path.exists():
            _fail(f"no such input: {path}")
    about = train_detector(TrainingSources(gold, labels, corpus), out, _settings().model, c)
    sys.stdout.write(json.dumps(about, indent=1) + "\n")


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

    if not conll.is_file():
        _fail(f"no such file: {conll}")
    docs = ner_eval.read_conll(conll)
    if not docs:
        _fail(f"no CoNLL documents in {conll}")
    model = _settings().model
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
    gold: Annotated[Path | None, typer.Option(
        help="Sentence gold folder (sentences.jsonl, gold.jsonl; articles.jsonl to run on) to score; with --seeds, "
        "the seed gold list (default tests/golden/seed_events.csv).")] = None,
    warehouse: Annotated[Path | None, typer.Option(
        help="With --gold DIR: score this warehouse (a run over DIR/articles.jsonl) instead of running the "
        "pipeline into a temporary one.")] = None,
    min_confidence: Annotated[float | None, typer.Option(
        "--min-confidence", help="With --gold DIR: drop event mentions below this confidence before scoring.")] = None,
    curve: Annotated[bool, typer.Option(
        "--curve", help="With --gold DIR: also score at confidence thresholds 0.0, 0.1, …, 0.9.")] = False,
    limit: Annotated[int | None, typer.Option(help="Only the first N ECB+ documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per requested evaluation.")] = False,
) -> None:
    """Event quality: sentence gold folders, ECB+ mention detection and cross-document merging, PETRARCH2, seed gold."""
    from flows import eval_events as events_eval
    from flows.nlp import load_lexicon, load_nlp

    gold_folder = gold if gold is not None and seeds is None else None
    requested = {"ecbplus": ecbplus, "petrarch": petrarch, "seeds": seeds, "gold": gold_folder}
    if not any(requested.values()):
        _fail("give --gold DIR, --ecbplus FILE, --petrarch FILE and/or --seeds DIR")
    for name, path in requested.items():
        if path is not None and not path.exists():
            _fail(f"no such {name} input: {path}")
    if gold_folder is None and (warehouse is not None or min_confidence is not None or curve):
        _fail("--warehouse, --min-confidence and --curve go with --gold DIR")
    results = {}
    if gold_folder is not None:
        results["gold"] = _eval_gold_folder(gold_folder, warehouse, min_confidence, curve)
    if ecbplus is not None or petrarch is not None or seeds is not None:
        try:
            nlp = load_nlp(_settings().model)
        except RuntimeError as exc:
            _fail(str(exc))
        lexicon = load_lexicon()
    if ecbplus is not None:
        results["ecbplus"] = events_eval.evaluate_ecbplus(nlp, lexicon, ecbplus, limit)
    if petrarch is not None:
        results["petrarch"] = events_eval.evaluate_petrarch(nlp, lexicon, petrarch)
    if seeds is not None:
        results["seeds"] = events_eval.evaluate_seeds(nlp, lexicon, seeds, gold or Path("tests/golden/seed_events.csv"))
    if as_json:
        single = next(iter(results.values())) if len(results) == 1 else results
        sys.stdout.write(json.dumps(single, sort_keys=True, default=str) + "\n")
        return
    for name, result in results.items():
        table = Table(title=f"eval events: {name}", show_header=False)
        table.add_column("metric")
        table.add_column("value", justify="right")
        for metric, value in result.items():
            if not isinstance(value, dict | list):
                table.add_row(metric, str(value))
        console.print(table)
        if result.get("curve"):
            points = Table(title="by confidence threshold")
            columns = ("min_confidence", "predicted", "precision", "recall", "f1", "fully_correct_per_predicted")
            for column in columns:
                points.add_column(column, justify="right")
            for point in result["curve"]:
                points.add_row(*(str(point[c]) for c in columns))
            console.print(points)


def _eval_gold_folder(folder: Path, warehouse: Path | None, min_confidence: float | None, curve: bool) -> dict:
    """Score a warehouse against a sentence gold folder; without one, run the pipeline on its articles first."""
    import tempfile

    from evaluation.event_gold import evaluate_gold_folder, read_gold_folder
    from flows.settings import Settings

    try:
        read_gold_folder(folder)
    except FileNotFoundError as exc:
        _fail(str(exc))
    if warehouse is not None:
        if not warehouse.is_file():
            _fail(f"no such warehouse: {warehouse}")
        return evaluate_gold_folder(folder, warehouse, min_confidence, curve)
    articles = folder / "articles.jsonl"
    if not articles.is_file():
        _fail(f"{articles} not found: give --warehouse W (a run over the gold's articles) or the articles to run on")
    with tempfile.TemporaryDirectory(prefix="dateline-eval-") as tmp:
        settings = Settings(inputs=[str(articles)], warehouse=Path(tmp) / "eval.duckdb", quiet=True)
        summary = _run_flow(settings)
        if summary.status != "success":
            _fail(f"the pipeline run over {articles} ended {summary.status}")
        return evaluate_gold_folder(folder, settings.warehouse, min_confidence, curve)


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
    """Console-script entry point: the Typer app, with a clean interpreter exit and an honest exit code.

    Usage errors exit 2 (click's own handling); any other failure exits 1 with one line on stderr
    (the whole message of the library that raised it), the traceback only with ``--debug``.
    """
    global _exit_code
    atexit.register(_exit_without_finalizers)
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        _exit_code = code if isinstance(code, int) else (0 if code is None else EXIT_FAILED)
        raise
    except KeyboardInterrupt:
        _exit_code = 130
        err.print("interrupted", highlight=False)
        raise SystemExit(130) from None
    except Exception as exc:
        _exit_code = EXIT_FAILED
        if _debug:
            traceback.print_exc()
        err.print(f"[bold red]error:[/] {escape(_error_text(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(EXIT_FAILED) from None


if __name__ == "__main__":
    main()
