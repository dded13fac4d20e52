"""Choosing where the extraction batches run: threads in this process, or a Dask cluster.

The flow is the same either way; only the task runner that the extract stage submits its batches to
changes (``Settings.task_runner``). Everything else, the load in particular, stays in the flow's own
process: DuckDB has one writer.
"""

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.settings import Settings

# A local cluster small enough for a laptop or CI: one process per worker (spaCy holds the GIL)
# and one thread each, so a worker runs one batch at a time with its own model.
LOCAL_CLUSTER = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}


def task_runner(settings: Settings) -> TaskRunner:
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
    # One thread: the batch's own nlp.pipe(n_process=workers) is where the parallelism is.
    return ThreadPoolTaskRunner(max_workers=1)


def spacy_processes(settings: Settings) -> int:
    """``n_process`` for ``nlp.pipe`` inside one batch: on Dask the cluster's workers are the parallelism.

    A Dask worker runs tasks in a daemonic process, which may not fork spaCy workers of its own.
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
