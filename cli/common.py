"""What every ``dateline`` command shares: the Typer app, consoles, exit codes, settings, reading the warehouse."""

import json
import sys
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
_debug = False  # set by --debug (the app callback); read through debug()


def fail(message: str, code: int = EXIT_FAILED) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def error_text(exc: BaseException) -> str:
    """The whole message of the library that raised ``exc`` (DuckDB's "Did you mean", pydantic's field list)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def settings_from(**overrides):
    """The one settings object: DATELINE_* environment, then the options given (None = not given)."""
    from dateline.flows.settings import Settings
    from pydantic import ValidationError

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        fail(f"bad settings: {exc}", EXIT_USAGE)


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


def debug() -> bool:
    """Whether --debug was given: a failure then prints its traceback too."""
    return _debug


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def print_frame(frame, format: OutputFormat, raw_csv: bool = False) -> None:
    from dateline.analyst.tabular import to_csv

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
        wide(console).print(table)


def wide(terminal: Console) -> Console:
    """``terminal`` on a terminal; elsewhere (a pipe, a file) a console wide enough never to cut a cell."""
    return terminal if terminal.is_terminal else Console(width=100_000, file=terminal.file)


def read_sql(warehouse: Path | None, sql_file: str, parameters: list):
    import duckdb
    from dateline.warehouse.db import sql_text

    con = open_read(settings_from(warehouse=warehouse).warehouse)
    try:
        return con.sql(sql_text(sql_file), params=parameters).pl()
    except duckdb.Error as exc:
        fail(error_text(exc))
    finally:
        con.close()


def open_read(warehouse: Path):
    """The analysts' connection (``warehouse.db.connect_analyst``), or a one-line failure."""
    import duckdb
    from dateline.warehouse.db import WarehouseBusyError, connect_analyst

    try:
        return connect_analyst(warehouse)
    except (OSError, WarehouseBusyError) as exc:
        fail(str(exc))
    except duckdb.Error as exc:  # not a DuckDB file, or one of a newer version
        fail(f"cannot open {warehouse} as a DuckDB warehouse: {error_text(exc)}")
