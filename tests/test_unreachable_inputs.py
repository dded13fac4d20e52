"""Inputs never vanish without a trace (issue 14, item 8): an unreadable folder, a dangling symlink, a
symlink loop, a manifest row naming a missing file or carrying a bad date each become a quarantine row;
inputs of which nothing is readable are a clear error; a glob through a symlink loop reads each file once."""

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from dateline.flows.sources import NothingReadableError, find_inputs

from tests.conftest import SEEDS
from tests.fault_helpers import dateline, run_cli, subprocess_env
from tests.helpers import query, run_flow

NOBODY = 65534
ARTICLE = "Macron Calls Scholz\n\nFrench President Emmanuel Macron called German Chancellor Olaf Scholz on Monday.\n"


@pytest.fixture
def public_dir():
    """A folder an unprivileged user can reach (pytest's tmp_path sits in root's private folder)."""
    folder = Path(tempfile.mkdtemp(prefix="dateline-unreadable-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    for sub in folder.rglob("*"):
        if sub.is_dir() and not sub.is_symlink():
            sub.chmod(0o755)
    shutil.rmtree(folder)


@contextmanager
def unprivileged():
    """Permissions as a normal user sees them: root reads a chmod 000 folder, so root drops its euid."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_unreachable_inputs_become_quarantine_rows(public_dir):
    inbox = public_dir / "inbox"
    inbox.mkdir()
    (inbox / "good.txt").write_text(ARTICLE, encoding="utf-8")
    locked = inbox / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text(ARTICLE, encoding="utf-8")
    locked.chmod(0o000)
    (inbox / "dangling.txt").symlink_to(inbox / "gone.txt")
    (inbox / "self.txt").symlink_to(inbox / "self.txt")
    (inbox / "back").symlink_to(inbox, target_is_directory=True)  # a folder loop
    with unprivileged():
        files, rejected = find_inputs([str(inbox)])
    assert [Path(f).name for f in files] == ["good.txt"]
    assert sorted((r["reason"], Path(r["source_path"]).name) for r in rejected) == [
        ("dangling_symlink", "dangling.txt"), ("symlink_loop", "back"), ("symlink_loop", "self.txt"),
        ("unreadable", "locked")]
    assert all(r["detail"] for r in rejected)


def test_a_glob_through_a_symlink_loop_reads_each_real_file_once(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (inbox / "sub" / "b.txt").write_text(ARTICLE.replace("Monday", "Tuesday"), encoding="utf-8")
    (inbox / "sub" / "loop").symlink_to(inbox, target_is_directory=True)
    files, _ = find_inputs([str(inbox / "**" / "*.txt")])
    assert sorted(os.path.realpath(f) for f in files) == sorted(
        os.path.realpath(inbox / name) for name in ("a.txt", "sub/b.txt"))
    files, rejected = find_inputs([str(inbox)])
    assert len(files) == 2 and [r["reason"] for r in rejected] == ["symlink_loop"]


def test_only_unreadable_input_is_a_clear_error_and_a_non_zero_exit(public_dir, tmp_path):
    locked = public_dir / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(ARTICLE, encoding="utf-8")
    locked.chmod(0o000)
    with unprivileged(), pytest.raises(NothingReadableError, match="folder cannot be listed"):
        find_inputs([str(locked)])
    # Through the command line (as whoever runs the tests): a folder whose only entries lead nowhere.
    nowhere = tmp_path / "nowhere"
    nowhere.mkdir()
    (nowhere / "dangling.txt").symlink_to(nowhere / "gone.txt")
    (nowhere / "self.txt").symlink_to(nowhere / "self.txt")
    result = run_cli(dateline("run", "--input", str(nowhere), "--warehouse", str(tmp_path / "w.duckdb")),
                     subprocess_env(tmp_path), timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: no input file could be read")
    assert "dangling.txt" in result.stderr and "self.txt" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_manifest_rows_naming_a_missing_file_or_a_bad_date_are_quarantined(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    manifest = (inbox / "manifest.csv").read_text(encoding="utf-8").rstrip("\n").splitlines()
    header, rows = manifest[0], manifest[1:]
    columns = header.split(",")
    assert columns[0] == "file" and "published" in columns
    at = columns.index("published")

    def row(name: str, published: str) -> str:
        cells = [""] * len(columns)
        cells[0], cells[at] = name, published
        return ",".join(cells)

    rows[0] = row(rows[0].split(",")[0], "2021-13-45")
    rows[1] = row(rows[1].split(",")[0], "yesterday")
    (inbox / "manifest.csv").write_text("\n".join([header, *rows, row("missing.txt", "2021-12-14")]) + "\n",
                                        encoding="utf-8")
    files, rejected = find_inputs([str(inbox)])
    assert len(files) == 5
    assert sorted((r["reason"], r["record"]) for r in rejected) == [
        ("bad_date", 1), ("bad_date", 2), ("manifest_missing_file", len(rows) + 1)]
    assert any("'2021-13-45' is not a date" in r["detail"] for r in rejected)
    assert any("'missing.txt'" in r["detail"] for r in rejected)


@pytest.mark.slow
def test_a_run_records_unreachable_inputs_in_quarantine(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    (inbox / "dangling.txt").symlink_to(inbox / "gone.txt")
    (inbox / "loop").symlink_to(inbox, target_is_directory=True)
    (inbox / "manifest.csv").write_text((inbox / "manifest.csv").read_text(encoding="utf-8")
                                        + "missing.txt,,,2021-12-14\n", encoding="utf-8")
    warehouse = tmp_path / "wh" / "dateline.duckdb"
    summary = run_flow([inbox], warehouse)
    assert summary.status == "success", summary.message
    assert summary.documents_read == 5 and summary.files_quarantined == 3
    rows = query(warehouse, "select reason, source_path from quarantine order by reason").rows()
    assert [r[0] for r in rows] == ["dangling_symlink", "manifest_missing_file", "symlink_loop"]
    assert rows[0][1].endswith("dangling.txt") and rows[2][1].endswith("loop")
    # `dateline quarantine` and `dateline runs` list them without SQL.
    listed = run_cli(dateline("quarantine", "--warehouse", str(warehouse), "-f", "json"), subprocess_env(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert sorted(r["reason"] for r in json.loads(listed.stdout)) == [
        "dangling_symlink", "manifest_missing_file", "symlink_loop"]
    assert all(r["run_id"] == summary.run_id for r in json.loads(listed.stdout))
    runs = run_cli(dateline("runs", "--warehouse", str(warehouse), "-f", "json"), subprocess_env(tmp_path))
    assert runs.returncode == 0, runs.stderr
    assert [(r["run_id"], r["status"], r["files_quarantined"]) for r in json.loads(runs.stdout)] == [
        (summary.run_id, "success", 3)]
