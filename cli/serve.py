"""Scheduled runs: a Prefect deployment of ``news_etl`` with a cron schedule, served from this process.

``flow.serve`` registers the deployment with a real Prefect server (``PREFECT_API_URL``) and then
polls it: every scheduled or manually triggered run of the deployment is executed by this process
(each in a subprocess), until it is stopped. Without a server there is nothing to keep the schedule,
so ``api_url`` refuses to serve against Prefect's temporary per-process API.
"""

from pathlib import Path

from dateline.flows.settings import Settings
from prefect.deployments.runner import EntrypointType, RunnerDeployment

DEFAULT_NAME = "dateline-scheduled"


class NoPrefectServerError(RuntimeError):
    """PREFECT_API_URL is not set: a schedule needs a running Prefect server to live in."""


def api_url() -> str:
    """The configured Prefect API URL, or NoPrefectServerError explaining how to start one."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise NoPrefectServerError(
            "no Prefect server configured: run `prefect server start` in another terminal, then "
            "`export PREFECT_API_URL=http://127.0.0.1:4200/api` (see README, Scheduling)"
        )
    return url


def check_cron(cron: str) -> None:
    """Raise ValueError (pydantic's whole message, as Prefect words it) when ``cron`` is not a cron string.

    Checked before the deployment is built, so a typo costs no server round trip.
    """
    from prefect.client.schemas.schedules import CronSchedule

    CronSchedule(cron=cron)


def deployment_parameters(settings: Settings) -> dict:
    """The flow parameters each scheduled run gets: absolute paths, so the runs do not depend on a cwd.

    ``workers`` only when it was set (option or DATELINE_WORKERS): by default each run uses one spaCy
    process per CPU of the machine it runs on, not of the machine that served the deployment.
    """
    parameters = {
        "inputs": [_absolute(spec) for spec in settings.inputs],
        "warehouse": str(Path(settings.warehouse).resolve()),
        "batch_size": settings.batch_size,
    }
    if "workers" in settings.model_fields_set:
        parameters["workers"] = settings.workers
    return parameters


def build_deployment(settings: Settings, cron: str, name: str = DEFAULT_NAME) -> RunnerDeployment:
    """A deployment of ``news_etl`` on ``cron`` with the run's inputs and warehouse as parameters.

    The entrypoint is the module path ``flows.etl.news_etl`` (the installed package), not a file path,
    so the runs work whatever directory ``dateline serve`` was started from.
    """
    from dateline.flows.etl import news_etl

    return news_etl.to_deployment(
        name=name,
        cron=cron,
        parameters=deployment_parameters(settings),
        description="Dateline: ingest → normalize → deduplicate → extract → resolve → validate → load.",
        tags=["dateline"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def serve(settings: Settings, cron: str, name: str = DEFAULT_NAME, limit: int | None = 1) -> None:
    """Register the deployment and execute its runs until interrupted (Ctrl-C pauses the schedule).

    ``limit`` = 1: runs of one warehouse never overlap (the load holds the single writer lock anyway).
    """
    from prefect import serve as prefect_serve

    api_url()
    prefect_serve(build_deployment(settings, cron, name), limit=limit)


def _absolute(spec: str) -> str:
    """A file, folder or glob made absolute against the current directory (globs keep their pattern)."""
    path = Path(spec).expanduser()
    return str(path if path.is_absolute() else Path.cwd() / path)
