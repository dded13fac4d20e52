"""End-to-end: the real Prefect flow over seeds/ into a temporary DuckDB file."""

import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.docs_page_checks import assert_offline_page
from tests.fault_helpers import BROKEN_OFFSETS, dateline_with_fault, run_cli, subprocess_env
from tests.golden import assert_golden
from tests.helpers import DATA_TABLES, counts, query, run_flow, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture
def seeded(seed_dir, warehouse_path):
    summary = run_flow([seed_dir], warehouse_path)
    return seed_dir, warehouse_path, summary


def test_seed_run_loads_the_star_schema(seeded):
    _, warehouse, summary = seeded
    assert summary.status == "success"
    assert summary.documents_new == 5 and summary.documents_extracted == 5
    n = counts(warehouse)
    assert n["dim_document"] == 5
    for table in ("dim_source", "dim_document", "dim_entity", "fact_entity_mention"):
        assert n[table] > 0, table
    persons = query(warehouse, "select canonical_name from dim_entity where entity_type = 'PERSON'")
    assert {"Xi Jinping", "Vladimir Putin"} <= set(persons.get_column("canonical_name"))
    runs = query(warehouse, "select status, documents_new from etl_run")
    assert runs.rows() == [("success", 5)]


def test_the_data_docs_page_the_run_names_opens_offline(seeded):
    """The summary's ``data docs`` page is self-contained and counts what ``etl_validation`` recorded."""
    _, warehouse, summary = seeded
    results = query(warehouse, f"select table_name, success from etl_validation where run_id = '{summary.run_id}'")
    assert results.height > 0
    assert_offline_page(Path(summary.data_docs), results)


def test_seed_documents_match_golden(seeded):
    _, warehouse, _ = seeded
    docs = query(
        warehouse,
        "select document_id, title, word_count, published_date, date_source, published_precision, "
        "duplicate_of_key is not null as dup from dim_document order by document_id",
    )
    assert_golden(docs, "seed_documents")


def test_seed_top_entities_match_golden(seeded):
    _, warehouse, _ = seeded
    top = query(
        warehouse,
        """
        with counted as (
            select d.document_id, e.canonical_name, e.coarse_type, count(*) as mentions
            from fact_entity_mention m
            join dim_entity e using (entity_key)
            join dim_document d using (document_key)
            group by all
        ),
        final as (
            select *, row_number() over (partition by document_id order by mentions desc, canonical_name) as rank
            from counted
        )
        select document_id, rank, canonical_name, coarse_type, mentions from final where rank <= 5
        order by document_id, rank
        """,
    )
    assert_golden(top, "seed_top_entities")


def test_mention_offsets_point_into_the_body(seeded):
    _, warehouse, _ = seeded
    bad = query(
        warehouse,
        "select m.* from fact_entity_mention m join dim_document d using (document_key) "
        "where substring(d.body, m.start_char + 1, m.end_char - m.start_char) <> m.mention_text",
    )
    assert bad.is_empty()


def test_rerun_changes_nothing(seeded):
    seeds, warehouse, _ = seeded
    before = snapshot(warehouse)
    summary = run_flow([seeds], warehouse)
    assert summary.documents_new == 0 and summary.documents_skipped == 5
    assert summary.documents_extracted == 0
    after = snapshot(warehouse)
    for table in DATA_TABLES:
        assert_frame_equal(before[table], after[table])
    assert query(warehouse, "select count(*) as n from etl_run").item() == 2


def test_incremental_run_processes_only_the_new_file(seeded, tmp_path):
    seeds, warehouse, _ = seeded
    extra = seeds / "005_new.txt"
    extra.write_text(
        "Biden Meets Macron in Paris\n\nPresident Joe Biden met French President Emmanuel Macron in Paris on "
        "Thursday to discuss support for Ukraine and sanctions on Russia.\n",
        encoding="utf-8",
    )
    summary = run_flow([seeds], warehouse)
    assert summary.documents_new == 1 and summary.documents_skipped == 5
    assert summary.documents_extracted == 1
    assert counts(warehouse)["dim_document"] == 6
    names = set(query(warehouse, "select canonical_name from dim_entity").get_column("canonical_name"))
    assert "Emmanuel Macron" in names


def test_exact_duplicate_is_linked_not_extracted(seed_dir, warehouse_path):
    original = seed_dir / "002_9cc82649ec4ceb70.txt"
    shutil.copy(original, seed_dir / "002_copy.txt")
    summary = run_flow([seed_dir], warehouse_path)
    assert summary.documents_new == 6 and summary.documents_extracted == 5
    docs = query(warehouse_path, "select document_id, duplicate_of_key, document_key from dim_document")
    copy = docs.filter(pl.col("document_id") == "002_copy.txt").row(0, named=True)
    orig = docs.filter(pl.col("document_id") == original.name).row(0, named=True)
    assert copy["duplicate_of_key"] == orig["document_key"] or orig["duplicate_of_key"] == copy["document_key"]


def test_bad_files_are_quarantined_and_the_run_goes_on(seed_dir, warehouse_path):
    (seed_dir / "empty.txt").write_bytes(b"")
    (seed_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (seed_dir / "blank.txt").write_bytes(b"   \n\t\n")
    summary = run_flow([seed_dir], warehouse_path)
    assert summary.status == "success"
    assert counts(warehouse_path)["dim_document"] == 5
    rejected = query(warehouse_path, "select source_path, reason, detail from quarantine order by source_path")
    by_file = {p.rsplit("/", 1)[-1]: r for p, r in zip(rejected["source_path"], rejected["reason"], strict=True)}
    assert set(by_file) == {"empty.txt", "image.txt", "blank.txt"}
    assert by_file["image.txt"] == "undecodable"
    assert all(d for d in rejected.get_column("detail"))


def test_failed_validation_loads_nothing(seed_dir, warehouse_path, tmp_path):
    result = run_cli(dateline_with_fault(BROKEN_OFFSETS, "run", "--input", str(seed_dir), "--warehouse",
                                         str(warehouse_path)), subprocess_env(tmp_path))
    assert result.returncode == 1
    assert "ValidationFailedError" in result.stderr and "fact_entity_mention" in result.stderr
    n = counts(warehouse_path)
    assert all(v == 0 for v in n.values()), n
    runs = query(warehouse_path, "select status, message from etl_run")
    assert runs.get_column("status").to_list() == ["failed"]
    assert "body_length" in runs.get_column("message").item()
    failed = query(warehouse_path, "select table_name from etl_validation where not success")
    assert "fact_entity_mention" in failed.get_column("table_name").to_list()


def consult_events(warehouse) -> list[tuple]:
    """(date, precision, actor1, actor2, reports) of every CONSULT event in the raw facts."""
    return query(
        warehouse,
        "select f.event_date::varchar, f.date_precision, a1.canonical_name, a2.canonical_name, f.num_mentions "
        "from fact_event f join dim_event_type t using (event_type_key) "
        "left join dim_entity a1 on a1.entity_key = f.actor1_entity_key "
        "left join dim_entity a2 on a2.entity_key = f.actor2_entity_key where t.code = 'CONSULT'",
    ).rows()


def test_given_publication_dates_anchor_the_seed_meetings(seed_dir, warehouse_path):
    # The seeds carry no metadata; with a manifest giving (plausible) publication dates, relative
    # dates ("on Friday", "on Wednesday") resolve to the days of the meetings.
    (seed_dir / "manifest.csv").write_text(
        "file,url,source,published\n"
        "000_fe54a43580a24ec2.txt,,,2021-12-14\n"
        "001_31fc98672741d875.txt,,,2021-12-15\n"
        "002_9cc82649ec4ceb70.txt,,,2021-12-16\n"
        "003_4b2cff3ecd599e03.txt,,,2022-02-05\n"
        "004_418559a313f8507d.txt,,,2024-05-16\n",
        encoding="utf-8",
    )
    run_flow([seed_dir], warehouse_path)
    # The raw facts hold every report: the call (000's announcement and 002's "spoke to Xi") and 003's meeting.
    found = {(d, p, a, b) for d, p, a, b, _ in consult_events(warehouse_path)}
    assert ("2021-12-15", "day", "Vladimir Putin", "Xi Jinping") in found
    assert ("2022-02-04", "day", "Vladimir Putin", "Xi Jinping") in found
    # 003's "made a visit to the Winter Olympics in Beijing, China, meeting with Xi Jinping" is one report of
    # one meeting: the city the Olympics are in is not a target of the visit, so the visit joins the meeting
    assert not any(d == "2022-02-04" and (a, b) == ("Vladimir Putin", "Beijing") for d, _, a, b in found)
    # The analyst view shows the events with a report at or above the confidence threshold.
    meetings = query(
        warehouse_path,
        "select event_date::varchar as day, participant_a, participant_b from v_who_met_whom "
        "where date_precision = 'day' and 'Vladimir Putin' in (participant_a, participant_b)",
    )
    rows = set(meetings.iter_rows())
    assert ("2021-12-15", "Vladimir Putin", "Xi Jinping") in rows
    assert ("2022-02-04", "Vladimir Putin", "Xi Jinping") in rows
    assert query(warehouse_path, "select count(*) from dim_document where date_source = 'given'").item() == 5


def test_the_seed_manifest_dates_the_three_putin_xi_meetings(seeded):
    # seeds/manifest.csv gives only the publication months DESIGN.md states. The video call is dated to
    # the day (000's text pins its publication to 2021-12-14 inside the given month, and the call was
    # announced "on Tuesday" for "Wednesday"); the Beijing visit of 2022 is known to the month (003:
    # "On Friday", published February 2022), the 2024 visit to the month (004: "his two-day visit that
    # began on Thursday", during which he briefs Xi, published May 2024).
    _, warehouse, _ = seeded
    docs = query(warehouse, "select document_id[:3], published_date::varchar, published_precision, date_source, "
                            "date_key from dim_document order by document_id")
    assert docs.rows() == [  # a day key only where the day is known
        ("000", "2021-12-14", "day", "inferred", 20211214), ("001", "2021-12-01", "month", "given", None),
        ("002", "2021-12-01", "month", "given", None), ("003", "2022-02-01", "month", "given", None),
        ("004", "2024-05-01", "month", "given", None),
    ]
    met = query(
        warehouse,
        "select event_date::varchar, date_precision, mode, participant_a, participant_b, num_documents "
        "from v_who_met_whom where 'Vladimir Putin' in (participant_a, participant_b) and date_precision <> 'unknown'",
    )
    rows = set(met.iter_rows())
    # The call, shown from two reports (000's announcement, 002's "spoke to Xi"; 001's "video meeting" of "the
    # Chinese" and "the Russian" joins it in the raw tables but is below the views' confidence threshold), the
    # 2022 meeting and the 2024 visit, each dated as precisely as its document allows.
    assert ("2021-12-15", "day", "call", "Vladimir Putin", "Xi Jinping", 2) in rows
    assert ("2022-02-01", "month", "meet", "Vladimir Putin", "Xi Jinping", 1) in rows
    assert ("2024-05-01", "month", "visit", "Vladimir Putin", "Xi Jinping", 1) in rows
    found = {(d, p, a, b): n for d, p, a, b, n in consult_events(warehouse)}
    assert found[("2021-12-15", "day", "Vladimir Putin", "Xi Jinping")] == 3  # 000, 001 and 002
    assert ("2022-02-01", "month", "Vladimir Putin", "Xi Jinping") in found
    assert ("2022-02-01", "month", "Vladimir Putin", "Beijing") in found
    assert ("2024-05-01", "month", "Vladimir Putin", "Xi Jinping") in found
    # "Putin's visit occurs a few weeks after ..." names no date of its own, and no other report of 004
    # with the same word and actors dates it: the Putin → China visit stays undated rather than borrow a date.
    assert not any({a, b} == {"China", "Vladimir Putin"} for *_, a, b, _ in rows)
    putin_xi = {(d, p) for d, p, a, b in found if {a, b} == {"Vladimir Putin", "Xi Jinping"} and d}
    assert putin_xi == {("2021-12-15", "day"), ("2022-02-01", "month"), ("2024-05-01", "month")}


def test_validating_early_loads_and_records_what_the_default_run_does(seeded, tmp_path):
    """DATELINE_VALIDATE_EARLY: documents, sources and quarantine are validated while the spaCy pass runs,
    the rest after resolution; the warehouse and the recorded expectations are the default run's."""
    seed_dir, default, _ = seeded
    early = tmp_path / "early.duckdb"
    summary = run_flow([seed_dir], early, validate_early=True)
    assert summary.status == "success" and summary.documents_extracted == 5
    run_columns = ("loaded_run_id", "run_id")
    expected, actual = snapshot(default), snapshot(early)
    for table in DATA_TABLES:
        drop = [c for c in run_columns if c in expected[table].columns]
        assert_frame_equal(actual[table].drop(drop), expected[table].drop(drop))
    recorded = "select table_name, expectation, column_name, success, observed_value from etl_validation order by all"
    assert query(early, recorded).equals(query(default, recorded))
    assert query(early, "select count(distinct table_name) as n from etl_validation").item() == len(DATA_TABLES)
