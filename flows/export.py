"""Export the warehouse as Parquet files, one per table and view, for BI tools that should not hold the DuckDB lock."""

from pathlib import Path

import duckdb

# Every base table and view of the warehouse's main schema (dimensions, facts, run records, views).
_OBJECTS = """
select table_name, table_type
from information_schema.tables
where table_catalog = current_database() and table_schema = 'main'
order by table_type, table_name
"""


def warehouse_objects(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'BASE TABLE' | 'VIEW') of every table and view in the warehouse, tables first."""
    return [(name, kind) for name, kind in con.execute(_OBJECTS).fetchall()]


def _sql_string(text: str) -> str:
    # COPY takes its target as a literal, not a bound parameter.
    return "'" + text.replace("'", "''") + "'"


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Write each table and view to ``out_dir/<name>.parquet`` with DuckDB's COPY; return rows written per name.

    Works on a read-only connection (COPY TO writes files, not the database). Existing files of the same
    name are replaced; other files in ``out_dir`` are left alone.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, _ in warehouse_objects(con):
        target = out_dir / f"{name}.parquet"
        identifier = '"' + name.replace('"', '""') + '"'
        rows = con.execute(
            f"copy (select * from {identifier}) to {_sql_string(str(target))} (format parquet, compression zstd)"
        ).fetchone()
        written[name] = int(rows[0]) if rows else 0
    return written
