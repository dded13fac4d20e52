"""The analyst views: documented headers, rules on tiny hand-made rows, golden rows on the seeds."""

import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dateline.warehouse.db import apply_schema, sql_files

from tests.golden import assert_golden
from tests.helpers import query, run_flow

VIEWS = [name for name, _ in sql_files("views")]


# ---------------------------------------------------------------- headers


@pytest.fixture
def mem() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    apply_schema(con)
    yield con
    con.close()


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line)
    return "\n".join(lines)


def test_the_contract_views_exist():
    assert {"v_entity_mentions_daily", "v_entity_cooccurrence", "v_event_timeline", "v_who_met_whom",
            "v_run_health"} <= set(VIEWS)


@pytest.mark.parametrize("name", VIEWS)
def test_view_header_names_the_view_and_documents_every_column(mem, name):
    text = dict(sql_files("views"))[name]
    header = _header(text)
    assert header.startswith(f"-- {name}: one row per"), "header must start with the view's name and grain"
    assert "columns:" in header
    assert re.search(rf"create or replace view {name} as", text)
    documented = set(re.findall(r"[a-z_][a-z0-9_]*", header))
    columns = [row[0] for row in mem.execute(f"describe {name}").fetchall()]
    missing = [c for c in columns if c not in documented]
    assert not missing, f"{name}: columns not documented in the header: {missing}"


# ---------------------------------------------------------------- rules on tiny rows

PUTIN, XI, BIDEN, NATO, BEIJING = "e_putin", "e_xi", "e_biden", "e_nato", "e_beijing"


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    frame = pl.DataFrame(rows)
    con.register("rows_in", frame)
    con.execute(f"insert into {table} by name select * from rows_in")
    con.unregister("rows_in")


def seed_small_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, "dim_source", [{"source_key": "s1", "source_name": "Wire"}, {"source_key": "s2", "source_name": "Daily"}])
    insert(con, "dim_entity", [
        {"entity_key": PUTIN, "canonical_name": "Vladimir Putin", "entity_type": "PERSON", "coarse_type": "person",
         "aliases": ["Putin"]},
        {"entity_key": XI, "canonical_name": "Xi Jinping", "entity_type": "PERSON", "coarse_type": "person",
         "aliases": ["Xi"]},
        {"entity_key": BIDEN, "canonical_name": "Joe Biden", "entity_type": "PERSON", "coarse_type": "person",
         "aliases": ["Biden"]},
        {"entity_key": NATO, "canonical_name": "NATO", "entity_type": "ORG", "coarse_type": "organization",
         "aliases": ["NATO"]},
        {"entity_key": BEIJING, "canonical_name": "Beijing", "entity_type": "GPE", "coarse_type": "location",
         "aliases": ["Beijing"]},
    ])
    docs = []
    for key, source, day, doc_id in (("d1", "s1", "2021-12-14", "a.txt"), ("d2", "s2", "2021-12-16", "b.txt"),
                                     ("d3", "s2", None, "c.txt")):
        docs.append({
            "document_key": key, "document_id": doc_id, "source_key": source, "title": f"title {doc_id}",
            "published_date": day, "date_source": "given", "content_hash": key, "fingerprint": key,
            "word_count": 10, "source_path": doc_id, "encoding": "utf-8", "body": "x", "raw_text": "x",
            "loaded_run_id": "r1",
        })
    insert(con, "dim_document", docs)
    insert(con, "dim_event_type", [
        {"event_type_key": "t_consult", "code": "CONSULT", "name": "Consult", "quad_class": "verbal_cooperation"},
        {"event_type_key": "t_demand", "code": "DEMAND", "name": "Demand", "quad_class": "verbal_conflict"},
    ])


def event(key: str, code: str, a1: list[str], a2: list[str], polarity: str = "real", **extra) -> dict:
    return {
        "event_key": key, "event_type_key": f"t_{code.lower()}", "event_code": code,
        "actor1_entity_key": a1[0] if a1 else None, "actor2_entity_key": a2[0] if a2 else None,
        "actor1_entity_keys": a1, "actor2_entity_keys": a2, "date_precision": "day", "num_mentions": 1,
        "num_documents": 1, "num_sources": 1, "polarity": polarity, "participants": "|".join(sorted(a1 + a2)),
        **extra,
    }


def report(event_key: str, doc: str, modality: str, sentence: int = 0, confidence: float = 1.0) -> dict:
    return {
        "event_mention_key": f"{event_key}-{doc}-{sentence}", "event_key": event_key, "document_key": doc,
        "sentence_index": sentence, "trigger": "t", "sentence": "s", "modality": modality, "confidence": confidence,
        "trigger_lemma": "t", "event_code": "CONSULT", "start_char": 0, "end_char": 1, "date_precision": "day",
    }


def test_who_met_whom_pairs_people_and_countries_of_real_meetings(mem):
    seed_small_warehouse(mem)
    insert(mem, "fact_event", [
        # "Putin and Xi held a video call": both actors on one side → one pair.
        event("call", "CONSULT", [XI, PUTIN], [], event_date="2021-12-15", mode="call"),
        # NATO (an organization) is left out; Beijing is the venue, two others remain → one pair.
        event("summit", "CONSULT", [PUTIN], [XI, BEIJING, NATO], location_entity_key=BEIJING, mode="visit"),
        # Three participants, one of them a country (not the venue) → three pairs.
        event("trio", "CONSULT", [PUTIN, BIDEN], [BEIJING], mode="call"),
        # "Putin visited Beijing": the venue is the only other participant, so it stays.
        event("trip", "CONSULT", [PUTIN], [BEIJING], location_entity_key=BEIJING, mode="visit"),
        event("maybe", "CONSULT", [PUTIN], [BIDEN], polarity="hypothetical"),
        event("demand", "DEMAND", [BIDEN], [PUTIN]),
        event("alone", "CONSULT", [PUTIN], [NATO]),
    ])
    insert(mem, "fact_event_mention", [report("call", "d1", "planned"), report("call", "d2", "asserted")] + [
        report(key, "d1", "asserted") for key in ("summit", "trio", "trip", "maybe", "demand", "alone")
    ])
    rows = mem.sql(
        "select event_key, participant_a, participant_b, mode, location, modalities from v_who_met_whom "
        "order by event_key, participant_a, participant_b"
    ).fetchall()
    assert rows == [
        ("call", "Vladimir Putin", "Xi Jinping", "call", None, "asserted, planned"),
        ("summit", "Vladimir Putin", "Xi Jinping", "visit", "Beijing", "asserted"),
        ("trio", "Beijing", "Joe Biden", "call", None, "asserted"),
        ("trio", "Beijing", "Vladimir Putin", "call", None, "asserted"),
        ("trio", "Joe Biden", "Vladimir Putin", "call", None, "asserted"),
        ("trip", "Beijing", "Vladimir Putin", "visit", "Beijing", "asserted"),
    ]


def test_analyst_views_show_only_reports_at_the_confidence_threshold(mem):
    seed_small_warehouse(mem)
    threshold = mem.sql("select event_min_confidence()").fetchall()[0][0]
    assert threshold == 0.5
    insert(mem, "fact_event", [
        event("call", "CONSULT", [XI, PUTIN], [], event_date="2021-12-15", mode="call", num_mentions=3,
              num_documents=3),
        event("weak", "CONSULT", [PUTIN], [BIDEN], mode="call"),
    ])
    insert(mem, "fact_event_mention", [
        report("call", "d1", "asserted", confidence=0.9),
        report("call", "d2", "planned", confidence=0.5),     # at the threshold: shown
        report("call", "d3", "hypothetical", confidence=0.2),  # below: left out of counts and modalities
        report("weak", "d1", "asserted", confidence=0.3),
        report("weak", "d2", "asserted", confidence=0.49),
    ])
    timeline = mem.sql(
        "select event_key, num_mentions, num_documents, modalities from v_event_timeline order by event_key"
    ).fetchall()
    assert timeline == [("call", 2, 2, "asserted, planned")]
    met = mem.execute("select event_key, num_mentions, modalities from v_who_met_whom").fetchall()
    assert met == [("call", 2, "asserted, planned")]
    summary = mem.sql("select events, events_shown, event_min_confidence from v_warehouse_summary").fetchall()[0]
    assert summary == (2, 1, 0.5)
    # The raw tables keep everything; lowering the one threshold shows the weak event too.
    assert mem.sql("select count(*) from fact_event_mention").fetchall()[0][0] == 5
    mem.execute("create or replace macro event_min_confidence() as 0.25")
    assert mem.sql("select count(*) from v_event_timeline").fetchall()[0][0] == 2
    assert mem.sql("select count(*) from v_who_met_whom").fetchall()[0][0] == 2


def test_the_confidence_threshold_is_written_in_one_place():
    texts = dict(sql_files("views"))
    users = [name for name, text in texts.items() if "event_min_confidence()" in text]
    assert {"v_event_timeline", "v_who_met_whom", "v_warehouse_summary"} <= set(users)
    for name, text in texts.items():
        assert not re.search(r"confidence\s*>=?\s*[0-9.]", text), name
    defined = [name for name, text in sql_files("tables") if "macro event_min_confidence()" in text]
    assert defined == ["00_event_min_confidence"]


def test_event_timeline_names_actors_dominant_modality_and_first_source(mem):
    seed_small_warehouse(mem)
    insert(mem, "fact_event", [
        event("call", "CONSULT", [PUTIN, XI], [], event_date="2021-12-15", mode="call", location_entity_key=None),
        event("demand", "DEMAND", [BIDEN], [PUTIN], date_precision="unknown"),
    ])
    insert(mem, "fact_event_mention", [
        report("call", "d3", "planned"),       # undated document: never the first source
        report("call", "d2", "planned", 1),
        report("call", "d2", "asserted", 2),
        report("call", "d1", "asserted"),      # earliest publication date → first source
        report("demand", "d2", "hypothetical"),
        report("demand", "d3", "asserted"),    # tie 1–1: asserted wins over hypothetical
    ])
    rows = mem.sql(
        "select event_key, event_name, actor1, actor2, modality, modalities, first_source, first_document_key "
        "from v_event_timeline order by event_key"
    ).fetchall()
    assert rows == [
        ("call", "Consult", "Vladimir Putin & Xi Jinping", None, "asserted", "asserted, planned", "Wire", "d1"),
        ("demand", "Demand", "Joe Biden", "Vladimir Putin", "asserted", "asserted, hypothetical", "Daily", "d2"),
    ]


def test_cooccurrence_counts_each_pair_once_by_document_and_sentence(mem):
    seed_small_warehouse(mem)
    mentions = []
    for i, (doc, sentence, entity) in enumerate([
        ("d1", 0, PUTIN), ("d1", 0, XI), ("d1", 0, XI), ("d1", 3, PUTIN), ("d1", 3, XI),
        ("d2", 0, PUTIN), ("d2", 1, XI), ("d2", 1, BIDEN),
    ]):
        mentions.append({"mention_key": f"m{i}", "document_key": doc, "entity_key": entity, "sentence_index": sentence,
                         "start_char": 0, "end_char": 1, "mention_text": "x", "label": "PERSON"})
    insert(mem, "fact_entity_mention", mentions)
    rows = mem.sql(
        "select entity_a, entity_b, documents, sentences from v_entity_cooccurrence order by entity_a, entity_b"
    ).fetchall()
    rows = sorted(tuple(sorted(r[:2])) + r[2:] for r in rows)
    assert rows == [
        ("Joe Biden", "Vladimir Putin", 1, 0),
        ("Joe Biden", "Xi Jinping", 1, 1),
        ("Vladimir Putin", "Xi Jinping", 2, 2),
    ]
    keys = mem.sql("select count(*) from v_entity_cooccurrence where entity_key_a >= entity_key_b").fetchall()[0]
    assert keys == (0,)


def test_run_health_counts_failed_expectations_and_quarantine(mem):
    insert(mem, "etl_run", [
        {"run_id": "r1", "started_at": "2026-01-01 10:00:00", "finished_at": "2026-01-01 10:00:30",
         "status": "failed", "files_seen": 3, "files_quarantined": 1, "words": 600},
        {"run_id": "r2", "started_at": "2026-01-02 10:00:00", "finished_at": "2026-01-02 10:01:00",
         "status": "success", "files_seen": 3, "files_quarantined": 1, "words": 600},
    ])
    insert(mem, "etl_validation", [
        {"run_id": "r1", "table_name": "dim_document", "expectation": "expect_column_values_to_not_be_null",
         "column_name": "document_key", "success": False},
        {"run_id": "r1", "table_name": "fact_entity_mention", "expectation": "expect_offsets", "success": False},
        {"run_id": "r1", "table_name": "dim_entity", "expectation": "expect_unique", "column_name": "entity_key",
         "success": True},
        {"run_id": "r2", "table_name": "dim_entity", "expectation": "expect_unique", "column_name": "entity_key",
         "success": True},
    ])
    insert(mem, "quarantine", [{"quarantine_key": "q1", "run_id": "r1", "source_path": "bad.txt", "reason": "empty"}])
    rows = mem.sql(
        "select run_id, duration_seconds, words_per_second, validation_checks, validation_failures, "
        "failed_expectations, files_quarantined, quarantine_rows from v_run_health order by run_id"
    ).fetchall()
    assert rows == [
        ("r1", 30.0, 20.0, 3, 2,
         "dim_document.expect_column_values_to_not_be_null(document_key); fact_entity_mention.expect_offsets", 1, 1),
        ("r2", 60.0, 10.0, 1, 0, None, 1, 0),
    ]


# ---------------------------------------------------------------- the seeds, golden rows


@pytest.fixture(scope="module")
def seeded(prefect_harness, tmp_path_factory) -> Path:
    """The real flow over a copy of seeds/ plus one unreadable file, once for this module."""
    import shutil

    from tests.conftest import SEEDS

    inputs = tmp_path_factory.mktemp("views-seeds") / "seeds"
    shutil.copytree(SEEDS, inputs)
    (inputs / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    warehouse = tmp_path_factory.mktemp("views-wh") / "dateline.duckdb"
    summary = run_flow([inputs], warehouse)
    assert summary.status == "success"
    return warehouse


@pytest.mark.slow
def test_seed_entity_mentions_daily(seeded):
    top = query(seeded, """
        select canonical_name, coarse_type, date, mentions, documents
        from v_entity_mentions_daily
        order by mentions desc, canonical_name, date
        limit 15
    """)
    assert_golden(top, "view_entity_mentions_daily")


@pytest.mark.slow
def test_seed_entity_mentions_by_source(seeded):
    top = query(seeded, """
        select source_name, canonical_name, coarse_type, mentions, documents
        from v_entity_mentions_by_source
        order by mentions desc, canonical_name
        limit 10
    """)
    assert_golden(top, "view_entity_mentions_by_source")


@pytest.mark.slow
def test_seed_entity_cooccurrence(seeded):
    top = query(seeded, """
        select least(entity_a, entity_b) as entity_1, greatest(entity_a, entity_b) as entity_2, documents, sentences
        from v_entity_cooccurrence
        order by sentences desc, documents desc, entity_1, entity_2
        limit 15
    """)
    assert_golden(top, "view_entity_cooccurrence")


@pytest.mark.slow
def test_seed_event_timeline(seeded):
    dated = query(seeded, """
        select t.event_date, t.date_precision, t.event_code, t.mode, t.actor1, t.actor2, t.location,
               t.num_documents, t.modality, t.first_source, d.document_id as first_document
        from v_event_timeline as t
        left join dim_document as d on d.document_key = t.first_document_key
        where t.event_date is not null
        order by all
    """)
    assert_golden(dated, "view_event_timeline")
    total = query(seeded, "select count(*) as n, count(first_source) as with_source from v_event_timeline").row(0)
    events = query(seeded, """
        select count(distinct event_key) from fact_event_mention where confidence >= event_min_confidence()
    """).item()
    assert total == (events, events), "one timeline row per event with a confident report, each with a first source"
    assert events < query(seeded, "select count(*) from fact_event").item(), "the raw table keeps every event"


@pytest.mark.slow
def test_seed_who_met_whom(seeded):
    met = query(seeded, """
        select event_date, date_precision, mode, participant_a, participant_b, location, num_documents, modalities
        from v_who_met_whom
        order by all
    """)
    assert_golden(met, "view_who_met_whom")
    pairs = met.filter((pl.col("participant_a") == "Vladimir Putin") & (pl.col("participant_b") == "Xi Jinping"))
    assert not pairs.is_empty(), "Putin and Xi meet in the seeds"


@pytest.mark.slow
def test_seed_run_health(seeded):
    health = query(seeded, """
        select status, files_seen, documents_new, documents_skipped, documents_extracted, mentions, entities,
               event_mentions, events, validation_failures, failed_expectations, files_quarantined, quarantine_rows
        from v_run_health
    """)
    assert_golden(health, "view_run_health")
    row = query(seeded, "select duration_seconds, validation_checks from v_run_health").row(0)
    assert row[0] > 0 and row[1] > 0
