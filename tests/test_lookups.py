"""The run asks the warehouse only about its batch: reads proportional to the new documents.

A run's look-ups (``flows.lookups.WarehouseLookups``) happen in DuckDB keyed by the batch; the rows they
bring into the flow's process are counted (``RunSummary.warehouse_rows_read``). The same new batch run
into a warehouse of N and of 10 N unrelated documents (with their entities, mentions, events and LSH
bands) reads exactly the same rows.
"""

import datetime as dt
import shutil
import sys
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest
from datasketch import MinHashLSH
from dateline.flows import lookups as lookups_module
from dateline.flows.lookups import WarehouseLookups, event_blocks, resolve_events_against, unfolded_characters
from dateline.transforms import star
from dateline.transforms.deduplicate import (
    LSH_BANDS,
    LSH_ROWS,
    NEAR_THRESHOLD,
    NUM_PERM,
    _lsh_threshold,
    deduplicate,
    document_signatures,
    near_candidates,
)
from dateline.transforms.entities import (
    ENTITY_SCHEMA,
    MENTION_SCHEMA,
    VOTE_SCHEMA,
    coarse_type,
    entity_key,
    entity_relations,
    resolve_entities,
)
from dateline.transforms.reference import load_reference
from dateline.transforms.resolve_events import EXISTING_EVENT_SCHEMA, resolve_events
from dateline.warehouse import db
from dateline.warehouse.db import apply_schema, connect_write
from dateline.warehouse.load import load_run
from polars.testing import assert_frame_equal

from tests.helpers import run_flow
from tests.test_dedupe import article, edit, existing_from, frame
from tests.test_resolve_events import DEC15, PUTIN, XI, mention
from tests.test_resolve_events import frame as keyed_frame

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))

# Documents, entities (3 per document), mentions (5 per document) and events (1 per document) that share
# no name, hash, band or actor with the seeds: what a warehouse grown for a while holds besides them.
FILLER = """
insert into dim_document (document_key, document_id, source_key, date_source, content_hash, fingerprint,
    word_count, source_path, encoding, body, raw_text, loaded_run_id, minhash, is_current)
select 'filler' || i, 'filler' || i, 'unknown', 'unknown', sha256('filler' || i), sha256('raw' || i), 5,
    'filler/' || i || '.txt', 'utf-8', 'a short filler body', 'a short filler body', 'filler',
    list_transform(range(128), lambda j: (hash(i * 1000 + j) % 4294967295)::uinteger), true
from range({start}, {stop}) as t(i);
insert into document_lsh_band
select lsh_band_key(d.minhash, b.band), d.document_key
from dim_document as d, range(37) as b(band)
where d.loaded_run_id = 'filler' and d.document_key not in (select document_key from document_lsh_band);
insert into dim_entity (entity_key, canonical_name, entity_type, coarse_type, aliases)
select 'fe' || i || '_' || k, 'Qz' || i || 'x' || k || ' Vq' || i || 'y' || k, 'PERSON', 'person',
    ['Qz' || i || 'x' || k || ' Vq' || i || 'y' || k]
from range({start}, {stop}) as t(i), range(3) as s(k);
insert into fact_entity_mention (mention_key, document_key, entity_key, sentence_index, start_char, end_char,
    mention_text, label, name_key, entity_label)
select 'fm' || i || '_' || k, 'filler' || i, 'fe' || i || '_' || (k % 3), 0, 0, 1, 'a', 'PERSON',
    'fe' || i || '_' || (k % 3), 'PERSON'
from range({start}, {stop}) as t(i), range(5) as s(k);
insert into fact_event (event_key, event_type_key, date_precision, num_mentions, num_documents, num_sources,
    event_code, event_date, polarity, participants)
select 'fev' || i, 'CONSULT', 'day', 1, 1, 1, 'CONSULT', date '2021-12-15' + (i % 30)::integer, 'real',
    'fe' || i || '_0|fe' || i || '_1'
from range({start}, {stop}) as t(i);
"""


def _grow(path, start: int, stop: int) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(FILLER.format(start=start, stop=stop))


def _count(path, table: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


@pytest.mark.usefixtures("prefect_harness")
def test_a_run_reads_the_same_rows_from_a_warehouse_ten_times_larger(tmp_path):
    base = tmp_path / "base.duckdb"
    assert run_flow(SEEDS[:2], base).status == "success"  # the batch below meets these: real look-ups
    small, large = tmp_path / "small.duckdb", tmp_path / "large.duckdb"
    shutil.copy(base, small)
    _grow(small, 0, 2_000)
    shutil.copy(small, large)
    _grow(large, 2_000, 20_000)
    assert _count(large, "dim_document") - 2 == 10 * (_count(small, "dim_document") - 2) == 20_000
    assert _count(large, "document_lsh_band") == 37 * _count(large, "dim_document")

    summaries = [run_flow(SEEDS, warehouse) for warehouse in (small, large)]
    assert [s.status for s in summaries] == ["success", "success"]
    assert [s.documents_new for s in summaries] == [3, 3]
    small_reads, large_reads = (s.warehouse_rows_read for s in summaries)
    # The seeds loaded first are read back (their documents' sources, entities, events, keys) ...
    assert small_reads > 0
    # ... and nothing of the 18,000 more documents, 54,000 entities, 90,000 mentions and 18,000 events.
    assert large_reads == small_reads
    assert large_reads < 2_000


def test_the_stored_bands_are_the_in_memory_index_bands():
    lsh = MinHashLSH(threshold=_lsh_threshold(NEAR_THRESHOLD), num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (LSH_BANDS, LSH_ROWS)
    body = article(11, paragraphs=10)
    first = frame([("old", body, None), ("other", article(12), None)])
    existing = existing_from(deduplicate(first), first, with_body=False)
    con = duckdb.connect()
    apply_schema(con)
    documents = existing.select("document_key", "minhash").with_columns(
        *(pl.lit(None, pl.String).alias(c) for c in ("title", "url", "published_precision", "extra",
                                                     "duplicate_of_key", "duplicate_kind", "metadata_hash")),
        document_id="document_key", source_key=pl.lit("s"), date_source=pl.lit("unknown"),
        content_hash="document_key", fingerprint="document_key", word_count=pl.lit(1), source_path="document_key",
        encoding=pl.lit("utf-8"), body=pl.lit("b"), raw_text=pl.lit("b"), loaded_run_id=pl.lit("r"),
        published_date=pl.lit(None, pl.Date), date_key=pl.lit(None, pl.Int32), similarity=pl.lit(None, pl.Float64),
    )
    now = dt.datetime(2024, 1, 1)
    load_run(con, {"dim_document": documents}, {"run_id": "r", "started_at": now, "status": "success"})
    lookups = WarehouseLookups(Path(), connection=con)
    for new in (frame([("new", edit(body, 5), None)]), frame([("new", article(13), None)])):
        found = lookups.duplicate_candidates(document_signatures(new)).filter(pl.col("body").is_not_null())
        assert sorted(found.get_column("document_key").to_list()) == near_candidates(new, existing)


def _document_warehouse(documents: pl.DataFrame) -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse holding ``documents`` (document_key, minhash, content_hash, body,
    duplicate_of_key, is_current), loaded as a run loads them (their bands too)."""
    con = duckdb.connect()
    apply_schema(con)
    rows = documents.with_columns(
        *(pl.lit(None, pl.String).alias(c) for c in ("title", "url", "published_precision", "extra",
                                                     "duplicate_kind", "metadata_hash")),
        document_id="document_key", source_key=pl.lit("s"), date_source=pl.lit("unknown"),
        fingerprint="document_key", word_count=pl.lit(1), source_path="document_key",
        encoding=pl.lit("utf-8"), raw_text=pl.lit("b"), loaded_run_id=pl.lit("r"),
        published_date=pl.lit(None, pl.Date), date_key=pl.lit(None, pl.Int32), similarity=pl.lit(None, pl.Float64),
    )
    load_run(con, {"dim_document": rows}, {"run_id": "r", "started_at": dt.datetime(2024, 1, 1), "status": "success"})
    return con


def test_duplicate_candidates_are_the_canonical_current_documents_of_a_batch_hash_or_band():
    # The look-up finds the matching rows by their narrow key columns, then reads those rows whole: the
    # rows and the bodies it returns are those of one filter over every loaded document.
    body = article(21, paragraphs=10)
    near, other = frame([("near", body, None)]), frame([("other", article(22), None)])
    new = frame([("new", edit(body, 3), None)])
    new_hash = new.get_column("content_hash").item()
    signed = {key: document_signatures(f).get_column("minhash").to_list()[0] for key, f in (("near", near), ("other", other))}
    documents = pl.DataFrame(
        [  # (key, signature of, content hash, duplicate_of_key, is_current)
            ("near", "near", "h-near", None, True),  # shares the new document's bands
            ("exact", "other", new_hash, None, None),  # the new document's hash (no is_current: an old row)
            ("copy", "near", new_hash, "exact", True),  # not canonical
            ("old", "near", new_hash, None, False),  # superseded
            ("replaced", "near", new_hash, None, True),  # being replaced by this run
            ("apart", "other", "h-apart", None, True),  # neither
        ],
        schema={"document_key": pl.String, "signed": pl.String, "content_hash": pl.String,
                "duplicate_of_key": pl.String, "is_current": pl.Boolean},
        orient="row",
    )
    documents = documents.with_columns(
        minhash=pl.Series([signed[k] for k in documents.get_column("signed")], dtype=pl.List(pl.UInt32)),
        body=pl.format("body of {}", "document_key"),
    ).drop("signed")
    lookups = WarehouseLookups(Path(), connection=_document_warehouse(documents))
    found = lookups.duplicate_candidates(document_signatures(new), replaced=["replaced"])
    assert found.select("document_key", "content_hash", "body").rows() == [
        ("exact", new_hash, None),  # exact: its hash, no body
        ("near", "h-near", "body of near"),  # near: with its body, for the true Jaccard
    ]
    assert found.get_column("minhash").to_list() == [signed["other"], signed["near"]]


def test_names_lower_case_does_not_fold_are_returned_by_every_name_probe():
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    with duckdb.connect() as con:
        lowered = [row[0] for row in con.execute("select lower(unnest(?))", [chars]).fetchall()]
    # Where SQL's lower() is not Python's casefold(), the name probes must return the name regardless.
    differ = {c for c, low in zip(chars, lowered, strict=True) if low != c.casefold()}
    with duckdb.connect() as con:
        matched = con.execute(
            "select list(c) from (select unnest(?) as c) where regexp_matches(c, ?)",
            [sorted(differ), unfolded_characters()],
        ).fetchone()[0]
        plain = con.execute("select regexp_matches('Xi Jinping, Straße-Weg [1]', ?)", [unfolded_characters()])
        assert plain.fetchone()[0]  # "ß"
        ascii_only = con.execute("select regexp_matches('Xi Jinping - [A-Z] \\ ^', ?)", [unfolded_characters()])
        assert not ascii_only.fetchone()[0]
    assert "ß" in differ and "İ" in differ
    assert set(matched) == differ


def test_a_warehouse_from_before_the_band_table_gets_it_filled_once(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        apply_schema(con)
        con.execute(FILLER.format(start=0, stop=50))
        con.execute("drop table document_lsh_band")  # as a warehouse loaded before the table existed
    WarehouseLookups(path).prepare()  # the run's first step: reads, sees the old schema, migrates
    assert _count(path, "document_lsh_band") == 37 * 50
    with duckdb.connect(str(path)) as con:
        apply_schema(con)  # every later write applies the schema again: nothing is added twice
        banded = con.execute("select count(distinct document_key), count(*) from document_lsh_band").fetchone()
    assert banded == (50, 37 * 50)


def test_a_warehouse_holding_the_band_tables_old_art_index_loses_it_at_its_next_write(tmp_path):
    # The look-up joins the band table by a hash join and never used the index; keeping it cost each
    # load's commit (warehouse/sql/tables/12_document_lsh_band.sql). Its rows stay as they were.
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        apply_schema(con)
        con.execute(FILLER.format(start=0, stop=50))
        con.execute("create index document_lsh_band_by_key on document_lsh_band (band_key)")  # before stop 29
        bands = con.execute("select * from document_lsh_band order by all").fetchall()
    connect_write(path, 0.0).close()
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select index_name from duckdb_indexes()").fetchall() == []
        assert con.execute("select * from document_lsh_band order by all").fetchall() == bands
    assert len(bands) == 37 * 50


def _lookups_over(events: pl.DataFrame, reports: pl.DataFrame | None = None) -> WarehouseLookups:
    """The look-ups of an in-memory warehouse holding these loaded events (and their reports)."""
    con = duckdb.connect()
    apply_schema(con)
    con.register("staged", events.to_arrow())
    con.execute("insert into fact_event by name select * from staged")
    if reports is not None:
        con.register("staged_reports", reports.to_arrow())
        con.execute("insert into fact_event_mention by name select * from staged_reports")
    return WarehouseLookups(Path(), connection=con)


def test_missing_keys_asks_only_about_keys_no_look_up_of_the_run_returned():
    loaded, _ = resolve_events(keyed_frame(mention("d0", date=DEC15, precision="day", published=DEC15),
                                           mention("d1", a1=(PUTIN,), a2=(), code="DISAPPROVE", date=DEC15,
                                                   precision="day", published=DEC15)))
    lookups = _lookups_over(loaded)
    first, second = sorted(loaded.get_column("event_key").to_list())
    assert lookups.events_by_key([first, "not-loaded"]).get_column("event_key").to_list() == [first]
    asked = len(lookups.reads)
    # the key the event look-up returned is not asked again; the others are, and the answer is the query's
    assert lookups.missing_keys("fact_event", [first]) == set()
    assert len(lookups.reads) == asked
    fresh = WarehouseLookups(Path(), connection=lookups.connection)
    for values in ([first, second, "absent"], [first, "absent"], ["absent"]):
        assert lookups.missing_keys("fact_event", values) == fresh.missing_keys("fact_event", values)
    assert [r.query for r in lookups.reads[asked:]] == ["missing_keys"] * 3
    assert fresh.missing_keys("fact_event", [first, second, "absent"]) == {"absent"}


def _merged_as_against_every(lookups: WarehouseLookups, batch: pl.DataFrame, every: pl.DataFrame):
    """The batch merged through the look-ups; asserted equal to merging it against ``every`` loaded event."""
    expected = resolve_events(batch, every)
    events, reports = resolve_events_against(lookups, batch)
    assert_frame_equal(events, expected[0])
    assert_frame_equal(reports, expected[1])
    return events, reports


def test_events_merge_against_their_blocks_as_against_every_loaded_event():
    loaded_reports = keyed_frame(
        mention("d0", date=DEC15, precision="day", published=DEC15),  # the call later reports attach to
        mention("d1", date=dt.date(2019, 3, 1), precision="day", published=dt.date(2019, 3, 1)),  # years before
        mention("d2", a1=(PUTIN,), a2=(), code="DISAPPROVE", date=DEC15, precision="day", published=DEC15),
        mention("d3", published=DEC15),  # undated: never a candidate
        mention("d4", date=dt.date(2021, 12, 1), precision="month", published=dt.date(2021, 12, 3), lemma="talk"),
    )
    loaded, _ = resolve_events(loaded_reports)
    batch = keyed_frame(
        mention("n0", date=DEC15, precision="day", published=dt.date(2021, 12, 16)),
        mention("n1", published=dt.date(2021, 12, 17)),
        mention("n2", date=dt.date(2021, 12, 20), precision="month", published=dt.date(2021, 12, 20), lemma="talk"),
        mention("n3", a1=(XI,), a2=(PUTIN,), code="DEMAND", date=DEC15, precision="day", published=DEC15),
    )
    # A loaded event whose key is the natural key of n3's new event, in another block (its actors were
    # re-keyed since): the new event must take the next key, as it would against every loaded event.
    natural = resolve_events(batch.filter(pl.col("document_key") == "n3"))[0].get_column("event_key").item()
    clash = loaded.filter(pl.col("event_key") == loaded.get_column("event_key").min()).with_columns(
        event_key=pl.lit(natural), participants=pl.lit("k_someone_else")
    )
    loaded = pl.concat([loaded, clash])
    lookups = _lookups_over(loaded)

    events, reports = _merged_as_against_every(lookups, batch, loaded.select(EXISTING_EVENT_SCHEMA.names()))
    assert natural not in events.get_column("event_key").to_list()
    # one ask by key, beside the candidates' (so not narrowed by them): the clash, found by key, and the loaded
    # call n0's report would key anew (a candidate already, with its lemmas: dropped from what the ask returned)
    assert [r.rows for r in lookups.reads if r.query == "events_by_key"] == [2]
    attached = reports.filter(pl.col("document_key") == "n0").get_column("event_key").item()
    assert attached in loaded.get_column("event_key").to_list()  # a later report of the loaded call
    # Only the candidates came back: not the event of years before, not the undated one.
    assert sum(r.rows for r in lookups.reads if r.query == "event_candidates") < loaded.height - 2


RUNS = [
    [("Trump", "PERSON")] * 3 + [("Cruz", "PERSON"), ("Colts", "ORG"), ("Mark Heller", "PERSON"),
                                 ("Straße", "GPE"), ("Red Sox", "ORG"), ("Washington", "GPE")],
    [("Donald Trump", "PERSON"), ("Ted Cruz", "PERSON"), ("Indianapolis Colts", "ORG"), ("Indianapolis", "GPE"),
     ("Mark Jay Heller", "PERSON"), ("Boston", "GPE"), ("Boston Red Sox", "ORG"), ("Donald Glover", "PERSON")],
    [("Nikolas Cruz", "PERSON")] * 2 + [("Ivanka Trump", "PERSON"), ("STRASSE", "GPE"), ("Trump", "ORG"),
                                        ("Donald Trump", "PERSON"), ("Heller", "PERSON"), ("Donald", "PERSON")],
    [("Ted Cruz", "PERSON")] * 4 + [("Indianapolis", "ORG")] * 3 + [("Colts", "ORG"), ("Sox", "ORG"),
                                                                   ("Mark", "PERSON"), ("Glover", "PERSON")],
]


def _mentions(run: int, names: list[tuple[str, str]]) -> pl.DataFrame:
    rows = [
        {"document_key": f"doc{run}_{i % 3}", "sentence_index": 0, "start_char": 10 * i, "end_char": 10 * i + len(n),
         "mention_text": n, "label": label, "canonical_name": n, "coarse_type": coarse_type(label),
         "entity_label": label, "name_start_char": 10 * i, "name_end_char": 10 * i + len(n)}
        for i, (n, label) in enumerate(names)
    ]
    return pl.DataFrame(rows, schema=MENTION_SCHEMA)


def _resolve_and_load(con, run: int, names: list[tuple[str, str]], relations) -> tuple[set[str], pl.DataFrame]:
    """Resolve run ``run`` over the names its batch reaches (checked equal to resolving over everything),
    load it; → (the case-folded loaded names the look-ups read, the entity rows resolved)."""
    mentions = _mentions(run, names)
    reader = con.cursor()
    everything = reader.sql("select * from dim_entity").pl().cast(ENTITY_SCHEMA)
    every_vote = (
        "select coalesce(name_key, entity_key) as name_key, coalesce(entity_label, label) as entity_label, "
        "count(*) as mentions from fact_entity_mention group by all"
    )
    full = resolve_entities(mentions, everything, reader.sql(every_vote).pl().cast(VOTE_SCHEMA), relations)
    lookups = WarehouseLookups(Path(), connection=con)
    reached, votes, open_keys, gathered = lookups.entity_context(mentions.get_column("canonical_name").to_list(),
                                                                 mentions)
    partial = resolve_entities(mentions, reached, votes, relations, open_keys, gathered)
    assert_frame_equal(partial[0], full[0])
    assert_frame_equal(partial[1], full[1])
    documents = mentions.select("document_key").unique().with_columns(date_key=pl.lit(None, pl.Int32))
    frames = {"dim_entity": full[1], "fact_entity_mention": star.build_mentions(full[0], documents)}
    now = dt.datetime(2024, 1, 1)
    load_run(con, frames, {"run_id": f"r{run}", "started_at": now, "status": "success"})
    return {name.casefold() for name in reached.get_column("canonical_name").to_list()}, full[1]


def test_a_batch_reads_the_names_a_name_starts_only_when_it_may_change_that_name_being_a_place():
    """"Boston" starts loaded organization names: a batch that leaves it a location reads none of them;
    one that makes it a person reads them ("Globe" no longer goes by "Boston Globe"). "John" begins two
    loaded person names with different last words: it can link to neither, and only those two witnesses of
    the ambiguity are read (see the next test); names held under no person key are not read ("Trump Tower"
    for the person "Trump")."""
    con = duckdb.connect()
    apply_schema(con)
    relations = entity_relations(load_reference().alias_rows())
    loaded = [("Boston", "GPE")] * 3 + [("Trump", "PERSON")] * 3 + [
        ("Boston Globe", "ORG"), ("Boston Marathon", "ORG"), ("Globe", "ORG"), ("Trump Tower", "ORG"),
        ("John Smith", "PERSON"), ("John Brown", "PERSON"), ("Indianapolis", "GPE"), ("Indianapolis Colts", "ORG"),
    ]
    _, entities = _resolve_and_load(con, 0, loaded, relations)
    globe = entity_key("Globe", "organization")
    assert entities.filter(pl.col("entity_key") == globe).get_column("merged_into_key").to_list() == [
        entity_key("Boston Globe", "organization")
    ]
    batch = [("Boston", "GPE"), ("Trump", "PERSON"), ("John", "PERSON"), ("Colts", "ORG")]
    read, _ = _resolve_and_load(con, 1, batch, relations)
    assert not read & {"boston globe", "boston marathon", "trump tower"}
    assert {"john smith", "john brown"} <= read
    assert "indianapolis colts" in read  # what "Colts" may stand for is read
    read, entities = _resolve_and_load(con, 2, [("Boston", "PERSON")] * 10, relations)
    assert {"boston globe", "boston marathon"} <= read
    assert entities.filter(pl.col("entity_key") == globe).get_column("merged_into_key").to_list() == [None]

def test_a_one_word_name_beginning_several_loaded_full_names_takes_no_new_one_it_begins():
    """"John" begins two loaded person names with different last words, so it can take none of them, nor
    the batch's new "John Doe": the look-ups read two of them (witnesses of the ambiguity), not every
    name "john" begins, and the resolution equals the one over every loaded name (``_resolve_and_load``;
    with no witness read it saw "John Doe" alone and linked "John" to it)."""
    con = duckdb.connect()
    apply_schema(con)
    relations = entity_relations(load_reference().alias_rows())
    loaded = [("John Smith", "PERSON"), ("John Brown", "PERSON"), ("John Adams", "PERSON"), ("Jane Roe", "PERSON")]
    _resolve_and_load(con, 0, loaded, relations)
    read, entities = _resolve_and_load(con, 1, [("John", "PERSON"), ("John Doe", "PERSON")], relations)
    assert entities.filter(pl.col("canonical_name") == "John").get_column("merged_into_key").to_list() == [None]
    assert read & {"john smith", "john brown", "john adams"} == {"john adams", "john smith"}  # lowest, highest last word


def test_a_one_word_name_a_loaded_full_name_ends_reads_no_name_it_begins():
    """"Trump" ends the loaded person name "Ivanka Trump", so it can only take a full name it ends: "Trump
    Jones", which it begins, is not read (the resolution still equals the one over every loaded name,
    ``_resolve_and_load``). "Kevin" ends none and still reads "Kevin Smith", the one full name it begins."""
    con = duckdb.connect()
    apply_schema(con)
    relations = entity_relations(load_reference().alias_rows())
    loaded = [("Ivanka Trump", "PERSON"), ("Trump Jones", "PERSON"), ("Kevin Smith", "PERSON")]
    _resolve_and_load(con, 0, loaded, relations)
    read, entities = _resolve_and_load(con, 1, [("Trump", "PERSON"), ("Kevin", "PERSON")], relations)
    assert "ivanka trump" in read and "trump jones" not in read
    assert "kevin smith" in read
    kevin = entities.filter(pl.col("canonical_name") == "Kevin").get_column("merged_into_key").to_list()
    assert kevin == [entity_key("Kevin Smith", "person")]


def test_a_batch_spelling_of_a_loaded_name_with_a_hyphen_for_a_space_links_to_it():
    """A batch's "Kim Jong-un" reaches the loaded "Kim Jong Un" (and "Kim Jong Un"'s own one-word names) and
    takes its key while that spelling is written more; the batch that makes it the rarer spelling re-points
    the loaded one. Each run's resolution equals the one over every loaded name
    (``_resolve_and_load``)."""
    con = duckdb.connect()
    apply_schema(con)
    relations = entity_relations(load_reference().alias_rows())
    kim = entity_key("Kim Jong Un", "person")
    hyphenated = entity_key("Kim Jong-un", "person")
    loaded = [("Kim Jong Un", "PERSON")] * 4 + [("Un", "PERSON")] + [("Moon Jae-in", "PERSON")] * 2
    _resolve_and_load(con, 0, loaded, relations)
    read, entities = _resolve_and_load(con, 1, [("Kim Jong-un", "PERSON")] * 2 + [("Moon Jae in", "PERSON")],
                                       relations)
    assert {"kim jong un", "un", "moon jae-in"} <= read
    by_key = {r["entity_key"]: r for r in entities.iter_rows(named=True)}
    assert by_key[hyphenated]["merged_into_key"] == kim
    assert by_key[entity_key("Moon Jae in", "person")]["merged_into_key"] == entity_key("Moon Jae-in", "person")
    read, entities = _resolve_and_load(con, 2, [("Kim-Jong-Un", "PERSON")] * 1 + [("Kim Jong-un", "PERSON")] * 3,
                                       relations)
    by_key = {r["entity_key"]: r for r in entities.iter_rows(named=True)}
    assert by_key[kim]["merged_into_key"] == by_key[entity_key("Kim-Jong-Un", "person")]["merged_into_key"] == hyphenated
    # a one-word name links through the words of the spelling that names the person: "Un" ends it no more
    assert by_key[entity_key("Un", "person")]["merged_into_key"] is None
    facts = con.cursor().sql("select e.canonical_name, count(*) from fact_entity_mention m join dim_entity e using (entity_key) "
                    "group by all order by all").fetchall()
    assert facts == [("Kim Jong-un", 10), ("Moon Jae-in", 3), ("Un", 1)]


def test_a_one_word_name_reaching_a_loaded_spelling_that_redirects_reads_the_spelling_it_redirects_to():
    """A loaded "Kim Hak Song" redirects to the more written "Kim Hak-Song". A batch's "Song" reaches the
    first by its last word but not the second (whose last word is "Hak-Song"): the look-ups must also read
    the entity a reached redirect row points at, or "Song" links to the redirect row, and the entity rows
    written then name a key the resolution never read (a KeyError in the resolve stage of a real run).
    The resolution over what the batch reaches equals the one over every loaded name
    (``_resolve_and_load``)."""
    con = duckdb.connect()
    apply_schema(con)
    relations = entity_relations(load_reference().alias_rows())
    hyphenated = entity_key("Kim Hak-Song", "person")
    _resolve_and_load(con, 0, [("Kim Hak-Song", "PERSON")] * 2 + [("Kim Hak Song", "PERSON")], relations)
    read, _ = _resolve_and_load(con, 1, [("Song", "PERSON")] * 2, relations)
    assert {"kim hak song", "kim hak-song"} <= read
    redirect = con.cursor().sql("select merged_into_key from dim_entity where canonical_name = 'Kim Hak Song'").fetchall()
    assert redirect == [(hyphenated,)]
    facts = con.cursor().sql("select e.canonical_name, count(*) from fact_entity_mention m join dim_entity e using (entity_key) "
                             "group by all order by all").fetchall()
    assert facts == [("Kim Hak-Song", 3), ("Song", 2)]


def test_entities_resolved_over_the_names_a_batch_reaches_equal_those_resolved_over_all():
    con = duckdb.connect()
    apply_schema(con)
    relations = entity_relations(load_reference().alias_rows())
    every_vote = (
        "select coalesce(name_key, entity_key) as name_key, coalesce(entity_label, label) as entity_label, "
        "count(*) as mentions from fact_entity_mention group by all"
    )
    for run, names in enumerate(RUNS):
        mentions = _mentions(run, names)
        reader = con.cursor()
        everything = reader.sql("select * from dim_entity").pl().cast(ENTITY_SCHEMA)
        full = resolve_entities(mentions, everything, reader.sql(every_vote).pl().cast(VOTE_SCHEMA), relations)
        lookups = WarehouseLookups(Path(), connection=con)
        # as the flow asks (with the batch's mentions: narrower) and with the names alone (every probe)
        for batch_mentions in (mentions, None):
            reached, votes, open_keys, gathered = lookups.entity_context(
                mentions.get_column("canonical_name").to_list(), batch_mentions
            )
            partial = resolve_entities(mentions, reached, votes, relations, open_keys, gathered)
            assert_frame_equal(partial[0], full[0])
            assert_frame_equal(partial[1], full[1])
        if run:
            assert reached.height < everything.height  # not the whole table
        documents = mentions.select("document_key").unique().with_columns(date_key=pl.lit(None, pl.Int32))
        frames = {"dim_entity": full[1], "fact_entity_mention": star.build_mentions(full[0], documents)}
        now = dt.datetime(2024, 1, 1)
        load_run(con, frames, {"run_id": f"r{run}", "started_at": now, "status": "success"})
    redirected = con.cursor().sql(
        "select e.canonical_name, t.canonical_name from dim_entity e join dim_entity t on e.merged_into_key = t.entity_key "
        "order by all"
    ).fetchall()
    # The runs made cross-run decisions of every kind checked above: a short person name, a middle name,
    # an organization named after its place, a name under two coarse types.
    assert {("Red Sox", "Boston Red Sox"), ("Mark Heller", "Mark Jay Heller"), ("Glover", "Donald Glover"),
            ("Trump", "Trump")} <= set(redirected)


def _two_runs_and_a_third_batch(tmp_path):
    """A warehouse of ``RUNS``' first two runs, and the third run's mentions and names to resolve against it."""
    path = tmp_path / "w.duckdb"
    relations = entity_relations(load_reference().alias_rows())
    with connect_write(path, 0.0) as con:
        for run, names in enumerate(RUNS[:2]):
            _resolve_and_load(con, run, names, relations)
    mentions = _mentions(2, RUNS[2])
    return path, mentions, mentions.get_column("canonical_name").to_list()


def test_the_entity_look_ups_of_a_batch_open_the_warehouse_once(tmp_path, monkeypatch):
    """``entity_context`` asks its look-ups (the name look-ups, the votes, the redirect rows) through one
    read-only connection (``WarehouseLookups.session``), so the blocks they share are read from the file
    once, and answers as look-ups asked one connection each do; the event merge's look-ups share one too."""
    path, mentions, names = _two_runs_and_a_third_batch(tmp_path)
    real = db.connect_read
    opened = []
    monkeypatch.setattr(db, "connect_read", lambda *args, **kwargs: opened.append(args) or real(*args, **kwargs))

    lookups = WarehouseLookups(path)
    context = lookups.entity_context(names, mentions)
    assert len(opened) == 1 and len(lookups.reads) >= 6
    alone = WarehouseLookups(path)
    one_each = alone._entity_context(names, mentions)  # outside a session: one connection per look-up
    assert len(opened) == 1 + len(alone.reads)
    for got, expected in zip(context, one_each, strict=True):
        if isinstance(got, pl.DataFrame):
            assert_frame_equal(got, expected)
        else:
            assert got == expected
    assert not context.entities.is_empty() and not context.votes.is_empty()

    keyed = keyed_frame(mention("n0", date=DEC15, precision="day", published=DEC15))
    opened.clear()
    resolve_events_against(lookups, keyed)
    assert len(opened) == 1 and sorted(r.query for r in lookups.reads[-2:]) == ["event_candidates", "events_by_key"]


def _in_flight_together(monkeypatch, *methods: str) -> threading.Barrier:
    """The ``WarehouseLookups`` ``methods`` (or functions of flows.lookups, "module.name") made to wait, before doing
    their work, until all of them are running: a barrier of as many parties, which breaks (and the look-up
    raises) after a while if one of them only starts once another has returned."""
    barrier = threading.Barrier(len(methods), timeout=20)
    for name in methods:
        owner = lookups_module if name.startswith("module.") else WarehouseLookups
        attribute = name.removeprefix("module.")
        real = getattr(owner, attribute)

        def waiting(*args, _real=real, **kwargs):
            barrier.wait()
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, waiting)
    return barrier


def test_the_event_look_ups_are_asked_side_by_side_and_merge_as_one_after_the_other(monkeypatch):
    """``resolve_events_against`` asks the candidates and the events holding the batch's keys at once (each
    through its own cursor); the merge is the one against every loaded event (the test above)."""
    loaded, _ = resolve_events(keyed_frame(mention("d0", date=DEC15, precision="day", published=DEC15)))
    lookups = _lookups_over(loaded)
    _in_flight_together(monkeypatch, "event_candidates", "events_by_key")
    batch = keyed_frame(mention("n0", date=DEC15, precision="day", published=dt.date(2021, 12, 16)),
                        mention("n1", a1=(XI,), a2=(PUTIN,), code="DEMAND", date=DEC15, precision="day",
                                published=DEC15))
    _merged_as_against_every(lookups, batch, loaded.select(EXISTING_EVENT_SCHEMA.names()))


def test_the_entity_context_asks_its_persons_and_its_redirect_rows_beside_other_work(tmp_path, monkeypatch):
    """Inside a session, which one-word names are persons is asked while the other input probes are built,
    and the redirect rows in a thread while the votes are asked; the context is the one of look-ups asked one at
    a time."""
    path, mentions, names = _two_runs_and_a_third_batch(tmp_path)
    one_at_a_time = WarehouseLookups(path)._entity_context(names, mentions)  # no session: nothing beside
    with monkeypatch.context() as patched:
        _in_flight_together(patched, "_persons", "module.input_probes")
        context = WarehouseLookups(path).entity_context(names, mentions)
    threads = []
    real = WarehouseLookups.entity_redirects
    monkeypatch.setattr(WarehouseLookups, "entity_redirects",
                        lambda self, keys: threads.append(threading.current_thread().name) or real(self, keys))
    assert_frame_equal(WarehouseLookups(path).entity_context(names, mentions).gathered, context.gathered)
    assert len(threads) == 1 and threads[0].startswith("dateline-lookup")  # while this thread asks the votes
    for got, expected in zip(context, one_at_a_time, strict=True):
        if isinstance(got, pl.DataFrame):
            assert_frame_equal(got, expected)
        else:
            assert got == expected


def test_the_look_ups_breakdown_counts_each_query_rows_and_time():
    con = duckdb.connect()
    apply_schema(con)
    lookups = WarehouseLookups(Path(), connection=con)
    assert lookups.breakdown() == ""
    assert lookups.missing_keys("dim_source", {"a", "b"}) == {"a", "b"}
    lookups.missing_keys("dim_source", {"c"})
    lookups.entity_votes(["x"])
    assert [read.query for read in lookups.reads] == ["missing_keys", "missing_keys", "entity_votes"]
    assert all(read.seconds > 0 for read in lookups.reads)
    parts = lookups.breakdown().split("; ")
    assert sorted(part.split(",")[0] for part in parts) == ["entity_votes 1×", "missing_keys 2×"]
    assert next(p for p in parts if p.startswith("missing_keys")).split(", ")[1] == "3 rows"


@pytest.mark.parametrize("seed", range(6))
def test_events_merge_against_their_date_windows_as_against_every_loaded_event(seed):
    """The candidates' date windows (event_candidates.sql) lose no event the merge rules could join: random
    reports of every precision, in few blocks and on days close enough for every rule of
    ``transforms.event_merge`` to fire, merged against the candidates and against every loaded event."""
    import random

    rng = random.Random(seed)
    start = dt.date(2020, 1, 1)
    blocks = [("CONSULT", (PUTIN,), (XI,)), ("CONSULT", (XI,), (PUTIN,)), ("DISAPPROVE", (PUTIN,), (XI,)),
              ("DISAPPROVE", (XI,), ())]

    def report(doc: str, number: int, days: range = range(0, 700)) -> dict:
        code, a1, a2 = rng.choice(blocks)
        precision = rng.choice(["day", "day", "week", "month", "year", "unknown"])
        day = start + dt.timedelta(days=rng.choice(days))
        published = day + dt.timedelta(days=rng.randrange(0, 6)) if rng.random() < 0.9 else None
        return mention(doc, start=100 * number + rng.randrange(0, 90), code=code, a1=a1, a2=a2,
                       date=None if precision == "unknown" else day, precision=precision, published=published,
                       mode=rng.choice(["call", "meet", "visit"]), lemma=rng.choice(["call", "talk", "slam"]),
                       modality=rng.choice(["asserted", "asserted", "planned"]))

    # Two years of loaded news, denser in the months around the batch's.
    loaded_reports = keyed_frame(*(report(f"d{i // 3}", i % 3, range(0, 700) if i % 2 else range(280, 440))
                                   for i in range(600)))
    loaded, loaded_mentions = resolve_events(loaded_reports)
    # The batch's news of two months in the middle of the loaded two years.
    batch = keyed_frame(*(report(f"n{i // 3}", i % 3, range(330, 390)) for i in range(60)))
    lookups = _lookups_over(loaded, loaded_mentions)

    # Every loaded event with the lemmas of its reports, as the look-up gives them to its candidates.
    lemmas = loaded_mentions.group_by("event_key").agg(trigger_lemmas=pl.col("trigger_lemma").unique().sort())
    every = loaded.select(EXISTING_EVENT_SCHEMA.names()).join(lemmas, on="event_key", how="left")
    events, reports = _merged_as_against_every(lookups, batch, every)
    joined = set(reports.get_column("event_key").to_list()) & set(loaded.get_column("event_key").to_list())
    assert joined  # some reports of the batch joined loaded events
    read = sum(r.rows for r in lookups.reads if r.query == "event_candidates")
    assert read < loaded.height / 2  # the windows keep the months around the batch's dates, not two years


def test_event_candidates_are_the_loaded_events_within_the_merge_rules_own_windows():
    """The candidates' windows are the merge rules' own: for an undated report, the events whose day, ISO week
    or month lies within NEWS_DAYS of its publication; for a dated one, those of the same day, week or month
    at the coarser precision, and those dated at its year only reported within SAME_STORY_DAYS of it. A loaded
    event at a window's edge is read, one a day past it is not (the 62- and 40-day windows of before read
    them all), and the merge is the same as against every loaded event."""
    from dateline.transforms.event_merge import NEWS_DAYS, SAME_STORY_DAYS

    def loaded_event(date: dt.date, precision: str, published: dt.date, **block) -> pl.DataFrame:
        events, _ = resolve_events(keyed_frame(mention(f"d{date}{precision}", date=date, precision=precision,
                                                       published=published, **block)))
        return events

    day = dt.timedelta(days=1)
    # An undated call published on Sunday 5 December 2021: a week or month event counts by its whole period.
    published = dt.date(2021, 12, 5)
    near, far = published - NEWS_DAYS * day, published + NEWS_DAYS * day
    undated_in = [loaded_event(near, "day", near), loaded_event(far, "day", far),
                  loaded_event(dt.date(2021, 11, 22), "week", near),  # Monday 22 – Sunday 28 November
                  loaded_event(dt.date(2021, 12, 6), "week", far),
                  loaded_event(dt.date(2021, 11, 1), "month", near), loaded_event(dt.date(2021, 12, 1), "month", far)]
    undated_out = [loaded_event(near - day, "day", near), loaded_event(far + day, "day", far),
                   loaded_event(dt.date(2021, 11, 15), "week", near), loaded_event(dt.date(2021, 12, 13), "week", far),
                   loaded_event(dt.date(2021, 10, 1), "month", near), loaded_event(dt.date(2022, 1, 1), "month", far)]
    # A criticism dated Wednesday 15 December 2021, another block.
    block = {"code": "DISAPPROVE", "a1": (PUTIN,), "a2": ()}
    dated = dt.date(2021, 12, 15)
    story = SAME_STORY_DAYS * day
    dated_in = [loaded_event(dated, "day", dated, **block), loaded_event(dt.date(2021, 12, 13), "week", dated, **block),
                loaded_event(dt.date(2021, 12, 1), "month", dated, **block),
                loaded_event(dt.date(2021, 1, 1), "year", dated - story, **block)]
    dated_out = [loaded_event(dated + day, "day", dated, **block), loaded_event(dated - day, "day", dated, **block),
                 loaded_event(dt.date(2021, 12, 6), "week", dated, **block),
                 loaded_event(dt.date(2021, 11, 1), "month", dated, **block),
                 # (the same natural key as the other year's event: a key of its own)
                 loaded_event(dt.date(2021, 1, 1), "year", dated - story - day, **block).with_columns(
                     event_key=pl.lit("year_reported_too_early"))]
    loaded = pl.concat(undated_in + undated_out + dated_in + dated_out)
    assert loaded.get_column("event_key").n_unique() == loaded.height
    batch = keyed_frame(mention("n0", published=published),
                        mention("n1", date=dated, precision="day", published=dated, **block))
    lookups = _lookups_over(loaded)

    candidates = lookups.event_candidates(event_blocks(batch)).get_column("event_key").to_list()
    assert sorted(candidates) == sorted(pl.concat(undated_in + dated_in).get_column("event_key").to_list())
    _merged_as_against_every(lookups, batch, loaded.select(EXISTING_EVENT_SCHEMA.names()))


@pytest.mark.parametrize("depth", [8, 1, 0])
def test_a_new_event_takes_the_first_free_key_of_its_sequence_as_against_every_loaded_event(depth, monkeypatch):
    """Loaded events of other blocks (their actors re-keyed since) hold a new event's natural key and the next
    keys of its sequence: the new event takes the first free one, as merged against every loaded event. The
    sequence is asked for by key before merging (``KEY_SEQUENCE_DEPTH`` keys after each natural key, in one
    query); a chain longer than that is followed by asking again, and the result is the same."""
    from dateline.flows import lookups as lookups_module
    from dateline.transforms.event_merge import key_sequence

    monkeypatch.setattr(lookups_module, "KEY_SEQUENCE_DEPTH", depth)
    batch = keyed_frame(
        mention("n0", a1=(XI,), a2=(PUTIN,), code="DEMAND", date=DEC15, precision="day", published=DEC15),
        mention("n1", date=DEC15, precision="day", published=DEC15),
    )
    natural = resolve_events(batch.filter(pl.col("document_key") == "n0"))[0].get_column("event_key").item()
    loaded_reports = keyed_frame(mention("d0", date=dt.date(2019, 3, 1), precision="day", published=dt.date(2019, 3, 1)))
    template, _ = resolve_events(loaded_reports)
    clashes = pl.concat([
        template.with_columns(event_key=pl.lit(key_sequence(natural, n)), participants=pl.lit(f"k_other_{n}"))
        for n in (0, 1, 2, 4)  # the 4th key is held too, past a free 3rd: the new event takes the 3rd
    ])
    loaded = pl.concat([template, clashes])
    lookups = _lookups_over(loaded)

    events, reports = _merged_as_against_every(lookups, batch, loaded.select(EXISTING_EVENT_SCHEMA.names()))
    assert key_sequence(natural, 3) in events.get_column("event_key").to_list()
    asked = [r.rows for r in lookups.reads if r.query == "events_by_key"]
    assert asked == ([4] if depth == 8 else [2, 1, 0] if depth == 1 else [1, 1, 1, 0])
