"""The golden-file helper: a missing golden fails, and only DATELINE_UPDATE_GOLDEN=1 writes one."""

import polars as pl
import pytest

from tests import golden


@pytest.fixture
def golden_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(golden, "GOLDEN", tmp_path)
    monkeypatch.delenv("DATELINE_UPDATE_GOLDEN", raising=False)
    return tmp_path


FRAME = pl.DataFrame({"key": ["a", "b"], "n": [1, 2]})


def test_a_missing_golden_file_fails_and_writes_nothing(golden_dir):
    with pytest.raises(AssertionError, match="missing"):
        golden.assert_golden(FRAME, "absent")
    assert not (golden_dir / "absent.csv").exists()


def test_the_update_switch_writes_the_golden_and_a_later_run_compares_with_it(golden_dir, monkeypatch):
    monkeypatch.setenv("DATELINE_UPDATE_GOLDEN", "1")
    golden.assert_golden(FRAME, "written")
    monkeypatch.delenv("DATELINE_UPDATE_GOLDEN")
    golden.assert_golden(FRAME, "written")
    with pytest.raises(AssertionError):
        golden.assert_golden(FRAME.with_columns(n=pl.lit(3)), "written")
