"""Support for the bad-input and fault tests: one seeded warehouse per session, table comparisons, subprocesses."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.helpers import DATA_TABLES, run_flow

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

ALL_TABLES = (*DATA_TABLES, "etl_run", "etl_validation")
# Columns that name the run that wrote a row: equal contents from two different runs differ only there.
RUN_COLUMNS = {"dim_document": ("loaded_run_id",), "quarantine": ("run_id",)}

_seeded: dict[str, Path] = {}


def seeded_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding the seed run, made once per session; copy it, never write to it."""
    if "path" not in _seeded:
        base = tmp_path_factory.mktemp("seeded")
        path = base / "seeded.duckdb"
        summary = run_flow([SEEDS], path)
        assert summary.status == "success", summary.message
        _seeded["path"] = path
    return _seeded["path"]


def run_with(inputs: list, warehouse: Path, **overrides):
    """Run the real flow with any settings (tests.helpers.run_flow fixes lock_timeout)."""
    from dateline.flows.etl import news_etl
    from dateline.flows.settings import Settings

    return news_etl(settings=Settings(inputs=[str(p) for p in inputs], warehouse=warehouse, **overrides))


def copy_warehouse(source: Path, target: Path) -> Path:
    """Copy a closed warehouse file (and its WAL, if any) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


def table_differences(left: Path, right: Path, tables=ALL_TABLES, ignore: dict | None = None) -> dict[str, int]:
    """Rows of each table found on one side only (EXCEPT ALL, both ways); {} when every table is identical.

    ``ignore`` maps a table to columns left out of the comparison (e.g. the id of the run that wrote a row).
    """
    ignore = ignore or {}
    differences = {}
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        for table in tables:
            skipped = ignore.get(table, ())
            columns = "* exclude (" + ", ".join(skipped) + ")" if skipped else "*"
            only_left = con.execute(
                f"select count(*) from (select {columns} from l.{table} except all select {columns} from r.{table})"
            ).fetchone()[0]
            only_right = con.execute(
                f"select count(*) from (select {columns} from r.{table} except all select {columns} from l.{table})"
            ).fetchone()[0]
            if only_left or only_right:
                differences[table] = {"only_left": only_left, "only_right": only_right}
    return differences


def subprocess_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Environment for a child ``dateline`` process: its own PREFECT_HOME and TMPDIR, the session's Prefect API."""
    from prefect.settings import PREFECT_API_URL

    home, tmp = tmp_path / "prefect-home", tmp_path / "tmp"
    home.mkdir(exist_ok=True)
    tmp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env.update(
        PREFECT_HOME=str(home),
        TMPDIR=str(tmp),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        DATELINE_DATA_DOCS_DIR=str(tmp_path / "data_docs"),
        DATELINE_QUIET="true",
    )
    api = PREFECT_API_URL.value()
    if api:  # the session's test server (prefect_harness): no temporary server per child process
        env["PREFECT_API_URL"] = api
    env.update(extra)
    return env


def dateline(*args: str) -> list[str]:
    """Command line of the installed ``dateline`` console script (or ``python -m cli``)."""
    script = Path(sys.executable).with_name("dateline")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "dateline.cli", *args]


def dateline_with_fault(fault: str, *args: str) -> list[str]:
    """Command line running ``dateline ARGS`` in a child process after ``fault`` (Python source) replaced
    one component's function with a faulty one: the behaviour is then observed through the CLI."""
    launcher = f"import sys\n{fault}\nfrom dateline.cli.main import main\nsys.argv = ['dateline', *sys.argv[1:]]\nmain()\n"
    return [sys.executable, "-c", launcher, *args]


# A real bug's shape: every new mention of the resolve stage points past the end of its body.
BROKEN_OFFSETS = (
    "import dataclasses, polars as pl\n"
    "import dateline.transforms.resolve as resolve\n"
    "real = resolve.resolve_mentions\n"
    "def broken(*args, **kwargs):\n"
    "    resolved = real(*args, **kwargs)\n"
    "    mentions = resolved.mentions.with_columns(end_char=pl.col('end_char') + 1_000_000)\n"
    "    return dataclasses.replace(resolved, mentions=mentions)\n"
    "resolve.resolve_mentions = broken\n"
)


def run_cli(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a command to completion from the repository root, capturing text output."""
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
