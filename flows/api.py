"""Prefect's temporary API server, started early so that its start-up overlaps the run's own imports."""

import threading
from collections.abc import Callable


def start_temporary_api() -> Callable[[], None]:
    """Start Prefect's temporary API server in a background thread; returns a function that waits for it.

    With no ``PREFECT_API_URL``, Prefect starts a temporary server (``SubprocessASGIServer``, one per
    process) on the flow's first API call and waits seconds for it to answer. Started here instead,
    before the flow module's imports (spaCy, polars, datasketch), the server process boots on one core
    while those imports run on the other, and the flow then finds the same server already running.
    With an API URL set, or the temporary server disabled, nothing is started.
    """
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return lambda: None

    def start() -> None:
        from prefect.server.api.server import SubprocessASGIServer

        try:
            SubprocessASGIServer().start()
        except Exception:  # the flow's own first API call starts it again and reports the error
            return

    thread = threading.Thread(target=start, name="prefect-api-start", daemon=True)
    thread.start()
    return thread.join
