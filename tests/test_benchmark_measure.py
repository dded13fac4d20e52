"""The benchmarks' process-tree measurement: CPU seconds per process and role, stamped output lines, the
run's timeline cut at its log lines (benchmarks/common.py)."""

import sys
import textwrap

from benchmarks.common import Measured, cpu_at, process_role, run_marks, run_measured, timeline

# A parent that burns CPU itself, then starts a child (role "other") that burns CPU, printing a line
# before and after each: the CPU must be found on the right process, the lines in order with their times.
TREE = textwrap.dedent("""
    import subprocess, sys, time

    def burn(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    print("parent burns", flush=True)
    burn(0.6)
    print("child starts", flush=True)
    subprocess.run([sys.executable, "-c", "import time\\nend = time.process_time() + 0.8\\n"
                    "while time.process_time() < end: pass"], check=True)
    print("child done", file=sys.stderr, flush=True)
""")


def test_run_measured_records_cpu_per_process_and_stamped_lines():
    measured = run_measured([sys.executable, "-c", TREE])
    assert measured.returncode == 0
    roles = [key.rsplit(" ", 1)[0] for key in measured.process_cpu_s]
    assert sorted(roles) == ["other", "run"]
    by_role = measured.cpu_by_role()
    # the root burned ≥ 0.6 s itself, the child ≥ 0.8 s (sampled every 0.1 s: its last moments may be missed)
    assert by_role["run"] >= 0.55
    assert by_role["other"] >= 0.5
    assert abs(sum(by_role.values()) - measured.cpu_seconds) < 0.05  # "unsampled" makes up the rest
    assert [text for _, text in measured.lines] == ["parent burns", "child starts", "child done"]
    stamps = [when for when, _ in measured.lines]
    assert stamps == sorted(stamps) and stamps[1] - stamps[0] >= 0.5
    assert measured.stdout == "parent burns\nchild starts\n" and measured.stderr == "child done\n"
    # the samples are cumulative per role: never decreasing, and the last one holds the roles seen
    runs = [sample.get("run", 0.0) for _, sample in measured.cpu_samples]
    assert runs == sorted(runs) and runs[-1] == by_role["run"]


LOG = [
    (0.5, "booting"),
    (9.0, "16:00:09.000 | INFO    | Flow run 'a-b' - Beginning flow run 'a-b' for flow 'news_etl'"),
    (9.5, "16:00:09.500 | INFO    | Flow run 'a-b' - discover: 3 input files, 0 unreachable"),
    (10.0, "16:00:10.000 | INFO    | Flow run 'a-b' - ingest: done, 3/3 files (100%)"),
    (10.1, "16:00:10.100 | INFO    | Flow run 'a-b' - ingest: 30 documents read, 30 new"),
    (12.0, "16:00:12.000 | INFO    | Flow run 'a-b' - normalize: 30 documents, 2 boilerplate lines removed {}"),
    (13.0, "16:00:13.000 | INFO    | Flow run 'a-b' - deduplicate: 0 duplicates of 30 new documents"),
    (13.1, "16:00:13.100 | INFO    | Task run 'extract-batch-1' - Finished in state Completed()"),
    (40.0, "16:00:40.000 | INFO    | Flow run 'a-b' - extract: done, 30/30 documents (100%)"),
    (44.0, "16:00:44.000 | INFO    | Task run 'resolve-d77' - Finished in state Completed()"),
    (46.0, "16:00:46.000 | INFO    | Flow run 'a-b' - validate: passed"),
    (47.0, "16:00:47.000 | INFO    | Flow run 'a-b' - load: rows added {}"),
    (47.5, "16:00:47.500 | INFO    | Task run 'load-1' - Finished in state Completed()"),
    (48.0, "16:00:48.000 | INFO    | Flow run 'a-b' - Finished in state Completed()"),
]


def test_run_marks_in_order_first_of_each():
    marks = run_marks(LOG)
    assert marks == {"flow_begins": 9.0, "ingested": 10.0, "normalized": 12.0, "deduplicated": 13.0,
                     "extracted": 40.0, "resolved": 44.0, "validated": 46.0, "loaded": 47.0, "flow_ends": 48.0}
    # a no-op rerun logs no extraction: its marks are the ones it logged
    noop = [line for line in LOG if "extract" not in line[1] and "resolve" not in line[1]]
    assert "extracted" not in run_marks(noop) and run_marks(noop)["flow_ends"] == 48.0


def test_timeline_cpu_and_idle_per_phase():
    # one "run" process using one core all along, one worker using one core from 13 s to 40 s
    samples = []
    for tenth in range(0, 501):
        when = tenth / 10
        samples.append((when, {"run": when, "spacy-worker": min(max(when - 13.0, 0.0), 27.0)}))
    measured = Measured(50.0, 77.0, 0.0, 0, "", "", lines=LOG, cpu_samples=samples)
    phases = {p["phase"]: p for p in timeline(measured, cores=2)}
    assert list(phases) == ["start-up", "discover+ingest", "normalize", "deduplicate", "extract", "resolve",
                            "validate", "load", "flow end", "shutdown"]
    assert phases["start-up"]["seconds"] == 9.0 and phases["start-up"]["idle_core_s"] == 9.0
    extract = phases["extract"]
    assert (extract["from_s"], extract["seconds"]) == (13.0, 27.0)
    assert extract["cpu_s"] == {"run": 27.0, "spacy-worker": 27.0} and extract["idle_core_s"] == 0.0
    assert phases["resolve"]["cpu_s"]["spacy-worker"] == 0.0 and phases["resolve"]["idle_core_s"] == 4.0
    assert phases["shutdown"]["seconds"] == 2.0
    assert sum(p["seconds"] for p in phases.values()) == 50.0
    assert cpu_at(samples, -1.0) == {} and cpu_at(samples, 13.05)["run"] == 13.0


def test_process_roles():
    root = ["/venv/python", "-m", "benchmarks.throughput", "--bare-worker", "texts.json"]
    assert process_role(root, True, root) == "run"
    assert process_role(root, False, root) == "spacy-worker"  # forked by nlp.pipe(n_process=2)
    spawned = ["/venv/python", "-B", "-c", "from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=8)"]
    assert process_role(spawned, False, root) == "spacy-worker"
    server = ["/venv/python", "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app"]
    assert process_role(server, False, root) == "prefect-server"
    ours = ["/venv/python", "-m", "uvicorn", "--factory", "dateline.cli.server_app:create_app"]  # dateline run's
    assert process_role(ours, False, root) == "prefect-server"
    assert process_role(["/venv/python", "-c", "pass"], False, root) == "other"


def test_a_child_seen_before_it_execs_is_judged_again_once_it_has():
    """A Popen child polled between fork and exec has the root's command line (a forked spaCy worker's);
    once it has exec'd its program its role is what that program is (here "other", as a server would be
    "prefect-server"), and its CPU seconds go there."""
    import subprocess
    import threading
    import time

    import psutil

    from benchmarks.common import _by_role

    root = psutil.Process()
    others = {child.pid for child in root.children()}  # the suite's own children, if any
    started: list[subprocess.Popen] = []
    # Popen returns once the child has exec'd; the sampler polls from elsewhere meanwhile (a thread here)
    spawner = threading.Thread(target=lambda: started.append(subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(5)"], preexec_fn=lambda: time.sleep(2.0))))
    spawner.start()
    try:
        time.sleep(0.5)
        [pid] = [child.pid for child in root.children() if child.pid not in others]  # in preexec_fn
        roles: dict[int, str] = {}
        first = _by_role({pid: 1}, {}, {pid: 0.25}, roles, root)
        assert roles[pid] == "spacy-worker" and first == {"spacy-worker": 0.25}
        spawner.join()
        later = _by_role({pid: 1}, {}, {pid: 0.5}, roles, root)
        assert roles[pid] == "other" and later == {"other": 0.5}
        # a spaCy worker that has exited by the next poll stays one (its CPU seconds are still counted)
        worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)  # spawn_main"])
        started.append(worker)
        deadline = time.monotonic() + 30  # its command line can read empty for a moment after the exec
        while "spawn_main" not in " ".join(psutil.Process(worker.pid).cmdline()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert _by_role({worker.pid: 1}, {}, {worker.pid: 0.5}, roles, root) == {"spacy-worker": 0.5}
        worker.kill()  # not reaped yet: a zombie, whose command line reads empty
        deadline = time.monotonic() + 30
        while psutil.Process(worker.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert _by_role({worker.pid: 1}, {}, {worker.pid: 0.7}, roles, root) == {"spacy-worker": 0.7}
        worker.wait()
        assert _by_role({worker.pid: 1}, {}, {worker.pid: 0.75}, roles, root) == {"spacy-worker": 0.75}
    finally:
        spawner.join()
        for child in started:
            child.kill()
            child.wait()
