"""Frames from Python rows with a declared schema."""

from collections.abc import Sequence

import polars as pl


def rows_frame(rows: Sequence[dict], schema: pl.Schema) -> pl.DataFrame:
    """``rows`` (dicts) as a frame of ``schema``; no rows give the empty frame of that schema, not a schema-less one."""
    return pl.DataFrame(rows, schema=schema) if rows else schema.to_frame()
