"""Finding input files and reading their bytes (the only place that touches input files)."""

import errno
import glob
import os
from pathlib import Path

from transforms.ingest import MANIFEST_NAME, input_kind, manifest_problems
from transforms.normalize import parse_given_date

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


class NothingReadableError(RuntimeError):
    """The inputs name files or folders, but not one input file in them can be read."""


def find_inputs(inputs: list[str]) -> tuple[list[str], list[dict]]:
    """Input files (sorted, each real file once) and quarantine rows for what cannot be reached.

    Like ``discover``, and more: a folder that cannot be listed, a dangling symlink and a symlink
    loop each become a quarantine row (``unreadable``, ``dangling_symlink``, ``symlink_loop``)
    instead of vanishing; symlinked folders are followed, a folder reached again through a link
    (a loop back to an ancestor, or two links) is read once; a file reached under several names (a
    glob through a symlink loop, a symlink beside its target) is read once. Each ``manifest.csv``
    beside .txt inputs is checked: a row naming a file that is not there (``manifest_missing_file``)
    or a date that is no date (``bad_date``) is quarantined. Raises FileNotFoundError when an input
    names nothing, NothingReadableError when none of what they name can be read.
    """
    check_inputs(inputs)
    found: dict[str, str] = {}  # real path → the path it was first found under
    rejected: list[dict] = []
    walked: set[tuple[int, int]] = set()
    for spec in inputs:
        matches = sorted(glob.glob(spec, recursive=True)) if glob.has_magic(spec) else [spec]
        for match in matches:
            _visit(match, found, rejected, walked, explicit=True, ancestors=())
    files = sorted(found.values())
    rejected.extend(_manifest_rows(files))
    if not files and rejected:
        reasons = "; ".join(f"{r['source_path']}: {r['detail']}" for r in rejected[:5])
        raise NothingReadableError(f"no input file could be read ({reasons})")
    return files, rejected


def _visit(path: str, found: dict, rejected: list, walked: set, explicit: bool, ancestors: tuple) -> None:
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            rejected.append(_reject(path, "symlink_loop", f"symlink loop: {os.readlink(path) if os.path.islink(path) else path}"))
        elif os.path.islink(path):
            rejected.append(_reject(path, "dangling_symlink", f"symlink to {os.readlink(path)!r}, which does not exist"))
        else:
            rejected.append(_reject(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))
        return
    if os.path.isdir(path):
        identity = (info.st_dev, info.st_ino)
        if identity in ancestors:
            rejected.append(_reject(path, "symlink_loop", f"leads back to a folder it is inside of ({os.path.realpath(path)})"))
            return
        if identity in walked:
            return  # the same folder through another link: its files are already in
        walked.add(identity)
        try:
            with os.scandir(path) as listing:
                names = sorted(entry.name for entry in listing)
        except OSError as exc:
            rejected.append(_reject(path, "unreadable", f"folder cannot be listed: {type(exc).__name__}: {exc.strerror or exc}"))
            return
        for name in names:
            _visit(os.path.join(path, name), found, rejected, walked, False, (*ancestors, identity))
        return
    name = os.path.basename(path)
    if name.lower() == MANIFEST_NAME:
        return
    if not explicit and (not os.path.isfile(path) or Path(name).suffix.lower() not in INPUT_SUFFIXES):
        return
    found.setdefault(os.path.realpath(path), path)


def _manifest_rows(files: list[str]) -> list[dict]:
    """``manifest_problems`` of each manifest.csv beside the .txt inputs."""
    rows: list[dict] = []
    folders = sorted({os.path.dirname(f) for f in files if input_kind(f) == "txt"})
    for folder in folders:
        manifest = os.path.join(folder, MANIFEST_NAME)
        if not os.path.isfile(manifest):
            continue
        try:
            with open(manifest, "rb") as handle:
                data = handle.read()
            present = set(os.listdir(folder or "."))
        except OSError:
            continue  # read_files quarantines an unreadable manifest
        rows.extend(manifest_problems(manifest, data, present, parse_given_date))
    return rows


def discover(inputs: list[str]) -> list[str]:
    """The input files of ``find_inputs`` (folders recursively, globs expanded, each real file once),
    without the quarantine rows: for previews that load nothing.

    Folders contribute their .txt, .jsonl, .ndjson and .csv files; ``manifest.csv`` files are not
    inputs themselves (``read_files`` adds the one beside each .txt file). Raises FileNotFoundError
    when an input names nothing, so a typo is not a silent empty run.
    """
    return find_inputs(inputs)[0]


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
