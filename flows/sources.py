"""Finding input files and reading their bytes (the only place that touches input files)."""

import glob
import os
from pathlib import Path

from transforms.ingest import MANIFEST_NAME, input_kind

INPUT_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".csv")
# A .jsonl file bigger than the per-file limit is read in line-aligned pieces of at most the limit;
# UTF-16 cannot be cut at a newline byte, so such files stay whole (and too large).
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def check_inputs(inputs: list[str]) -> None:
    """Raise FileNotFoundError naming the first input that matches no file or folder (nothing is read)."""
    for spec in inputs:
        matches = glob.glob(spec, recursive=True) if glob.has_magic(spec) else [spec]
        if not matches or not any(os.path.lexists(m) for m in matches):
            raise FileNotFoundError(f"input {spec!r} matches no file or folder")


def discover(inputs: list[str]) -> list[str]:
    """Expand files, folders (recursively) and globs into a sorted, de-duplicated list of input files.

    Folders contribute their .txt, .jsonl, .ndjson and .csv files; ``manifest.csv`` files are not
    inputs themselves (``read_files`` adds the one beside each .txt file). Raises FileNotFoundError
    when an input names nothing, so a typo is not a silent empty run.
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
                    str(p)
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and p.name.lower() != MANIFEST_NAME
                )
            elif path.is_file() and path.name.lower() != MANIFEST_NAME:
                found.add(str(path))
    return sorted(found)


def read_files(paths: list[str], max_bytes: int) -> tuple[list[tuple], list[dict]]:
    """Read each file's bytes → (items for ``parse_inputs``, quarantine rows).

    Each folder's ``manifest.csv`` is added once, before the first .txt file of that folder, so a
    batch carries the metadata of its own files. A file over ``max_bytes`` is quarantined
    ('too_large') without being read, except a .jsonl file, which is read in line-aligned pieces of
    at most ``max_bytes`` (items ``(path, bytes, first_line)``); only a single line over the limit
    is then rejected.
    """
    items: list[tuple] = []
    rejected: list[dict] = []
    manifests_seen: set[Path] = set()
    for path in paths:
        if input_kind(path) == "txt":
            manifest = Path(path).parent / MANIFEST_NAME
            if manifest.parent not in manifests_seen:
                manifests_seen.add(manifest.parent)
                if manifest.is_file():
                    _read_whole(str(manifest), max_bytes, items, rejected)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            rejected.append(_reject(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))
            continue
        if size > max_bytes and input_kind(path) == "jsonl":
            _read_jsonl_pieces(path, max_bytes, items, rejected)
        else:
            _read_whole(path, max_bytes, items, rejected)
    return items, rejected


def _read_whole(path: str, max_bytes: int, items: list, rejected: list) -> None:
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            rejected.append(
                _reject(path, "too_large", f"{size} bytes > limit {max_bytes} (DATELINE_MAX_FILE_BYTES)")
            )
            return
        with open(path, "rb") as handle:
            items.append((path, handle.read()))
    except OSError as exc:
        rejected.append(_reject(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))


def _read_jsonl_pieces(path: str, max_bytes: int, items: list, rejected: list) -> None:
    """Stream a big .jsonl file into pieces of whole lines, each at most ``max_bytes``."""
    try:
        with open(path, "rb") as handle:
            if handle.read(2) in _UTF16_BOMS:
                size = os.path.getsize(path)
                rejected.append(
                    _reject(path, "too_large", f"{size} bytes > limit {max_bytes}; UTF-16 JSONL is not split")
                )
                return
            handle.seek(0)
            piece: list[bytes] = []
            piece_bytes, first_line, line_number = 0, 1, 0
            for line in handle:
                line_number += 1
                if len(line) > max_bytes:
                    rejected.append(
                        _reject(
                            path,
                            "too_large",
                            f"line {line_number}: {len(line)} bytes > limit {max_bytes}",
                            record=line_number,
                        )
                    )
                    line = b"\n"  # keep the numbering of the following lines
                if piece and piece_bytes + len(line) > max_bytes:
                    items.append((path, b"".join(piece), first_line))
                    piece, piece_bytes, first_line = [], 0, line_number
                piece.append(line)
                piece_bytes += len(line)
            if piece:
                items.append((path, b"".join(piece), first_line))
    except OSError as exc:
        rejected.append(_reject(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))


def _reject(path: str, reason: str, detail: str, record: int | None = None) -> dict:
    return {"source_path": path, "record": record, "reason": reason, "detail": detail}
