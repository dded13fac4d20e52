"""The synthetic warehouse of benchmarks.incremental, grown from the seeds' warehouse at a tiny size.

Structure only (row counts, schema, keys, distributions): the benchmark's timings are not tested.
"""

import duckdb
import pytest
from dateline.transforms.resolve_events import participants
from dateline.warehouse.db import apply_schema

from benchmarks.synthetic import build, replicas_for, table_counts
from tests.fault_helpers import seeded_warehouse

# Every foreign key of the star: (table, column, referenced table, referenced column).
FOREIGN_KEYS = [
    ("dim_document", "source_key", "dim_source", "source_key"),
    ("dim_document", "date_key", "dim_date", "date_key"),
    ("dim_document", "duplicate_of_key", "dim_document", "document_key"),
    ("dim_entity", "merged_into_key", "dim_entity", "entity_key"),
    ("dim_entity", "related_entity_key", "dim_entity", "entity_key"),
    ("fact_entity_mention", "document_key", "dim_document", "document_key"),
    ("fact_entity_mention", "entity_key", "dim_entity", "entity_key"),
    ("fact_entity_mention", "name_key", "dim_entity", "entity_key"),
    ("fact_entity_mention", "date_key", "dim_date", "date_key"),
    ("fact_event", "event_type_key", "dim_event_type", "event_type_key"),
    ("fact_event", "actor1_entity_key", "dim_entity", "entity_key"),
    ("fact_event", "actor2_entity_key", "dim_entity", "entity_key"),
    ("fact_event", "location_entity_key", "dim_entity", "entity_key"),
    ("fact_event", "date_key", "dim_date", "date_key"),
    ("fact_event_mention", "event_key", "fact_event", "event_key"),
    ("fact_event_mention", "document_key", "dim_document", "document_key"),
    ("fact_event_mention", "actor1_entity_key", "dim_entity", "entity_key"),
]
SCALED = ("dim_document", "fact_entity_mention", "fact_event", "fact_event_mention")
SCHEMA_SQL = ("select table_name, column_name, column_index, data_type, is_nullable from duckdb_columns() "
              "where database_name = current_database() order by all")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, prefect_harness):
    seed = seeded_warehouse(tmp_path_factory)
    out = tmp_path_factory.mktemp("synthetic") / "synthetic.duckdb"
    built = build(seed, out, 2000)
    return seed, out, built


@pytest.mark.slow
def test_the_seeds_grow_into_two_thousand_documents_in_whole_replicas(synthetic):
    seed, out, built = synthetic
    assert built["replicas"] == replicas_for(2000, 5) == 400
    with duckdb.connect(str(seed), read_only=True) as con:
        seed_counts = table_counts(con)
    with duckdb.connect(str(out), read_only=True) as con:
        counts = table_counts(con)
    assert counts == built["counts"] and seed_counts == built["seed_counts"]
    for table in SCALED:
        assert counts[table] == 400 * seed_counts[table] > 0, table
    # Shared head entities once, long-tail ones once per replica; a date per replica day.
    assert seed_counts["dim_entity"] < counts["dim_entity"] < 400 * seed_counts["dim_entity"]
    assert counts["dim_date"] > 400
    for table in ("dim_source", "dim_event_type", "etl_run", "etl_validation"):
        assert counts[table] == seed_counts[table]


@pytest.mark.slow
def test_the_synthetic_warehouse_has_the_pipelines_schema_and_every_key_resolves(synthetic):
    _, out, _ = synthetic
    fresh = duckdb.connect()
    apply_schema(fresh)
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute(SCHEMA_SQL).fetchall() == fresh.execute(SCHEMA_SQL).fetchall()
        fresh.close()
        for table, column, target, key in FOREIGN_KEYS:
            dangling = con.execute(
                f"select count(*) from {table} where {column} is not null "
                f"and {column} not in (select {key} from {target})").fetchone()[0]
            assert dangling == 0, (table, column)
        # The merge signature is rebuilt from the replica's actors exactly as the pipeline builds it.
        events = con.execute("select event_code, actor1_entity_keys, actor2_entity_keys, participants "
                             "from fact_event using sample 2000 rows (reservoir, 7)").fetchall()
    assert events and all(participants(code, a1 or [], a2 or []) == p for code, a1, a2, p in events)


@pytest.mark.slow
def test_keys_minhashes_names_and_dates_are_spread_not_copied(synthetic):
    _, out, _ = synthetic
    with duckdb.connect(str(out), read_only=True) as con:
        docs = con.execute("""
            select count(*), count(distinct document_key), count(distinct content_hash),
                count(distinct fingerprint), count(distinct minhash), count(distinct minhash[1]),
                count(distinct published_date), count(distinct document_id)
            from dim_document""").fetchone()
        assert docs[0] == 2000 and all(n == 2000 for n in docs[1:6]) and docs[7] == 2000
        assert docs[6] > 300  # dates moved a day per replica
        # one entity per name and coarse type, except unnamed groups: keyed per document, "police" recurs
        entities = con.execute(
            "select count(*), count(distinct entity_key), count(distinct lower(canonical_name) || coarse_type) "
            "filter (where coarse_type <> 'group') + count(*) filter (where coarse_type = 'group') "
            "from dim_entity").fetchone()
        assert entities[0] == entities[1] == entities[2]
        # Mentions per entity keep a head and a tail: some entity is named in every replica, most in one.
        spread = con.execute("""
            select max(documents), median(documents), min(documents) from (
                select entity_key, count(distinct document_key) as documents
                from fact_entity_mention group by entity_key)""").fetchone()
        assert spread[0] >= 400 and spread[2] == 1
        assert con.execute("select count(distinct event_key), count(*) from fact_event").fetchone()[0] > 10_000
