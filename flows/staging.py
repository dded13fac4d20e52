"""A run's frames parked as Parquet files while the spaCy workers need the memory.

During the extract stage the machine's memory belongs to the spaCy workers (a model and the working
set of a minibatch each). What the flow's own process holds then is what grows with the size of the
run: every new document's raw and cleaned text and every extracted row. Parked here, it costs disk,
not memory, until the resolve stage reads it back — after the workers have stopped.
"""

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import TracebackType

import polars as pl

PREFIX = "dateline-run-"
_LOCK_NAME = ".owner.lock"


def remove_stale(prefix: str = PREFIX, parent: Path | None = None) -> list[Path]:
    """Remove the staging folders of runs that are gone (killed with -9, a crashed machine); return them.

    A live run holds an exclusive lock on a file in its folder for as long as it lives; the kernel
    drops the lock when the process ends, however it ends. A folder whose lock can be taken belongs
    to no live run. A folder without the lock file is either being created this instant or left by
    a version before the lock: it is removed only once an hour old. Folders of live runs stay.
    """
    removed = []
    for folder in sorted(Path(parent or tempfile.gettempdir()).glob(prefix + "*")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        try:
            fd = os.open(folder / _LOCK_NAME, os.O_RDONLY)
        except FileNotFoundError:
            if time.time() - folder.stat().st_mtime < 3600:
                continue
            fd = None
        except OSError:
            continue  # not ours to judge (another user's folder)
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live run
        finally:
            if fd is not None:
                os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


class RunStaging:
    """A private temporary folder of Parquet files, removed when the run ends (also on failure).

    The folder of a run killed before it could remove it is removed by the next run (``remove_stale``).
    """

    def __init__(self, prefix: str = PREFIX) -> None:
        remove_stale(prefix)
        self.folder = Path(tempfile.mkdtemp(prefix=prefix))
        self._lock = os.open(self.folder / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self._parts: dict[str, list[Path]] = {}
        self._schemas: dict[str, pl.Schema] = {}

    def park(self, name: str, frame: pl.DataFrame) -> None:
        """Add ``frame`` as the next part of ``name``; parts come back in the order they were parked."""
        parts = self._parts.setdefault(name, [])
        self._schemas.setdefault(name, frame.schema)
        path = self.folder / f"{name}-{len(parts):05d}.parquet"
        frame.write_parquet(path, statistics=False)
        parts.append(path)

    def take(self, name: str, schema: pl.Schema) -> pl.DataFrame:
        """All parts of ``name`` as one frame, with the dtypes they were parked with, and their files removed.

        ``schema`` gives the empty frame when nothing was parked under ``name``.
        """
        parts = self._parts.pop(name, [])
        if not parts:
            return schema.to_frame()
        frame = pl.concat([pl.read_parquet(p) for p in parts]).cast(dict(self._schemas.pop(name)))
        for p in parts:
            p.unlink()
        return frame

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> "RunStaging":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
