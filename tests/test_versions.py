"""A new version of a source supersedes the old (issue 14, item 5): an edited file or re-sent record
replaces the old document's mentions and events in one transaction, the old row kept as history; a
corrected manifest date or URL is applied."""

import shutil

import polars as pl
import pytest
from dateline.transforms.versions import plan_versions, with_metadata_hash

from tests.conftest import SEEDS
from tests.fault_helpers import ALL_TABLES, copy_warehouse, table_differences
from tests.helpers import query, run_flow
from tests.inputs import parse_files

EDITED = "001_31fc98672741d875.txt"
ADDED = ("\n\nFrench President Emmanuel Macron called Vladimir Putin on Thursday and urged him to pull "
         "his troops back from the border with Ukraine.\n")


def test_plan_versions_tells_new_sources_edits_and_corrections_apart():
    raw, _ = parse_files([
        ("in/a.txt", b"Title A\n\nText of a, edited."),
        ("in/b.txt", b"Title B\n\nText of b."),
        ("in/c.txt", b"Title C\n\nText of c."),
    ])
    raw = with_metadata_hash(raw)
    keys = dict(zip(raw.get_column("source_path"), raw.get_column("document_key"), strict=True))
    b_hash = raw.filter(pl.col("source_path") == "in/b.txt").item(0, "metadata_hash")
    known = pl.DataFrame({
        "document_key": ["old-a", keys["in/b.txt"], keys["in/c.txt"]],
        "source_path": ["in/a.txt", "in/b.txt", "in/c.txt"],
        "record": [None, None, None],
        "document_id": ["a.txt", "b.txt", "c.txt"],
        "is_current": [True, True, None],  # a warehouse from before versions: null = current
        "metadata_hash": [None, b_hash, "an older manifest row"],
    })
    new, versions = plan_versions(raw, known)
    assert sorted(new.get_column("source_path")) == ["in/a.txt", "in/c.txt"]  # b: same bytes, same metadata
    assert sorted(versions.rows(), key=lambda r: r[2]) == [(keys["in/c.txt"], keys["in/c.txt"], "corrected"),
                                                           ("old-a", keys["in/a.txt"], "superseded")]


@pytest.mark.slow
def test_an_edited_file_supersedes_its_old_version_and_a_corrected_manifest_row_is_applied(
    prefect_harness, tmp_path
):
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    warehouse = tmp_path / "wh" / "dateline.duckdb"
    assert run_flow([inbox], warehouse).status == "success"
    old = query(warehouse, f"select document_key, url, published_date from dim_document "
                           f"where source_path like '%{EDITED}'").row(0, named=True)
    corrected_name = "002_9cc82649ec4ceb70.txt"
    corrected_key = query(warehouse, f"select document_key from dim_document where source_path like '%{corrected_name}'").item()
    mentions_before = query(warehouse, f"select count(*) from fact_entity_mention where document_key = '{corrected_key}'").item()

    (inbox / EDITED).write_text((inbox / EDITED).read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    manifest = (inbox / "manifest.csv").read_text(encoding="utf-8")
    assert f"{corrected_name},,,2021-12\n" in manifest
    (inbox / "manifest.csv").write_text(manifest.replace(
        f"{corrected_name},,,2021-12\n", f"{corrected_name},https://example.org/putin-xi,,2021-12-15\n"),
        encoding="utf-8")
    summary = run_flow([inbox], warehouse)
    assert summary.status == "success", summary.message
    assert summary.documents_superseded == 2 and summary.documents_extracted == 2

    versions = query(warehouse, f"select document_key, is_current, superseded_by_key, duplicate_of_key from dim_document "
                                f"where source_path like '%{EDITED}' order by is_current").rows(named=True)
    assert len(versions) == 2
    history, current = versions
    assert history["document_key"] == old["document_key"] and history["is_current"] is False
    assert history["superseded_by_key"] == current["document_key"] and current["is_current"] is True
    assert current["duplicate_of_key"] is None, "a new version is not a near duplicate of the one it replaces"
    # The old version's facts are replaced by the new one's, nothing dangles.
    assert query(warehouse, f"select count(*) from fact_entity_mention where document_key = '{old['document_key']}'").item() == 0
    assert query(warehouse, f"select count(*) from fact_event_mention where document_key = '{old['document_key']}'").item() == 0
    assert query(warehouse, f"select count(*) from fact_entity_mention m join dim_entity e using (entity_key) "
                            f"where m.document_key = '{current['document_key']}' "
                            "and e.canonical_name = 'Emmanuel Macron'").item() >= 1
    assert query(warehouse, "select count(*) from fact_event e where not exists "
                            "(select 1 from fact_event_mention m where m.event_key = e.event_key)").item() == 0
    assert query(warehouse, "select count(*) from fact_event e where num_mentions <> "
                            "(select count(*) from fact_event_mention m where m.event_key = e.event_key)").item() == 0

    # The corrected manifest row: same document, new URL and day, extracted again.
    fixed = query(warehouse, f"select url, published_date::varchar as day, published_precision, date_key, is_current "
                             f"from dim_document where document_key = '{corrected_key}'").row(0, named=True)
    assert fixed == {"url": "https://example.org/putin-xi", "day": "2021-12-15", "published_precision": "day",
                     "date_key": 20211215, "is_current": True}
    assert query(warehouse, f"select count(*) from fact_entity_mention where document_key = '{corrected_key}'").item() \
        == mentions_before
    assert query(warehouse, f"select count(distinct date_key) from fact_entity_mention where document_key = '{corrected_key}'").item() == 1

    # And a rerun of the same inputs changes nothing.
    before = copy_warehouse(warehouse, tmp_path / "before.duckdb")
    again = run_flow([inbox], warehouse)
    assert again.status == "success" and again.documents_new == 0 and again.documents_superseded == 0
    assert table_differences(before, warehouse, [t for t in ALL_TABLES if t not in ("etl_run", "etl_validation")]) == {}


@pytest.mark.slow
def test_a_record_sent_again_with_new_text_supersedes_the_old(prefect_harness, tmp_path):
    feed = tmp_path / "feed"
    feed.mkdir()
    first = '{"id": "r1", "title": "Putin and Xi talk", "text": "Vladimir Putin spoke with Xi Jinping by video link."}\n'
    (feed / "day1.jsonl").write_text(first, encoding="utf-8")
    warehouse = tmp_path / "wh" / "dateline.duckdb"
    assert run_flow([feed], warehouse).status == "success"
    (feed / "day1.jsonl").unlink()
    second = first.replace("by video link.", "by video link. Emmanuel Macron joined the call later.")
    (feed / "day2.jsonl").write_text(second, encoding="utf-8")
    summary = run_flow([feed], warehouse)
    assert summary.status == "success" and summary.documents_superseded == 1
    rows = query(warehouse, "select document_id, is_current, superseded_by_key is not null as superseded "
                            "from dim_document order by is_current").rows()
    assert rows == [("r1", False, True), ("r1", True, False)]
    names = query(warehouse, "select distinct e.canonical_name from fact_entity_mention m join dim_entity e using (entity_key) "
                             "join dim_document d using (document_key) where d.is_current order by 1").get_column("canonical_name")
    assert "Emmanuel Macron" in names.to_list()
