"""Deterministic keys: the same parts give the same key on every machine and every run."""

import hashlib

import polars as pl

SEP = "\x1f"


def make_key(*parts: object) -> str:
    """A 16-hex-digit key from the given parts (None becomes an empty string)."""
    text = SEP.join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def key_expr(*columns: str | pl.Expr) -> pl.Expr:
    """Polars expression computing ``make_key`` row-wise over columns (vectorised through a struct)."""
    exprs = [pl.col(c) if isinstance(c, str) else c for c in columns]
    return pl.struct(exprs).map_elements(
        lambda row: make_key(*row.values()), return_dtype=pl.String
    )


def sha256_hex(data: bytes | str) -> str:
    """Full sha256 hex digest of bytes (text is UTF-8 encoded first)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def date_key(expr: pl.Expr) -> pl.Expr:
    """yyyymmdd integer key of a Date expression (null stays null): dim_date's key, and every fact's."""
    return (
        expr.dt.year().cast(pl.Int32) * 10000 + expr.dt.month().cast(pl.Int32) * 100 + expr.dt.day().cast(pl.Int32)
    )
