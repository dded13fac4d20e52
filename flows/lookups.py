"""What a run asks the warehouse, keyed by what the new batch holds.

Every look-up is a query in DuckDB against the warehouse (the SQL is in ``warehouse/sql/lookups/``),
with the batch's keys, hashes, band keys, report blocks or names registered beside it; only the
answering rows come back. So an incremental run reads rows in proportion to its new documents, never
a whole table of the warehouse. ``reads`` logs each query and the rows it returned.

Connections are read-only and short (one per look-up, or one per sequence of look-ups that one step of
the resolve stage asks in a row: ``WarehouseLookups.session``): analysts' readers are never blocked, and
the run's single write connection is the load's. A warehouse whose schema predates a table or column the
look-ups read is migrated first (``warehouse.db.apply_schema``, as every write does).
"""

import contextvars
import functools
import re
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeVar

import duckdb
import polars as pl
from dateline.transforms.entities import ENTITY_SCHEMA, GATHERED_SCHEMA, VOTE_SCHEMA
from dateline.transforms.entity_probes import (
    PROBE_SCHEMA,
    input_probes,
    key_probes,
    open_names,
    persons_among,
    places_in_question,
    prefix_probes,
    prefix_seed_probes,
    seed_probes,
    shared_keys,
    target_probes,
)
from dateline.transforms.event_merge import (
    NEWS_DAYS,
    SAME_STORY_DAYS,
    key_sequence,
    natural_key,
    participants,
    publication_period,
)
from dateline.transforms.resolve_events import EXISTING_EVENT_SCHEMA, POLARITY, resolve_events
from dateline.transforms.versions import KNOWN_SCHEMA
from dateline.warehouse import db

T = TypeVar("T")

# Tables whose keys loaded rows may reference, and the key column of each.
KEY_COLUMNS = {
    "dim_date": "date_key",
    "dim_source": "source_key",
    "dim_document": "document_key",
    "dim_entity": "entity_key",
    "dim_event_type": "event_type_key",
    "fact_event": "event_key",
}
# Loaded events as the merge reads them: with the trigger lemmas of their reports.
CANDIDATE_EVENT_SCHEMA = pl.Schema({**EXISTING_EVENT_SCHEMA, "trigger_lemmas": pl.List(pl.String)})
# What the look-ups read that older warehouses may lack: such a warehouse is migrated before reading.
_NEEDED_COLUMNS = (
    ("document_lsh_band", "band_key"),
    ("entity_name_index", "unplain_name"),
    ("entity_name_votes", "mentions"),
    ("dim_document", "metadata_hash"),
    ("dim_document", "is_current"),
    ("dim_entity", "relation"),
    ("fact_entity_mention", "name_key"),
)


@functools.cache
def unfolded_characters() -> str:
    """A regular-expression class of the characters SQL's lower() does not fold as Python's casefold().

    Python's full case folding maps some characters apart from lower case ("ß" → "ss", "ﬁ" → "fi",
    final "ς" → "σ"), and DuckDB lowers "İ" to "i" where Python gives "i̇" (a test checks the list).
    Names holding one are always returned by the name probes, so Python's casefold decides for them.
    """
    # All such characters are in the Basic Multilingual Plane (tests/test_lookups.py checks every plane).
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    special = [c for c in chars if c.casefold() != c.lower()] + ["\u0130"]
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in special) + "]"


class EntityContext(NamedTuple):
    """What resolving a batch's names reads of the warehouse (``WarehouseLookups.entity_context``)."""

    entities: pl.DataFrame  # the loaded entities the names reach (ENTITY_SCHEMA)
    votes: pl.DataFrame  # their loaded mentions per name key and label (VOTE_SCHEMA)
    open_keys: set[str]  # the keys of ``entities`` the batch may change
    gathered: pl.DataFrame  # the loaded redirect rows pointing at ``entities``, per entity (GATHERED_SCHEMA)


@dataclass(frozen=True)
class Read:
    """One look-up of a run: which query, how many rows it brought into the flow's process, how long it took."""

    query: str
    rows: int
    seconds: float = 0.0


@dataclass
class WarehouseLookups:
    """The warehouse as a run sees it: questions keyed by the batch, answered in DuckDB.

    A missing warehouse file answers every question with nothing (a first run).
    """

    path: Path
    lock_timeout: float = 0.0
    memory_limit: str | None = None  # DuckDB memory_limit of the connections opened (Settings.warehouse_memory_limit)
    # An open connection to ask through instead of opening the file (tests; a caller already holding it).
    connection: duckdb.DuckDBPyConnection | None = None
    reads: list[Read] = field(default_factory=list)
    # The read-only connection of an open ``session`` (None outside one): its look-ups ask through it.
    _held: duckdb.DuckDBPyConnection | None = field(default=None, init=False, repr=False)
    # Keys of KEY_COLUMNS tables that this run's look-ups returned as loaded rows, by table: ``missing_keys``
    # does not ask for them again (the run holds the warehouse's run lock, warehouse.db.run_lock: no other
    # run deletes a row before this run's load).
    _loaded: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False)

    @property
    def exists(self) -> bool:
        return self.connection is not None or self.path.exists()

    @property
    def rows_read(self) -> int:
        """Rows all look-ups so far brought into this process."""
        return sum(r.rows for r in self.reads)

    def breakdown(self) -> str:
        """The look-ups by query, most expensive first: "entity_votes 3×, 120 rows, 1.52 s; …"."""
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
        for read in self.reads:
            total = totals[read.query]
            total[0] += 1
            total[1] += read.rows
            total[2] += read.seconds
        ranked = sorted(totals.items(), key=lambda item: -item[1][2])
        return "; ".join(f"{name} {int(n)}×, {int(rows)} rows, {secs:.2f} s" for name, (n, rows, secs) in ranked)

    def prepare(self) -> None:
        """Check the warehouse can be read (waiting ``lock_timeout`` for a writer), migrating an old schema."""
        if self.connection is not None or not self.exists:
            return
        con = db.connect_read(self.path, self.lock_timeout, self.memory_limit)
        try:
            present = set(con.execute("select table_name, column_name from duckdb_columns()").fetchall())
        finally:
            con.close()
        if not all(needed in present for needed in _NEEDED_COLUMNS):
            db.connect_write(self.path, self.lock_timeout, self.memory_limit).close()  # apply_schema: the tables' migrations

    @contextmanager
    def session(self) -> Iterator[None]:
        """One read-only connection for the look-ups asked inside (each through its own cursor), closed at
        the end: a sequence of look-ups over the same tables (``entity_context``: five name look-ups, each
        scanning dim_entity's keys and the name index) opens the warehouse once and reads each block of
        those columns from the file once, into DuckDB's buffer cache, instead of once per look-up. Nested
        sessions share the outer one's connection; with ``connection`` given, or no warehouse, nothing opens."""
        if self._held is not None or self.connection is not None or not self.exists:
            yield
            return
        con = db.connect_read(self.path, self.lock_timeout, self.memory_limit)
        self._held = con
        try:
            yield
        finally:
            self._held = None
            con.close()

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        held = self.connection if self.connection is not None else self._held
        con = (held.cursor() if held is not None
               else db.connect_read(self.path, self.lock_timeout, self.memory_limit))
        try:
            yield con
        finally:
            con.close()

    def _query(
        self, name: str, frames: Mapping[str, pl.DataFrame], params: list | dict | None = None, sql: str | None = None
    ) -> pl.DataFrame:
        """Run ``lookups/<name>.sql`` with ``frames`` registered under their names; log the rows returned."""
        started = time.perf_counter()
        with self._connection() as con:
            for table, frame in frames.items():
                con.register(table, frame.to_arrow())
            query = con.sql(sql or db.sql_text(f"lookups/{name}.sql"), params=params or None)
            result = pl.from_arrow(query.to_arrow_table())
        self.reads.append(Read(name, result.height, time.perf_counter() - started))
        return result

    def known_documents(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Loaded documents with a batch document's key or source (transforms.versions.KNOWN_SCHEMA).

        ``batch`` needs document_key and ``identity`` (transforms.versions.source_identity()).
        """
        if not self.exists or batch.is_empty():
            return KNOWN_SCHEMA.to_frame()
        found = self._query("known_documents", {"lookup_batch": batch.select("document_key", "identity")})
        return found.cast(dict(KNOWN_SCHEMA))

    def duplicate_candidates(self, batch: pl.DataFrame, replaced: Collection[str] = ()) -> pl.DataFrame:
        """Loaded canonical current documents that batch documents may duplicate: the same content hash,
        or a shared LSH band key (those with their body, for the true Jaccard). Not the ``replaced`` ones.

        ``batch`` needs content_hash and minhash (transforms.deduplicate.document_signatures).
        """
        schema = {"document_key": pl.String, "content_hash": pl.String, "published_date": pl.Date,
                  "word_count": pl.Int64, "minhash": pl.List(pl.UInt32), "body": pl.String}
        if not self.exists or batch.is_empty():
            return pl.DataFrame(schema=schema)
        frames = {
            "lookup_batch": batch.select("content_hash", "minhash"),
            "lookup_replaced": pl.DataFrame({"document_key": sorted(replaced)}, schema={"document_key": pl.String}),
        }
        return self._query("duplicate_candidates", frames).cast(schema)

    def _remember(self, table: str, found: pl.DataFrame) -> pl.DataFrame:
        """``found`` (rows of ``table`` a look-up returned), its keys remembered as loaded (``missing_keys``)."""
        self._loaded.setdefault(table, set()).update(found.get_column(KEY_COLUMNS[table]).to_list())
        return found

    def missing_keys(self, table: str, values: Collection[str]) -> set[str]:
        """The ``values`` that are not keys of ``table`` (one of KEY_COLUMNS): an anti-join in DuckDB, asked
        only about the values no earlier look-up of this run returned as a loaded key of ``table`` (the
        validation's check of the loaded events a batch's reports joined: the event look-ups read them, and
        asking again scans all of fact_event's keys, 16 million at 1,000,000 documents)."""
        if not values:
            return set()
        if not self.exists:
            return set(values)
        loaded = self._loaded.get(table, set())
        values = [value for value in values if value not in loaded]
        if not values:
            return set()
        key = KEY_COLUMNS[table]
        dtype = pl.Int64 if table == "dim_date" else pl.String
        frame = pl.DataFrame({"value": sorted(values)}, schema={"value": dtype})
        sql = db.sql_text("lookups/missing_keys.sql").format(table=table, key=key)
        found = self._query("missing_keys", {"lookup_values": frame}, sql=sql)
        return set(found.get_column("value").to_list())

    def event_candidates(self, reports: pl.DataFrame) -> pl.DataFrame:
        """Loaded events the batch's reports may merge into (CANDIDATE_EVENT_SCHEMA).

        ``reports``: event_code, polarity, participants, event_date, date_precision, published_first,
        published_last (``event_blocks``). The merge rules' own windows (``NEWS_DAYS``, ``SAME_STORY_DAYS``
        of ``transforms.event_merge``) are the query's parameters.
        """
        if not self.exists or reports.is_empty():
            return CANDIDATE_EVENT_SCHEMA.to_frame()
        params = {"news_days": NEWS_DAYS, "story_days": SAME_STORY_DAYS}
        found = self._query("event_candidates", {"lookup_reports": reports}, params)
        return self._remember("fact_event", found.cast(CANDIDATE_EVENT_SCHEMA))

    def events_by_key(self, keys: Collection[str]) -> pl.DataFrame:
        """Loaded events with any of ``keys`` (CANDIDATE_EVENT_SCHEMA)."""
        if not self.exists or not keys:
            return CANDIDATE_EVENT_SCHEMA.to_frame()
        frame = pl.DataFrame({"value": sorted(keys)}, schema={"value": pl.String})
        found = self._query("events_by_key", {"lookup_values": frame})
        return self._remember("fact_event", found.cast(CANDIDATE_EVENT_SCHEMA))

    def entity_neighbours(self, probes: pl.DataFrame) -> pl.DataFrame:
        """Loaded entities the probes reach (transforms.entity_probes.PROBE_SCHEMA → ENTITY_SCHEMA rows)."""
        if not self.exists or probes.is_empty():
            return ENTITY_SCHEMA.to_frame()
        found = self._query("entity_neighbours", {"lookup_probes": probes}, [unfolded_characters()])
        return self._remember("dim_entity", found.cast(ENTITY_SCHEMA))

    def entity_redirects(self, keys: Collection[str]) -> pl.DataFrame:
        """The loaded redirect rows pointing at any of ``keys`` (not among them), gathered per key they point
        at (GATHERED_SCHEMA): their aliases and their mentions per entity label."""
        if not self.exists or not keys:
            return GATHERED_SCHEMA.to_frame()
        frame = pl.DataFrame({"value": sorted(keys)}, schema={"value": pl.String})
        return self._query("entity_redirects", {"lookup_values": frame}).cast(GATHERED_SCHEMA)

    def entity_votes(self, keys: Collection[str]) -> pl.DataFrame:
        """Loaded mentions per name key and entity label, for ``keys`` (transforms.entities.VOTE_SCHEMA)."""
        if not self.exists or not keys:
            return VOTE_SCHEMA.to_frame()
        frame = pl.DataFrame({"value": sorted(keys)}, schema={"value": pl.String})
        return self._query("entity_votes", {"lookup_values": frame}).cast(VOTE_SCHEMA)

    def _persons(self, single: set[str], mentions: pl.DataFrame, probes: pl.DataFrame) -> set[str]:
        """The one-word names of ``single`` that are persons (``persons_among``), ``probes`` their key probes."""
        keyed = self.entity_neighbours(probes)
        return persons_among(single, mentions, keyed, self.entity_votes(keyed.get_column("entity_key").to_list()))

    def entity_context(self, names: Iterable[str], mentions: pl.DataFrame | None = None) -> EntityContext:
        """(loaded entities, their votes, the open keys, the redirect rows gathered) for resolving a batch
        that mentions ``names``.

        The loaded entities are those the batch's case-folded names can decide or be decided by
        (``transforms.entity_probes.seed_probes``) and everything their decision reads (``input_probes``,
        ``prefix_probes``), and the entities the reached redirect rows point at (``target_probes``); the other
        redirect rows pointing at them come gathered per entity (their aliases
        and votes, summed in DuckDB), so their live entities gather all their names;
        ``resolve_entities(..., open_keys=..., gathered=...)`` re-decides only the open keys. With the batch's
        ``mentions`` (MENTION_SCHEMA), the names starting with a batch name are asked for (and their
        rest opened) only when the batch may change whether that name is a location
        (``places_in_question``): a head name ("Trump") starts thousands of loaded names, and a batch
        that leaves its type as it was decides none of them. Its look-ups share one connection (``session``).
        """
        with self.session(), shared_keys():
            return self._entity_context(names, mentions)

    def _entity_context(self, names: Iterable[str], mentions: pl.DataFrame | None) -> EntityContext:
        batch = {name.casefold() for name in names}
        if not self.exists or not batch:
            return EntityContext(ENTITY_SCHEMA.to_frame(), VOTE_SCHEMA.to_frame(), set(), GATHERED_SCHEMA.to_frame())
        if mentions is None:
            places = batch
            seeds = self.entity_neighbours(seed_probes(batch))
        else:
            seeds = self.entity_neighbours(seed_probes(batch, places=()))
            own = seeds.filter(pl.col("canonical_name").map_elements(str.casefold, pl.String).is_in(sorted(batch)))
            places = places_in_question(mentions, own, self.entity_votes(own.get_column("entity_key").to_list()))
            if places:
                seeds = pl.concat([seeds, self.entity_neighbours(prefix_seed_probes(places))])
        opened = open_names(batch, _folded(seeds), places)
        # every query returns the names SQL cannot case-fold: their folding, computed here, is counted apart
        special = re.compile(unfolded_characters())
        uncounted = {n.casefold() for n in seeds.get_column("canonical_name").to_list() if special.search(n)}
        if mentions is None:
            probes = input_probes(opened, None, uncounted)
        else:  # a one-word name is read with the full names it ends or begins if a person: which ones are is
            # asked of the warehouse in a thread while this one builds the other probes (DuckDB outside the GIL)
            single = {name for name in opened if " " not in name.strip()}
            with _beside(self) as beside:
                persons = beside.submit(contextvars.copy_context().run, self._persons, single, mentions,
                                        key_probes(single))
                probes = _with_person_probes(input_probes(opened, (), uncounted), opened, persons.result())
        inputs = self.entity_neighbours(probes)
        places_before = self.entity_neighbours(prefix_probes(opened, _folded(inputs)))
        entities = pl.concat([seeds, inputs, places_before]).unique("entity_key", keep="first")
        # a reached redirect row stands for the entity it points at, which the probes need not reach ("Song"
        # reaches "Kim Hak Song" by its last word, not the "Kim Hak-Song" it redirects to): the names linked
        # are decided with that entity read too, as over every loaded name
        asked: set[str] = set()
        while missing := (
            set(entities.get_column("merged_into_key").drop_nulls().to_list())
            - set(entities.get_column("entity_key").to_list()) - asked
        ):
            asked |= missing
            entities = pl.concat([entities, self.entity_neighbours(target_probes(missing))]).unique(
                "entity_key", keep="first")
        entities = entities.sort("entity_key")
        keys = entities.get_column("entity_key").to_list()
        # the redirect rows and the votes of the same keys, each through its own cursor, side by side
        with _beside(self) as beside:
            gathered = beside.submit(self.entity_redirects, keys)
            votes = self.entity_votes(keys)
            open_keys = {
                key for key, name in entities.select("entity_key", "canonical_name").iter_rows()
                if name.casefold() in opened
            }
            return EntityContext(entities, votes, open_keys, gathered.result())


def _with_person_probes(probes: pl.DataFrame, opened: Iterable[str], persons: set[str]) -> pl.DataFrame:
    """``input_probes(opened, (), uncounted)`` → ``input_probes(opened, persons, uncounted)``: the probes of the
    full names a one-word person name ends or begins added, in ``_probe_frame``'s order."""
    extra = [(kind, folded, None, None) for folded in opened if len(folded.split()) <= 1 and folded in persons
             for kind in ("first", "last")]
    return pl.concat([probes, pl.DataFrame(extra, schema=PROBE_SCHEMA, orient="row")]).unique().sort(
        "kind", "value", pl.col("first_word").fill_null(""), pl.col("last_word").fill_null(""))


def _folded(entities: pl.DataFrame) -> set[str]:
    return {name.casefold() for name in entities.get_column("canonical_name").to_list()}


# How many keys of each natural key's sequence are asked for at once (transforms.event_merge.key_sequence).
KEY_SEQUENCE_DEPTH = 8


def resolve_events_against(lookups: WarehouseLookups, keyed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``resolve_events`` of the batch's keyed reports against the loaded events they may merge into.

    Those are the loaded events of a report's blocking key (category, polarity, actor set) dated near it
    (``event_candidates``). A new event's key must not repeat a loaded one's, whatever its block: before
    merging, the loaded events holding a key a new event of the batch could take — each report's natural
    key and the next ``KEY_SEQUENCE_DEPTH`` of its sequence — are asked for by key, in one query, and added
    (keys then move on). Only a new key not asked for yet is asked afterwards, and the merge run again; a
    loaded event outside the candidates is never joined, it only holds its key. The look-ups share one
    connection (``WarehouseLookups.session``).
    """
    with lookups.session():
        return _merged_against(lookups, keyed)


def _merged_against(lookups: WarehouseLookups, keyed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    # The candidates and the events holding a key the batch could take are asked side by side (DuckDB works
    # outside the GIL: one query's threads beside the other's and this thread's Python): the keys asked first
    # are not narrowed by the candidates' keys then, and the candidates are dropped from what they return.
    with _beside(lookups) as beside:
        candidates = beside.submit(lookups.event_candidates, event_blocks(keyed))
        wanted = _key_sequences(natural_keys(keyed))
        holding = lookups.events_by_key(wanted)
        existing = candidates.result()
    asked = set(existing.get_column("event_key").to_list())
    holding = holding.filter(~pl.col("event_key").is_in(sorted(asked)))
    if not holding.is_empty():
        existing = pl.concat([existing, holding])
    asked |= wanted
    while True:
        events, reports = resolve_events(keyed, existing)
        fresh = set(events.get_column("event_key").to_list()) - asked
        if not fresh:
            return events, reports
        wanted = _key_sequences(fresh) - asked
        asked |= wanted
        taken = lookups.events_by_key(wanted)
        if not taken.is_empty():
            existing = pl.concat([existing, taken])


class _InPlace:
    """``_beside`` without a thread: ``submit`` calls at once."""

    def __enter__(self) -> "_InPlace":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001  (raised by ``result``, as a thread's would be)
            done.set_exception(exc)
        return done


def _beside(lookups: WarehouseLookups) -> ThreadPoolExecutor | _InPlace:
    """One thread for a look-up asked beside this thread's work, through its own cursor of the connection
    ``lookups`` hold (a ``session``'s, or the one given); without one, in place: each look-up would open the file
    itself, and DuckDB's Python client does not open and close one database from two threads at once safely."""
    if lookups.connection is None and lookups._held is None:
        return _InPlace()
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="dateline-lookup")


# What ``natural_key`` and ``participants`` read of a keyed report.
NATURAL_KEY_COLUMNS = ("event_code", "actor1_entity_keys", "actor2_entity_keys", "modality", "event_date",
                       "date_precision", "document_key", "sentence_index", "mode")


def natural_keys(keyed: pl.DataFrame) -> set[str]:
    """The natural key of the event each keyed report would found (``transforms.event_merge.natural_key``)."""
    keys = set()
    for row in keyed.select(NATURAL_KEY_COLUMNS).iter_rows(named=True):
        signature = participants(row["event_code"], row["actor1_entity_keys"], row["actor2_entity_keys"])
        keys.add(natural_key(row, signature, POLARITY[row["modality"]]))
    return keys


def _key_sequences(bases: Iterable[str]) -> set[str]:
    return {key_sequence(base, n) for base in bases for n in range(KEY_SEQUENCE_DEPTH + 1)}


def event_blocks(keyed: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct (blocking key, date and its precision, publication period) of the batch's keyed reports.

    Reports without actors are left out: they only ever merge within their own sentence.
    """
    rows = set()
    columns = ("event_code", "actor1_entity_keys", "actor2_entity_keys", "modality", "event_date", "date_precision",
               "published_date", "published_precision")
    for row in keyed.select(columns).iter_rows(named=True):
        signature = participants(row["event_code"], row["actor1_entity_keys"], row["actor2_entity_keys"])
        if not signature:
            continue
        period = publication_period(row["published_date"], row["published_precision"]) or (None, None)
        rows.add((row["event_code"], POLARITY[row["modality"]], signature, row["event_date"], row["date_precision"],
                  *period))
    schema = {"event_code": pl.String, "polarity": pl.String, "participants": pl.String, "event_date": pl.Date,
              "date_precision": pl.String, "published_first": pl.Date, "published_last": pl.Date}
    return pl.DataFrame(sorted(rows, key=str), schema=schema, orient="row")
