"""The extract stage's spaCy worker processes give exactly what the flow's own process gives."""

import polars as pl
import pytest
from dateline.flows import workers
from dateline.flows.nlp import load_lexicon, load_nlp
from dateline.flows.settings import Settings
from dateline.transforms.extract import MAX_BATCH_CHARS, extract_documents, minibatches
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from tests.helpers import DATA_TABLES, run_flow, snapshot

RUN_COLUMNS = ("loaded_run_id", "run_id")


@pytest.mark.parametrize(
    ("documents", "workers_", "batch", "expected"),
    [(0, 2, 64, 0), (5, 2, 64, 1), (64, 2, 64, 1), (65, 2, 64, 2), (2000, 2, 64, 2), (2000, 1, 64, 1), (3, 8, 1, 3)],
)
def test_a_worker_gets_at_least_one_minibatch(documents, workers_, batch, expected):
    assert workers.processes_for(documents, workers_, batch) == expected


@pytest.mark.parametrize(
    ("lengths", "max_docs", "max_chars", "expected"),
    [
        ([], 64, 1000, []),
        ([10] * 5, 2, 1000, [[0, 1], [2, 3], [4]]),  # short texts: the document cap alone, as before
        ([400, 400, 400, 100], 64, 1000, [[0, 1], [2, 3]]),  # the character cap closes a minibatch
        ([300, 5000, 300, 300], 64, 1000, [[0], [1], [2, 3]]),  # a long text alone, never dropped
        ([1000, 1000], 64, 1000, [[0], [1]]),  # exactly at the cap
        ([5000], 1, 10, [[0]]),
    ],
)
def test_minibatches_are_capped_by_documents_and_characters(lengths, max_docs, max_chars, expected):
    assert [list(batch) for batch in minibatches(lengths, max_docs, max_chars)] == expected


@given(st.lists(st.integers(0, 5000), max_size=200), st.integers(1, 70), st.integers(1, 20000))
def test_minibatches_cover_every_text_once_within_both_caps(lengths, max_docs, max_chars):
    batches = minibatches(lengths, max_docs, max_chars)
    assert [i for batch in batches for i in batch] == list(range(len(lengths)))
    for batch in batches:
        assert 1 <= len(batch) <= max_docs
        assert len(batch) == 1 or sum(lengths[i] for i in batch) <= max_chars
    # Greedy: a minibatch closed early only because the next text would break a cap.
    for batch, following in zip(batches, batches[1:], strict=False):
        chars = sum(lengths[i] for i in batch) + lengths[following.start]
        assert len(batch) == max_docs or chars > max_chars


def test_minibatch_caps_out_of_range_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        minibatches([1, 2], 0, 100)


def test_the_character_cap_setting_defaults_to_the_transform_constant(monkeypatch):
    monkeypatch.delenv("DATELINE_NLP_BATCH_CHARS", raising=False)
    assert Settings().nlp_batch_chars == MAX_BATCH_CHARS
    monkeypatch.setenv("DATELINE_NLP_BATCH_CHARS", "0")
    with pytest.raises(ValueError, match="nlp_batch_chars"):
        Settings()


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
    nlp, lexicon = load_nlp(model), load_lexicon()
    expected = extract_documents(nlp, docs, batch_size=2, lexicon=lexicon)
    # Minibatches of two: the five documents travel as three chunks to two processes; with a cap of
    # 6,000 characters (seed bodies of 2,099 to 5,619) they travel as four chunks instead.
    for chars in (MAX_BATCH_CHARS, 6000):
        with workers.extract_pool(model, 2, 2, chars) as pool:
            assert pool.processes == 2
            actual = pool.extract(docs)
        assert (actual.documents, actual.words) == (expected.documents, expected.words)
        assert expected.mentions.height > 100 and expected.event_mentions.height > 10
        assert_frame_equal(actual.mentions, expected.mentions)
        assert_frame_equal(actual.event_mentions, expected.event_mentions)
    # In one process too: minibatches cut by characters give the rows one minibatch of five gives.
    capped = extract_documents(nlp, docs, batch_size=64, lexicon=lexicon, max_batch_chars=4000)
    assert_frame_equal(capped.mentions, expected.mentions)
    assert_frame_equal(capped.event_mentions, expected.event_mentions)


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
