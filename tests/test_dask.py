"""The extraction batches on a local Dask cluster give the same warehouse as the default thread runner."""

import pytest
from dateline.flows import runners
from dateline.flows.settings import Settings
from polars.testing import assert_frame_equal

from tests.helpers import DATA_TABLES, run_flow, snapshot

# Which run loaded a row differs between two runs by design; everything else is keyed deterministically.
RUN_COLUMNS = ("loaded_run_id", "run_id")


def test_thread_is_the_default_and_dask_needs_no_address():
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    assert isinstance(runners.task_runner(Settings()), ThreadPoolTaskRunner)
    remote = runners.task_runner(Settings(task_runner="dask", dask_address="tcp://10.0.0.5:8786"))
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://10.0.0.5:8786"
    assert runners.spacy_processes(Settings(task_runner="dask", workers=4)) == 1
    assert runners.spacy_processes(Settings(workers=4)) == 4


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_seeds_on_a_local_dask_cluster_equal_the_default_run(seed_dir, tmp_path):
    # batch_size 2: three extraction batches, so the cluster's two workers really share the work
    default = run_flow([seed_dir], tmp_path / "thread.duckdb", batch_size=2)
    dask = run_flow([seed_dir], tmp_path / "dask.duckdb", batch_size=2, task_runner="dask")
    assert default.status == dask.status == "success"
    assert dask.documents_extracted == default.documents_extracted == 5
    expected, actual = snapshot(tmp_path / "thread.duckdb"), snapshot(tmp_path / "dask.duckdb")
    for table in DATA_TABLES:
        drop = [c for c in RUN_COLUMNS if c in expected[table].columns]
        assert expected[table].height > 0 or table == "quarantine", table
        assert_frame_equal(actual[table].drop(drop), expected[table].drop(drop), check_row_order=True)
