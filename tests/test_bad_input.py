"""Bad input never stops a run: each bad file is quarantined (reason + detail) or loaded as data, the good ones load.

One real flow run over the seeds plus every bad input (into a copy of the seeded warehouse); each
test below checks what happened to one input.
"""

import shutil

import polars as pl
import pytest
from dateline.transforms import ingest

from tests.fault_helpers import SEEDS, copy_warehouse, seeded_warehouse
from tests.helpers import query, run_flow

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

LIMIT = 20_000_000  # Settings.max_file_bytes default
BIG_BYTES = 50 * 1024 * 1024
WEIRD_NAME = "Putin's \"summit\" — Überblick '; drop table dim_document; --.txt"
SCRIPT_TITLE = '<script>alert("dateline")</script> Leaders Meet in Geneva'
GERMAN = (
    "Bundeskanzler trifft Präsidenten in Berlin\n\n"
    "Der Bundeskanzler hat am Dienstag in Berlin den französischen Präsidenten getroffen. Die beiden "
    "sprachen über die Lage in der Ukraine, über die Energiepreise und über die gemeinsame Verteidigung "
    "Europas. Nach dem Treffen sagte der Kanzler, man sei sich in den wichtigsten Fragen einig.\n"
)
JSONL_LINES = [
    '{"id": "rec-1", "title": "Ministers meet in Oslo", "text": "Norwegian and Swedish ministers met in Oslo '
    'on Monday to discuss fishing quotas and energy exports.", "source": "Nordic Wire", "published": "2024-03-04"}',
    '{"id": "rec-2", "title": "Broken record", "text": "this line is cut off',
    '{"id": "rec-3", "title": "Talks in Lima", "text": "Peruvian officials held talks in Lima with Chilean '
    'diplomats about a disputed maritime border.", "source": "Andes Daily", "published": "2024-03-05"}',
]


def _article(title: str, body: str) -> str:
    return f"{title}\n\n{body}\n"


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    """Seeds + every bad input in one run; returns (input folder, records folder, warehouse, summary)."""
    base = tmp_path_factory.mktemp("bad_input")
    inbox = base / "inbox"
    shutil.copytree(SEEDS, inbox)
    files = {
        "empty.txt": b"",
        "whitespace.txt": b"   \n\t  \r\n \n",
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)),
        "nul_bytes.txt": b"Title with NUL\n\nSome words\x00 and more\x00 words.\n",
        "invalid_utf8.txt": _article(
            "Ceasefire Talks Resume", "Negotiators from both sides resumed ceasefire talks in Geneva on Friday, "
            "officials said, after a pause of two weeks."
        ).encode() + b"Caf\xc3\x28 \x81 \xff end.\n",
        "utf16.txt": _article(
            "Trade Deal Signed in Tokyo", "Japan and Australia signed a trade deal in Tokyo on Wednesday, "
            "cutting tariffs on beef and wine."
        ).encode("utf-16"),
        "utf16_truncated.txt": "Cut off".encode("utf-16") + b"\x00",
        "cp1252.txt": _article(
            "Macron’s Visit to Dakar", "French President Emmanuel Macron’s visit to Dakar – the first since "
            "2019 – ended with a café stop and talks on security."
        ).encode("cp1252"),
        "german.txt": GERMAN.encode(),
        WEIRD_NAME: _article(
            "Weird Names Are Data", "Officials in Nairobi said the file name of this report is not a command."
        ).encode(),
        "script_title.txt": _article(
            SCRIPT_TITLE, "Delegates from Canada and Mexico met in Geneva to discuss water rights."
        ).encode(),
    }
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    with open(inbox / "huge.txt", "wb") as handle:  # a real 50 MB text file, written in 1 MB lines
        line = (b"All work and no play makes a very long news file. " * 20_000)[: 1024 * 1024 - 1] + b"\n"
        for _ in range(BIG_BYTES // len(line) + 1):
            handle.write(line)
    records = base / "records"
    records.mkdir()
    (records / "feed.jsonl").write_text("\n".join(JSONL_LINES) + "\n", encoding="utf-8")
    (records / "no_text.csv").write_text("id,title,url\n1,A headline,https://example.org/a\n", encoding="utf-8")

    warehouse = copy_warehouse(seeded_warehouse(tmp_path_factory), base / "wh" / "dateline.duckdb")
    summary = run_flow([inbox, records / "feed.jsonl", records / "no_text.csv"], warehouse)
    return inbox, records, warehouse, summary


def _quarantined(warehouse, name: str) -> list[dict]:
    rows = query(warehouse, "select source_path, record, reason, detail from quarantine order by source_path, record")
    return [r for r in rows.iter_rows(named=True) if r["source_path"].endswith(name)]


def _document(warehouse, name: str) -> dict | None:
    docs = query(warehouse, "select * from dim_document")
    found = [r for r in docs.iter_rows(named=True) if r["source_path"].endswith(name)]
    assert len(found) <= 1
    return found[0] if found else None


def _needs_reader(name: str) -> None:
    if not hasattr(ingest, name):
        pytest.skip(f"transforms.ingest.{name} (the ingest issue's record reader) is not there yet")


def test_the_run_goes_on_and_loads_the_good_files(bad_run):
    _, _, warehouse, summary = bad_run
    assert summary.status == "success", summary.message
    assert summary.documents_skipped == 5  # the seeds, already loaded
    loaded = set(query(warehouse, "select document_id from dim_document").get_column("document_id"))
    for name in ("invalid_utf8.txt", "utf16.txt", "cp1252.txt", "german.txt", WEIRD_NAME, "script_title.txt"):
        assert name in loaded, name
    # every rejection carries a machine-readable reason and a human-readable detail
    rejected = query(warehouse, "select reason, detail from quarantine")
    assert rejected.height >= 8
    assert rejected.filter(pl.col("reason").is_null() | pl.col("detail").is_null()).is_empty()


def test_empty_file_is_quarantined(bad_run):
    [row] = _quarantined(bad_run[2], "/empty.txt")
    assert row["reason"] == "empty" and row["detail"]


def test_whitespace_only_file_is_quarantined(bad_run):
    [row] = _quarantined(bad_run[2], "/whitespace.txt")
    assert row["reason"] == "empty" and row["detail"]


def test_png_bytes_are_quarantined_as_binary(bad_run):
    [row] = _quarantined(bad_run[2], "/image.txt")
    assert row["reason"] == "undecodable"
    assert "binary" in row["detail"]


def test_nul_bytes_are_quarantined(bad_run):
    [row] = _quarantined(bad_run[2], "/nul_bytes.txt")
    assert row["reason"] == "undecodable"
    assert "NUL" in row["detail"]


def test_invalid_utf8_falls_back_and_records_the_decoding(bad_run):
    doc = _document(bad_run[2], "/invalid_utf8.txt")
    assert doc is not None and not _quarantined(bad_run[2], "/invalid_utf8.txt")
    assert doc["encoding"] in ("cp1252", "latin-1")
    assert "Negotiators from both sides" in doc["body"]


def test_utf16_with_bom_is_decoded(bad_run):
    doc = _document(bad_run[2], "/utf16.txt")
    assert doc["encoding"] == "utf-16"
    assert doc["title"] == "Trade Deal Signed in Tokyo"
    assert "cutting tariffs on beef and wine" in doc["body"]


def test_truncated_utf16_is_quarantined(bad_run):
    [row] = _quarantined(bad_run[2], "/utf16_truncated.txt")
    assert row["reason"] == "undecodable"
    assert "utf-16" in row["detail"]


def test_cp1252_is_decoded(bad_run):
    doc = _document(bad_run[2], "/cp1252.txt")
    assert doc["encoding"] == "cp1252"
    assert "café" in doc["body"] and "Macron" in doc["title"]


def test_50_mb_file_is_quarantined_by_the_size_limit(bad_run):
    [row] = _quarantined(bad_run[2], "/huge.txt")
    assert row["reason"] == "too_large"
    assert str(LIMIT) in row["detail"] and "DATELINE_MAX_FILE_BYTES" in row["detail"]


def test_oversized_file_is_never_opened(tmp_path, monkeypatch):
    import dateline.flows.sources as sources

    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:  # sparse: the size is what matters, not the bytes
        handle.truncate(BIG_BYTES)

    def no_open(*args, **kwargs):
        raise AssertionError(f"opened {args[0]}")

    monkeypatch.setattr(sources, "open", no_open, raising=False)
    items, rejected = sources.read_files([str(big)], LIMIT)
    assert items == [] and [r["reason"] for r in rejected] == ["too_large"]


def test_non_english_article_is_loaded_tagged_and_not_extracted(bad_run):
    warehouse = bad_run[2]
    doc = _document(warehouse, "/german.txt")
    assert doc["language"] == "de"
    mentions = query(warehouse, "select count(*) as n from fact_entity_mention where document_key = "
                     f"'{doc['document_key']}'").item()
    assert mentions == 0
    english = _document(warehouse, "/cp1252.txt")
    assert english["language"] == "en"


def test_hostile_file_name_is_stored_as_data(bad_run):
    warehouse = bad_run[2]
    doc = _document(warehouse, WEIRD_NAME)
    assert doc["document_id"] == WEIRD_NAME
    assert doc["source_path"].endswith("/" + WEIRD_NAME)
    assert query(warehouse, "select count(*) as n from dim_document").item() >= 11  # the table is still there


def test_script_title_is_stored_verbatim(bad_run):
    doc = _document(bad_run[2], "/script_title.txt")
    assert doc["title"] == SCRIPT_TITLE


def test_jsonl_malformed_line_is_quarantined_with_its_number_and_the_others_load(bad_run):
    _needs_reader("parse_jsonl")
    warehouse = bad_run[2]
    [row] = _quarantined(warehouse, "/feed.jsonl")
    assert row["record"] == 2
    assert row["reason"] == "malformed_json" and "line 2" in row["detail"]
    docs = query(warehouse, "select document_id, record, title from dim_document where source_path like '%feed.jsonl'")
    assert sorted(docs.rows()) == [("rec-1", 1, "Ministers meet in Oslo"), ("rec-3", 3, "Talks in Lima")]


def test_csv_without_a_text_column_is_rejected_with_a_clear_reason(bad_run):
    _needs_reader("parse_csv")
    warehouse = bad_run[2]
    [row] = _quarantined(warehouse, "/no_text.csv")
    assert row["reason"] == "missing_column"
    assert "text" in row["detail"] and "id, title, url" in row["detail"]
    assert query(warehouse, "select count(*) as n from dim_document where source_path like '%no_text.csv'").item() == 0
