"""Frames parked as Parquet during the extract stage come back unchanged, in order, and leave no files."""

import datetime as dt

import polars as pl
import pytest
from dateline.flows.staging import RunStaging
from dateline.transforms.entities import MENTION_SCHEMA
from polars.testing import assert_frame_equal


def test_parts_come_back_in_order_with_their_dtypes():
    first = pl.DataFrame(
        {"key": ["b", "a"], "day": [dt.date(2021, 12, 15), None], "starts": [[1, 2], []], "n": [1, 2]},
        schema={"key": pl.String, "day": pl.Date, "starts": pl.List(pl.Int32), "n": pl.UInt32},
    )
    second = first.with_columns(key=pl.lit("c"))
    with RunStaging() as parked:
        parked.park("rows", first)
        parked.park("rows", second.clear())
        parked.park("rows", second)
        assert len(list(parked.folder.glob("*.parquet"))) == 3
        back = parked.take("rows", first.schema)
        assert list(parked.folder.glob("*.parquet")) == []
    assert_frame_equal(back, pl.concat([first, second]))
    assert not parked.folder.exists()


def test_nothing_parked_gives_the_empty_frame_of_the_schema():
    with RunStaging() as parked:
        assert_frame_equal(parked.take("mentions", MENTION_SCHEMA), MENTION_SCHEMA.to_frame())


def test_the_folder_goes_when_the_run_fails():
    with pytest.raises(RuntimeError), RunStaging() as parked:
        parked.park("rows", pl.DataFrame({"a": [1]}))
        folder = parked.folder
        raise RuntimeError("extract failed")
    assert not folder.exists()
