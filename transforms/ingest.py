"""Raw input files → one row per document (no NLP yet), plus quarantine rows for what cannot be read.

Formats: ``.txt`` (one article per file, first non-empty line = title), ``.jsonl``/``.ndjson`` and
``.csv`` (one article per record), and ``manifest.csv`` beside ``.txt`` files (``file, url, source,
published`` per file). The caller (``flows/sources.py``) decides what each path is and reads its bytes,
and hands them over as ``InputBytes``; this module only parses them, so it is pure and testable.
"""

import csv
import io
import json
from collections.abc import Iterable
from pathlib import PurePath
from typing import NamedTuple

import polars as pl
from dateline.transforms.decode import UndecodableError, decode_bytes, decode_raw, repair_text
from dateline.transforms.frames import rows_frame
from dateline.transforms.keys import make_key, sha256_hex

RAW_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,  # make_key(fingerprint, document_id): same bytes + same id → same key
        "document_id": pl.String,  # the record's id (else "file:record"), or the file name for .txt
        "fingerprint": pl.String,  # sha256 of the raw bytes (of the .txt file, or of the record)
        "source_path": pl.String,
        "record": pl.Int64,  # 1-based line (.jsonl) or data row (.csv), null for .txt
        "encoding": pl.String,
        "raw_text": pl.String,  # decoded, before any cleaning: kept so rules can be re-run
        "title": pl.String,  # given by the record; null for .txt, whose first line is the title
        "url": pl.String,
        "source_name": pl.String,
        "published": pl.String,  # as given by the record or manifest (parsed in normalize)
        "extra": pl.String,  # JSON object of the record's (or manifest row's) other fields, sorted keys
    }
)

QUARANTINE_SCHEMA = pl.Schema(
    {
        "source_path": pl.String,
        "record": pl.Int64,  # the bad line/row of a record file, null when the whole file is rejected
        "reason": pl.String,  # short machine-readable reason: empty, undecodable, malformed_json, ...
        "detail": pl.String,  # human-readable detail
    }
)

# Record field → accepted column names, first match wins. The first name is the documented one;
# the others let common corpora (allsides: "date"; BASIL: "uuid") load as they are.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "document_id", "doc_id", "uuid", "article_id"),
    "title": ("title", "headline"),
    "text": ("text", "body", "content", "article", "maintext"),
    "url": ("url", "link"),
    "source": ("source", "source_name", "outlet", "publisher"),
    "published": (
        "published",
        "date",
        "published_date",
        "publish_date",
        "pub_date",
        "date_publish",
        "datetime",
    ),
}
MANIFEST_FIELDS: dict[str, tuple[str, ...]] = {
    "file": ("file", "filename", "path"),
    "url": FIELD_ALIASES["url"],
    "source": FIELD_ALIASES["source"],
    "published": FIELD_ALIASES["published"],
}
KINDS = ("txt", "jsonl", "csv", "manifest")


class InputBytes(NamedTuple):
    """The bytes of one input file (or line-aligned piece of one), and what the caller decided it is."""

    source_path: str
    kind: str  # one of KINDS
    data: bytes
    first_line: int = 1  # line number of the first line: a piece of a big .jsonl file keeps its real numbers


def parse_inputs(items: Iterable[InputBytes]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Input bytes → (documents in RAW_SCHEMA, quarantine rows in QUARANTINE_SCHEMA).

    A ``manifest`` item fills url/source/published of the ``txt`` items in its own folder (so the
    caller passes a folder's manifest in the same batch as its files). Documents come out in input
    order; one bad record never rejects the rest of its file.
    """
    docs: list[dict] = []
    rejected: list[dict] = []
    manifests: dict[PurePath, dict[str, dict]] = {}
    for item in items:
        if item.kind == "manifest":
            entries, bad = parse_manifest(item.source_path, item.data)
            manifests[PurePath(item.source_path).parent] = entries
            rejected.extend(bad)
            continue
        rows, bad = _parse_file(item)
        docs.extend(rows)
        rejected.extend(bad)
    if manifests:
        docs = [_apply_manifest(row, manifests) for row in docs]
    return (
        rows_frame(docs, RAW_SCHEMA),
        rows_frame(rejected, QUARANTINE_SCHEMA),
    )


def _parse_file(item: InputBytes) -> tuple[list[dict], list[dict]]:
    if item.kind == "jsonl":
        return parse_jsonl(item.source_path, item.data, item.first_line)
    if item.kind == "csv":
        return parse_csv(item.source_path, item.data)
    if item.kind == "txt":
        return parse_txt(item.source_path, item.data)
    raise ValueError(f"{item.source_path}: unknown input kind {item.kind!r} (one of {', '.join(KINDS)})")


def parse_txt(source_path: str, data: bytes) -> tuple[list[dict], list[dict]]:
    """One .txt file → ([document row], []) or ([], [quarantine row])."""
    if not data.strip():
        return [], [_reject(source_path, None, "empty", f"{len(data)} bytes, no text")]
    try:
        decoded = decode_bytes(data)
    except UndecodableError as exc:
        return [], [_reject(source_path, None, "undecodable", str(exc))]
    if not decoded.text.strip():
        return [], [_reject(source_path, None, "empty", "only whitespace after decoding")]
    fingerprint = sha256_hex(data)
    document_id = PurePath(source_path).name
    return [
        {
            "document_key": make_key(fingerprint, document_id),
            "document_id": document_id,
            "fingerprint": fingerprint,
            "source_path": source_path,
            "record": None,
            "encoding": decoded.encoding,
            "raw_text": decoded.text,
            "title": None,
            "url": None,
            "source_name": None,
            "published": None,
            "extra": None,
        }
    ], []


def parse_jsonl(source_path: str, data: bytes, first_line: int = 1) -> tuple[list[dict], list[dict]]:
    """A JSON-lines file (or a line-aligned chunk of one starting at ``first_line``) → one document per
    object line; bad lines are quarantined with their number."""
    text, codec, bad = _decode_file(source_path, data)
    if text is None:
        return [], bad
    docs, rejected = [], []
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and friends, which are not record breaks
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rejected.append(
                _reject(
                    source_path, number, "malformed_json", f"line {number}: {exc.msg} at column {exc.colno}"
                )
            )
            continue
        if not isinstance(obj, dict):
            rejected.append(
                _reject(
                    source_path,
                    number,
                    "not_an_object",
                    f"line {number}: a JSON {type(obj).__name__}, not an object",
                )
            )
            continue
        row, reason = _record_row(source_path, number, obj, codec, line)
        if row is None:
            rejected.append(_reject(source_path, number, *reason))
        else:
            docs.append(row)
    if not docs and not rejected:
        rejected.append(_reject(source_path, None, "empty", "no records"))
    return docs, rejected


def parse_csv(source_path: str, data: bytes) -> tuple[list[dict], list[dict]]:
    """A CSV file with a header → one document per data row (``record`` = 1-based data row).

    A header without a text column rejects the whole file (``missing_column``): every row would fail.
    """
    text, codec, bad = _decode_file(source_path, data)
    if text is None:
        return [], bad
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames or []
        if not _find(header, FIELD_ALIASES["text"]):
            names = ", ".join(header) if header else "no header"
            return [], [
                _reject(
                    source_path,
                    None,
                    "missing_column",
                    f"no text column ({'/'.join(FIELD_ALIASES['text'])}); header: {names}",
                )
            ]
        docs, rejected = [], []
        for number, obj in enumerate(reader, start=1):
            if None in obj:  # more cells than header names: the row is misaligned, not a record
                rejected.append(
                    _reject(
                        source_path,
                        number,
                        "malformed_csv",
                        f"row {number}: {len(header) + len(obj[None])} cells for {len(header)} columns",
                    )
                )
                continue
            fingerprint_source = json.dumps([obj.get(h) for h in header], ensure_ascii=False)
            row, reason = _record_row(source_path, number, obj, codec, fingerprint_source)
            if row is None:
                rejected.append(_reject(source_path, number, *reason))
            else:
                docs.append(row)
    except csv.Error as exc:
        return [], [_reject(source_path, None, "malformed_csv", f"line {reader.line_num}: {exc}")]
    if not docs and not rejected:
        rejected.append(_reject(source_path, None, "empty", "no data rows"))
    return docs, rejected


def parse_manifest(source_path: str, data: bytes) -> tuple[dict[str, dict], list[dict]]:
    """manifest.csv → {file name: {url, source_name, published, extra}} and quarantine rows."""
    rows, columns, bad = _manifest_table(source_path, data)
    if bad:
        return {}, bad
    used = {c for c in columns.values() if c}
    entries = {
        name: {
            "url": _clean(row.get(columns["url"])) if columns["url"] else None,
            "source_name": _clean(row.get(columns["source"])) if columns["source"] else None,
            "published": _clean(row.get(columns["published"])) if columns["published"] else None,
            "extra": _extra({k: v for k, v in row.items() if k not in used and k is not None}),
        }
        for _number, name, row in rows
    }
    return entries, bad


def manifest_problems(
    source_path: str, data: bytes, present: set[str], parse_date
) -> list[dict]:
    """Quarantine rows for the rows of a manifest that cannot be applied: a file that is not in the
    manifest's folder (``present``: the names there) or a publication date that ``parse_date``
    (value → (date | None, precision)) cannot read. ``record`` is the manifest's data row.

    The documents themselves still load (with the date inferred from the text); the rows say which
    metadata was not applied. A manifest that cannot be read at all is ``parse_manifest``'s to report.
    """
    rows, columns, bad = _manifest_table(source_path, data)
    if bad:
        return bad if columns is None else []
    problems = []
    for number, name, row in rows:
        if name.removeprefix("./") not in present:
            problems.append(_reject(source_path, number, "manifest_missing_file",
                                    f"manifest row {number} names {name!r}, which is not in its folder"))
        published = _clean(row.get(columns["published"])) if columns["published"] else None
        if published and parse_date(published)[0] is None:
            problems.append(_reject(source_path, number, "bad_date",
                                    f"manifest row {number} ({name}): published {published!r} is not a date; "
                                    "the date is inferred from the text"))
    return problems


def _manifest_table(source_path: str, data: bytes) -> tuple[list[tuple[int, str, dict]], dict | None, list[dict]]:
    """The rows of a manifest that name a file, as (data row number, file name, row), its field → column
    map, and quarantine rows when it cannot be read (then no rows; the map is None when the bytes
    cannot even be decoded)."""
    text, _codec, bad = _decode_file(source_path, data)
    if text is None:
        return [], None, bad
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    columns: dict = {}
    try:
        header = reader.fieldnames or []
        columns = {field: _find(header, names) for field, names in MANIFEST_FIELDS.items()}
        if not columns["file"]:
            return [], columns, [_reject(source_path, None, "missing_column",
                                         f"manifest has no file column; header: {', '.join(header) or 'none'}")]
        rows = [(number, (row.get(columns["file"]) or "").strip(), row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        return [], columns, [_reject(source_path, None, "malformed_csv", f"manifest line {reader.line_num}: {exc}")]
    return [r for r in rows if r[1]], columns, []


def _apply_manifest(row: dict, manifests: dict[PurePath, dict[str, dict]]) -> dict:
    """Fill a .txt row's metadata from the manifest of its folder (matched by file name or relative path)."""
    if row["record"] is not None:
        return row
    path = PurePath(row["source_path"])
    entries = manifests.get(path.parent)
    if not entries:
        return row
    entry = entries.get(path.name) or entries.get(f"./{path.name}")
    if entry is None:
        return row
    return row | {k: v for k, v in entry.items() if v is not None}


def _decode_file(source_path: str, data: bytes) -> tuple[str | None, str, list[dict]]:
    """Decode a record file without repair (records are repaired one by one, so each keeps its own flag)."""
    if not data.strip():
        return None, "", [_reject(source_path, None, "empty", f"{len(data)} bytes, no text")]
    try:
        text, codec = decode_raw(data)
    except UndecodableError as exc:
        return None, "", [_reject(source_path, None, "undecodable", str(exc))]
    return text, codec, []


def _record_row(
    source_path: str, number: int, obj: dict, codec: str, fingerprint_source: str
) -> tuple[dict | None, tuple[str, str]]:
    """One parsed record → a RAW_SCHEMA row, or None with (reason, detail) when it has no text."""
    keys = list(obj)
    columns = {field: _find(keys, names) for field, names in FIELD_ALIASES.items()}
    text = obj.get(columns["text"]) if columns["text"] else None
    if not isinstance(text, str) or not text.strip():
        what = "no text field" if columns["text"] is None else "empty text"
        return None, ("missing_text", f"record {number}: {what}")
    text, text_fixed = repair_text(text)
    title, title_fixed = (
        repair_text(_clean(obj.get(columns["title"])) or "") if columns["title"] else ("", False)
    )
    record_id = _clean(obj.get(columns["id"])) if columns["id"] else None
    document_id = record_id or f"{PurePath(source_path).name}:{number}"
    fingerprint = sha256_hex(fingerprint_source)
    used = {c for c in columns.values() if c}
    return {
        "document_key": make_key(fingerprint, document_id),
        "document_id": document_id,
        "fingerprint": fingerprint,
        "source_path": source_path,
        "record": number,
        "encoding": f"{codec}+ftfy" if (text_fixed or title_fixed) else codec,
        "raw_text": text,
        "title": title or None,
        "url": _clean(obj.get(columns["url"])) if columns["url"] else None,
        "source_name": _clean(obj.get(columns["source"])) if columns["source"] else None,
        "published": _clean(obj.get(columns["published"])) if columns["published"] else None,
        "extra": _extra({k: v for k, v in obj.items() if k not in used}),
    }, ("", "")


def _find(names: Iterable[str | None], aliases: tuple[str, ...]) -> str | None:
    """The first of ``aliases`` present among ``names`` (case-insensitive), as spelled in ``names``."""
    by_lower = {}
    for name in names:
        if name is not None:
            by_lower.setdefault(name.strip().lower(), name)
    return next((by_lower[a] for a in aliases if a in by_lower), None)


def _clean(value: object) -> str | None:
    """A scalar field as a stripped string; empty, null and non-scalar values become None."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _extra(fields: dict) -> str | None:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str) if fields else None


def _reject(source_path: str, record: int | None, reason: str, detail: str) -> dict:
    return {"source_path": source_path, "record": record, "reason": reason, "detail": detail}
