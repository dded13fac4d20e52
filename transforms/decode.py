"""Bytes → text: BOM-aware decoding with a cp1252/latin-1 fallback and mojibake repair (ftfy)."""

import re
from dataclasses import dataclass

import ftfy

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Only the encoding repair: quotes, ligatures, widths and Unicode normalization are the business of
# normalize, so raw_text stays what the author wrote, minus the transport damage.
_REPAIR = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
)


# Mojibake is UTF-8 read as cp1252/latin-1: always two or more adjacent characters from those code
# pages' upper halves ("â€™", "Ã©"). Text without such a pair cannot be mojibake, and skipping ftfy for
# it makes repair ~50x cheaper on clean corpora.
_SUSPECT = (
    "\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_MOJIBAKE_HINT = re.compile(f"[{_SUSPECT}]{{2}}")


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we accept (binary, NUL bytes, ...)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    # codec used (utf-8, utf-8-sig, utf-16, cp1252, latin-1), "+ftfy" when mojibake was repaired
    encoding: str


def looks_binary(data: bytes) -> str | None:
    """A reason if ``data`` looks like a binary file rather than text, else None."""
    head = data[:8192]
    if head.startswith(b"\x89PNG") or head.startswith(b"%PDF") or head.startswith(b"PK\x03\x04"):
        return "binary signature"
    if b"\x00" in head:
        return "NUL bytes"
    return None


def decode_raw(data: bytes) -> tuple[str, str]:
    """Bytes → (text, codec) without any repair.

    Order: a BOM decides (UTF-8 or UTF-16); otherwise strict UTF-8; otherwise cp1252, and latin-1
    when cp1252 meets one of its five undefined bytes. Raises ``UndecodableError`` for binary data
    (a UTF-16 file is recognised by its BOM before the NUL-byte check would reject it).
    """
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise UndecodableError(f"invalid {codec}: {exc.reason} at byte {exc.start}") from exc
    reason = looks_binary(data)
    if reason:
        raise UndecodableError(reason)
    for codec in ("utf-8", "cp1252"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def repair_text(text: str) -> tuple[str, bool]:
    """Undo mojibake ("â€˜" → "‘", "cafÃ©" → "café"); return the text and whether anything changed."""
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return text, False
    fixed = ftfy.fix_text(text, _REPAIR)
    return fixed, fixed != text


def decode_bytes(data: bytes) -> Decoded:
    """Decode raw file bytes to text and repair mojibake; the encoding records both steps."""
    text, codec = decode_raw(data)
    fixed, repaired = repair_text(text)
    return Decoded(fixed, f"{codec}+ftfy" if repaired else codec)
