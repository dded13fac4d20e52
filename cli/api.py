"""A temporary Prefect API server for one ``dateline run``, started before the run's own imports.

With no ``PREFECT_API_URL``, Prefect starts a temporary server itself on the flow's first API call:
it first imports its whole server package into the calling process (seconds), then starts the server
process and waits seconds more for it to answer, and only then does the flow begin. ``dateline run``
starts the same server (Prefect's own app under uvicorn, the way Prefect launches it, its background
worker polling less often: ``cli.server_app``) before
it imports Prefect, spaCy or polars, and points ``PREFECT_API_URL`` at it: the server boots on one
core while the run's imports proceed on the other, and the calling process never imports the server
package. With ``PREFECT_API_URL`` already set (a real ``prefect server start``) nothing is started.
"""

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from dateline.flows.lifeline import parent_death_signal

STARTUP_TIMEOUT_VARIABLE = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
DEFAULT_STARTUP_TIMEOUT = 90.0
# What Prefect's SubprocessASGIServer sets for its temporary server: no UI, ephemeral mode.
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
# Prefect's app, its background worker polling every 2 s instead of every 250 ms (cli/server_app.py).
SERVER_APP = "dateline.cli.server_app:create_app"


class TemporaryServerError(RuntimeError):
    """The temporary Prefect server did not start."""


def start_temporary_api() -> Callable[..., None]:
    """Start a temporary Prefect server unless an API URL is set; returns a function that waits for it.

    Must run before Prefect is imported in this process (Prefect reads ``PREFECT_API_URL`` then).
    The server is stopped when the process exits.
    """
    if os.environ.get("PREFECT_API_URL") or os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "").lower() in (
        "0", "false"
    ):
        return lambda meanwhile=(): None
    port = _free_port()
    process = _launch(port)
    atexit.register(_stop, process)
    url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = url
    # A first run on a new PREFECT_HOME creates the server's database (seconds more on a busy machine).
    timeout = float(os.environ.get(STARTUP_TIMEOUT_VARIABLE) or DEFAULT_STARTUP_TIMEOUT)

    def wait(meanwhile: Iterable[Callable[[], object]] = ()) -> None:
        """Wait for the server; until it answers, run the ``meanwhile`` steps one by one (a run's imports
        that would otherwise come later, on its critical path). Steps left when it answers are skipped."""
        deadline = time.monotonic() + timeout
        steps = iter(meanwhile)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise TemporaryServerError(f"the temporary Prefect server exited with code {process.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            step = next(steps, None)
            if step is None:
                time.sleep(0.1)
            else:
                step()
        raise TemporaryServerError(
            f"the temporary Prefect server did not answer within {timeout:.0f} s "
            f"(raise {STARTUP_TIMEOUT_VARIABLE}, or run `prefect server start` and set PREFECT_API_URL)"
        )

    wait.temporary = True  # the server lives and dies with this process (``without_heartbeats``)
    return wait


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Prefect settings with no flow-run heartbeats, for a flow run on the run's own temporary server.

    A heartbeat tells a lasting server that a flow run's process is alive (it marks runs whose heartbeats
    stop as crashed). The temporary server stops with the run's process, so nobody reads them; and the
    heartbeat thread sleeps in whole seconds, which the flow's end waits out (``thread.join``): 0.5 s on
    average, with every core idle, at the end of every run (measured: 0.49 s in a profiled run).
    """
    from prefect.context import SettingsContext

    current = SettingsContext.get()
    if current is None:
        yield
        return
    settings = current.settings
    quiet = settings.model_copy(update={"flows": settings.flows.model_copy(update={"heartbeat_frequency": None})})
    with SettingsContext(profile=current.profile, settings=quiet):
        yield


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", SERVER_APP,
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env={**os.environ, **SERVER_ENV},
        # A run killed with -9 cannot stop its server: the kernel does (flows/lifeline.py).
        preexec_fn=parent_death_signal(),
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
