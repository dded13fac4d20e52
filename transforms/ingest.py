"""Raw input records → one row per document (no NLP yet), plus quarantine rows for what cannot be read.

The caller reads the bytes (flows/); this module only parses them, so it is pure and testable.
"""

from pathlib import PurePath

import polars as pl

from transforms.decode import UndecodableError, decode_bytes
from transforms.keys import make_key, sha256_hex

RAW_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,  # make_key(fingerprint, document_id): same bytes + same id → same key
        "document_id": pl.String,  # the record's id, or the file name for .txt
        "fingerprint": pl.String,  # sha256 of the raw bytes (of the file, or of the record)
        "source_path": pl.String,
        "record": pl.Int64,  # 1-based line/row for .jsonl/.csv, null for .txt
        "encoding": pl.String,
        "raw_text": pl.String,  # decoded, before any cleaning: kept so rules can be re-run
        "title": pl.String,
        "url": pl.String,
        "source_name": pl.String,
        "published": pl.String,  # as given by the record or manifest (parsed in normalize)
        "extra": pl.String,  # JSON of the record's other fields
    }
)

QUARANTINE_SCHEMA = pl.Schema(
    {
        "source_path": pl.String,
        "record": pl.Int64,
        "reason": pl.String,  # short machine-readable reason: empty, binary, undecodable, ...
        "detail": pl.String,  # human-readable detail
    }
)


def parse_txt(source_path: str, data: bytes) -> tuple[dict | None, dict | None]:
    """One .txt file → (document row, None) or (None, quarantine row).

    The first non-empty line is the title, the rest the body (kept whole in ``raw_text``).
    """
    if not data.strip():
        return None, _reject(source_path, None, "empty", f"{len(data)} bytes, no text")
    try:
        decoded = decode_bytes(data)
    except UndecodableError as exc:
        return None, _reject(source_path, None, "undecodable", str(exc))
    if not decoded.text.strip():
        return None, _reject(source_path, None, "empty", "only whitespace after decoding")
    fingerprint = sha256_hex(data)
    document_id = PurePath(source_path).name
    title = next((ln.strip() for ln in decoded.text.splitlines() if ln.strip()), None)
    row = {
        "document_key": make_key(fingerprint, document_id),
        "document_id": document_id,
        "fingerprint": fingerprint,
        "source_path": source_path,
        "record": None,
        "encoding": decoded.encoding,
        "raw_text": decoded.text,
        "title": title,
        "url": None,
        "source_name": None,
        "published": None,
        "extra": None,
    }
    return row, None


def parse_inputs(items: list[tuple[str, bytes]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(path, bytes) pairs → (documents frame in RAW_SCHEMA, quarantine frame in QUARANTINE_SCHEMA)."""
    docs, rejected = [], []
    for source_path, data in items:
        row, bad = parse_txt(source_path, data)
        if row is not None:
            docs.append(row)
        if bad is not None:
            rejected.append(bad)
    return (
        pl.DataFrame(docs, schema=RAW_SCHEMA) if docs else RAW_SCHEMA.to_frame(),
        pl.DataFrame(rejected, schema=QUARANTINE_SCHEMA) if rejected else QUARANTINE_SCHEMA.to_frame(),
    )


def _reject(source_path: str, record: int | None, reason: str, detail: str) -> dict:
    return {"source_path": source_path, "record": record, "reason": reason, "detail": detail}
