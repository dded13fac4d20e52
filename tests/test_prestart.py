"""The spaCy worker pool started before the flow (``dateline run``): used by the run, closed otherwise."""

import datetime as dt
import json
import os
import shutil
import time

import duckdb
import pytest
from dateline.cli.run_cmds import _start_workers_early, _unloaded_files
from dateline.flows import workers
from dateline.flows.settings import Settings
from dateline.flows.sources import count_records, read_files
from dateline.transforms.ingest import parse_inputs
from dateline.transforms.normalize import normalize_documents
from dateline.transforms.reference import load_reference
from polars.testing import assert_frame_equal

from tests.helpers import DATA_TABLES, run_flow, snapshot

RUN_COLUMNS = ("loaded_run_id", "run_id")


@pytest.fixture(autouse=True)
def _no_pool_left():
    yield
    workers.discard_prestarted()


def _wait_ready(pool: workers.ExtractPool, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while not pool.ready():
        assert time.monotonic() < deadline, "the workers did not load the model"
        time.sleep(0.2)


def test_count_records_counts_lines_files_and_stops_at_the_limit(tmp_path):
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("".join(json.dumps({"id": i, "text": "x"}) + "\n" for i in range(10)) + "\n\n")
    csv = tmp_path / "b.csv"
    csv.write_text("id,text\n1,a\n2,b\n3,c")  # no newline after the last record
    txt = tmp_path / "c.txt"
    txt.write_text("one article\n\nwith paragraphs\n")
    files = [str(jsonl), str(csv), str(txt)]
    assert count_records(files, 1000) == 10 + 3 + 1
    assert count_records(files, 4) == 4
    assert count_records([str(tmp_path / "manifest.csv")], 100) == 0  # a manifest holds no document
    assert count_records([str(tmp_path / "gone.jsonl")], 100) == 0  # unreadable: ingest quarantines it


def test_no_workers_start_early_for_an_existing_warehouse_or_a_small_run(seed_dir, tmp_path):
    existing = tmp_path / "existing.duckdb"
    existing.write_bytes(b"")
    # a file that is no warehouse cannot tell which inputs are new: the flow decides after ingest
    assert not _start_workers_early(Settings(inputs=[str(seed_dir)], warehouse=existing, nlp_batch_size=2))
    # five documents are one minibatch of 64: extracted in the flow's own process
    assert not _start_workers_early(Settings(inputs=[str(seed_dir)], warehouse=tmp_path / "new.duckdb"))
    assert not _start_workers_early(Settings(inputs=[str(seed_dir)], warehouse=tmp_path / "new.duckdb",
                                             nlp_batch_size=2, task_runner="dask"))
    assert workers._prestarted is None
    assert _start_workers_early(Settings(inputs=[str(seed_dir)], warehouse=tmp_path / "new.duckdb",
                                         nlp_batch_size=2))
    assert workers._prestarted is not None and workers._prestarted.processes == 2


def test_an_incremental_run_prestarts_only_for_input_files_the_warehouse_has_not_loaded(seeds_warehouse, tmp_path):
    warehouse = tmp_path / "dateline.duckdb"
    shutil.copy(seeds_warehouse, warehouse)
    loaded, changed, new = tmp_path / "loaded.jsonl", tmp_path / "changed.jsonl", tmp_path / "new.jsonl"
    for path in (loaded, changed, new):
        path.write_text("".join(json.dumps({"id": f"{path.stem}{i}", "text": "x"}) + "\n" for i in range(40)))
    with duckdb.connect(str(warehouse)) as con:  # the copy's documents now come from two of the files
        (run_start,) = con.execute("select epoch(min(started_at)) from etl_run").fetchone()
        con.execute("update dim_document set source_path = case when document_key = "
                    "(select min(document_key) from dim_document) then ? else ? end",
                    [str(loaded), str(changed)])
    os.utime(loaded, (run_start - 60, run_start - 60))  # read before the run that loaded it
    os.utime(changed, (run_start + 60, run_start + 60))  # edited after it
    files = [str(loaded), str(changed), str(new), str(tmp_path / "gone.jsonl")]
    assert _unloaded_files(warehouse, files) == [str(changed), str(new)]
    # a rerun over what the warehouse holds starts no worker; new documents enough for a pool start one
    assert not _start_workers_early(Settings(inputs=[str(loaded)], warehouse=warehouse, nlp_batch_size=20))
    assert workers._prestarted is None
    assert _start_workers_early(Settings(inputs=[str(loaded), str(new)], warehouse=warehouse, nlp_batch_size=20))
    assert workers._prestarted is not None and workers._prestarted.processes == 2
    # a warehouse a writer holds (or no DuckDB file at all) cannot be asked: the flow decides after ingest
    with duckdb.connect(str(warehouse)):
        assert _unloaded_files(warehouse, files) == []


def test_a_pool_with_other_settings_is_closed_not_used():
    model = Settings().model
    early = workers.prestart(model, 2, 3)
    with workers.extract_pool(model, 2, 2) as pool:
        assert pool is not early and pool.nlp_batch_size == 2
        assert early._executor._shutdown_thread  # closed before the run's own pool started
    assert workers._prestarted is None
    # a run with nothing to extract (a no-op rerun) closes a prestarted pool and starts none
    early = workers.prestart(model, 2, 2)
    with workers.extract_pool(model, 0, 2) as pool:
        assert pool is None
    assert early._executor._shutdown_thread


@pytest.mark.slow
def test_the_run_leaves_its_workers_exiting_and_they_exit():
    # the pool's context does not wait for the workers' exit (they free their models while the flow
    # resolves), but they do exit: none is left behind
    with workers.extract_pool(Settings().model, 2, 2) as pool:
        _wait_ready(pool)
        processes = list(pool._executor._processes.values())
    assert len(processes) == 2 and pool._executor._shutdown_thread
    # The executor's own thread joins (reaps) them: a second join here would race it (the loser's waitpid
    # finds no child and returns before the winner records the exit code), so the test only polls.
    deadline = time.monotonic() + 120
    while any(process.exitcode is None for process in processes):
        assert time.monotonic() < deadline, "a worker did not exit"
        time.sleep(0.1)
    assert [process.exitcode for process in processes] == [0, 0]


def _blas_threads() -> list[int]:
    """In a worker: the thread count of each OpenBLAS numpy loaded."""
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["internal_api"] == "openblas"]


@pytest.mark.slow
def test_pool_normalization_equals_the_flows_own(seed_dir, monkeypatch):
    files = sorted(seed_dir.glob("*.txt"))
    raw, _ = parse_inputs(read_files([str(f) for f in files], 10_000_000)[0])
    rules = load_reference().boilerplate_rules
    today = dt.date(2024, 6, 1)
    expected = normalize_documents(raw, rules, today=today)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with workers.extract_pool(Settings().model, 2, 2) as pool:
        _wait_ready(pool)
        actual = pool.normalize(raw, rules, today)
        # each worker multiplies on its own core: one OpenBLAS thread (py3langid's scores)
        threads = [pool._executor.submit(_blas_threads).result() for _ in range(2)]
    assert actual is not None and actual.height == 5
    assert_frame_equal(actual, expected)
    assert threads == [[1], [1]]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_prestarted_pool_is_adopted_normalizes_and_gives_the_same_tables(seed_dir, tmp_path, monkeypatch):
    default = run_flow([seed_dir], tmp_path / "one.duckdb", workers=1)
    early = workers.prestart(Settings().model, 2, 2)
    _wait_ready(early)
    calls = {"normalize": 0, "normalized_in_pool": 0, "extract": 0}
    normalize, extract = early.normalize, early.extract

    def counting_normalize(*args):
        calls["normalize"] += 1
        result = normalize(*args)
        calls["normalized_in_pool"] += result is not None
        return result

    def counting_extract(*args):
        calls["extract"] += 1
        return extract(*args)

    monkeypatch.setattr(early, "normalize", counting_normalize)
    monkeypatch.setattr(early, "extract", counting_extract)
    pooled = run_flow([seed_dir], tmp_path / "two.duckdb", workers=2, nlp_batch_size=2, batch_size=2)
    assert pooled.status == default.status == "success"
    assert calls == {"normalize": 3, "normalized_in_pool": 3, "extract": 3}  # 5 documents in batches of 2
    assert workers._prestarted is None and early._executor._shutdown_thread  # adopted, closed by the run
    expected, actual = snapshot(tmp_path / "one.duckdb"), snapshot(tmp_path / "two.duckdb")
    for table in DATA_TABLES:
        drop = [c for c in RUN_COLUMNS if c in expected[table].columns]
        assert_frame_equal(actual[table].drop(drop), expected[table].drop(drop), check_row_order=True)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_a_worker_failure_while_the_flow_overlaps_fails_the_run_and_loads_nothing(seed_dir, tmp_path):
    # A model that cannot be loaded: the workers of the prestarted pool fail while the flow ingests and
    # normalizes (in its own process: the pool is never ready); the extraction then fails the run.
    early = workers.prestart("no_such_model_xx", 2, 2)
    with pytest.raises(Exception) as failure:
        run_flow([seed_dir], tmp_path / "failed.duckdb", workers=2, nlp_batch_size=2, model="no_such_model_xx")
    assert not early.ready()
    assert early._executor._shutdown_thread and workers._prestarted is None
    assert "no_such_model_xx" in str(failure.value) or "process" in str(failure.value).lower()
    warehouse = tmp_path / "failed.duckdb"
    if warehouse.exists():
        counts = snapshot(warehouse)
        assert all(frame.is_empty() for frame in counts.values())


def test_the_workers_default_character_cap_is_the_transforms():
    from dateline.transforms.extract import MAX_BATCH_CHARS

    assert workers.MAX_BATCH_CHARS == MAX_BATCH_CHARS


@pytest.mark.parametrize(
    ("chunks", "processes", "expected"),
    [
        ([range(0, 64), range(64, 128), range(128, 130)], 2,
         [range(0, 64), range(64, 80), range(80, 96), range(96, 112), range(112, 128), range(128, 129),
          range(129, 130)]),
        ([range(0, 3)], 2, [range(0, 1), range(1, 2), range(2, 3)]),
        ([range(0, 64), range(64, 70)], 0, [range(0, 64), range(64, 70)]),  # not the run's last batch
        ([], 2, []),
    ],
)
def test_the_last_batch_ends_in_finer_chunks_covering_every_document_once(chunks, processes, expected):
    finer = workers.finer_tail(chunks, processes)
    assert finer == expected
    assert [i for chunk in finer for i in chunk] == [i for chunk in chunks for i in chunk]


@pytest.mark.usefixtures("prefect_harness")
def test_dateline_run_closes_its_prestarted_workers_when_the_run_fails_before_using_them(seed_dir, tmp_path,
                                                                                          monkeypatch):
    import typer
    from dateline.cli import run_cmds

    # the harness's server answers; `dateline run` starts none of its own
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_ENABLED", "false")
    started = []

    def recording_prestart(*args, **kwargs):
        started.append(prestart(*args, **kwargs))
        return started[-1]

    prestart = workers.prestart
    monkeypatch.setattr(workers, "prestart", recording_prestart)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # the warehouse's folder is a file: the run fails at its first step, before ingest
    settings = Settings(inputs=[str(seed_dir)], warehouse=blocker / "w.duckdb", nlp_batch_size=2, lock_timeout=1)
    with pytest.raises(typer.Exit) as failed:
        run_cmds.run_flow(settings)
    assert failed.value.exit_code == 1
    assert len(started) == 1 and started[0] is not None
    assert started[0]._executor._shutdown_thread and workers._prestarted is None
    assert not (blocker / "w.duckdb").exists()
