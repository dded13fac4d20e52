"""Query results as text: CSV that spreadsheets cannot mistake for formulas, nested values as JSON."""

import json

import polars as pl

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text, as those programs document.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _json_text(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def flatten_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """List, array and struct columns as JSON text (CSV has no nested values); other columns unchanged."""
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    return frame.with_columns(
        pl.Series(name, [None if v is None else _json_text(v) for v in frame.get_column(name).to_list()],
                  dtype=pl.String)
        for name in nested
    )


def defuse_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells starting with ``= + - @``, a tab or a carriage return get a leading ``'``.

    Only text columns: numbers (a negative count) are written as they are.
    """
    starts = "".join(FORMULA_STARTS)
    pattern = "^[" + starts.replace("-", r"\-") + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(pattern)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String
    )


def to_csv(frame: pl.DataFrame, *, raw: bool = False) -> str:
    """The frame as CSV text: nested values as JSON text, formula-like text cells defused unless ``raw``."""
    flat = flatten_nested(frame)
    return (flat if raw else defuse_formulas(flat)).write_csv()
