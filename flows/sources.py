"""Finding input files and reading their bytes (the only place that touches input files)."""

import glob
import os
from pathlib import Path

INPUT_SUFFIXES = (".txt",)
MANIFEST_NAME = "manifest.csv"


def discover(inputs: list[str]) -> list[str]:
    """Expand files, folders (recursively) and globs into a sorted, de-duplicated list of input files.

    Raises FileNotFoundError when an input names nothing, so a typo is not a silent empty run.
    """
    found: set[str] = set()
    for spec in inputs:
        matches = glob.glob(spec, recursive=True) if glob.has_magic(spec) else [spec]
        if not matches or not any(os.path.exists(m) for m in matches):
            raise FileNotFoundError(f"input {spec!r} matches no file or folder")
        for match in matches:
            path = Path(match)
            if path.is_dir():
                found.update(
                    str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                )
            elif path.is_file() and path.name != MANIFEST_NAME:
                found.add(str(path))
    return sorted(found)


def read_files(paths: list[str], max_bytes: int) -> tuple[list[tuple[str, bytes]], list[dict]]:
    """Read each file's bytes; files over ``max_bytes`` or unreadable become quarantine rows instead.

    The size is checked before reading, so an oversized file never enters memory.
    """
    items, rejected = [], []
    for path in paths:
        try:
            size = os.path.getsize(path)
            if size > max_bytes:
                rejected.append(_reject(path, "too_large", f"{size} bytes > limit {max_bytes} (DATELINE_MAX_FILE_BYTES)"))
                continue
            with open(path, "rb") as handle:
                items.append((path, handle.read()))
        except OSError as exc:
            rejected.append(_reject(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))
    return items, rejected


def _reject(path: str, reason: str, detail: str) -> dict:
    return {"source_path": path, "record": None, "reason": reason, "detail": detail}
