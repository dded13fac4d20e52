"""Clean raw text into the stored title and body: Unicode NFC, whitespace, boilerplate lines out.

Character offsets of mentions point into the ``body`` produced here, so it must be deterministic.
"""

import re
import unicodedata

import polars as pl
from spacy.lang.en.stop_words import STOP_WORDS

from transforms.keys import sha256_hex

NORMALIZED_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,
        "title": pl.String,
        "body": pl.String,  # cleaned text the NLP reads; mention offsets index into it
        "content_hash": pl.String,  # sha256 of the cleaned body: the exact-duplicate key
        "word_count": pl.Int64,
        "published_date": pl.Date,
        "date_source": pl.String,  # given / inferred / unknown
        "lines_removed": pl.Int64,
        "language": pl.String,  # "en", or "und" when the text does not read as English
    }
)

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NUMBER_ONLY = re.compile(r"^\s*[\d.,]+\s*$")


_WORD = re.compile(r"[^\W\d_]+")
# Share of English stop words in running English text is ~40-50%; other languages sit far below.
MIN_ENGLISH_STOPWORD_SHARE = 0.2


def detect_language(text: str) -> str:
    """ "en" when at least a fifth of the words are English stop words (or the text is too short to tell)."""
    words = _WORD.findall(text.lower())[:2000]
    if len(words) < 20:
        return "en"
    share = sum(w in STOP_WORDS for w in words) / len(words)
    return "en" if share >= MIN_ENGLISH_STOPWORD_SHARE else "und"


def clean_lines(text: str) -> tuple[list[str], int]:
    """Split text into cleaned non-empty lines; return them and the number of boilerplate lines dropped."""
    kept, removed = [], 0
    for line in unicodedata.normalize("NFC", text).splitlines():
        line = _SPACES.sub(" ", line).strip()
        if not line:
            continue
        if _NUMBER_ONLY.match(line):  # share/like counters ("0", "820")
            removed += 1
            continue
        kept.append(line)
    return kept, removed


def split_title_body(text: str) -> tuple[str | None, str, int]:
    """First cleaned line is the title, the remaining lines (joined by blank lines) the body."""
    lines, removed = clean_lines(text)
    if not lines:
        return None, "", removed
    return lines[0], "\n\n".join(lines[1:]), removed


def normalize_documents(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw documents (ingest.RAW_SCHEMA) → NORMALIZED_SCHEMA rows, one per input row, same order."""
    rows = []
    for doc in raw.select("document_key", "raw_text", "title").iter_rows(named=True):
        title, body, removed = split_title_body(doc["raw_text"])
        rows.append(
            {
                "document_key": doc["document_key"],
                "title": title,
                "body": body,
                "content_hash": sha256_hex(body),
                "word_count": len(body.split()),
                "published_date": None,
                "date_source": "unknown",
                "lines_removed": removed,
                "language": detect_language(body),
            }
        )
    return pl.DataFrame(rows, schema=NORMALIZED_SCHEMA) if rows else NORMALIZED_SCHEMA.to_frame()
