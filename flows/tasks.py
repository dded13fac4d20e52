"""The Prefect tasks of ``news_etl``: each stage's work on a batch, retried where it does I/O.

Tasks work on batches (polars frames of hundreds of documents), never one document per task. The
tasks that touch files or the warehouse (ingest, load, and the warehouse reads in ``flows.etl``)
retry what may pass (``transient_only``); the others fail at once, since running a bug again gives
the same bug.
"""

import datetime as dt
import logging
import threading
from pathlib import Path

import duckdb
import polars as pl
from dateline.expectations.validate import VALIDATION_SCHEMA, RunValidation, ValidationReport
from dateline.flows.lookups import WarehouseLookups
from dateline.flows.nlp import load_lexicon, load_nlp
from dateline.flows.sources import read_files
from dateline.flows.workers import ExtractPool
from dateline.transforms import star
from dateline.transforms.extract import Extracted, extract_documents
from dateline.transforms.ingest import QUARANTINE_SCHEMA, parse_inputs
from dateline.transforms.normalize import normalize_documents
from dateline.transforms.reference import Reference
from dateline.transforms.resolve import Known, Resolution, resolve_mentions
from dateline.warehouse import db
from dateline.warehouse.load import abandon, commit_run, load_run, record_failed_run, stage_run
from prefect import get_run_logger, task
from prefect.cache_policies import NONE as NO_CACHE
from prefect.exceptions import MissingContextError


def transient_only(task, task_run, state) -> bool:
    """Retry condition of the I/O tasks: retry what may pass (I/O, a busy warehouse); a bug fails at once."""
    try:
        state.result()
    except db.TRANSIENT_ERRORS:
        return True
    except Exception:
        return False
    return False


@task(name="ingest-batch", retries=2, retry_delay_seconds=1, retry_condition_fn=transient_only,
      cache_policy=NO_CACHE)
def ingest_batch(paths: list[str], max_bytes: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and parse one batch of input files → (raw documents, quarantine rows)."""
    items, rejected = read_files(paths, max_bytes)
    raw, bad = parse_inputs(items)
    rejected_frame = pl.DataFrame(rejected, schema=QUARANTINE_SCHEMA) if rejected else QUARANTINE_SCHEMA.to_frame()
    return raw, pl.concat([rejected_frame, bad])


@task(name="normalize-batch", cache_policy=NO_CACHE)
def normalize_batch(raw: pl.DataFrame, rules: pl.DataFrame, pool: ExtractPool | None = None,
                    today: dt.date | None = None) -> pl.DataFrame:
    """Clean text, split title/body, date and hash the body (``today``: the run's date, default the clock's).

    On the run's spaCy worker ``pool`` when its workers have loaded the model and wait for documents
    (``ExtractPool.normalize``), else in this process: the same rows either way.
    """
    today = today or dt.date.today()
    normalized = pool.normalize(raw, rules, today) if pool is not None else None
    return normalized if normalized is not None else normalize_documents(raw, rules, today=today)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(  # noqa: PLR0913  (the batch, the model settings, then where and which batch)
    docs: pl.DataFrame, model: str, nlp_batch_size: int, nlp_batch_chars: int,
    pool: ExtractPool | None = None, last: bool = False,
) -> Extracted:
    """The one spaCy pass over a batch of canonical documents.

    On the run's worker ``pool`` when it has one (``flows.workers``), else in this process (a small
    run, ``workers`` 1, or a Dask worker, which is never handed a pool). ``last``: the run's last batch.
    """
    if pool is not None:
        return pool.extract(docs, last)
    return extract_documents(load_nlp(model), docs, batch_size=nlp_batch_size, lexicon=load_lexicon(),
                             max_batch_chars=nlp_batch_chars)


@task(name="resolve", cache_policy=NO_CACHE)
def resolve_run(
    documents: pl.DataFrame, mentions: pl.DataFrame, event_mentions: pl.DataFrame, known: Known,
    reference: Reference,
) -> Resolution:
    """Canonical entities and merged events over the run's mentions and the warehouse's (``known``)."""
    return resolve_mentions(mentions, event_mentions, documents, reference.alias_rows(), known)


def fact_frames(documents: pl.DataFrame, resolution: Resolution) -> dict[str, pl.DataFrame]:
    """The entity, event, mention and date frames to load, from the resolved rows of ``documents``."""
    event_days = resolution.events.filter(pl.col("date_precision") == "day").get_column("event_date")
    return {
        "dim_entity": resolution.entities,
        "fact_entity_mention": star.build_mentions(resolution.mentions, documents),
        "fact_event": resolution.events,
        "fact_event_mention": resolution.event_mentions,
        "dim_date": star.build_dates(pl.concat([documents.get_column("published_date"), event_days])),
    }


@task(name="validate-documents", cache_policy=NO_CACHE)
def validate_documents(
    frames: dict[str, pl.DataFrame], staged: dict[str, pl.DataFrame], loaded_keys: WarehouseLookups, run_id: str,
    data_docs_dir: Path | None = None,
) -> RunValidation:
    """Start the run's validation with the tables that are final before extraction (``frames``: documents,
    sources, quarantine), while the spaCy workers parse; ``staged`` lend their keys to the references.

    This is also where GX is imported and its context opened, so neither waits for the workers.
    """
    validation = RunValidation(loaded_keys, run_id, data_docs_dir)  # imports GX (~5 s)
    validation.validate(frames, staged)
    return validation


@task(name="validate", cache_policy=NO_CACHE)
def validate_frames(
    frames: dict[str, pl.DataFrame], loaded_keys: WarehouseLookups, run_id: str, data_docs_dir: Path | None = None,
    started: RunValidation | None = None,
) -> ValidationReport:
    """Run every table's suite over the frames about to be loaded; FKs may point to staged or loaded keys
    (those asked of the warehouse by an anti-join, ``WarehouseLookups.missing_keys``).

    ``started``: the run's validation begun by ``validate_documents``; the tables it validated are not
    validated again, and its results are part of the report. A no-op rerun has nothing to validate, and
    no reason to pay for importing GX.
    """
    if started is not None:
        rest = {table: frame for table, frame in frames.items() if table not in started.validated}
        started.validate(rest, staged=frames)
        return started.finish()
    if all(frame.is_empty() for frame in frames.values()):
        return ValidationReport(results=VALIDATION_SCHEMA.to_frame())
    from dateline.expectations.validate import validate_run  # imports GX (~5 s): only when there is data

    return validate_run(frames, loaded_keys, run_id, data_docs_dir)


@task(name="load", retries=2, retry_delay_seconds=1, retry_condition_fn=transient_only, cache_policy=NO_CACHE)
def load_warehouse(  # noqa: PLR0913  (the connection's two settings, then what it loads)
    path: Path, lock_timeout: float, frames: dict[str, pl.DataFrame], run_row: dict, validation: pl.DataFrame,
    memory_limit: str | None = None,
) -> dict[str, int]:
    """Load everything in one transaction (``warehouse.load.load_run``) → rows added per table.

    A failure rolls the transaction back, so a retry starts from the warehouse as it was. The run's
    ``finished_at`` is when the warehouse was opened for the load (after any wait for another holder).

    ``memory_limit`` bounds DuckDB's buffer cache, which spills; what it cannot spill is the load's own
    transaction (DuckDB keeps the undo data of every vector an UPDATE touches in memory until the commit:
    1.0 to 1.4 GB for the redirects of 500 articles into a 1,000,000-document warehouse). A load that runs
    out of memory under the bound is therefore loaded again at once with DuckDB's own limit, in a connection
    opened afresh and after its explicit indexes are built again (``db.rebuild_indexes``: a commit that failed
    for memory can leave an ART index unusable; at 1,000,000 documents under a 1GB bound, loading again
    failed with "Corrupted ART index", in the same connection or a new one): the bound never fails a load,
    it only costs that load the time of its first attempt and of the rebuild (the warehouse's own DDL declares
    no explicit index since stop 29: the band table's, 15 s to rebuild at 1,000,000 documents, went; one a
    user added is rebuilt). A load refused for a corrupt index (left by such a failure before this fallback
    existed) is loaded again the same way; opening the warehouse for writing drops the band table's old index.
    """
    con = db.connect_write(path, lock_timeout, memory_limit)
    try:
        return load_run(con, frames, finished_now(run_row), validation)
    except duckdb.Error as exc:
        if db.corrupted_index(exc):  # left by a run before this one whose commit failed for memory
            _logger().warning("load: %s; loading again with the indexes built again", str(exc).splitlines()[0])
        elif db.bounded(memory_limit) and db.out_of_memory(exc):
            _logger().warning("load: out of memory under warehouse_memory_limit %s (%s); loading again with "
                              "DuckDB's own limit", memory_limit, str(exc).splitlines()[0])
        else:
            raise
    finally:
        con.close()
    con = db.connect_write(path, lock_timeout, db.DUCKDB_DEFAULT)
    try:
        rebuilt = db.rebuild_indexes(con)
        _logger().warning("load: indexes built again before loading again: %s", ", ".join(rebuilt) or "none")
        return load_run(con, frames, finished_now(run_row), validation)
    finally:
        con.close()


# A warehouse file up to this size is loaded while the run validates (``EarlyLoad``) whatever its memory_limit; a
# bigger one only under a bounded ``warehouse_memory_limit`` (its load's transaction can hold a gigabyte: README,
# An incremental run over a big warehouse), else the usual way, after validation.
EARLY_LOAD_MAX_BYTES = 256 * 2**20


def loads_early(path: Path, frames: dict[str, pl.DataFrame], memory_limit: str | None = None) -> bool:
    """Whether a run loading ``frames`` into ``path`` stages its load while it validates (``EarlyLoad``):
    when it has rows to load, and the warehouse is new or small, or its connections are held to a bounded
    ``memory_limit`` (``Settings.warehouse_memory_limit``, 2GB by default): DuckDB's buffers then stay within it
    beside Great Expectations' pandas copies (a load needing more is loaded again the usual way, ``commit``)."""
    if all(frame.is_empty() for frame in frames.values()):
        return False
    return not path.exists() or path.stat().st_size <= EARLY_LOAD_MAX_BYTES or db.bounded(memory_limit)


class EarlyLoad:
    """The load's statements (``warehouse.load.stage_run``) run in a thread while the flow validates, and are
    committed only once validation has passed (``commit``), else rolled back (``abandon``).

    DuckDB executes outside the GIL and Great Expectations inside it, so the two use both cores instead of one
    after the other. Validation's look-ups (its foreign-key anti-joins) go meanwhile through ``lookups``, a
    cursor of the same database: DuckDB allows no second connection of another kind to the file in this
    process, and a cursor's queries see the warehouse as committed, without the staged rows, as before.
    """

    def __init__(self, path: Path, lock_timeout: float, frames: dict[str, pl.DataFrame],
                 memory_limit: str | None = None) -> None:
        self.con = db.connect_write(path, lock_timeout, memory_limit)
        self.lookups = self.con.cursor()
        self._staged, self._error = None, None
        self._thread = threading.Thread(target=self._stage, args=(frames,), name="dateline-early-load", daemon=True)
        self._thread.start()

    def _stage(self, frames: dict[str, pl.DataFrame]) -> None:
        try:
            self._staged = stage_run(self.con, frames)
        except Exception as exc:  # noqa: BLE001  (reported by ``commit``; the run then loads the usual way)
            self._error = exc

    def commit(self, run_row: dict, validation: pl.DataFrame) -> dict[str, int] | None:
        """Record the run and commit → rows added per table; None when the staging or the commit failed (rolled
        back, logged): the caller then loads the usual way (``load_warehouse``, its retries and fallbacks)."""
        self._thread.join()
        try:
            if self._error is None:
                try:
                    return commit_run(self.con, self._staged, finished_now(run_row), validation)
                except duckdb.Error as exc:
                    self._error = exc
            _logger().warning("load: the load staged during validation failed (%s); loading again",
                              str(self._error).splitlines()[0])
            return None
        finally:
            self.close()

    def abandon(self) -> None:
        """Roll the staged load back (validation failed) and close its connection."""
        self._thread.join()
        try:
            if self._staged is not None:
                abandon(self.con)
        finally:
            self.close()

    def close(self) -> None:
        self.lookups.close()
        self.con.close()


def _logger() -> logging.Logger | logging.LoggerAdapter:
    """The task run's logger inside a flow run, else this module's (a task function called directly)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


def record_failure(path: Path, lock_timeout: float, run_row: dict, validation: pl.DataFrame | None,
                   memory_limit: str | None = None) -> None:
    """Record a failed run (and why) in ``etl_run``, with its validation results; no data of it is loaded."""
    con = db.connect_write(path, lock_timeout, memory_limit)
    try:
        record_failed_run(con, finished_now(run_row), validation)
    finally:
        con.close()


def finished_now(run_row: dict) -> dict:
    """``run_row`` with ``finished_at`` now (UTC, naive, as etl_run stores it)."""
    return run_row | {"finished_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
