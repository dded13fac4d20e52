"""Finding input files, deciding what each one is, and reading their bytes (the only place that touches them).

``transforms/ingest.py`` parses what is read here (``InputBytes``: path, kind, bytes); the size limit
is checked in one place (``_read``), and each folder's ``manifest.csv`` is found by ``manifest_of``.
"""

import errno
import glob
import os
from pathlib import Path

from dateline.transforms.ingest import InputBytes, manifest_problems
from dateline.transforms.normalize import parse_given_date

MANIFEST_NAME = "manifest.csv"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
INPUT_SUFFIXES = (".txt", *JSONL_SUFFIXES, *CSV_SUFFIXES)
# A .jsonl file bigger than the per-file limit is read in line-aligned pieces of at most the limit;
# UTF-16 cannot be cut at a newline byte, so such files stay whole (and too large).
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def input_kind(source_path: str) -> str:
    """ "manifest", "jsonl", "csv" or "txt" (anything else is read as plain text)."""
    path = Path(source_path)
    if path.name.lower() == MANIFEST_NAME:
        return "manifest"
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    return "txt"


def manifest_of(folder: str | Path) -> Path | None:
    """The ``manifest.csv`` of a folder of .txt inputs, if it has one."""
    manifest = Path(folder or ".") / MANIFEST_NAME
    return manifest if manifest.is_file() else None


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
    walk = _Walk()
    for spec in inputs:
        matches = sorted(glob.glob(spec, recursive=True)) if glob.has_magic(spec) else [spec]
        for match in matches:
            walk.visit(match, explicit=True, ancestors=())
    files = sorted(walk.found.values())
    rejected = walk.rejected + _manifest_rows(files)
    if not files and rejected:
        reasons = "; ".join(f"{r['source_path']}: {r['detail']}" for r in rejected[:5])
        raise NothingReadableError(f"no input file could be read ({reasons})")
    return files, rejected


def count_records(files: list[str], limit: int) -> int:
    """About how many documents ``files`` hold, counted up to ``limit`` without parsing anything: the lines
    of a .jsonl / .csv file (less a .csv header), one per other file, no manifest. Cheap (bytes counted,
    stopping at ``limit``); an estimate, for deciding before ingest whether a run is worth spaCy workers.
    """
    count = 0
    for path in files:
        if count >= limit:
            break
        kind = input_kind(path)
        if kind == "txt":
            count += 1
        elif kind in ("jsonl", "csv"):
            try:
                count += _count_lines(path, limit - count) - (kind == "csv")
            except OSError:
                continue  # ingest quarantines it
    return min(count, limit)


def _count_lines(path: str, limit: int) -> int:
    """Non-empty lines of ``path``, counted up to ``limit``."""
    lines = 0
    with open(path, "rb") as handle:
        tail = b""
        while lines < limit and (block := handle.read(1 << 20)):
            block = tail + block
            parts = block.split(b"\n")
            tail = parts.pop()
            lines += sum(1 for part in parts if part.strip())
        if tail.strip():
            lines += 1
    return lines


class _Walk:
    """What a walk over the inputs found: each real file once, and what could not be reached."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}  # real path → the path it was first found under
        self.rejected: list[dict] = []
        self.walked: set[tuple[int, int]] = set()  # (device, inode) of the folders listed

    def visit(self, path: str, explicit: bool, ancestors: tuple) -> None:
        try:
            info = os.stat(path)
        except OSError as exc:
            self.rejected.append(_unreachable(path, exc))
            return
        if os.path.isdir(path):
            self._visit_folder(path, (info.st_dev, info.st_ino), ancestors)
            return
        name = os.path.basename(path)
        if name.lower() == MANIFEST_NAME:
            return
        if not explicit and (not os.path.isfile(path) or Path(name).suffix.lower() not in INPUT_SUFFIXES):
            return
        self.found.setdefault(os.path.realpath(path), path)

    def _visit_folder(self, path: str, identity: tuple[int, int], ancestors: tuple) -> None:
        if identity in ancestors:
            self.rejected.append(
                _reject(path, "symlink_loop", f"leads back to a folder it is inside of ({os.path.realpath(path)})")
            )
            return
        if identity in self.walked:
            return  # the same folder through another link: its files are already in
        self.walked.add(identity)
        try:
            with os.scandir(path) as listing:
                names = sorted(entry.name for entry in listing)
        except OSError as exc:
            self.rejected.append(
                _reject(path, "unreadable", f"folder cannot be listed: {type(exc).__name__}: {exc.strerror or exc}")
            )
            return
        for name in names:
            self.visit(os.path.join(path, name), False, (*ancestors, identity))


def _unreachable(path: str, exc: OSError) -> dict:
    """The quarantine row of a path that cannot even be stat'ed."""
    if exc.errno == errno.ELOOP:
        return _reject(path, "symlink_loop", f"symlink loop: {os.readlink(path) if os.path.islink(path) else path}")
    if os.path.islink(path):
        return _reject(path, "dangling_symlink", f"symlink to {os.readlink(path)!r}, which does not exist")
    return _reject(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}")


def _manifest_rows(files: list[str]) -> list[dict]:
    """``manifest_problems`` of each manifest.csv beside the .txt inputs."""
    rows: list[dict] = []
    folders = sorted({os.path.dirname(f) for f in files if input_kind(f) == "txt"})
    for folder in folders:
        manifest = manifest_of(folder)
        if manifest is None:
            continue
        try:
            data = manifest.read_bytes()
            present = set(os.listdir(folder or "."))
        except OSError:
            continue  # read_files quarantines an unreadable manifest
        rows.extend(manifest_problems(str(manifest), data, present, parse_given_date))
    return rows


def discover(inputs: list[str]) -> list[str]:
    """The input files of ``find_inputs`` (folders recursively, globs expanded, each real file once),
    without the quarantine rows: for previews that load nothing.

    Folders contribute their .txt, .jsonl, .ndjson and .csv files; ``manifest.csv`` files are not
    inputs themselves (``read_files`` adds the one beside each .txt file). Raises FileNotFoundError
    when an input names nothing, so a typo is not a silent empty run.
    """
    return find_inputs(inputs)[0]


def read_files(paths: list[str], max_bytes: int) -> tuple[list[InputBytes], list[dict]]:
    """Read each file's bytes → (items for ``ingest.parse_inputs``, quarantine rows).

    Each folder's ``manifest.csv`` is added once, before the first .txt file of that folder, so a
    batch carries the metadata of its own files. A file over ``max_bytes`` is quarantined
    ('too_large') without being read, except a .jsonl file, which is read in line-aligned pieces of
    at most ``max_bytes`` (each item with the number of its first line); only a single line over the
    limit is then rejected.
    """
    items: list[InputBytes] = []
    rejected: list[dict] = []
    manifests_seen: set[Path] = set()
    for path in paths:
        kind = input_kind(path)
        folder = Path(path).parent
        if kind == "txt" and folder not in manifests_seen:
            manifests_seen.add(folder)
            manifest = manifest_of(folder)
            if manifest is not None:
                _read(str(manifest), "manifest", max_bytes, items, rejected)
        _read(path, kind, max_bytes, items, rejected)
    return items, rejected


def _read(path: str, kind: str, max_bytes: int, items: list, rejected: list) -> None:
    """Read one file as ``kind``: whole when it is within ``max_bytes``; a bigger .jsonl file in pieces;
    anything else bigger is quarantined unread."""
    try:
        size = os.path.getsize(path)
        if size <= max_bytes:
            with open(path, "rb") as handle:
                items.append(InputBytes(path, kind, handle.read()))
        elif kind == "jsonl":
            _read_jsonl_pieces(path, max_bytes, items, rejected)
        else:
            rejected.append(
                _reject(path, "too_large", f"{size} bytes > limit {max_bytes} (DATELINE_MAX_FILE_BYTES)")
            )
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
                    items.append(InputBytes(path, "jsonl", b"".join(piece), first_line))
                    piece, piece_bytes, first_line = [], 0, line_number
                piece.append(line)
                piece_bytes += len(line)
            if piece:
                items.append(InputBytes(path, "jsonl", b"".join(piece), first_line))
    except OSError as exc:
        rejected.append(_reject(path, "unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))


def _reject(path: str, reason: str, detail: str, record: int | None = None) -> dict:
    return {"source_path": path, "record": record, "reason": reason, "detail": detail}
