"""The run lock belongs to the warehouse file, not to the name it is given (issue 14, item 3).

A run holding the lock under one name; `dateline run` in another process under another name of the
same file (a symlink, `./w/../w/x.duckdb`, a symlinked folder, a hard link) is refused and changes
nothing. Real subprocesses on both sides.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fault_helpers import (
    ALL_TABLES,
    SEEDS,
    copy_warehouse,
    dateline,
    run_cli,
    seeded_warehouse,
    subprocess_env,
    table_differences,
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
ROOT = Path(__file__).resolve().parents[1]

NEW_ARTICLE = "Macron Calls Scholz\n\nFrench President Emmanuel Macron called German Chancellor Olaf Scholz on Monday.\n"


def _aliases(real: Path) -> dict[str, Path]:
    folder = real.parent
    (folder / "link.duckdb").symlink_to(real)
    (folder.parent / "linked-folder").symlink_to(folder, target_is_directory=True)
    os.link(real, folder / "hard.duckdb")
    return {
        "symlink": folder / "link.duckdb",
        "dot-dot": folder / ".." / folder.name / "." / real.name,
        "symlinked folder": folder.parent / "linked-folder" / real.name,
        "hard link": folder / "hard.duckdb",
    }


@pytest.mark.parametrize("alias", ["symlink", "dot-dot", "symlinked folder", "hard link"])
@pytest.mark.parametrize("holder_uses_alias", [False, True], ids=["run on the alias", "holder on the alias"])
def test_another_name_of_the_same_warehouse_meets_the_same_run_lock(tmp_path_factory, tmp_path, alias,
                                                                    holder_uses_alias):
    real = copy_warehouse(seeded_warehouse(tmp_path_factory), tmp_path / "w" / "x.duckdb")
    other = _aliases(real)[alias]
    before = copy_warehouse(real, tmp_path / "before.duckdb")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    held, run_on = (other, real) if holder_uses_alias else (real, other)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\nfrom dateline.warehouse.db import run_lock\n"
                               f"lock = run_lock(Path({str(held)!r}))\nlock.__enter__()\n"
                               "print('ready', flush=True)\nsys.stdin.read()\n"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=subprocess_env(tmp_path))
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run_cli(dateline("run", "--input", str(inbox), "--warehouse", str(run_on)), subprocess_env(tmp_path))
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert result.returncode == 1, result.stderr
    assert "another dateline run" in result.stderr and "refused" in result.stderr
    assert table_differences(before, real, ALL_TABLES) == {}


def test_a_run_through_a_symlink_loads_the_real_file(tmp_path):
    real = tmp_path / "w" / "x.duckdb"
    real.parent.mkdir()
    (tmp_path / "link.duckdb").symlink_to(real)
    result = run_cli(dateline("run", "--json", "--input", str(SEEDS), "--warehouse", str(tmp_path / "link.duckdb")),
                     subprocess_env(tmp_path))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)  # `run --json`: the summary as one JSON object, paths whole
    assert summary["status"] == "success" and summary["documents_new"] == 5
    assert summary["warehouse"] == str(tmp_path / "link.duckdb")
    assert summary["data_docs"].endswith("index.html") and Path(summary["data_docs"]).is_file()
    assert real.is_file() and (tmp_path / "link.duckdb").is_symlink()
    assert (real.parent / "x.duckdb.run.lock").exists()
