"""Children die with their parent: no orphan survives a ``kill -9`` of a run.

A run starts processes of its own: the temporary Prefect server (``cli.api``), the spaCy workers
(``flows.workers``) and, through them, multiprocessing's resource tracker. A killed parent gets no
chance to stop them, so each child watches for itself:

* the Prefect server (launched with ``subprocess``) asks the kernel for a signal when its parent
  dies (Linux ``prctl(PR_SET_PDEATHSIG)``, set between fork and exec by ``parent_death_signal``);
* a spaCy worker (spawned by multiprocessing) runs ``exit_with_parent``: a daemon thread that ends
  the process as soon as it is re-parented. Polling, not the kernel signal, because that signal is
  tied to the *thread* that started the child, and the pool may be started from a task thread;
* the resource tracker exits by itself once every process holding its pipe (the run and its
  workers) is gone.

This module must stay importable without Prefect: a worker process imports it.
"""

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def parent_death_signal(signum: int = signal.SIGTERM):
    """A ``preexec_fn`` for ``subprocess.Popen``: the child gets ``signum`` when the parent dies (Linux).

    Elsewhere it returns None (no ``preexec_fn``). The parent's pid is taken now, in the parent, so
    a parent that died before the child set the signal is noticed too.
    """
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()

    def set_signal() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent is already gone
            os.kill(os.getpid(), signum)

    return set_signal


def exit_with_parent(parent: int | None = None, poll_seconds: float = POLL_SECONDS) -> threading.Thread:
    """Start a daemon thread that ends this process (exit code 1) once ``parent`` (default: the current
    parent) is no longer its parent. Returns the thread."""
    parent = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    thread = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    thread.start()
    return thread
