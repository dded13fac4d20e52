"""Rebuild a warehouse's big tables without the PRIMARY KEY their first DDL declared (``dateline migrate-keys``).

DuckDB checks a PRIMARY KEY through an ART index that it must deserialize whole into memory before an
insert (or a delete) can touch the table, and it cannot spill it: with 77 million keys in
``fact_entity_mention`` a load of a few thousand rows costs gigabytes and seconds, whatever the batch.
The load keeps those tables' keys unique itself (``warehouse/sql/load/fact_documents.sql``), and the DDL
no longer declares the constraint, so new warehouses never have it. An existing warehouse keeps working
unchanged with it (the load's statements are the same); this module converts one, only when asked.
"""

import re
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from dateline.warehouse.db import apply_schema, connect_write, run_lock, sql_files

# The tables whose key the load keeps unique: they grow with every document. The small dimensions
# (dates, sources, event types) and quarantine keep their PRIMARY KEY.
UNINDEXED_KEYS = {
    "dim_document": "document_key",
    "dim_entity": "entity_key",
    "fact_entity_mention": "mention_key",
    "fact_event": "event_key",
    "fact_event_mention": "event_mention_key",
}


def keyed_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Which of UNINDEXED_KEYS's tables still declare a PRIMARY KEY, in that order."""
    rows = con.execute(
        "select distinct table_name from duckdb_constraints() "
        "where constraint_type = 'PRIMARY KEY' and schema_name = 'main' and database_name = current_database()"
    ).fetchall()
    declared = {row[0] for row in rows}
    return [table for table in UNINDEXED_KEYS if table in declared]


def drop_primary_keys(
    con: duckdb.DuckDBPyConnection, log: Callable[[str], None] = lambda _: None
) -> dict[str, dict[str, float]]:
    """Rebuild each table of UNINDEXED_KEYS that still declares a PRIMARY KEY from its current DDL file
    (``warehouse/sql/tables/``), every row copied in order, one transaction per table: a table is either
    converted or as it was. The old constraint held the keys unique and present, so the copies are.

    Returns {table: {"rows": …, "seconds": …}} of the tables converted (none when there is nothing to do).
    """
    ddl = {name.split("_", 1)[1]: text for name, text in sql_files("tables")}
    done = {}
    for table in keyed_tables(con):
        started = time.perf_counter()
        old = f"{table}__keyed"
        con.execute("begin transaction")
        try:
            con.execute(f"alter table {table} rename to {old}")
            con.execute(ddl[table])
            # the old constraint guaranteed the keys unique and present: the copy keeps them so
            rows = con.execute(f"insert into {table} by name select * from {old}").fetchone()[0]
            con.execute(f"drop table {old}")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        done[table] = {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}
        log(f"{table}: {rows:,} rows rebuilt without the PRIMARY KEY in {done[table]['seconds']} s")
    if done:
        apply_schema(con)  # the tables' and columns' comments, on the new tables
        con.execute("checkpoint")
    return done


def migrate_keys(
    path: Path, memory_limit: str | None = None, log: Callable[[str], None] = lambda _: None
) -> dict[str, dict[str, float]]:
    """``drop_primary_keys`` on the warehouse file at ``path``, under the run lock (no run meanwhile)."""
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}")
    with run_lock(path):
        con = connect_write(path, 0.0)
        try:
            if memory_limit:
                if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit, re.IGNORECASE):
                    raise ValueError(f"bad memory limit {memory_limit!r}: give e.g. 2GB")
                con.execute(f"set memory_limit = '{memory_limit}'")
            return drop_primary_keys(con, log)
        finally:
            con.close()
