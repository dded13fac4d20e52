"""A run's frames parked as Parquet files while the spaCy workers need the memory.

During the extract stage the machine's memory belongs to the spaCy workers (a model and the working
set of a minibatch each). What the flow's own process holds then is what grows with the size of the
run: every new document's raw and cleaned text and every extracted row. Parked here, it costs disk,
not memory, until the resolve stage reads it back — after the workers have stopped.
"""

import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import polars as pl


class RunStaging:
    """A private temporary folder of Parquet files, removed when the run ends (also on failure)."""

    def __init__(self, prefix: str = "dateline-run-") -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=prefix))
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

    def __enter__(self) -> "RunStaging":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
