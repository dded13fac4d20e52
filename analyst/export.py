"""Export the warehouse as Parquet files, one per table and view, for BI tools that should not hold the DuckDB lock.

The warehouse is read through the analysts' locked connection (``warehouse.db.connect_analyst``),
which can touch no file but the warehouse; the Parquet files are written here, by pyarrow, from
the record batches that connection streams out.
"""

import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

# Every base table and view of the warehouse's main schema (dimensions, facts, run records, views).
_OBJECTS = """
select table_name, table_type
from information_schema.tables
where table_catalog = current_database() and table_schema = 'main'
order by table_type, table_name
"""

# Columns the pipeline keeps for itself, not for analysts: the raw decoded text (for re-running the
# boilerplate rules) and the MinHash signature (near-duplicates across runs). ``--internal`` keeps them.
INTERNAL_COLUMNS = {"dim_document": ("raw_text", "minhash")}
_BATCH_ROWS = 100_000


def warehouse_objects(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'BASE TABLE' | 'VIEW') of every table and view in the warehouse, tables first."""
    return [(name, kind) for name, kind in con.execute(_OBJECTS).fetchall()]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path, internal: bool = False) -> dict[str, int]:
    """Write each table and view to ``out_dir/<name>.parquet`` (zstd); return rows written per name.

    Rows stream through in record batches, so a large table never sits in memory whole. Each file is
    written beside its target and renamed over it, so a reader never sees half a file; other files in
    ``out_dir`` are left alone. Without ``internal``, ``INTERNAL_COLUMNS`` are left out.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, _ in warehouse_objects(con):
        hidden = () if internal else INTERNAL_COLUMNS.get(name, ())
        columns = "* exclude (" + ", ".join(_quoted(c) for c in hidden) + ")" if hidden else "*"
        reader = con.sql(f"select {columns} from {_quoted(name)}").to_arrow_reader(_BATCH_ROWS)
        target = out_dir / f"{name}.parquet"
        partial = out_dir / f".{name}.parquet.partial"
        rows = 0
        try:
            with pq.ParquetWriter(partial, reader.schema, compression="zstd") as writer:
                for batch in reader:
                    writer.write_batch(batch)
                    rows += batch.num_rows
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        written[name] = rows
    return written
