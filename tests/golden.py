"""Golden files: compare a frame with tests/golden/<name>.csv; only DATELINE_UPDATE_GOLDEN=1 writes them.

A missing golden file fails the test: it is never written silently."""

import os
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(frame: pl.DataFrame, name: str) -> None:
    """Assert ``frame`` (all columns cast to text) equals the golden CSV ``name`` (which must exist)."""
    path = GOLDEN / f"{name}.csv"
    text = frame.select(pl.all().cast(pl.String))
    if os.environ.get("DATELINE_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        text.write_csv(path)
    elif not path.exists():
        raise AssertionError(f"golden file {path} is missing (DATELINE_UPDATE_GOLDEN=1 writes it)")
    expected = pl.read_csv(path, infer_schema=False)
    assert_frame_equal(text, expected, check_dtypes=False)
