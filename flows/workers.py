"""spaCy worker processes for the extract stage: the model loaded once per process, rows sent back, not Docs.

``nlp.pipe(n_process=N)`` forks N workers per call and ships every parsed ``Doc`` back to the parent
as bytes, where the parent rebuilds it and reads the rows off it: on a machine with N cores the
parent's rebuild and read compete with the workers for CPU. Here each worker process loads the model
once for the whole run, runs ``nlp.pipe`` (``n_process=1``) over a chunk of documents *and* reads the
mention and event rows off each Doc itself, so only small polars frames travel back and the parent
only waits. Workers are spawned (not forked), so they share nothing with the flow's threads and
event loop, and the parent's growing frames are never copied into them.

This module must stay importable without Prefect: it is what a worker process imports.
"""

import math
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

import polars as pl
from dateline.transforms.entities import MENTION_SCHEMA
from dateline.transforms.extract import MAX_BATCH_CHARS, Extracted, minibatches


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
                 nlp_batch_chars: int = MAX_BATCH_CHARS) -> None:
        self.model, self.processes = model, processes
        self.nlp_batch_size, self.nlp_batch_chars = nlp_batch_size, nlp_batch_chars
        self._executor = ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_load, initargs=(model, os.getpid()),
        )
        # Start every worker now, so model loads overlap whatever the flow does before extracting.
        self._warming = [self._executor.submit(_ready) for _ in range(processes)]

    def extract(self, docs: pl.DataFrame) -> Extracted:
        """Extract ``docs`` (document_key, body, …) in chunks of one minibatch; results in input order.

        A chunk holds at most ``nlp_batch_size`` documents and ``nlp_batch_chars`` characters
        (``transforms.extract.minibatches``), so a worker's memory does not depend on how many long
        articles meet in one chunk. Chunks are small so that the workers stay busy to the end of the
        run, and several batches can be in flight at once (each from its own Prefect task thread).
        """
        lengths = docs.get_column("body").str.len_chars().to_list()
        futures: list[Future] = [
            self._executor.submit(_extract_chunk, self.model, docs.slice(chunk.start, len(chunk)),
                                  self.nlp_batch_size, self.nlp_batch_chars)
            for chunk in minibatches(lengths, self.nlp_batch_size, self.nlp_batch_chars)
        ]
        return merge([future.result() for future in futures])

    def close(self) -> None:
        for future in self._warming:
            future.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)


def merge(parts: list[Extracted]) -> Extracted:
    """One ``Extracted`` from several, rows in the order of ``parts``."""
    if not parts:
        return Extracted(mentions=MENTION_SCHEMA.to_frame(), documents=0, words=0)
    return Extracted(
        mentions=pl.concat([p.mentions for p in parts]),
        documents=sum(p.documents for p in parts),
        words=sum(p.words for p in parts),
        event_mentions=pl.concat([p.event_mentions for p in parts]),
    )


@contextmanager
def extract_pool(model: str, processes: int, nlp_batch_size: int,
                 nlp_batch_chars: int = MAX_BATCH_CHARS) -> Iterator[ExtractPool | None]:
    """The run's worker pool, handed to its extract tasks; None when ``processes`` < 2.

    The pool lives in this process only: a Dask worker, which cannot start processes of its own,
    is never handed one and extracts in its own process.
    """
    if processes < 2:
        yield None
        return
    pool = ExtractPool(model, processes, nlp_batch_size, nlp_batch_chars)
    try:
        yield pool
    finally:
        pool.close()


# What runs inside a worker process. load_nlp and load_lexicon are cached per process.

def _load(model: str, parent: int | None = None) -> None:
    from dateline.flows.lifeline import exit_with_parent
    from dateline.flows.nlp import load_lexicon, load_nlp

    exit_with_parent(parent)  # a killed run leaves no worker behind

    load_nlp(model)
    load_lexicon()


def _ready() -> bool:
    return True


def _extract_chunk(model: str, docs: pl.DataFrame, nlp_batch_size: int, nlp_batch_chars: int) -> Extracted:
    from dateline.flows.nlp import load_lexicon, load_nlp
    from dateline.transforms.extract import extract_documents

    return extract_documents(load_nlp(model), docs, batch_size=nlp_batch_size, lexicon=load_lexicon(),
                             max_batch_chars=nlp_batch_chars)
