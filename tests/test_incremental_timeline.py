"""benchmarks.incremental's timelines: each measured run (big, empty, no-op) cut at its log lines, its CPU
seconds by role, and where the big run's extra seconds go, phase by phase."""

import pytest

from benchmarks.common import Measured
from benchmarks.incremental import phase_seconds_extra, run_timelines


def _log(shift_resolve: float, with_extract: bool = True) -> list[tuple[float, str]]:
    """A run's log lines: start-up to 9 s, extract to 40 s, resolve ``shift_resolve`` s longer than 4 s."""
    lines = [
        (9.0, "16:00:09.000 | INFO    | Flow run 'a-b' - Beginning flow run 'a-b' for flow 'news_etl'"),
        (10.0, "16:00:10.000 | INFO    | Flow run 'a-b' - ingest: done, 3/3 files (100%)"),
        (12.0, "16:00:12.000 | INFO    | Flow run 'a-b' - normalize: 30 documents, 2 boilerplate lines removed {}"),
        (13.0, "16:00:13.000 | INFO    | Flow run 'a-b' - deduplicate: 0 duplicates of 30 new documents"),
    ]
    if with_extract:
        lines += [
            (40.0, "16:00:40.000 | INFO    | Flow run 'a-b' - extract: done, 30/30 documents (100%)"),
            (44.0 + shift_resolve, "16:00:44.000 | INFO    | Task run 'resolve-d77' - Finished in state Completed()"),
        ]
    end = 44.0 + shift_resolve if with_extract else 13.0
    lines += [
        (end + 2.0, "16:00:46.000 | INFO    | Flow run 'a-b' - validate: passed"),
        (end + 3.0, "16:00:47.000 | INFO    | Flow run 'a-b' - load: rows added {}"),
        (end + 4.0, "16:00:48.000 | INFO    | Flow run 'a-b' - Finished in state Completed()"),
    ]
    return lines


def _measured(lines: list[tuple[float, str]], seconds: float) -> Measured:
    """One "run" process using one core all along, a spaCy worker one core from 13 s to 40 s."""
    samples = [(tenth / 10, {"run": tenth / 10, "spacy-worker": min(max(tenth / 10 - 13.0, 0.0), 27.0)})
               for tenth in range(int(seconds * 10) + 1)]
    cpu = seconds + samples[-1][1]["spacy-worker"]
    return Measured(seconds, cpu + 0.5, 0.0, 0, "", "", lines=lines, cpu_samples=samples,
                    process_cpu_s={"run 1": seconds, "spacy-worker 2": samples[-1][1]["spacy-worker"]})


def test_each_run_has_its_timeline_and_cpu_by_role():
    runs = {"big": _measured(_log(6.0), 56.0), "empty": _measured(_log(0.0), 50.0),
            "noop": _measured(_log(0.0, with_extract=False), 20.0)}
    result = run_timelines(runs)
    assert set(result) == {"big_timeline", "empty_timeline", "noop_timeline", "big_process_cpu_s",
                           "empty_process_cpu_s", "noop_process_cpu_s", "phase_seconds_big_minus_empty"}
    assert result["big_process_cpu_s"] == {"run": 56.0, "spacy-worker": 27.0, "unsampled": 0.5}
    big = {phase["phase"]: phase for phase in result["big_timeline"]}
    assert big["resolve"]["seconds"] == 10.0 and big["resolve"]["cpu_s"] == {"run": 10.0, "spacy-worker": 0.0}
    assert sum(phase["seconds"] for phase in result["big_timeline"]) == 56.0
    # the no-op rerun extracts and resolves nothing: its timeline has no such phase
    assert [phase["phase"] for phase in result["noop_timeline"]] == [
        "start-up", "discover+ingest", "normalize", "deduplicate", "validate", "load", "flow end", "shutdown"]
    # the 6 extra seconds of the big run are resolve's, every other phase as long as the empty run's
    extra = result["phase_seconds_big_minus_empty"]
    assert extra["resolve"] == 6.0 and extra["shutdown"] == 0.0
    assert sum(extra.values()) == 6.0 and set(extra.values()) == {0.0, 6.0}


def test_extra_seconds_of_a_phase_only_one_run_has():
    big = [{"phase": "start-up", "seconds": 9.0}, {"phase": "resolve", "seconds": 3.0}]
    empty = [{"phase": "start-up", "seconds": 8.0}, {"phase": "extract", "seconds": 2.5}]
    assert phase_seconds_extra(big, empty) == {"start-up": 1.0, "resolve": 3.0, "extract": -2.5}


def test_without_the_empty_run_no_comparison():
    result = run_timelines({"noop": _measured(_log(0.0, with_extract=False), 20.0)})
    assert set(result) == {"noop_timeline", "noop_process_cpu_s"}


@pytest.mark.slow
def test_the_benchmark_boots_the_server_once_before_timing_so_its_database_exists(tmp_path, monkeypatch):
    """A new PREFECT_HOME gets its server database from the untimed boot, not from the first timed run."""
    from benchmarks.throughput import prepare_prefect_home

    home = tmp_path / "prefect"
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(home))
    prepare_prefect_home()
    assert (home / "prefect.db").stat().st_size > 0
