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

SQL_ROOT = resources.files("warehouse") / "sql"


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse (a run, or a reader such as a BI tool)."""


# Failures worth retrying (an I/O hiccup, a warehouse briefly held by another process); anything else is a bug.
TRANSIENT_ERRORS = (OSError, duckdb.IOException, WarehouseBusyError)


def sql_text(relative: str) -> str:
    """The text of a .sql file under warehouse/sql/."""
    return (SQL_ROOT / relative).read_text(encoding="utf-8")


def sql_files(folder: str) -> list[tuple[str, str]]:
    """(name, text) of every .sql file in a folder under warehouse/sql/, in file-name order."""
    entries = sorted((p for p in (SQL_ROOT / folder).iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name.removesuffix(".sql"), p.read_text(encoding="utf-8")) for p in entries]


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and (re)create every view; idempotent."""
    for _, ddl in sql_files("tables"):
        con.execute(ddl)
    for _, ddl in sql_files("views"):
        con.execute(ddl)


def _holder(message: str) -> str:
    # DuckDB names the holder: 'Conflicting lock is held in /usr/bin/python3.11 (PID 4242)'.
    match = re.search(r"held in (.+?) \(PID (\d+)\)", message) or re.search(r"\(PID (\d+)\)", message)
    if match is None:
        return "another process"
    if match.lastindex == 2:
        return f"process {match.group(2)} ({match.group(1)})"
    return f"process {match.group(1)}"


def connect_write(path: Path, timeout: float) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing, retrying while another process holds it, for up to ``timeout`` s.

    Raises WarehouseBusyError naming the holder's PID when DuckDB reports one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        try:
            con = duckdb.connect(str(path))
            apply_schema(con)
            return con
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"warehouse {path} is held by {_holder(str(exc))} (waited {timeout:.0f}s); "
                    "close readers that open it read-write, or read it with `dateline query`"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def connect_read(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: never blocks other readers, never writes."""
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `dateline run` first")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        raise WarehouseBusyError(f"warehouse {path} is being written by {_holder(str(exc))}; try again") from exc


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a whole run so two runs never interleave; a second run is refused at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".run.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise WarehouseBusyError(
                f"another dateline run (pid {holder}) is writing {path}; refused (try again when it ends)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
