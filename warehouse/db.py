"""Connections to the warehouse file: short-lived writers, read-only readers, a run lock."""

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

SQL_ROOT = resources.files("dateline.warehouse") / "sql"


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse (a run, or a reader such as a BI tool)."""


# Failures worth a task retry (an I/O hiccup); anything else is a bug. A warehouse held by another
# process is not among them: the connection itself waits lock_timeout for it, once.
TRANSIENT_ERRORS = (OSError, duckdb.IOException)


def sql_text(relative: str) -> str:
    """The text of a .sql file under warehouse/sql/."""
    return (SQL_ROOT / relative).read_text(encoding="utf-8")


def sql_files(folder: str) -> list[tuple[str, str]]:
    """(name, text) of every .sql file in a folder under warehouse/sql/, in file-name order."""
    entries = sorted((p for p in (SQL_ROOT / folder).iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name.removesuffix(".sql"), p.read_text(encoding="utf-8")) for p in entries]


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and (re)create every view, with their comments; idempotent.

    An index table (``fills/<table>.sql``) that is empty is filled from what it indexes: once, for a
    warehouse created before it (on an empty warehouse the fill finds nothing). The emptiness is asked
    here: in SQL, DuckDB computes a fill's rows before a ``not exists`` tells it they are not needed, and
    that is a pass over every mention at each write.
    """
    for _, ddl in sql_files("tables"):
        con.execute(ddl)
    for table, fill in sql_files("fills"):
        if not con.execute(f"select exists (select 1 from {table})").fetchone()[0]:
            con.execute(fill)
    for _, ddl in sql_files("views"):
        con.execute(ddl)
    for statement in comment_statements():
        con.execute(statement)


def rebuild_indexes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop and create again every explicit index of the warehouse (``create index`` in ``tables/``), from
    its table's rows, in one transaction → the names of the indexes rebuilt.

    For a load run again after a commit that failed for want of memory (``flows.tasks.load_warehouse``):
    such a commit leaves the warehouse's rows as they were, but not always its ART indexes — at 1,000,000
    documents under a 1GB bound, every later load into the warehouse, in any process, failed with "FATAL
    Error: Corrupted ART index" until the index of ``document_lsh_band`` was built again. The warehouse's
    own DDL declares no explicit index since stop 29 (that one went: ``tables/12_document_lsh_band.sql``),
    so this rebuilds only what a user added.
    """
    indexes = con.execute(
        "select index_name, sql from duckdb_indexes() where sql is not null order by index_name").fetchall()
    con.execute("begin transaction")
    try:
        for name, ddl in indexes:
            con.execute(f'drop index "{name}"')
            con.execute(ddl)
        con.execute("commit")
    except duckdb.Error:
        con.execute("rollback")
        raise
    return [name for name, _ in indexes]


# The DDL's own comments are the documentation: "-- name: what a row is" on a file's first line, and
# "column type ... -- what it means" on a column's line (also an "alter table … add column" line).
_OBJECT_COMMENT = re.compile(r"^--\s*(\w+):\s*(.+)$")
_COLUMN_COMMENT = re.compile(
    r"^\s*(?:alter table (\w+) add column if not exists\s+)?(\w+)\s+[\w\[\]().,\s]+?;?\s*--\s*(.+)$", re.IGNORECASE)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_statements() -> list[str]:
    """COMMENT ON statements for every table, view and documented column, from the DDL's comments,
    so BI tools (and ``duckdb_tables()`` / ``duckdb_columns()``) tell what each one means."""
    statements = []
    for folder, kind in (("tables", "table"), ("views", "view")):
        for _, ddl in sql_files(folder):
            lines = ddl.splitlines()
            header = _OBJECT_COMMENT.match(lines[0]) if lines else None
            if header is None:
                continue
            name = header.group(1)
            statements.append(f"comment on {kind} {name} is {_literal(header.group(2).strip())}")
            if kind != "table":
                continue
            for line in lines[1:]:
                match = _COLUMN_COMMENT.match(line)
                if match and match.group(2).lower() not in ("create", "alter", "primary", "select"):
                    table = match.group(1) or name
                    statements.append(
                        f"comment on column {table}.{match.group(2)} is {_literal(match.group(3).strip())}")
    return statements


def _holder(message: str) -> str:
    # DuckDB names the holder: 'Conflicting lock is held in /usr/bin/python3.11 (PID 4242)'.
    match = re.search(r"held in (.+?) \(PID (\d+)\)", message) or re.search(r"\(PID (\d+)\)", message)
    if match is None:
        return "another process"
    if match.lastindex == 2:
        return f"process {match.group(2)} ({match.group(1)})"
    return f"process {match.group(1)}"


def connect_write(path: Path, timeout: float, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, retrying while another process holds it, for up to ``timeout`` s.

    ``memory_limit`` (e.g. "1GB"): DuckDB's memory_limit for this connection (None or "duckdb": DuckDB's
    default), except on a warehouse whose big tables still declare a PRIMARY KEY (``_holds_key_indexes``).
    Raises WarehouseBusyError naming the holder's PID (and program) when DuckDB reports one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open_retrying(path, timeout, read_only=False, config=_memory_config(memory_limit))
    try:
        if _memory_config(memory_limit) and _holds_key_indexes(con):
            con.execute("reset memory_limit")
        apply_schema(con)
    except BaseException:
        con.close()
        raise
    return con


def _holds_key_indexes(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a big table still declares the PRIMARY KEY the load now keeps itself (a warehouse made
    before issue 16, not converted by ``dateline migrate-keys``). DuckDB holds such an index whole in
    memory for an insert or a delete and cannot spill it (77 million mention keys: 1.9 GB), so a load
    under a smaller memory_limit fails: such a warehouse is written with DuckDB's default, as before."""
    from dateline.warehouse.migrate import keyed_tables  # migrate imports this module

    return bool(keyed_tables(con))


def connect_read(path: Path, timeout: float = 0.0, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection: never blocks other readers, never writes.

    Only a process holding the file read-write blocks it; then it retries for up to ``timeout`` s
    (0: fail at once, as ``dateline query`` does) and raises WarehouseBusyError naming the holder.
    """
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `dateline run` first")
    return _open_retrying(path, timeout, read_only=True, config=_memory_config(memory_limit))


# ``warehouse_memory_limit`` (flows/settings.py) naming DuckDB's own default: no memory_limit is set.
DUCKDB_DEFAULT = "duckdb"


def out_of_memory(exc: BaseException) -> bool:
    """Whether DuckDB failed for want of memory under its memory_limit: an ``OutOfMemoryException`` in a
    statement, or a COMMIT that could not allocate (DuckDB raises that one as a ``TransactionException``
    "Failed to commit: could not allocate block …" or "… failed to pin block …" and has rolled the
    transaction back)."""
    if isinstance(exc, duckdb.OutOfMemoryException):
        return True
    text = str(exc)
    return isinstance(exc, duckdb.Error) and any(
        words in text for words in ("could not allocate", "failed to allocate", "failed to pin block")
    )


def corrupted_index(exc: BaseException) -> bool:
    """Whether DuckDB refused a write because an ART index of the warehouse is corrupt: what an earlier
    commit that failed for memory could leave behind (``rebuild_indexes`` mends it)."""
    return isinstance(exc, duckdb.Error) and "Corrupted ART index" in str(exc)


def bounded(memory_limit: str | None) -> bool:
    """Whether ``memory_limit`` (the run's ``warehouse_memory_limit``) sets a limit of its own."""
    return bool(_memory_config(memory_limit))


def _memory_config(memory_limit: str | None) -> dict:
    """The connection config that sets DuckDB's memory_limit (the run's ``warehouse_memory_limit``);
    None or ``DUCKDB_DEFAULT`` leave DuckDB's own (80 % of RAM)."""
    return {"memory_limit": memory_limit} if memory_limit and memory_limit != DUCKDB_DEFAULT else {}


# What an analyst's connection (``dateline query``, ``report``, ``export``) may do is decided by the
# engine, not by reading the SQL: no file outside the database (no COPY … TO, read_csv, ATTACH,
# EXPORT, INSTALL, whatever statement they hide in), no extension fetched or loaded behind a query's
# back, and no SET that turns any of it back on.
LOCKED_READ_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def connect_analyst(path: Path, timeout: float = 0.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection that can touch no file but the warehouse and whose configuration is locked.

    Any statement that would write the warehouse, read or write another file, or download or load
    an extension fails inside DuckDB (PermissionException / read-only error), whatever its shape.
    Raises FileNotFoundError when ``path`` is missing, ``IsADirectoryError`` when it is a folder.
    """
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `dateline run` first")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a DuckDB warehouse file")
    return _open_retrying(path, timeout, read_only=True, config=LOCKED_READ_CONFIG)


def _open_retrying(
    path: Path, timeout: float, read_only: bool, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                advice = (
                    "try again when it ends" if read_only
                    else "close readers that open it read-write, or read it with `dateline query`"
                )
                raise WarehouseBusyError(
                    f"warehouse {path} is held by {_holder(str(exc))} (waited {timeout:.0f}s); {advice}"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a whole run so two runs never interleave; a second run is refused at once.

    The lock belongs to the file, not to the name it was given: ``path`` is resolved to its real path
    (symlinks, ``..``) and the lock file sits beside that, and an existing warehouse file is also
    locked itself (``flock``, which DuckDB's own ``fcntl`` locks do not see), so a hard link or any
    other name of the same file meets the same lock.
    """
    real = Path(os.path.realpath(path))
    real.parent.mkdir(parents=True, exist_ok=True)
    lock_path = real.with_name(real.name + ".run.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    identity = None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise WarehouseBusyError(
                f"another dateline run (pid {holder}) is writing {path}; refused (try again when it ends)"
            ) from None
        if real.is_file():
            # Kept open to the end of the run: closing it earlier would drop the lock. DuckDB's locks
            # are per process and closing any descriptor of the file drops them, so this one is closed
            # only after the run's connections are (the ``with`` body).
            identity = os.open(real, os.O_RDONLY)
            try:
                fcntl.flock(identity, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WarehouseBusyError(
                    f"another dateline run is writing {path} under another name (a hard link); refused "
                    "(try again when it ends)"
                ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        if identity is not None:
            os.close(identity)
        os.close(fd)
