"""The expectation suites: every loaded table has one, and each kind of bad row fails it by name."""

import datetime as dt
from collections.abc import Callable
from html import escape

import duckdb
import polars as pl
import pytest
from dateline.expectations.rules import check_columns, reference_column, table_rules
from dateline.warehouse.db import apply_schema
from dateline.warehouse.load import LOAD_ORDER

from tests.docs_page_checks import assert_offline_page

TODAY = dt.date(2024, 6, 1)
BODY = "Putin met Xi in Beijing."
DERIVED = {"body_length", "text_matches", "document_is_canonical", "mention_rows"}


def valid_frames() -> dict[str, pl.DataFrame]:
    """A tiny consistent star: one canonical document, its duplicate, two entities, one event."""
    day = dt.date(2024, 5, 16)
    return {
        "dim_date": pl.DataFrame({
            "date_key": [20240516], "date": [day], "year": [2024], "quarter": [2], "month": [5], "day": [16],
            "day_of_week": [4],
        }),
        "dim_source": pl.DataFrame({"source_key": ["s1"], "source_name": ["Wire"]}),
        "dim_document": pl.DataFrame({
            "document_key": ["d1", "d2"], "document_id": ["a.txt", "b.txt"], "source_key": ["s1", "s1"],
            "published_date": [day, day], "date_key": [20240516, 20240516], "date_source": ["given", "inferred"],
            "published_precision": ["day", "day"],
            "content_hash": ["h", "h"], "fingerprint": ["f1", "f2"], "word_count": [5, 5],
            "duplicate_of_key": [None, "d1"], "duplicate_kind": [None, "exact"], "similarity": [None, 1.0],
            "source_path": ["in/a.txt", "in/b.txt"], "record": [None, None], "encoding": ["utf-8", "cp1252"],
            "language": ["en", "en"], "body": [BODY, BODY], "raw_text": [BODY, BODY],
        }, schema_overrides={"record": pl.Int64}),
        "dim_entity": pl.DataFrame({
            "entity_key": ["e1", "e2", "e3"], "canonical_name": ["Vladimir Putin", "Xi Jinping", "Beijing"],
            "entity_type": ["PERSON", "PERSON", "GPE"], "coarse_type": ["person", "person", "location"],
        }),
        "dim_event_type": pl.DataFrame({
            "event_type_key": ["t1"], "code": ["CONSULT"], "name": ["Consult"], "quad_class": ["verbal_cooperation"],
        }),
        "fact_entity_mention": pl.DataFrame({
            "mention_key": ["m1", "m2", "m3"], "document_key": ["d1", "d1", "d1"], "entity_key": ["e1", "e2", "e3"],
            "date_key": [20240516] * 3, "sentence_index": [0, 0, 0], "start_char": [0, 10, 16],
            "end_char": [5, 12, 23], "mention_text": ["Putin", "Xi", "Beijing"], "label": ["PERSON", "PERSON", "GPE"],
        }),
        "fact_event": pl.DataFrame({
            "event_key": ["v1"], "event_type_key": ["t1"], "event_code": ["CONSULT"], "actor1_entity_key": ["e1"],
            "actor2_entity_key": ["e2"], "location_entity_key": ["e3"], "date_key": [20240516],
            "date_precision": ["day"], "polarity": ["real"], "mode": ["meet"], "num_mentions": [1],
            "num_documents": [1], "num_sources": [1], "event_date": [day], "first_reported": [day],
            "last_reported": [day],
        }),
        "fact_event_mention": pl.DataFrame({
            "event_mention_key": ["vm1"], "event_key": ["v1"], "document_key": ["d1"], "sentence_index": [0],
            "trigger": ["met"], "sentence": [BODY], "modality": ["asserted"], "confidence": [0.9],
            "date_precision": ["day"], "mode": ["meet"], "start_char": [6], "end_char": [9],
            "actor1_entity_key": ["e1"], "actor2_entity_key": ["e2"], "location_entity_key": ["e3"],
            "mention_date": [day],
        }),
        "quarantine": pl.DataFrame({
            "quarantine_key": ["q1"], "run_id": ["r1"], "source_path": ["in/empty.txt"], "record": [None],
            "reason": ["empty"], "detail": ["0 bytes, no text"],
        }, schema_overrides={"record": pl.Int64}),
    }


def _set(table: str, column: str, value) -> Callable[[dict], dict]:
    """A mutation: ``column`` of the first row of ``table`` becomes ``value``."""
    def mutate(frames: dict) -> dict:
        frame = frames[table]
        frames[table] = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value, dtype=frame.schema[column]))
            .otherwise(pl.col(column)).alias(column)
        )
        return frames
    return mutate


def _duplicate_first(table: str) -> Callable[[dict], dict]:
    """A mutation: the first row of ``table`` appears twice."""
    def mutate(frames: dict) -> dict:
        frames[table] = pl.concat([frames[table], frames[table].head(1)])
        return frames
    return mutate


def _validate(frames, tmp_path=None, loaded=None):
    from dateline.expectations.validate import validate_run

    docs = tmp_path / "docs" if tmp_path is not None else None
    return validate_run(frames, loaded or {}, run_id="test-run", data_docs_dir=docs, today=TODAY)


@pytest.fixture(scope="module")
def passing_report():
    return _validate(valid_frames())


def test_every_loaded_table_has_rules_naming_real_columns():
    rules = table_rules(TODAY)
    assert set(LOAD_ORDER) == set(rules)
    with duckdb.connect() as con:
        apply_schema(con)
        for table, rule in rules.items():
            ddl = {row[0] for row in con.execute(f"describe {table}").fetchall()}
            named = {rule.key, *rule.not_null, *rule.unique, *rule.references, *rule.accepted, *rule.between,
                     *rule.matching, *rule.not_matching}
            named |= {c for a, b, _ in rule.greater for c in (a, b)}
            assert named - DERIVED <= ddl, (table, sorted(named - DERIVED - ddl))
            for target in rule.references.values():
                assert target in rules, (table, target)


def test_references_may_point_at_staged_or_loaded_keys_and_list_the_dangling_ones():
    frames = valid_frames()
    frames["fact_entity_mention"] = frames["fact_entity_mention"].with_columns(
        entity_key=pl.Series(["e1", "e_loaded", "e404"])
    )
    checked = check_columns(frames, {"dim_entity": {"e_loaded"}}, table_rules(TODAY))
    column = reference_column("entity_key", "dim_entity")
    assert checked["fact_entity_mention"].get_column(column).to_list() == [None, None, "e404"]
    # Derived columns exist only in what is validated, never in what is loaded.
    assert column not in frames["fact_entity_mention"].columns


def test_valid_frames_pass_and_every_expectation_is_recorded(passing_report):
    from dateline.expectations.suites import build_suites

    assert passing_report.success, passing_report.failures
    suites = build_suites(table_rules(TODAY))
    per_table = dict(passing_report.results.group_by("table_name").len().iter_rows())
    assert per_table == {table: len(expectations) for table, expectations in suites.items()}
    assert passing_report.results.get_column("observed_value").null_count() == 0


# case → (mutation, table, every column whose expectation must fail: the flaw and its direct consequences)
BAD_ROWS = {
    "duplicate primary key": (_duplicate_first("dim_entity"), "dim_entity", {"entity_key"}),
    "null primary key": (_set("quarantine", "quarantine_key", None), "quarantine", {"quarantine_key"}),
    "dangling entity": (_set("fact_entity_mention", "entity_key", "e404"), "fact_entity_mention",
                        {"entity_key__not_in_dim_entity"}),
    "dangling document": (_set("fact_event_mention", "document_key", "d404"), "fact_event_mention",
                          {"document_key__not_in_dim_document", "body_length,end_char", "text_matches"}),
    "dangling event": (_set("fact_event_mention", "event_key", "v404"), "fact_event_mention",
                       {"event_key__not_in_fact_event"}),
    "dangling event type": (_set("fact_event", "event_type_key", "t404"), "fact_event",
                            {"event_type_key__not_in_dim_event_type"}),
    "dangling date": (_set("dim_document", "date_key", 20240517), "dim_document", {"date_key__not_in_dim_date"}),
    "dangling source": (_set("dim_document", "source_key", "s404"), "dim_document", {"source_key__not_in_dim_source"}),
    "unknown label": (_set("fact_entity_mention", "label", "CARDINAL"), "fact_entity_mention", {"label"}),
    "unknown modality": (_set("fact_event_mention", "modality", "rumoured"), "fact_event_mention", {"modality"}),
    "unknown date precision": (_set("fact_event", "date_precision", "decade"), "fact_event", {"date_precision"}),
    "week-precise publication": (_set("dim_document", "published_precision", "week"), "dim_document",
                                 {"published_precision"}),
    "unknown quad class": (_set("dim_event_type", "quad_class", "other"), "dim_event_type", {"quad_class"}),
    "offset past the body": (_set("fact_entity_mention", "end_char", 99), "fact_entity_mention",
                             {"body_length,end_char", "text_matches"}),
    "start not before end": (_set("fact_event_mention", "start_char", 9), "fact_event_mention",
                             {"end_char,start_char", "text_matches"}),
    "text not at its offsets": (_set("fact_entity_mention", "mention_text", "Xi"), "fact_entity_mention",
                                {"text_matches"}),
    "published before 1900": (_set("dim_document", "published_date", dt.date(1899, 12, 31)), "dim_document",
                              {"published_date"}),
    "published after tomorrow": (_set("dim_document", "published_date", TODAY + dt.timedelta(days=2)),
                                 "dim_document", {"published_date"}),
    "day before 1900": (_set("dim_date", "date_key", 18991231), "dim_date", {"date_key"}),
    "similarity above 1": (_set("dim_document", "similarity", 1.5), "dim_document", {"similarity"}),
    "confidence below 0": (_set("fact_event_mention", "confidence", -0.1), "fact_event_mention", {"confidence"}),
    "event counted zero times": (_set("fact_event", "num_mentions", 0), "fact_event",
                                 {"num_mentions", "num_mentions,num_documents"}),
    "number as entity": (_set("dim_entity", "canonical_name", "820"), "dim_entity", {"canonical_name"}),
    "quarantine without detail": (_set("quarantine", "detail", None), "quarantine", {"detail"}),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_fails_its_table_by_name(case):
    mutate, table, columns = BAD_ROWS[case]
    # Only the mutated table's suite is run (GX costs ~25 ms per expectation); the others are covered
    # by the passing case.
    report = _validate_table(mutate(valid_frames()), table)
    failed = report.results.filter(~pl.col("success"))
    assert set(failed.get_column("column_name")) == columns, report.failures
    assert all(f.startswith(f"{table}.expect_") for f in report.failures)


def _validate_table(frames: dict, table: str):
    from dateline.expectations.suites import build_suites
    from dateline.expectations.validate import Validator

    rules = table_rules(TODAY)
    return Validator().validate(check_columns(frames, {}, rules), {table: build_suites(rules)[table]}, "test-run")


def test_dangling_keys_are_named_in_the_failure():
    report = _validate_table(_set("fact_entity_mention", "entity_key", "e404")(valid_frames()), "fact_entity_mention")
    assert "e404" in " ".join(report.failures)


def test_every_event_needs_a_mention_row():
    frames = valid_frames()
    frames["fact_event_mention"] = frames["fact_event_mention"].clear()
    report = _validate_table(frames, "fact_event")
    failed = set(report.results.filter(~pl.col("success")).get_column("column_name"))
    assert failed == {"mention_rows"}, report.failures


def test_duplicates_are_never_extracted():
    frames = valid_frames()
    frames["fact_entity_mention"] = frames["fact_entity_mention"].with_columns(document_key=pl.lit("d2"))
    report = _validate_table(frames, "fact_entity_mention")
    failed = set(report.results.filter(~pl.col("success")).get_column("column_name"))
    assert failed == {"document_is_canonical"}, report.failures


EARLY = ("dim_source", "dim_document", "quarantine")


def _in_two_steps(frames: dict, tmp_path=None):
    """Validate as the flow does: the tables final before extraction, then the rest (``RunValidation``)."""
    from dateline.expectations.validate import RunValidation

    validation = RunValidation({}, "test-run", tmp_path / "docs" if tmp_path is not None else None, today=TODAY)
    validation.validate({t: frames[t] for t in EARLY}, staged={"dim_date": frames["dim_date"]})
    validation.validate({t: f for t, f in frames.items() if t not in EARLY}, staged=frames)
    return validation


def test_validating_in_two_steps_reports_what_one_step_does(passing_report, tmp_path):
    report = _in_two_steps(valid_frames(), tmp_path).finish()
    assert report.success, report.failures
    # the same expectations and outcomes, in the suites' order, in one report and one Data Docs site
    assert report.results.equals(passing_report.results)
    assert report.data_docs.is_file()


def test_a_table_validated_early_fails_the_run_and_is_not_validated_twice():
    frames = _set("dim_document", "source_key", "s404")(valid_frames())
    validation = _in_two_steps(frames)
    report = validation.finish()
    assert report.failures == [f for f in report.failures if f.startswith("dim_document.")]
    assert "s404" in " ".join(report.failures)
    with pytest.raises(ValueError, match="already validated"):
        validation.validate({"dim_document": frames["dim_document"]})


def test_nothing_to_validate_passes():
    frames = {table: frame.clear() for table, frame in valid_frames().items()}
    assert _validate(frames).success


def test_data_docs_are_built_in_the_given_folder(tmp_path):
    report = _validate(valid_frames(), tmp_path)
    assert report.data_docs == (tmp_path / "docs" / "index.html").resolve()
    assert report.data_docs.is_file()
    pages = {p.relative_to(tmp_path / "docs").parts[:2] for p in (tmp_path / "docs").rglob("*.html")}
    for table in LOAD_ORDER:
        assert ("expectations", f"{table}.html") in pages
        assert ("validations", table) in pages
    assert "test-run" in " ".join(str(p) for p in (tmp_path / "docs" / "validations").rglob("*.html"))


def test_data_docs_are_built_holding_the_folder(tmp_path, monkeypatch):
    """Two runs whose warehouses share a folder share its data_docs/: each build holds the folder's lock from
    GX's site build to Dateline's index page, so the other run's build waits."""
    import fcntl
    import os

    from dateline.expectations import docs_page
    from dateline.expectations.validate import SITE_LOCK

    held = []
    real_write_page = docs_page.write_page

    def write_page_checking_the_lock(site, results, run_id):
        fd = os.open(site / SITE_LOCK, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a second open file description: refused if held
            held.append(False)
        except BlockingIOError:
            held.append(True)
        finally:
            os.close(fd)
        return real_write_page(site, results, run_id)

    monkeypatch.setattr(docs_page, "write_page", write_page_checking_the_lock)
    report = _validate(valid_frames(), tmp_path)
    assert held == [True] and report.data_docs.is_file()
    # released once the build is done: another run may take it at once
    fd = os.open(tmp_path / "docs" / SITE_LOCK, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def test_data_docs_index_is_self_contained_lists_every_table_and_escapes_values(tmp_path):
    """Issue 14: GX's index is blank offline (jQuery, bootstrap-table from CDNs); the index a run names is
    one self-contained page of every table's expectations, with GX's own pages linked for the details."""
    hostile = "<script>alert('x')</script>"
    report = _validate(_set("dim_entity", "entity_type", hostile)(valid_frames()), tmp_path)
    assert report.data_docs == (tmp_path / "docs" / "index.html").resolve()
    html = assert_offline_page(report.data_docs, report.results)
    assert set(report.results.get_column("table_name")) == set(LOAD_ORDER)
    assert escape(hostile) in html and "failed" in html
    for row in report.results.iter_rows(named=True):
        assert escape(row["expectation"]) in html
    assert (tmp_path / "docs" / "gx_index.html").is_file()
