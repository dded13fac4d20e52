"""``dateline run`` and ``dateline serve``: a run of the flow with its summary, a scheduled deployment."""

import importlib
import json
import logging
import os
import sys
import traceback
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from dateline.cli.common import EXIT_USAGE, console, debug, error_text, fail, settings_from, wide
from rich.table import Table


def run(  # noqa: PLR0913  (Typer: one parameter per command-line option)
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
    from dateline.flows.sources import NothingReadableError, find_inputs

    settings = settings_from(inputs=input, warehouse=warehouse, batch_size=batch_size, workers=workers,
                         # an address alone means Dask: it would otherwise be ignored without a word
                         task_runner=task_runner or ("dask" if dask_address else None),
                         dask_address=dask_address, quiet=quiet or None)
    # Before Prefect starts (seconds): a typo in --input, or inputs of which nothing can be read, are
    # told at once.
    try:
        find_inputs(settings.inputs)
    except FileNotFoundError as exc:
        fail(str(exc), EXIT_USAGE)
    except NothingReadableError as exc:
        fail(str(exc))
    if settings.warehouse.is_dir():
        fail(f"warehouse {settings.warehouse} is a folder: give the DuckDB file's path", EXIT_USAGE)
    summary = run_flow(settings)
    if as_json:
        from dataclasses import asdict

        sys.stdout.write(json.dumps(asdict(summary), ensure_ascii=False, sort_keys=True) + "\n")
    else:
        _print_summary(summary)


def serve(
    cron: Annotated[str, typer.Option(help='Cron schedule, e.g. "0 * * * *" (every hour, on the hour).')],
    input: Annotated[list[str] | None, typer.Option("--input", "-i", help="File, folder or glob (repeatable).")] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to load.")] = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "dateline-scheduled",
) -> None:
    """Create a deployment of news_etl on a cron schedule and serve it (needs PREFECT_API_URL; README: Scheduling)."""
    from dateline.cli.serve import NoPrefectServerError, api_url, check_cron
    from dateline.cli.serve import serve as serve_deployment

    settings = settings_from(inputs=input, warehouse=warehouse)
    try:
        check_cron(cron)
    except ValueError as exc:  # the cron library's whole message
        fail(f"bad --cron {cron!r}: {exc}", EXIT_USAGE)
    try:
        api_url()
    except NoPrefectServerError as exc:
        fail(str(exc))
    try:
        serve_deployment(settings, cron, name)
    except ValueError as exc:
        fail(error_text(exc))


def migrate_keys(
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file to convert.")] = None,
    memory_limit: Annotated[
        str | None, typer.Option(help="DuckDB memory_limit while copying, e.g. 4GB (default: DuckDB's).")
    ] = None,
) -> None:
    """Rebuild the warehouse's big tables without their PRIMARY KEY (README: The warehouse contract); once."""
    from dateline.warehouse.db import WarehouseBusyError
    from dateline.warehouse.migrate import migrate_keys as migrate

    settings = settings_from(warehouse=warehouse)
    try:
        done = migrate(settings.warehouse, memory_limit, log=lambda line: console.print(line, highlight=False))
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), EXIT_USAGE)
    except WarehouseBusyError as exc:
        fail(str(exc))
    if not done:
        console.print(f"{settings.warehouse}: no table declares a PRIMARY KEY the load keeps itself; nothing to do")


def run_flow(settings):
    from dateline.cli.api import TemporaryServerError, start_temporary_api, without_heartbeats

    api_ready = start_temporary_api()  # boots while the flow module's imports run
    prestarted = _start_workers_early(settings)  # their model loads overlap the server's start-up too
    from dateline.flows.etl import news_etl

    try:
        try:
            # While the server boots, a run with work imports what its later stages import (seconds each).
            api_ready(_WARM_UP if prestarted else ())
        except TemporaryServerError as exc:
            fail(str(exc))
        if not debug():
            _console_logs_without_tracebacks()
        try:
            # Heartbeats are for a server that outlives the run; the temporary one does not.
            with without_heartbeats() if getattr(api_ready, "temporary", False) else nullcontext():
                return news_etl(settings=settings)
        except Exception as exc:
            if debug():
                traceback.print_exc()
            fail(error_text(exc))
    finally:
        if prestarted:
            from dateline.flows.workers import discard_prestarted

            discard_prestarted()  # the run did not adopt them (it failed before extracting): stop them


# What a run with documents imports after ingest (deduplication's LSH, validation's Great Expectations):
# imported while the temporary server boots instead, one module at a time, as long as it has not answered.
_WARM_UP = tuple(partial(importlib.import_module, name)
                 for name in ("datasketch", "great_expectations", "dateline.expectations.suites"))


def _start_workers_early(settings) -> bool:
    """Start the run's spaCy worker pool now, before Prefect's server is up and the flow is imported, when
    the run will surely extract: the inputs hold enough documents the warehouse has not seen for the pool
    the flow would start (``flows.workers.processes_for``). Without a warehouse every document read
    counts; with one, only those of input files it holds no document of, or that changed since the
    latest run that loaded one of theirs (``_unloaded_files``): an hourly run over a growing folder
    prestarts for its new files, a no-op rerun starts nothing.

    The judgement is an estimate (a changed file may hold only loaded records; a new file only
    duplicates): ingest and the warehouse's look-ups decide, and the flow closes a pool it does not need.
    """
    if settings.task_runner == "dask":
        return False
    from dateline.flows import workers
    from dateline.flows.sources import count_records, find_inputs

    try:
        files, _ = find_inputs(settings.inputs)
    except (OSError, RuntimeError):
        return False  # the flow reports it
    if settings.warehouse.exists():
        files = _unloaded_files(settings.warehouse, files)
    cap = settings.nlp_batch_size * settings.workers
    processes = workers.processes_for(count_records(files, cap), settings.workers, settings.nlp_batch_size)
    return workers.prestart(settings.model, processes, settings.nlp_batch_size, settings.nlp_batch_chars) is not None


def _unloaded_files(warehouse: Path, files: list[str]) -> list[str]:
    """The ``files`` whose documents the warehouse may not all hold: those it has no document from, and
    those modified after the start of the latest run that loaded one of theirs. None of them when the
    warehouse cannot be read now (a run holds it, it is no DuckDB file): then the flow decides after ingest.
    """
    import duckdb
    import polars as pl
    from dateline.warehouse import db

    try:
        with db.connect_read(warehouse) as con:
            con.register("lookup_paths", pl.DataFrame({"source_path": files}, schema={"source_path": pl.String}))
            loaded = dict(con.sql(db.sql_text("lookups/loaded_sources.sql")).fetchall())
    except (duckdb.Error, db.WarehouseBusyError, OSError):
        return []
    unloaded = []
    for path in files:
        try:
            modified = os.stat(path).st_mtime
        except OSError:
            continue  # ingest quarantines it
        if path not in loaded or modified > loaded[path]:
            unloaded.append(path)
    return unloaded


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
        *summary.labelled(),
        ("validation", summary.validation),
        ("warehouse", summary.warehouse),
        ("data docs", summary.data_docs or "not built (nothing validated)"),
    ):
        table.add_row(label, str(value))
    for stage, seconds in summary.stage_seconds.items():
        table.add_row(f"time {stage}", f"{seconds:.2f}s")
    wide(console).print(table)
