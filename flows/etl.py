"""The Prefect flow ``news_etl``: ingest → normalize → deduplicate → extract → resolve → validate → load.

``run_pipeline`` is the run, one stage after the other; the tasks are in ``flows.tasks``. What travels
from stage to stage: the new raw documents and the quarantine rows after ingest; after deduplication
ONE ``documents`` frame (the run's dim_document rows: metadata, cleaned text, dates, duplicate links,
MinHash), parked on disk while spaCy runs; the extracted mention rows; the frames to load. Each stage
returns what it counted, and the counts are assembled once (``flows.summary.RunCounts``).
"""

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from dateline.expectations.validate import RunValidation, ValidationReport
from dateline.flows import runners, workers
from dateline.flows.lookups import WarehouseLookups, resolve_events_against
from dateline.flows.progress import RunProgress
from dateline.flows.settings import Settings
from dateline.flows.sources import find_inputs
from dateline.flows.staging import RunStaging
from dateline.flows.summary import RunCounts, RunSummary, run_row, validation_text
from dateline.flows.tasks import (
    EarlyLoad,
    extract_batch,
    fact_frames,
    ingest_batch,
    load_warehouse,
    loads_early,
    normalize_batch,
    record_failure,
    resolve_run,
    transient_only,
    validate_documents,
    validate_frames,
)
from dateline.transforms import star
from dateline.transforms.deduplicate import deduplicate, document_signatures, document_sketches
from dateline.transforms.entities import MENTION_SCHEMA
from dateline.transforms.events import EVENT_MENTION_SCHEMA
from dateline.transforms.extract import Extracted
from dateline.transforms.ingest import QUARANTINE_SCHEMA, parse_inputs
from dateline.transforms.normalize import count_removed_lines, normalize_documents
from dateline.transforms.reference import Reference, load_reference
from dateline.transforms.resolve import Known, Resolution
from dateline.transforms.versions import plan_versions, source_identity, with_metadata_hash
from dateline.warehouse import db
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE as NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner


class ValidationFailedError(RuntimeError):
    """A Great Expectations suite failed: nothing of the run was loaded."""


@contextmanager
def _timed(stage_seconds: dict[str, float], stage: str) -> Iterator[None]:
    """Add the wall time of the block to ``stage_seconds[stage]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        stage_seconds[stage] = round(stage_seconds.get(stage, 0.0) + elapsed, 3)


@task(name="warehouse-state", retries=2, retry_delay_seconds=1, retry_condition_fn=transient_only,
      cache_policy=NO_CACHE)
def warehouse_state(path: Path, lock_timeout: float = 0.0, memory_limit: str | None = None) -> WarehouseLookups:
    """The warehouse as this run asks it (``flows.lookups``): every look-up keyed by the batch, in DuckDB.

    Checks now that the warehouse can be read, waiting up to ``lock_timeout`` s while another process
    holds the file read-write (and migrates a warehouse whose schema predates what the look-ups read).
    """
    lookups = WarehouseLookups(path, lock_timeout, memory_limit)
    lookups.prepare()
    return lookups


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


@dataclass(frozen=True)
class Ingested:
    """What ingest hands on besides the new documents: what it quarantined, and what it counted."""

    rejected: pl.DataFrame  # QUARANTINE_SCHEMA rows
    versions: pl.DataFrame  # loaded documents superseded by a new version (transforms/versions.py)
    read: int  # documents read, the already loaded ones included
    new: int  # documents not yet in the warehouse


@dataclass(frozen=True)
class Run:
    """One run's fixed context: its id, settings, warehouse file, reference tables, where it reports."""

    run_id: str
    started_at: dt.datetime
    settings: Settings
    reference: Reference
    logger: Any  # the flow run's logger
    progress: RunProgress

    @property
    def path(self) -> Path:
        return Path(self.settings.warehouse)


def run_pipeline(settings: Settings) -> RunSummary:
    """The body of ``news_etl`` (inside a flow run): the stages in order, counts logged at each boundary.

    A run that fails is recorded in ``etl_run`` as failed, with the stage it failed in and why, whatever the
    stage (the load records its own failures, in ``_load``); nothing of it is loaded."""
    logger = get_run_logger()
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    seconds: dict[str, float] = {}
    path = Path(settings.warehouse)
    with db.run_lock(path), RunProgress.for_terminal(logger, settings.quiet) as progress, RunStaging() as parked:
        run = Run(uuid.uuid4().hex, started_at, settings, load_reference(), logger, progress)
        counted: dict[str, int] = {}
        try:
            return _stages(run, seconds, parked, counted)
        except Exception as exc:
            _record_crash(run, seconds, counted, exc)
            raise


def _record_crash(run: Run, seconds: dict[str, float], counted: dict[str, int], exc: Exception) -> None:
    """Record a run that failed before its load as failed in ``etl_run``: the stage it was in (the last one
    begun), the error's first line, what it had counted. The load records its own failures (``_load``), and a
    warehouse another process holds cannot take the record; a record that cannot be written is logged and the
    run's own error is the one raised."""
    stage = next(reversed(seconds), "discover")
    if stage == "load" or isinstance(exc, db.WarehouseBusyError):
        return
    message = f"{stage} failed: {type(exc).__name__}: {exc}".splitlines()[0]
    row = run_row(run.run_id, RunCounts(**counted), run.started_at, seconds, ("failed", message))
    try:
        record_failure(run.path, run.settings.lock_timeout, row, None, run.settings.warehouse_memory_limit)
    except Exception as error:  # noqa: BLE001  (the run's own error is the one to raise)
        run.logger.warning("the failed run could not be recorded in etl_run: %s: %s", type(error).__name__, error)


def _stages(run: Run, seconds: dict[str, float], parked: RunStaging, counted: dict[str, int]) -> RunSummary:
    """The stages of ``run_pipeline`` in order; ``counted`` gets the counts known so far (for a failed run's
    record)."""
    settings, logger = run.settings, run.logger
    with _timed(seconds, "discover"):
        files, unreachable = find_inputs(settings.inputs)
        state = warehouse_state(run.path, settings.lock_timeout, settings.warehouse_memory_limit)
    logger.info("discover: %d input files, %d unreachable", len(files), len(unreachable))
    with _timed(seconds, "ingest"):
        new, ingested = _ingest((files, unreachable), run, state)
    counted.update(files_seen=len(files), documents_read=ingested.read, documents_new=ingested.new,
                   documents_skipped=ingested.read - ingested.new, files_quarantined=ingested.rejected.height)
    # The spaCy workers start loading the model now, while normalize and deduplicate run (or were
    # started by `dateline run` before the flow: then they are adopted, and normalize); they are
    # stopped as soon as the extraction is done, before validation and load need the memory.
    with _extract_pool(new.height, settings, logger) as pool:
        with _timed(seconds, "normalize"):
            normalized = _normalize(new, run, pool)
        with _timed(seconds, "deduplicate"):
            dedup = _deduplicate(new, normalized, state, ingested.versions, logger)
        with _timed(seconds, "extract"):
            # From here on the run's new documents are ONE frame: their dim_document rows.
            with_source = star.with_source(new)
            documents = star.build_documents(with_source, normalized, dedup, run.run_id)
            early = {"dim_source": star.build_sources(with_source),
                     "quarantine": star.build_quarantine(ingested.rejected, run.run_id)}
            del new, normalized, dedup, with_source
            canonical = _canonical(documents, run)
            # While the workers run, the documents and the extracted rows wait on disk; this
            # process keeps only the bodies to extract (see flows/staging.py).
            parked.park("documents", documents)
            document_schema = documents.schema
            # The tables final before extraction are validated while the workers parse.
            validate_early = _EarlyValidation(documents, early, run, state)
            del documents
            extracted = _extract(canonical, run, pool, parked, validate_early)
            del canonical
    counted.update(documents_extracted=extracted.documents, words=extracted.words)
    with _timed(seconds, "resolve"):
        documents = parked.take("documents", document_schema)
        mentions = parked.take("mentions", MENTION_SCHEMA)
        # What resolution builds on: the warehouse's entities the batch's names reach, their mention
        # votes, and the loaded events the batch's reports may merge into (asked by blocking key).
        context = state.entity_context(mentions.get_column("canonical_name").unique().to_list(), mentions)
        known = Known(entities=context.entities, entity_votes=context.votes, open_keys=context.open_keys,
                      gathered=context.gathered, merge_events=lambda keyed: resolve_events_against(state, keyed))
        resolution = resolve_run(documents, mentions, parked.take("event_mentions", EVENT_MENTION_SCHEMA),
                                 known, run.reference)
        frames = _frames(documents, resolution, run, state, early)
    # Everything to load is in ``frames`` now: the intermediates go before validation makes its
    # pandas copies.
    del documents
    counts = _counts(len(files), ingested, frames["dim_document"], extracted, resolution)
    to_load = frames | {"document_versions": ingested.versions}
    # The load's statements run while validation does (committed only if it passes): flows.tasks.EarlyLoad.
    early_load = (EarlyLoad(run.path, settings.lock_timeout, to_load, settings.warehouse_memory_limit)
                  if loads_early(run.path, to_load, settings.warehouse_memory_limit) else None)
    with _timed(seconds, "validate"):
        report = _validate(frames, state, run, validate_early.result, early_load)
    logger.info("warehouse look-ups: %d rows read in %d queries (%s)", state.rows_read, len(state.reads),
                state.breakdown() or "none")
    validation = validation_text(all(f.is_empty() for f in frames.values()), report.failures)
    logger.info("validate: %s", validation)
    with _timed(seconds, "load"):
        rows_added = _load(to_load, report, run, (counts, seconds), early_load)
    logger.info("load: rows added %s", rows_added)
    return RunSummary(**counts.counters(), run_id=run.run_id, status="success", validation=validation,
                      rows_added=rows_added, stage_seconds=seconds, warehouse=str(settings.warehouse),
                      data_docs=str(report.data_docs or ""), warehouse_rows_read=state.rows_read)


def _ingest(found: tuple[list[str], list[dict]], run: Run, state: WarehouseLookups) -> tuple[pl.DataFrame, Ingested]:
    """Read and parse the ``found`` (files, unreachable inputs) in batches → (the documents not yet in
    the warehouse, what else ingest found)."""
    files, unreachable = found
    raws, rejects = [], [pl.DataFrame(unreachable, schema=QUARANTINE_SCHEMA)]
    with run.progress.stage("ingest", len(files), "files") as counter:
        for paths in _batches(files, run.settings.batch_size):
            raw, rejected = ingest_batch(paths, run.settings.max_file_bytes)
            raws.append(raw)
            rejects.append(rejected)
            counter.advance(len(paths))
    raw = pl.concat(raws) if raws else parse_inputs([])[0]
    # Folders that cannot be listed, dangling symlinks, loops, manifest rows that do not apply, and
    # what the batches rejected.
    rejected = pl.concat(rejects)
    # New documents, and new versions of loaded sources (edited, corrected): transforms/versions.py.
    read = with_metadata_hash(raw).unique("document_key", keep="first", maintain_order=True)
    new, versions = plan_versions(read, state.known_documents(read.with_columns(identity=source_identity())))
    run.logger.info(
        "ingest: %d documents read, %d new, %d already loaded, %d quarantined, %d replace a loaded version",
        raw.height, new.height, raw.height - new.height, rejected.height - len(unreachable), versions.height,
    )
    return new, Ingested(rejected=rejected, versions=versions, read=raw.height, new=new.height)


def _normalize(new: pl.DataFrame, run: Run, pool: workers.ExtractPool | None = None) -> pl.DataFrame:
    """Every new document normalized, batch by batch: on the spaCy workers while they wait for work
    (a pool started before the flow has its models loaded by now), else in this process."""
    rules = run.reference.boilerplate_rules
    today = dt.date.today()  # one date for the whole run, wherever its rows are normalized
    normalized = (
        pl.concat([normalize_batch(b, rules, pool, today) for b in _batches(new, run.settings.batch_size)])
        if new.height
        else normalize_documents(new, rules)
    )
    run.logger.info("normalize: %d documents, %d boilerplate lines removed %s",
                normalized.height, int(normalized.get_column("lines_removed").sum() or 0),
                dict(count_removed_lines(normalized).iter_rows()))
    return normalized


def _deduplicate(new, normalized, state: WarehouseLookups, versions: pl.DataFrame, logger) -> pl.DataFrame:
    new_docs = new.select("document_key").join(normalized, on="document_key")
    # Only warehouse documents that can matter come back: those with a new document's exact hash, and
    # those sharing an LSH band with one (with their bodies, for the true Jaccard).
    sketches = document_sketches(new_docs)  # shingled and signed once: for the look-up and the linking
    existing = state.duplicate_candidates(
        document_signatures(new_docs, sketches), replaced=versions.get_column("old_key").to_list()
    )
    dedup = deduplicate(new_docs, existing, sketches=sketches)
    logger.info("deduplicate: %d duplicates of %d new documents",
                dedup.filter(pl.col("duplicate_of_key").is_not_null()).height, new.height)
    return dedup


def _extract_pool(documents: int, settings: Settings, logger):
    """The run's spaCy worker pool for ``documents`` new documents (a no-op context for small runs)."""
    processes = workers.processes_for(documents, runners.spacy_processes(settings), settings.nlp_batch_size)
    if processes > 1:
        logger.info("extract: starting %d spaCy worker processes", processes)
    return workers.extract_pool(settings.model, processes, settings.nlp_batch_size, settings.nlp_batch_chars)


def _canonical(documents: pl.DataFrame, run: Run) -> pl.DataFrame:
    """(document_key, body) of the documents to extract: canonical, in an extracted language."""
    canonical = documents.filter(pl.col("duplicate_of_key").is_null()).select("document_key", "body", "language")
    # The English model's entities on other languages are noise: such documents are loaded, tagged
    # with their language, and not extracted.
    languages = run.settings.extract_languages
    foreign = canonical.filter(~pl.col("language").is_in(languages))
    if foreign.height:
        run.logger.warning("language: %d documents not in %s are loaded without extraction",
                           foreign.height, languages)
    return canonical.filter(pl.col("language").is_in(languages)).drop("language")


class _EarlyValidation:
    """The validation of the tables final before extraction (documents, sources, quarantine), called
    while the spaCy workers parse (``flows.tasks.validate_documents``) when ``Settings.validate_early``;
    ``result`` is the run's ``RunValidation`` afterwards, None when it did not run (no documents, or not
    asked: then everything is validated after resolution)."""

    def __init__(self, documents: pl.DataFrame, early: dict, run: Run, state: WarehouseLookups) -> None:
        self.frames = None if documents.is_empty() or not run.settings.validate_early else {
            "dim_source": early["dim_source"], "dim_document": documents, "quarantine": early["quarantine"]
        }
        self.run, self.state = run, state
        self.result: RunValidation | None = None

    def __call__(self) -> None:
        if self.frames is None:
            return
        # dim_date is final only after the events; the documents' own days are part of it.
        staged = {"dim_date": star.build_dates(self.frames["dim_document"].get_column("published_date"))}
        self.result = validate_documents(self.frames, staged, self.state, self.run.run_id, _docs_dir(self.run))
        self.frames = None  # the documents wait on disk again


def _docs_dir(run: Run) -> Path:
    return run.settings.data_docs_dir or run.path.parent / "data_docs"


def _extract(canonical: pl.DataFrame, run: Run, pool, parked: RunStaging,
             meanwhile: Callable[[], None] = lambda: None) -> Extracted:
    """The one spaCy pass over ``canonical``, batch by batch; each batch's rows are parked as they arrive.

    With a worker pool, as many batches are in flight as the pool has processes, so no worker waits
    for another batch's last chunk. ``meanwhile`` is the flow's own work while the workers parse (run
    once every batch is submitted). Returns the totals (documents, words; the rows stay parked).
    """
    settings = run.settings
    threads = pool.processes if pool is not None else 1
    documents = words = mentions = 0
    with run.progress.stage("extract", canonical.height) as counter, runners.task_runner(settings, threads) as runner:
        batches = _batches(canonical, settings.batch_size)
        futures = [
            runner.submit(extract_batch, {"docs": b, "model": settings.model,
                                          "nlp_batch_size": settings.nlp_batch_size,
                                          "nlp_batch_chars": settings.nlp_batch_chars, "pool": pool,
                                          "last": number == len(batches) - 1})
            for number, b in enumerate(batches)
        ]
        meanwhile()
        for future in futures:  # in submission order, so the result does not depend on timing
            batch = future.result()
            parked.park("mentions", batch.mentions)
            parked.park("event_mentions", batch.event_mentions)
            documents, words, mentions = documents + batch.documents, words + batch.words, mentions + batch.mentions.height
            counter.advance(batch.documents)
    run.logger.info("extract: %d documents, %d words, %d mentions", documents, words, mentions)
    return Extracted(mentions=MENTION_SCHEMA.to_frame(), documents=documents, words=words)


def _frames(documents: pl.DataFrame, resolution: Resolution, run: Run, state: WarehouseLookups,
            early: dict) -> dict:
    """Every star-schema frame to load, by table (``early``: the sources and quarantine rows)."""
    event_types = run.reference.event_types
    new_types = state.missing_keys("dim_event_type", event_types.get_column("event_type_key").to_list())
    facts = fact_frames(documents, resolution)
    return {
        "dim_source": early["dim_source"],
        "dim_document": documents,
        "dim_entity": facts["dim_entity"],
        "fact_entity_mention": facts["fact_entity_mention"],
        "quarantine": early["quarantine"],
        "dim_event_type": event_types.filter(pl.col("event_type_key").is_in(sorted(new_types))),
        "fact_event": facts["fact_event"],
        "fact_event_mention": facts["fact_event_mention"],
        "dim_date": facts["dim_date"],
    }


def _counts(files: int, ingested: Ingested, documents: pl.DataFrame, extracted: Extracted,
            resolution: Resolution) -> RunCounts:
    """The run's counters, assembled once from what each stage returned."""
    return RunCounts(
        files_seen=files,
        documents_read=ingested.read,
        documents_new=ingested.new,
        documents_skipped=ingested.read - ingested.new,
        documents_duplicate=documents.filter(pl.col("duplicate_of_key").is_not_null()).height,
        documents_extracted=extracted.documents,
        documents_superseded=ingested.versions.height,
        files_quarantined=ingested.rejected.height,
        mentions=resolution.mentions.height,
        entities=resolution.live_entities,
        event_mentions=resolution.event_mentions.height,
        events=resolution.events.height,
        words=extracted.words,
    )


def _validate(frames: dict, state: WarehouseLookups, run: Run, started: RunValidation | None,
              early_load: EarlyLoad | None) -> ValidationReport:
    """``validate_frames``, while ``early_load`` (if any) stages the load; a validation that raises rolls it back."""
    try:
        with _asking_through(state, early_load):
            return validate_frames(frames, state, run.run_id, _docs_dir(run), started)
    except BaseException:
        if early_load is not None:
            early_load.abandon()
        raise


@contextmanager
def _asking_through(state: WarehouseLookups, early_load: EarlyLoad | None) -> Iterator[None]:
    """The warehouse's look-ups asked through ``early_load``'s cursor while it holds the file read-write."""
    if early_load is None:
        yield
        return
    before, state.connection = state.connection, early_load.lookups
    try:
        yield
    finally:
        state.connection = before


def _load(frames: dict[str, pl.DataFrame], report: ValidationReport, run: Run,
          measured: tuple[RunCounts, dict[str, float]], early_load: EarlyLoad | None = None) -> dict[str, int]:
    """Load everything in one transaction → rows added; a failed validation or load is recorded, nothing else is.

    ``early_load``: the load already staged while the run validated; committed here when validation passed
    (rolled back when it failed). If it could not be staged or committed, the frames are loaded as without it."""
    counts, seconds = measured
    validation_rows = report.results.with_columns(run_id=pl.lit(run.run_id))

    def row(status: str, message: str = "") -> dict:
        return run_row(run.run_id, counts, run.started_at, seconds, (status, message))

    if early_load is not None and not report.success:
        early_load.abandon()
    elif early_load is not None:
        rows = early_load.commit(row("success"), validation_rows)
        if rows is not None:
            return rows
    if not report.success:
        message = "validation failed: " + "; ".join(report.failures)
        record_failure(run.path, run.settings.lock_timeout, row("failed", message), validation_rows,
                       run.settings.warehouse_memory_limit)
        docs = f" (Data Docs: {report.data_docs})" if report.data_docs else ""
        raise ValidationFailedError(message.replace(":", docs + ":", 1))
    try:
        return load_warehouse(run.path, run.settings.lock_timeout, frames, row("success"), validation_rows,
                              run.settings.warehouse_memory_limit)
    except db.WarehouseBusyError:
        raise  # never opened: nothing to record the failure in
    except Exception as exc:  # rolled back: record why, outside the failed transaction
        failed = row("failed", f"load failed: {type(exc).__name__}: {exc}".splitlines()[0])
        record_failure(run.path, run.settings.lock_timeout, failed, validation_rows, run.settings.warehouse_memory_limit)
        raise


def _batches(items, size: int) -> list:
    """``items`` (a list, or a frame's rows) in consecutive batches of ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)]
