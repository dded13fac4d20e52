"""The Prefect flow ``news_etl``: ingest → normalize → deduplicate → extract → resolve → validate → load.

Tasks work on batches (polars frames of hundreds of documents), never one document per task.
"""

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE as NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from expectations.validate import VALIDATION_SCHEMA, ValidationReport
from flows import runners, workers
from flows.lookups import WarehouseLookups, resolve_events_against
from flows.nlp import load_lexicon, load_nlp
from flows.progress import RunProgress
from flows.settings import Settings
from flows.sources import find_inputs, read_files
from flows.staging import RunStaging
from transforms import star
from transforms.deduplicate import deduplicate, document_signatures
from transforms.entities import MENTION_SCHEMA, entity_relations, load_aliases, resolve_entities
from transforms.events import EVENT_MENTION_SCHEMA, load_event_types
from transforms.extract import Extracted, extract_documents
from transforms.ingest import QUARANTINE_SCHEMA, RAW_SCHEMA, parse_inputs
from transforms.normalize import NORMALIZED_SCHEMA, count_removed_lines, normalize_documents
from transforms.resolve_events import demonym_countries, key_event_mentions
from transforms.versions import plan_versions, source_identity, with_metadata_hash
from warehouse import db
from warehouse.load import load_run, record_failed_run


class ValidationFailedError(RuntimeError):
    """A Great Expectations suite failed: nothing of the run was loaded."""


@dataclass
class RunSummary:
    """What a run did, printed by the CLI and recorded in etl_run."""

    run_id: str
    status: str = "running"
    files_seen: int = 0
    documents_read: int = 0
    documents_new: int = 0
    documents_skipped: int = 0
    documents_duplicate: int = 0
    documents_extracted: int = 0
    documents_superseded: int = 0  # loaded documents replaced by a new version or corrected (transforms/versions.py)
    files_quarantined: int = 0
    mentions: int = 0
    entities: int = 0
    event_mentions: int = 0
    events: int = 0
    words: int = 0
    validation: str = "not run"
    rows_added: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warehouse: str = ""
    data_docs: str = ""  # index.html of this run's Great Expectations Data Docs
    warehouse_rows_read: int = 0  # rows the run's warehouse look-ups returned (flows/lookups.py)
    message: str = ""


@contextmanager
def _timed(summary: RunSummary, stage: str) -> Iterator[None]:
    """Add the wall time of the block to ``summary.stage_seconds[stage]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        summary.stage_seconds[stage] = round(summary.stage_seconds.get(stage, 0.0) + elapsed, 3)


def _transient_only(task, task_run, state) -> bool:
    """Retry condition of the I/O tasks: retry what may pass (I/O, a busy warehouse); a bug fails at once."""
    try:
        state.result()
    except db.TRANSIENT_ERRORS:
        return True
    except Exception:
        return False
    return False


@task(name="warehouse-state", retries=2, retry_delay_seconds=1, retry_condition_fn=_transient_only,
      cache_policy=NO_CACHE)
def warehouse_state(path: Path, lock_timeout: float = 0.0) -> WarehouseLookups:
    """The warehouse as this run asks it (``flows.lookups``): every look-up keyed by the batch, in DuckDB.

    Checks now that the warehouse can be read, waiting up to ``lock_timeout`` s while another process
    holds the file read-write (and migrates a warehouse whose schema predates what the look-ups read).
    """
    lookups = WarehouseLookups(path, lock_timeout)
    lookups.prepare()
    return lookups


@task(name="ingest-batch", retries=2, retry_delay_seconds=1, retry_condition_fn=_transient_only,
      cache_policy=NO_CACHE)
def ingest_batch(paths: list[str], max_bytes: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read and parse one batch of input files → (raw documents, quarantine rows)."""
    items, rejected = read_files(paths, max_bytes)
    raw, bad = parse_inputs(items)
    rejected_frame = pl.DataFrame(rejected, schema=QUARANTINE_SCHEMA) if rejected else QUARANTINE_SCHEMA.to_frame()
    return raw, pl.concat([rejected_frame, bad])


@task(name="normalize-batch", cache_policy=NO_CACHE)
def normalize_batch(raw: pl.DataFrame) -> pl.DataFrame:
    """Clean text, split title/body, hash the body."""
    return normalize_documents(raw)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract_batch(docs: pl.DataFrame, model: str, nlp_batch_size: int, nlp_batch_chars: int) -> Extracted:
    """The one spaCy pass over a batch of canonical documents.

    On the run's worker pool when it has one (``flows.workers``), else in this process (a small run,
    ``workers`` 1, or a Dask worker).
    """
    pool = workers.active()
    if pool is not None:
        return pool.extract(docs)
    return extract_documents(load_nlp(model), docs, batch_size=nlp_batch_size, lexicon=load_lexicon(),
                             max_batch_chars=nlp_batch_chars)


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@flow(name="news_etl", task_runner=ThreadPoolTaskRunner(max_workers=1))
def news_etl(
    inputs: list[str] | None = None,
    warehouse: str | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    settings: Settings | None = None,
) -> RunSummary:
    """Run the pipeline over ``inputs`` into ``warehouse``.

    ``settings`` (default: DATELINE_ environment) is the base; the other parameters override it,
    so a deployment can be scheduled with plain JSON parameters.
    """
    overrides = {"inputs": inputs, "warehouse": warehouse, "batch_size": batch_size, "workers": workers}
    base = settings or Settings()
    merged = Settings.model_validate(
        base.model_dump() | {k: v for k, v in overrides.items() if v is not None}
    )
    return run_pipeline(merged)


def run_pipeline(settings: Settings) -> RunSummary:
    """The body of ``news_etl`` (inside a flow run): the stages in order, counts logged at each boundary."""
    logger = get_run_logger()
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    summary = RunSummary(run_id=uuid.uuid4().hex, warehouse=str(settings.warehouse))
    path = Path(settings.warehouse)

    with db.run_lock(path), RunProgress.for_terminal(logger, settings.quiet) as progress, RunStaging() as parked:
        with _timed(summary, "discover"):
            files, unreachable = find_inputs(settings.inputs)
            state = warehouse_state(path, settings.lock_timeout)
        summary.files_seen = len(files)
        logger.info("discover: %d input files, %d unreachable", len(files), len(unreachable))

        with _timed(summary, "ingest"):
            new, rejected, versions = _ingest(files, settings, state, summary, progress, logger)
            # Folders that cannot be listed, dangling symlinks, loops, manifest rows that do not apply.
            rejected = pl.concat([pl.DataFrame(unreachable, schema=QUARANTINE_SCHEMA), rejected])
            summary.files_quarantined = rejected.height
        # The spaCy workers start loading the model now, while normalize and deduplicate run; they
        # are stopped as soon as the extraction is done, before validation and load need the memory.
        with _extract_pool(new.height, settings, logger) as pool:
            with _timed(summary, "normalize"):
                normalized = _normalize(new, settings, logger)
            with _timed(summary, "deduplicate"):
                dedup = _deduplicate(new, normalized, state, versions, summary, logger)
            with _timed(summary, "extract"):
                canonical = _canonical(normalized, dedup, settings, logger)
                # While the workers run, the raw and cleaned texts and the extracted rows wait on
                # disk; this process keeps only the bodies to extract (see flows/staging.py).
                parked.park("raw", new)
                parked.park("normalized", normalized)
                del new, normalized
                _extract(canonical, settings, pool, parked, summary, progress, logger)
                del canonical
        with _timed(summary, "resolve"):
            new, normalized = parked.take("raw", RAW_SCHEMA), parked.take("normalized", NORMALIZED_SCHEMA)
            mentions = parked.take("mentions", MENTION_SCHEMA)
            event_mentions = parked.take("event_mentions", EVENT_MENTION_SCHEMA)
            frames = _resolve(new, normalized, dedup, mentions, event_mentions, rejected, state, summary)
            summary.documents_superseded = versions.height
        # Everything to load is in ``frames`` now: the intermediates (raw text twice, every mention
        # row) go before validation makes its pandas copies.
        del new, normalized, dedup, mentions, event_mentions
        with _timed(summary, "validate"):
            report = _validate(frames, state, path, settings, summary)
        summary.warehouse_rows_read = state.rows_read
        logger.info("warehouse look-ups: %d rows read in %d queries", state.rows_read, len(state.reads))
        logger.info("validate: %s", summary.validation)
        with _timed(summary, "load"):
            _load(frames, report, path, settings, summary, started_at, versions)
        logger.info("load: rows added %s", summary.rows_added)
    return summary


def _ingest(files, settings, state: WarehouseLookups, summary, progress, logger
            ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Read and parse the files in batches → (documents not yet in the warehouse, quarantine rows, versions)."""
    raws, rejects = [], []
    with progress.stage("ingest", len(files), "files") as counter:
        for paths in _batches(files, settings.batch_size):
            raw, rejected = ingest_batch(paths, settings.max_file_bytes)
            raws.append(raw)
            rejects.append(rejected)
            counter.advance(len(paths))
    raw = pl.concat(raws) if raws else parse_inputs([])[0]
    rejected = pl.concat(rejects) if rejects else QUARANTINE_SCHEMA.to_frame()
    # New documents, and new versions of loaded sources (edited, corrected): transforms/versions.py.
    read = with_metadata_hash(raw).unique("document_key", keep="first", maintain_order=True)
    new, versions = plan_versions(read, state.known_documents(read.with_columns(identity=source_identity())))
    summary.documents_read = raw.height
    summary.files_quarantined = rejected.height
    summary.documents_new = new.height
    summary.documents_skipped = raw.height - new.height
    logger.info(
        "ingest: %d documents read, %d new, %d already loaded, %d quarantined, %d replace a loaded version",
        raw.height, new.height, summary.documents_skipped, rejected.height, versions.height,
    )
    return new, rejected, versions


def _normalize(new: pl.DataFrame, settings: Settings, logger) -> pl.DataFrame:
    normalized = (
        pl.concat([normalize_batch(b) for b in _frame_batches(new, settings.batch_size)])
        if new.height
        else normalize_documents(new)
    )
    logger.info("normalize: %d documents, %d boilerplate lines removed %s",
                normalized.height, int(normalized.get_column("lines_removed").sum() or 0),
                dict(count_removed_lines(normalized).iter_rows()))
    return normalized


def _deduplicate(new, normalized, state: WarehouseLookups, versions, summary: RunSummary, logger) -> pl.DataFrame:
    new_docs = new.select("document_key").join(normalized, on="document_key")
    # Only warehouse documents that can matter come back: those with a new document's exact hash, and
    # those sharing an LSH band with one (with their bodies, for the true Jaccard).
    existing = state.duplicate_candidates(
        document_signatures(new_docs), replaced=versions.get_column("old_key").to_list()
    )
    dedup = deduplicate(new_docs, existing)
    summary.documents_duplicate = dedup.filter(pl.col("duplicate_of_key").is_not_null()).height
    logger.info("deduplicate: %d duplicates of %d new documents", summary.documents_duplicate, new.height)
    return dedup


def _extract_pool(documents: int, settings: Settings, logger):
    """The run's spaCy worker pool for ``documents`` new documents (a no-op context for small runs)."""
    processes = workers.processes_for(documents, runners.spacy_processes(settings), settings.nlp_batch_size)
    if processes > 1:
        logger.info("extract: starting %d spaCy worker processes", processes)
    return workers.extract_pool(settings.model, processes, settings.nlp_batch_size, settings.nlp_batch_chars)


def _canonical(normalized, dedup, settings: Settings, logger) -> pl.DataFrame:
    """(document_key, body) of the documents to extract: canonical, in an extracted language."""
    canonical = (
        normalized.join(dedup.filter(pl.col("duplicate_of_key").is_null()), on="document_key")
        .select("document_key", "body", "language")
        .sort("document_key")
    )
    # The English model's entities on other languages are noise: such documents are loaded, tagged
    # with their language, and not extracted.
    foreign = canonical.filter(~pl.col("language").is_in(settings.extract_languages))
    if foreign.height:
        logger.warning("language: %d documents not in %s are loaded without extraction",
                       foreign.height, settings.extract_languages)
    return canonical.filter(pl.col("language").is_in(settings.extract_languages)).drop("language")


def _extract(canonical, settings: Settings, pool, parked: RunStaging, summary: RunSummary, progress, logger) -> None:
    """The one spaCy pass over ``canonical``, batch by batch; each batch's rows are parked as they arrive.

    With a worker pool, as many batches are in flight as the pool has processes, so no worker waits
    for another batch's last chunk.
    """
    threads = pool.processes if pool is not None else 1
    mentions = 0
    with progress.stage("extract", canonical.height) as counter, runners.task_runner(settings, threads) as runner:
        futures = [
            runner.submit(extract_batch, {"docs": b, "model": settings.model,
                                          "nlp_batch_size": settings.nlp_batch_size,
                                          "nlp_batch_chars": settings.nlp_batch_chars})
            for b in _frame_batches(canonical, settings.batch_size)
        ]
        for future in futures:  # in submission order, so the result does not depend on timing
            batch = future.result()
            parked.park("mentions", batch.mentions)
            parked.park("event_mentions", batch.event_mentions)
            summary.documents_extracted += batch.documents
            summary.words += batch.words
            mentions += batch.mentions.height
            counter.advance(batch.documents)
    logger.info("extract: %d documents, %d words, %d mentions", summary.documents_extracted, summary.words,
                mentions)


def _resolve(
    new, normalized, dedup, mentions, event_mentions, rejected, state, summary: RunSummary
) -> dict[str, pl.DataFrame]:
    """Canonical entities, merged events and every star-schema frame to load."""
    known_entities, votes, open_keys = state.entity_context(mentions.get_column("canonical_name").unique().to_list())
    resolved, entities = resolve_entities(mentions, known_entities, votes, entity_relations(load_aliases()),
                                          open_keys)
    raw_with_source = star.with_source(new)
    documents = star.build_documents(raw_with_source, normalized, dedup, summary.run_id).join(
        dedup.select("document_key", "minhash"), on="document_key", how="left", maintain_order="left"
    )
    keyed_events = key_event_mentions(
        event_mentions, resolved, documents.select("document_key", "published_date", "published_precision", "source_key"),
        demonym_countries(load_aliases()),
    )
    events, event_reports = resolve_events_against(state, keyed_events)
    event_types = load_event_types()
    new_types = state.missing_keys("dim_event_type", event_types.get_column("event_type_key").to_list())
    event_days = events.filter(pl.col("date_precision") == "day").get_column("event_date")
    summary.mentions = resolved.height
    summary.event_mentions = event_reports.height
    summary.events = events.height
    summary.entities = entities.filter(pl.col("merged_into_key").is_null()).height  # live, not redirects
    return {
        "dim_source": star.build_sources(raw_with_source),
        "dim_document": documents,
        "dim_entity": entities,
        "fact_entity_mention": star.build_mentions(resolved, documents),
        "quarantine": star.build_quarantine(rejected, summary.run_id),
        "dim_event_type": event_types.filter(pl.col("event_type_key").is_in(sorted(new_types))),
        "fact_event": events,
        "fact_event_mention": event_reports,
        "dim_date": star.build_dates(pl.concat([documents.get_column("published_date"), event_days])),
    }


def _validate(frames, state, path: Path, settings: Settings, summary: RunSummary) -> ValidationReport:
    if not any(not f.is_empty() for f in frames.values()):
        # A no-op rerun: nothing to validate, and no reason to pay for importing GX.
        summary.validation = "skipped (nothing new)"
        return ValidationReport(results=VALIDATION_SCHEMA.to_frame())
    report = validate_frames(frames, state, summary.run_id,
                             settings.data_docs_dir or path.parent / "data_docs")
    summary.data_docs = str(report.data_docs or "")
    summary.validation = "passed" if report.success else f"failed ({len(report.failures)} expectations)"
    return report


def _load(frames, report: ValidationReport, path: Path, settings: Settings, summary: RunSummary,
          started_at: dt.datetime, versions: pl.DataFrame | None = None) -> None:
    """Load everything in one transaction; a failed validation or load is recorded, nothing else is."""
    con = db.connect_write(path, settings.lock_timeout)
    try:
        validation_rows = report.results.with_columns(run_id=pl.lit(summary.run_id))
        if not report.success:
            summary.status = "failed"
            summary.message = "validation failed: " + "; ".join(report.failures)
            record_failed_run(con, _run_row(summary, started_at), validation_rows)
            docs = f" (Data Docs: {summary.data_docs})" if summary.data_docs else ""
            raise ValidationFailedError(summary.message.replace(":", docs + ":", 1))
        summary.status = "success"
        try:
            summary.rows_added = load_run(con, frames | {"document_versions": versions},
                                          _run_row(summary, started_at), validation_rows)
        except Exception as exc:  # rolled back: record why, outside the failed transaction
            summary.status = "failed"
            summary.message = f"load failed: {type(exc).__name__}: {exc}".splitlines()[0]
            record_failed_run(con, _run_row(summary, started_at), validation_rows)
            raise
    finally:
        con.close()


def _frame_batches(frame: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    return [frame.slice(i, size) for i in range(0, frame.height, size)]


def validate_frames(
    frames: dict[str, pl.DataFrame], loaded_keys: WarehouseLookups, run_id: str, data_docs_dir: Path | None = None
) -> ValidationReport:
    """Run every table's suite over the frames about to be loaded; FKs may point to staged or loaded keys
    (those asked of the warehouse by an anti-join, ``WarehouseLookups.missing_keys``)."""
    from expectations.validate import validate_run  # imports GX (~5 s): only when there is data

    return validate_run(frames, loaded_keys, run_id, data_docs_dir)


def _run_row(summary: RunSummary, started_at: dt.datetime) -> dict:
    return {
        "run_id": summary.run_id,
        "started_at": started_at,
        "finished_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "status": summary.status,
        "message": summary.message or None,
        "files_seen": summary.files_seen,
        "documents_read": summary.documents_read,
        "documents_new": summary.documents_new,
        "documents_skipped": summary.documents_skipped,
        "documents_duplicate": summary.documents_duplicate,
        "documents_extracted": summary.documents_extracted,
        "files_quarantined": summary.files_quarantined,
        "mentions": summary.mentions,
        "entities": summary.entities,
        "event_mentions": summary.event_mentions,
        "events": summary.events,
        "words": summary.words,
        "stage_seconds": summary.stage_seconds,
    }
