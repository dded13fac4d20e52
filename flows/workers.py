"""spaCy worker processes for the extract stage: the model loaded once per process, rows sent back, not Docs.

``nlp.pipe(n_process=N)`` forks N workers per call and ships every parsed ``Doc`` back to the parent
as bytes, where the parent rebuilds it and reads the rows off it: on a machine with N cores the
parent's rebuild and read compete with the workers for CPU. Here each worker process loads the model
once for the whole run, runs ``nlp.pipe`` (``n_process=1``) over a chunk of documents *and* reads the
mention and event rows off each Doc itself, so only small polars frames travel back and the parent
only waits. Workers are spawned (not forked), so they share nothing with the flow's threads and
event loop, and the parent's growing frames are never copied into them.

This module must stay importable without Prefect: it is what a worker process imports. It imports
neither spaCy nor the transforms at module level either, so that ``dateline run`` can start the workers
(``prestart``) before its own heavy imports.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from dateline.transforms.extract import Extracted

# transforms.extract.MAX_BATCH_CHARS (not imported here: it loads spaCy; tests/test_prestart.py checks)
MAX_BATCH_CHARS = 200_000


def processes_for(documents: int, workers: int, nlp_batch_size: int) -> int:
    """How many spaCy processes a run with ``documents`` to extract should use: at most ``workers``.

    Starting a worker costs a model load (seconds), so a process gets at least one minibatch of
    work: five documents are extracted in the flow's own process, 2,000 in ``workers`` processes.
    """
    if documents <= 0:
        return 0
    return max(1, min(workers, math.ceil(documents / nlp_batch_size)))


class ExtractPool:
    """``processes`` spawned workers with ``model`` loaded; ``extract`` splits a batch across them."""

    def __init__(self, model: str, processes: int, nlp_batch_size: int,
                 nlp_batch_chars: int = MAX_BATCH_CHARS, normalizes: bool = False) -> None:
        self.model, self.processes = model, processes
        self.nlp_batch_size, self.nlp_batch_chars = nlp_batch_size, nlp_batch_chars
        self._executor = ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_load, initargs=(model, os.getpid(), normalizes),
        )
        # Start every worker now, so model loads overlap whatever the flow does before extracting.
        self._warming = [self._executor.submit(_ready) for _ in range(processes)]

    def matches(self, model: str, processes: int, nlp_batch_size: int, nlp_batch_chars: int) -> bool:
        """Whether this pool is the one a run with these settings would start."""
        return (self.model, self.processes, self.nlp_batch_size, self.nlp_batch_chars) == (
            model, processes, nlp_batch_size, nlp_batch_chars)

    def ready(self) -> bool:
        """Every worker has loaded the model (and none failed to): work submitted now starts at once."""
        return all(f.done() and not f.cancelled() and f.exception() is None for f in self._warming)

    def normalize(self, raw: pl.DataFrame, rules: pl.DataFrame, today: dt.date) -> pl.DataFrame | None:
        """``normalize_documents`` of ``raw``, split across the workers while they have nothing to extract;
        None when they are still loading the model (the caller normalizes in its own process then).

        Each row is normalized on its own (``today`` fixed by the caller), so the rows equal the flow's own.
        """
        if raw.is_empty() or not self.ready():
            return None
        size = math.ceil(raw.height / self.processes)
        futures = [self._executor.submit(_normalize_chunk, raw.slice(start, size), rules, today)
                   for start in range(0, raw.height, size)]
        return pl.concat([future.result() for future in futures])

    def extract(self, docs: pl.DataFrame, last: bool = False) -> Extracted:
        """Extract ``docs`` (document_key, body, …) in chunks of one minibatch; results in input order.

        A chunk holds at most ``nlp_batch_size`` documents and ``nlp_batch_chars`` characters
        (``transforms.extract.minibatches``), so a worker's memory does not depend on how many long
        articles meet in one chunk. Chunks are small so that the workers stay busy to the end of the
        run, and several batches can be in flight at once (each from its own Prefect task thread).
        The ``last`` batch of a run ends in smaller chunks (``finer_tail``), so that one worker does not
        parse a whole minibatch alone while the others have nothing left. The rows do not depend on how
        the documents are cut (each Doc is read on its own).
        """
        from dateline.transforms.extract import minibatches

        lengths = docs.get_column("body").str.len_chars().to_list()
        futures: list[Future] = [
            self._executor.submit(_extract_chunk, self.model, docs.slice(chunk.start, len(chunk)),
                                  self.nlp_batch_size, self.nlp_batch_chars)
            for chunk in finer_tail(minibatches(lengths, self.nlp_batch_size, self.nlp_batch_chars),
                                    self.processes if last else 0)
        ]
        return merge([future.result() for future in futures])

    def close(self, wait: bool = True) -> None:
        """Stop the workers; with ``wait`` False, return at once while they exit (the executor's own
        thread joins them, and the interpreter waits for it at exit)."""
        for future in self._warming:
            future.cancel()
        self._executor.shutdown(wait=wait, cancel_futures=True)


def finer_tail(chunks: list[range], processes: int, pieces: int = 4) -> list[range]:
    """``chunks`` with the last ``processes`` of them cut into up to ``pieces`` consecutive parts each."""
    if processes <= 0:
        return list(chunks)
    head, tail = list(chunks[:-processes]), chunks[-processes:]
    for chunk in tail:
        size = math.ceil(len(chunk) / pieces)
        head.extend(range(start, min(start + size, chunk.stop)) for start in range(chunk.start, chunk.stop, size))
    return head


def merge(parts: list[Extracted]) -> Extracted:
    """One ``Extracted`` from several, rows in the order of ``parts``."""
    from dateline.transforms.entities import MENTION_SCHEMA
    from dateline.transforms.extract import Extracted

    if not parts:
        return Extracted(mentions=MENTION_SCHEMA.to_frame(), documents=0, words=0)
    return Extracted(
        mentions=pl.concat([p.mentions for p in parts]),
        documents=sum(p.documents for p in parts),
        words=sum(p.words for p in parts),
        event_mentions=pl.concat([p.event_mentions for p in parts]),
    )


# A pool started before the flow (``prestart``), waiting for the run's ``extract_pool`` to adopt it.
_prestarted: ExtractPool | None = None


def prestart(model: str, processes: int, nlp_batch_size: int,
             nlp_batch_chars: int = MAX_BATCH_CHARS) -> ExtractPool | None:
    """Start the run's worker pool now, before the flow: ``dateline run`` calls this while Prefect's
    temporary server boots, when the run surely has documents to extract, so the model loads overlap
    the server's start-up. The flow's ``extract_pool`` adopts it when it asks for the same pool, and
    closes it otherwise; ``discard_prestarted`` closes it if the flow never asked (a failure before).
    """
    global _prestarted  # noqa: PLW0603  (one pool per process, handed from the CLI to the flow)
    discard_prestarted()
    if processes >= 2:
        _prestarted = ExtractPool(model, processes, nlp_batch_size, nlp_batch_chars, normalizes=True)
    return _prestarted


def discard_prestarted() -> None:
    """Close a pool started by ``prestart`` that no run adopted (nothing when there is none)."""
    global _prestarted  # noqa: PLW0603
    pool, _prestarted = _prestarted, None
    if pool is not None:
        pool.close()


def _adopt(model: str, processes: int, nlp_batch_size: int, nlp_batch_chars: int) -> ExtractPool | None:
    """The prestarted pool if it is the one asked for; any other prestarted pool is closed now."""
    global _prestarted  # noqa: PLW0603
    pool, _prestarted = _prestarted, None
    if pool is not None and pool.matches(model, processes, nlp_batch_size, nlp_batch_chars):
        return pool
    if pool is not None:
        pool.close()
    return None


@contextmanager
def extract_pool(model: str, processes: int, nlp_batch_size: int,
                 nlp_batch_chars: int = MAX_BATCH_CHARS) -> Iterator[ExtractPool | None]:
    """The run's worker pool, handed to its extract tasks; None when ``processes`` < 2.

    A pool already started by ``prestart`` with the same settings is used (its models may be loaded
    by now); one with other settings, or one nobody needs (a no-op run), is closed first.
    The pool lives in this process only: a Dask worker, which cannot start processes of its own,
    is never handed one and extracts in its own process.
    """
    pool = _adopt(model, processes, nlp_batch_size, nlp_batch_chars)
    if pool is None and processes >= 2:
        pool = ExtractPool(model, processes, nlp_batch_size, nlp_batch_chars)
    if pool is None:
        yield None
        return
    try:
        yield pool
    finally:
        # The workers' exit (a Python process freeing a loaded model: 0.7-2 s measured) overlaps what the
        # flow does next instead of delaying it; they have nothing left to run, so they exit in a moment.
        pool.close(wait=False)


# What runs inside a worker process. load_nlp and load_lexicon are cached per process.

def one_blas_thread() -> None:
    """One OpenBLAS thread in this process unless the environment says otherwise; before numpy is imported.

    OpenBLAS starts a thread per core by default, and a worker's matrix products (py3langid's scores in
    ``normalize``) then spin threads on cores the other workers are using: on 2 cores with 2 workers that
    doubled those products' CPU seconds for the same numbers. A worker is one process per core already.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _load(model: str, parent: int | None = None, normalizes: bool = False) -> None:
    one_blas_thread()  # a spawned worker has not imported numpy yet: spaCy and the transforms do, below
    from dateline.flows.lifeline import exit_with_parent
    from dateline.flows.nlp import load_lexicon, load_nlp

    exit_with_parent(parent)  # a killed run leaves no worker behind

    load_nlp(model)
    load_lexicon()
    if normalizes:  # a pool started before the flow normalizes too: py3langid's model, decompressed once
        from dateline.transforms.normalize import _language_identifier

        _language_identifier()


def _ready() -> bool:
    return True


def _normalize_chunk(raw: pl.DataFrame, rules: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    from dateline.transforms.normalize import normalize_documents

    return normalize_documents(raw, rules, today=today)


def _extract_chunk(model: str, docs: pl.DataFrame, nlp_batch_size: int, nlp_batch_chars: int) -> Extracted:
    from dateline.flows.nlp import load_lexicon, load_nlp
    from dateline.transforms.extract import extract_documents

    return extract_documents(load_nlp(model), docs, batch_size=nlp_batch_size, lexicon=load_lexicon(),
                             max_batch_chars=nlp_batch_chars)
