"""``dateline serve``: a cron deployment of news_etl on a real Prefect server, and a run of it to completion.

Starts ``prefect server start`` on loopback (a free port, its own PREFECT_HOME), then ``dateline serve``
in a subprocess pointed at it, and talks to both through the server's REST API only.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest
from dateline.cli.serve import DEFAULT_NAME, build_deployment, deployment_parameters
from dateline.flows.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CRON = "0 * * * *"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def test_deployment_carries_the_cron_and_absolute_parameters(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings(inputs=["news", "feeds/*.jsonl"], warehouse=Path("wh/dateline.duckdb"))
    deployment = build_deployment(settings, CRON)
    assert deployment.entrypoint == "dateline.flows.etl.news_etl"
    assert [s.schedule.cron for s in deployment.schedules] == [CRON]
    params = deployment_parameters(settings)
    assert params["inputs"] == [str(tmp_path / "news"), str(tmp_path / "feeds" / "*.jsonl")]
    assert params["warehouse"] == str(tmp_path / "wh" / "dateline.duckdb")
    assert deployment.parameters == params
    assert "workers" not in params  # each run takes the CPU count of the machine it runs on
    assert deployment_parameters(Settings(workers=3))["workers"] == 3


def test_serve_refuses_without_a_prefect_server(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = subprocess.run(
        [sys.executable, "-m", "dateline.cli", "serve", "--cron", CRON], cwd=ROOT, capture_output=True, text=True,
        env=_env(PREFECT_API_URL=None), timeout=120,
    )
    assert result.returncode != 0
    assert "prefect server start" in result.stderr


def _env(**changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env |= {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen, first: int = signal.SIGINT, grace: float = 30) -> None:
    """Stop a process group we started: ``first`` signal, then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, first)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        # the kernel reaps a killed group quickly, but a starved machine can take more than a few seconds
        process.wait(60)
    except ProcessLookupError:
        pass


def _wait(what: str, check, timeout: float, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def prefect_server(tmp_path):
    """A real ``prefect server start`` on a free loopback port; yields its API URL."""
    port = _free_port()
    home = tmp_path / "server-home"
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "prefect"), "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=_env(PREFECT_HOME=str(home), TMPDIR=str(tmp_path), PREFECT_API_URL=None),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait("the Prefect server", healthy, timeout=180)
        yield url
    finally:
        _stop(server, signal.SIGTERM)
        log.close()


@pytest.mark.slow
def test_served_deployment_has_the_schedule_and_a_triggered_run_completes(prefect_server, seed_dir, tmp_path):
    warehouse = tmp_path / "served" / "dateline.duckdb"
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "dateline.cli", "serve", "--cron", CRON, "--input", str(seed_dir),
         "--warehouse", str(warehouse)],
        cwd=ROOT, env=_env(PREFECT_API_URL=prefect_server, PREFECT_HOME=str(tmp_path / "serve-home"),
                           TMPDIR=str(tmp_path)),
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    api = httpx.Client(base_url=prefect_server, timeout=30)
    try:
        def deployment() -> dict | None:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            response = api.get(f"/deployments/name/news_etl/{DEFAULT_NAME}")
            return response.json() if response.status_code == 200 else None

        found = _wait("the deployment to be registered", deployment, timeout=180)
        assert [s["schedule"]["cron"] for s in found["schedules"]] == [CRON]
        assert all(s["active"] for s in found["schedules"])
        assert found["parameters"] == {
            "inputs": [str(seed_dir)], "warehouse": str(warehouse), "batch_size": 500,
        }
        assert found["entrypoint"] == "dateline.flows.etl.news_etl"

        def created() -> dict | None:
            # The server answers 503 while its SQLite database is busy (the served flow's own writes);
            # Prefect's client retries those, and so does this one.
            response = api.post(f"/deployments/{found['id']}/create_flow_run", json={})
            return None if response.status_code in (502, 503, 504) else response.raise_for_status().json()

        run = _wait("the server to create a flow run", created, timeout=60, every=2)

        def finished() -> dict | None:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            try:
                state = api.get(f"/flow_runs/{run['id']}").raise_for_status().json()["state"]
            except httpx.TimeoutException:
                # A loaded machine: the server, busy with the served run's writes, answered no poll within
                # the client's 30 s. The wait's own deadline decides; the next poll asks again.
                return None
            return state if state and state["type"] in TERMINAL else None

        state = _wait("the triggered run to finish", finished, timeout=900, every=2)
        assert state["type"] == "COMPLETED", (tmp_path / "serve.log").read_text()[-3000:]
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select count(*) from dim_document").fetchone()[0] == 5
            assert con.execute("select status from etl_run").fetchall() == [("success",)]
    finally:
        api.close()
        _stop(serve)
        log.close()
