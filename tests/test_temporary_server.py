"""The temporary Prefect server of ``dateline run``: Prefect's app, its background worker polling every 2 s."""

import json
import os
import subprocess
import sys

from dateline.cli import api
from dateline.cli.server_app import POLL_INTERVAL


def test_the_server_app_is_prefects_with_a_slower_background_worker():
    from dateline.cli.server_app import create_app
    from docket import Docket, Worker
    from fastapi import FastAPI

    app = create_app()
    assert isinstance(app, FastAPI)
    assert any(getattr(route, "path", "") == "/api" for route in app.routes)  # Prefect's API is mounted
    import prefect.server.api.background_workers as background_workers

    worker = background_workers.Worker(Docket(name="dateline-test", url="memory://"))
    assert isinstance(worker, Worker)
    assert worker.minimum_check_interval == POLL_INTERVAL
    assert worker.scheduling_resolution == POLL_INTERVAL
    create_app()  # a second app in the same process wraps the worker once, not twice
    assert background_workers.Worker.func is Worker


def test_dateline_run_launches_that_app_and_it_answers(tmp_path):
    """The server ``start_temporary_api`` launches is the app above, and it serves the API (a real boot)."""
    script = (
        "import json, os, urllib.request\n"
        "from dateline.cli.api import start_temporary_api\n"
        "wait = start_temporary_api()\n"
        "wait()\n"
        "url = os.environ['PREFECT_API_URL']\n"
        "import psutil\n"
        "children = [' '.join(c.cmdline()) for c in psutil.Process().children()]\n"
        "with urllib.request.urlopen(url + '/health', timeout=10) as r:\n"
        "    print(json.dumps({'status': r.status, 'servers': children}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            api.STARTUP_TIMEOUT_VARIABLE: "180"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    [server] = answer["servers"]
    assert "uvicorn --factory dateline.cli.server_app:create_app" in server


def test_a_flow_run_on_the_temporary_server_sends_no_heartbeats(prefect_harness):
    """Without heartbeats the engine starts no heartbeat thread, whose whole-second sleeps the flow's end
    waits out (``cli.api.without_heartbeats``); outside it, Prefect's default (a heartbeat every 180 s) holds."""
    import threading

    from prefect import flow
    from prefect.settings import get_current_settings

    @flow
    def threads_seen() -> list[str]:
        return [t.name for t in threading.enumerate()]

    def heartbeat_threads(names: list[str]) -> int:
        # Prefect's heartbeat thread runs ``heartbeat_loop``, named by its target in threading's default name.
        return sum("run" in name and "Thread-" in name for name in names)

    assert get_current_settings().flows.heartbeat_frequency is not None
    with api.without_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is None
        quiet = threads_seen()
    loud = threads_seen()
    assert heartbeat_threads(quiet) < heartbeat_threads(loud)


def test_dateline_run_turns_heartbeats_off_only_on_its_own_temporary_server(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(api, "_launch", lambda port: subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]))
    wait = api.start_temporary_api()
    assert getattr(wait, "temporary", False) is True
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    assert getattr(api.start_temporary_api(), "temporary", False) is False
