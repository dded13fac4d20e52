"""Unit tests for star-schema assembly."""

import datetime as dt

import polars as pl
from dateline.transforms import star
from dateline.transforms.keys import make_key
from polars.testing import assert_frame_equal


def test_build_dates_one_row_per_distinct_day():
    dates = pl.Series([dt.date(2021, 12, 15), None, dt.date(2021, 12, 15), dt.date(2022, 2, 4)])
    out = star.build_dates(dates)
    assert out.get_column("date_key").to_list() == [20211215, 20220204]
    assert out.row(0, named=True) | {} == {
        "date_key": 20211215, "date": dt.date(2021, 12, 15), "year": 2021, "quarter": 4, "month": 12,
        "day": 15, "day_of_week": 3, "day_name": "Wednesday", "month_name": "December",
    }


def test_source_from_name_then_url_then_unknown():
    raw = pl.DataFrame(
        {
            "source_name": ["Reuters", None, None],
            "url": ["https://www.reuters.com/x", "https://www.bbc.co.uk/news/1", None],
        }
    )
    out = star.with_source(raw)
    assert out.get_column("source_name").to_list() == ["Reuters", "bbc.co.uk", "unknown"]
    assert out.get_column("domain").to_list() == ["reuters.com", "bbc.co.uk", None]
    assert out.get_column("source_key").to_list()[0] == make_key("reuters")


def test_quarantine_rows_are_keyed_and_deduplicated():
    rejected = pl.DataFrame(
        {"source_path": ["a.txt", "a.txt"], "record": [None, None], "reason": ["empty", "empty"], "detail": ["x", "x"]},
        schema_overrides={"record": pl.Int64},
    )
    out = star.build_quarantine(rejected, "run1")
    expected = pl.DataFrame(
        {
            "quarantine_key": [make_key("a.txt", None, "empty")],
            "run_id": ["run1"],
            "source_path": ["a.txt"],
            "record": [None],
            "reason": ["empty"],
            "detail": ["x"],
        },
        schema_overrides={"record": pl.Int64},
    )
    assert_frame_equal(out, expected)
