"""The extract stage's spaCy worker processes give exactly what the flow's own process gives."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows import workers
from flows.nlp import load_lexicon, load_nlp
from flows.settings import Settings
from tests.helpers import DATA_TABLES, run_flow, snapshot
from transforms.extract import extract_documents

RUN_COLUMNS = ("loaded_run_id", "run_id")


@pytest.mark.parametrize(
    ("documents", "workers_", "batch", "expected"),
    [(0, 2, 64, 0), (5, 2, 64, 1), (64, 2, 64, 1), (65, 2, 64, 2), (2000, 2, 64, 2), (2000, 1, 64, 1), (3, 8, 1, 3)],
)
def test_a_worker_gets_at_least_one_minibatch(documents, workers_, batch, expected):
    assert workers.processes_for(documents, workers_, batch) == expected


def test_workers_default_to_one_per_cpu(monkeypatch):
    monkeypatch.delenv("DATELINE_WORKERS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert Settings().workers == 6
    monkeypatch.setenv("DATELINE_WORKERS", "1")
    assert Settings().workers == 1


def _seed_frame(seed_dir) -> pl.DataFrame:
    files = sorted(seed_dir.glob("*.txt"))
    return pl.DataFrame({"document_key": [f.stem for f in files],
                         "body": [f.read_text(encoding="utf-8") for f in files]})


@pytest.mark.slow
def test_pool_extraction_equals_in_process_extraction(seed_dir):
    docs = _seed_frame(seed_dir)
    model = Settings().model
    expected = extract_documents(load_nlp(model), docs, batch_size=2, lexicon=load_lexicon())
    # Minibatches of two: the five documents travel as three chunks to two processes.
    with workers.extract_pool(model, 2, 2) as pool:
        assert pool.processes == 2
        actual = pool.extract(docs)
    assert (actual.documents, actual.words) == (expected.documents, expected.words)
    assert expected.mentions.height > 100 and expected.event_mentions.height > 10
    assert_frame_equal(actual.mentions, expected.mentions)
    assert_frame_equal(actual.event_mentions, expected.event_mentions)


def test_one_process_opens_no_pool():
    with workers.extract_pool("any-model", 1, 64) as pool:
        assert pool is None


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_seeds_on_two_worker_processes_equal_the_default_run(seed_dir, tmp_path):
    default = run_flow([seed_dir], tmp_path / "one.duckdb", workers=1)
    # nlp_batch_size 2 makes five documents worth two processes; batch_size 2 puts three batches in flight
    pooled = run_flow([seed_dir], tmp_path / "two.duckdb", workers=2, nlp_batch_size=2, batch_size=2)
    assert default.status == pooled.status == "success"
    assert pooled.documents_extracted == default.documents_extracted == 5
    expected, actual = snapshot(tmp_path / "one.duckdb"), snapshot(tmp_path / "two.duckdb")
    for table in DATA_TABLES:
        drop = [c for c in RUN_COLUMNS if c in expected[table].columns]
        assert_frame_equal(actual[table].drop(drop), expected[table].drop(drop), check_row_order=True)
