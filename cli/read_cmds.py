"""Commands that read the warehouse or the inputs and write nothing to the warehouse: query, runs,
quarantine, export, report, dedupe."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from dateline.cli.common import (
    EXIT_USAGE,
    OutputFormat,
    console,
    err,
    error_text,
    fail,
    open_read,
    print_frame,
    read_sql,
    settings_from,
)
from rich.table import Table


def query(
    sql: Annotated[str, typer.Argument(help="SQL to run (read-only).")],
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="table | csv | json")] = OutputFormat.table,
    raw_csv: Annotated[bool, typer.Option("--raw-csv", help="CSV cells as stored: no ' before = + - @.")] = False,
) -> None:
    """Run SQL against the warehouse on a read-only connection that can touch no other file."""
    import duckdb

    path = settings_from(warehouse=warehouse).warehouse
    con = open_read(path)
    try:
        # DuckDB itself refuses anything that writes, reads another file or fetches an extension
        # (warehouse.db.LOCKED_READ_CONFIG): the SQL is not inspected here.
        relation = con.sql(sql)
        frame = relation.pl() if relation is not None else None
    except duckdb.Error as exc:
        fail(error_text(exc))
    finally:
        con.close()
    if frame is not None:
        print_frame(frame, format, raw_csv)


def runs(
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="table | csv | json")] = OutputFormat.table,
) -> None:
    """List the latest pipeline runs: status, counts, validation failures (v_run_health)."""
    print_frame(read_sql(warehouse, "cli/recent_runs.sql", [limit]), format)


def quarantine(
    run: Annotated[str | None, typer.Option("--run", help="Only this run (its id or a prefix of it).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many rows, newest run first.")] = 100,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="table | csv | json")] = OutputFormat.table,
) -> None:
    """List quarantined inputs with their reason and detail (v_quarantine_log)."""
    print_frame(read_sql(warehouse, "cli/quarantined.sql", [run, run, limit]), format)


def export(
    parquet: Annotated[Path, typer.Option("--parquet", help="Folder to write one .parquet file per table and view.")],
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
    internal: Annotated[bool, typer.Option("--internal", help="Also the internal columns (minhash, raw_text).")] = False,
) -> None:
    """Export every dimension, fact, run table and view as Parquet (read-only: BI tools read the files)."""
    import duckdb
    from dateline.analyst.export import export_parquet

    path = settings_from(warehouse=warehouse).warehouse
    con = open_read(path)
    try:
        written = export_parquet(con, parquet, internal=internal)
    except (duckdb.Error, OSError) as exc:
        fail(error_text(exc))
    finally:
        con.close()
    table = Table(title=f"Parquet export → {parquet}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in written.items():
        table.add_row(f"{name}.parquet", str(rows))
    console.print(table)


def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("reports/dashboard.html"),
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: DATELINE_WAREHOUSE).")] = None,
) -> None:
    """Write one self-contained HTML dashboard (plotly.js and data inlined) from the warehouse views."""
    import time

    import duckdb
    from dateline.analyst.report import write_report

    started = time.perf_counter()
    path = settings_from(warehouse=warehouse).warehouse
    con = open_read(path)
    try:
        size = write_report(con, path, out)
    except (duckdb.Error, OSError) as exc:
        fail(error_text(exc))
    finally:
        con.close()
    console.print(f"dashboard written to {out} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.2f}s",
                  highlight=False)


def dedupe(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or globs to check.")],
    as_json: Annotated[bool, typer.Option("--json", help='Print one JSON object {"groups": [...]}.')] = False,
    threshold: Annotated[float | None, typer.Option(min=0.0, max=1.0,
                                                    help="Near-duplicate Jaccard threshold (default: the pipeline's).")] = None,
) -> None:
    """Preview the exact and near-duplicate groups of the inputs (no spaCy, no warehouse write)."""
    from dateline.cli.dedupe import preview
    from dateline.flows.sources import check_inputs
    from dateline.transforms.deduplicate import NEAR_THRESHOLD

    settings = settings_from()
    try:
        check_inputs(inputs)
    except FileNotFoundError as exc:
        fail(str(exc), EXIT_USAGE)
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

