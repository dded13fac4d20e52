"""Shared fixtures: an isolated Prefect home and test server per session, seeds, temporary warehouses."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPORA = ROOT.parent / "shared" / "corpora"

# Before Prefect is imported anywhere: its own home, no telemetry, quiet logs.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="dateline-prefect-"))
os.environ["PREFECT_HOME"] = str(_PREFECT_HOME)
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
for _name in list(os.environ):
    # Settings come from the tests, not the developer's shell; DATELINE_UPDATE_GOLDEN and
    # DATELINE_TEST_SERVER_TIMEOUT are the tests' own switches.
    if _name.startswith("DATELINE_") and _name not in ("DATELINE_UPDATE_GOLDEN", "DATELINE_TEST_SERVER_TIMEOUT"):
        del os.environ[_name]


def corpus(name: str) -> Path:
    """Path of a file under ../shared/corpora; the test is skipped when it is absent."""
    path = CORPORA / name
    if not path.exists():
        pytest.skip(f"corpus {name} not found under {CORPORA}")
    return path


@pytest.fixture(scope="session")
def prefect_harness():
    """One real (temporary) Prefect API for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    # 60 s unless DATELINE_TEST_SERVER_TIMEOUT says otherwise: on a shared machine under heavy load the
    # server can need longer to boot, and then every test of the session would error on its set-up.
    with prefect_test_harness(server_startup_timeout=int(os.environ.get("DATELINE_TEST_SERVER_TIMEOUT", "60"))):
        yield


@pytest.fixture(scope="session")
def seeds_warehouse(prefect_harness, tmp_path_factory) -> Path:
    """The warehouse of the real flow over a copy of seeds/, built once per session. Tests only read it
    (their checks that readers never write it keep it so); a test that writes copies it first."""
    from tests.helpers import run_flow

    inputs = tmp_path_factory.mktemp("seeds-run") / "seeds"
    shutil.copytree(SEEDS, inputs)
    path = tmp_path_factory.mktemp("seeds-wh") / "dateline.duckdb"
    assert run_flow([inputs], path).status == "success"
    return path


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A private copy of seeds/ that a test may add files to."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "dateline.duckdb"


@pytest.fixture(scope="session")
def nlp():
    """The production pipeline (the installed model with Dateline's entity components), loaded once."""
    from dateline.flows.nlp import load_nlp
    from dateline.flows.settings import Settings

    return load_nlp(Settings().model)


@pytest.fixture(scope="session")
def lexicon():
    """The production trigger lexicon with the shipped trained event detector, loaded once."""
    from dateline.flows.nlp import load_lexicon

    return load_lexicon()


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)
