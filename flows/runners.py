"""Choosing where the extraction batches run: threads in this process, or a Dask cluster.

The flow is the same either way; only the task runner that the extract stage submits its batches to
changes (``Settings.task_runner``). Everything else, the load in particular, stays in the flow's own
process: DuckDB has one writer.
"""

from dateline.flows.settings import Settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

# A local cluster small enough for a laptop or CI: one process per worker (spaCy holds the GIL)
# and one thread each, so a worker runs one batch at a time with its own model.
LOCAL_CLUSTER = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}


def task_runner(settings: Settings, threads: int = 1) -> TaskRunner:
    """A fresh (not yet started) task runner for the extract stage, as ``settings`` asks.

    ``dask`` without ``dask_address`` starts a temporary local cluster (``LOCAL_CLUSTER``) for the
    run and stops it afterwards; with an address it connects to that scheduler and leaves it running.
    """
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        # Workers must report to this run's Prefect API; without the URL each worker process would
        # start a temporary server of its own (seconds each, and task runs recorded nowhere useful).
        return DaskTaskRunner(cluster_kwargs=LOCAL_CLUSTER | {"env": {"PREFECT_API_URL": current_api_url()}})
    # ``threads`` batches in flight: each hands its chunks to the run's spaCy worker pool
    # (flows.workers), so the parallelism is in those processes, not in these threads.
    return ThreadPoolTaskRunner(max_workers=threads)


def spacy_processes(settings: Settings) -> int:
    """spaCy processes the flow's own process may start: on Dask the cluster's workers are the parallelism.

    A Dask worker runs tasks in a daemonic process, which may not start processes of its own.
    """
    return 1 if settings.task_runner == "dask" else settings.workers


def current_api_url() -> str:
    """The Prefect API this flow run talks to (a real server, or this process's temporary one)."""
    from prefect.context import FlowRunContext
    from prefect.settings import get_current_settings

    context = FlowRunContext.get()
    if context is not None and context.client is not None:
        return str(context.client.api_url)
    return get_current_settings().api.url or ""
