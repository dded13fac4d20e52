"""The app of ``dateline run``'s temporary Prefect server: Prefect's own, its background worker polling less often.

Prefect's server runs its background work (perpetual services, cleanup tasks) on a docket ``Worker`` that
checks for due work every 250 ms by default: about 1 CPU second a minute in a server that serves nothing
else, paid for the whole of a run (the extract stage included: 2,000 articles keep it up for minutes on
2 cores the spaCy workers use). The temporary server of one ``dateline run`` has no deployments, schedules
or automations of its own to serve, so its worker checks every ``POLL_INTERVAL`` instead; what it runs,
and the API the flow talks to, are unchanged (flow and task runs, logs and events do not go through it).
A real server (``prefect server start``, ``PREFECT_API_URL``) is Prefect's own, untouched.

This module is what ``cli.api`` hands uvicorn as ``--factory``; nothing imports it in the run's process.
"""

import functools
from datetime import timedelta

POLL_INTERVAL = timedelta(seconds=2)


def create_app():
    """Prefect's ``create_app()`` (as ``prefect server`` launches its temporary server) with the docket
    worker's ``minimum_check_interval`` and ``scheduling_resolution`` at ``POLL_INTERVAL``."""
    import prefect.server.api.background_workers as background_workers
    from prefect.server.api.server import create_app as prefect_app

    worker = background_workers.Worker
    if not isinstance(worker, functools.partial):  # once per process
        background_workers.Worker = functools.partial(
            worker, minimum_check_interval=POLL_INTERVAL, scheduling_resolution=POLL_INTERVAL
        )
    return prefect_app()
