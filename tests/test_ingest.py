"""Ingest: decoding paths, .txt/.jsonl/.csv records, manifests and quarantine reasons."""

import json
from pathlib import PurePath

import polars as pl
import pytest
from dateline.transforms.decode import UndecodableError, decode_bytes, decode_raw, repair_text
from dateline.transforms.ingest import QUARANTINE_SCHEMA, RAW_SCHEMA, parse_inputs

from tests.conftest import corpus
from tests.inputs import parse_files

ARTICLE = "Putin and Xi meet\n\nThe leaders met in Beijing on Friday.\n"


# --- decoding: one test per path ---------------------------------------------------------------


def test_plain_utf8():
    decoded = decode_bytes("Xi’s café".encode())
    assert (decoded.text, decoded.encoding) == ("Xi’s café", "utf-8")


def test_utf8_with_bom_drops_the_bom():
    decoded = decode_bytes(b"\xef\xbb\xbf" + "Xi’s café".encode())
    assert (decoded.text, decoded.encoding) == ("Xi’s café", "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    decoded = decode_bytes(bom + "Xi’s café".encode(codec))
    assert (decoded.text, decoded.encoding) == ("Xi’s café", "utf-16")


def test_cp1252_fallback_keeps_curly_quotes():
    decoded = decode_bytes("“Moscow” – Xi’s café".encode("cp1252"))
    assert (decoded.text, decoded.encoding) == ("“Moscow” – Xi’s café", "cp1252")


def test_latin1_fallback_when_cp1252_has_no_such_byte():
    # 0x81 is undefined in cp1252 and not valid UTF-8: only latin-1 maps every byte
    decoded = decode_bytes(b"caf\xe9 \x81")
    assert decoded.encoding == "latin-1"
    assert decoded.text.startswith("café")


def test_mojibake_is_repaired_and_recorded():
    decoded = decode_bytes("â€˜Aggressiveâ€™ rhetoric, itâ€™s cafÃ©".encode())
    assert decoded.text == "‘Aggressive’ rhetoric, it’s café"
    assert decoded.encoding == "utf-8+ftfy"


def test_clean_text_is_not_touched_by_repair():
    text = "Putin’s “no limits” partnership – 100,000 troops, 5 °C"
    assert repair_text(text) == (text, False)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00", b"%PDF-1.7 ...", b"abc\x00def"])
def test_binary_is_undecodable(data):
    with pytest.raises(UndecodableError):
        decode_raw(data)


def test_invalid_utf16_after_bom_is_undecodable():
    with pytest.raises(UndecodableError, match="utf-16"):
        decode_raw(b"\xff\xfe\x00\xd8")  # a lone surrogate


# --- .txt ----------------------------------------------------------------------------------------


def test_txt_document_row():
    docs, bad = parse_files([("in/a.txt", ARTICLE.encode())])
    assert bad.is_empty() and docs.schema == RAW_SCHEMA
    row = docs.row(0, named=True)
    assert row["document_id"] == "a.txt" and row["record"] is None and row["title"] is None
    assert row["raw_text"] == ARTICLE and row["encoding"] == "utf-8"


def test_same_bytes_same_key_different_bytes_different_key():
    a = parse_files([("x/a.txt", ARTICLE.encode())])[0]
    b = parse_files([("y/a.txt", ARTICLE.encode())])[0]
    c = parse_files([("x/a.txt", (ARTICLE + "More.").encode())])[0]
    assert a["document_key"][0] == b["document_key"][0] != c["document_key"][0]


@pytest.mark.parametrize(
    ("data", "reason"), [(b"", "empty"), (b"  \n\t", "empty"), (b"\x00\x01\x02binary", "undecodable")]
)
def test_unreadable_txt_is_quarantined(data, reason):
    docs, bad = parse_files([("in/bad.txt", data), ("in/good.txt", ARTICLE.encode())])
    assert docs.get_column("document_id").to_list() == ["good.txt"]
    assert bad.schema == QUARANTINE_SCHEMA
    assert bad.select("source_path", "reason").rows() == [("in/bad.txt", reason)]


# --- .jsonl ----------------------------------------------------------------------------------------


def _jsonl(*objects) -> bytes:
    return "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objects).encode()


def test_jsonl_records_fields_and_extra():
    data = _jsonl(
        {
            "id": "a1",
            "title": "T1",
            "text": "Body one.",
            "url": "https://x.org/1",
            "source": "X",
            "published": "2021-12-15",
            "topic": "china",
            "bias": 2,
        },
        {"id": "a2", "title": "T2", "text": "Body two."},
    )
    docs, bad = parse_files([("in/r.jsonl", data)])
    assert bad.is_empty()
    first = docs.row(0, named=True)
    assert first["document_id"] == "a1" and first["record"] == 1 and first["title"] == "T1"
    assert (first["url"], first["source_name"], first["published"]) == ("https://x.org/1", "X", "2021-12-15")
    assert json.loads(first["extra"]) == {"bias": 2, "topic": "china"}
    assert docs.row(1, named=True)["extra"] is None


def test_malformed_jsonl_lines_are_quarantined_with_their_line_number():
    data = _jsonl(
        {"id": "a", "text": "fine"},
        '{"id": "b", "text": "broken',
        "[1, 2]",
        {"id": "c", "title": "no text"},
        "",
        {"id": "d", "text": "also fine"},
    )
    docs, bad = parse_files([("in/r.jsonl", data)])
    assert docs.select("document_id", "record").rows() == [("a", 1), ("d", 6)]
    assert bad.select("record", "reason").rows() == [
        (2, "malformed_json"),
        (3, "not_an_object"),
        (4, "missing_text"),
    ]
    assert "line 2" in bad.get_column("detail")[0]


def test_jsonl_without_id_gets_file_and_line_as_id():
    docs, _ = parse_files([("in/r.jsonl", _jsonl({"text": "x"}, {"text": "y"}))])
    assert docs.get_column("document_id").to_list() == ["r.jsonl:1", "r.jsonl:2"]
    assert docs.get_column("document_key").n_unique() == 2


def test_jsonl_mojibake_is_repaired_per_record():
    data = _jsonl({"id": "a", "text": "itâ€™s fine"}, {"id": "b", "text": "it’s fine"})
    docs, _ = parse_files([("in/r.jsonl", data)])
    assert docs.get_column("raw_text").to_list() == ["it’s fine", "it’s fine"]
    assert docs.get_column("encoding").to_list() == ["utf-8+ftfy", "utf-8"]


def test_jsonl_utf16_file():
    data = b"\xff\xfe" + '{"id": "a", "text": "Xi’s visit"}\n'.encode("utf-16-le")
    docs, bad = parse_files([("in/r.jsonl", data)])
    assert bad.is_empty()
    assert docs.select("raw_text", "encoding").row(0) == ("Xi’s visit", "utf-16")


# --- .csv ------------------------------------------------------------------------------------------


def test_csv_rows_with_quoted_newlines():
    data = b'id,title,text,published,section\n1,T1,"Para one.\n\nPara two.",2022-02-04,world\n2,T2,Short,,\n'
    docs, bad = parse_files([("in/t.csv", data)])
    assert bad.is_empty()
    assert docs.select("document_id", "record", "published").rows() == [
        ("1", 1, "2022-02-04"),
        ("2", 2, None),
    ]
    assert docs.get_column("raw_text")[0] == "Para one.\n\nPara two."
    assert json.loads(docs.get_column("extra")[0]) == {"section": "world"}


def test_csv_missing_text_column_rejects_the_whole_file():
    docs, bad = parse_files([("in/t.csv", b"id,title,url\n1,T1,https://x.org\n")])
    assert docs.is_empty()
    row = bad.row(0, named=True)
    assert row["reason"] == "missing_column" and row["record"] is None
    assert "no text column" in row["detail"] and "id, title, url" in row["detail"]


def test_csv_misaligned_row_is_quarantined_alone():
    docs, bad = parse_files([("in/t.csv", b"id,text\n1,fine\n2,too,many\n3,fine too\n")])
    assert docs.get_column("document_id").to_list() == ["1", "3"]
    assert bad.select("record", "reason").rows() == [(2, "malformed_csv")]


def test_csv_cp1252_file():
    data = "id,text\n1,“Moscow” said\n".encode("cp1252")
    docs, _ = parse_files([("in/t.csv", data)])
    assert docs.select("raw_text", "encoding").row(0) == ("“Moscow” said", "cp1252")


# --- manifest.csv ------------------------------------------------------------------------------------


def test_manifest_fills_txt_metadata_in_its_folder():
    manifest = b"file,url,source,published,author\na.txt,https://x.org/a,X News,2021-12-15,Ann\n"
    docs, bad = parse_files(
        [
            ("in/manifest.csv", manifest),
            ("in/a.txt", ARTICLE.encode()),
            ("in/b.txt", ARTICLE.encode() + b"x"),
            ("other/a.txt", ARTICLE.encode() + b"y"),
        ]
    )
    assert bad.is_empty()
    rows = {(r["source_path"]): r for r in docs.iter_rows(named=True)}
    assert rows["in/a.txt"]["url"] == "https://x.org/a"
    assert rows["in/a.txt"]["source_name"] == "X News" and rows["in/a.txt"]["published"] == "2021-12-15"
    assert json.loads(rows["in/a.txt"]["extra"]) == {"author": "Ann"}
    assert rows["in/b.txt"]["url"] is None  # not listed
    assert rows["other/a.txt"]["url"] is None  # another folder
    assert docs.height == 3  # the manifest itself is not a document


def test_manifest_without_file_column_is_quarantined():
    docs, bad = parse_files([("in/manifest.csv", b"url,source\nx,y\n"), ("in/a.txt", ARTICLE.encode())])
    assert docs.height == 1
    assert bad.select("source_path", "reason").row(0) == ("in/manifest.csv", "missing_column")


def test_empty_batch_has_the_schemas():
    docs, bad = parse_inputs([])
    assert docs.schema == RAW_SCHEMA and bad.schema == QUARANTINE_SCHEMA


# --- real corpora (opt-in) ------------------------------------------------------------------------


@pytest.mark.corpus
def test_allsides_loads_as_it_is():
    path = corpus("news_allsides_2018_2019.jsonl")
    docs, bad = parse_files([(str(path), path.read_bytes())])
    assert bad.is_empty()
    assert docs.height == 8810
    assert docs.get_column("published").null_count() == 0  # its "date" field
    assert docs.get_column("title").null_count() == 0
    extra = json.loads(docs.get_column("extra")[0])
    assert {"topic", "bias", "source_url"} <= set(extra)
    assert docs.get_column("document_key").n_unique() == docs.height
    assert set(docs.get_column("encoding").unique()) <= {"utf-8", "utf-8+ftfy"}


@pytest.mark.corpus
def test_basil_loads_as_it_is():
    path = corpus("basil_same_story_dev.jsonl")
    docs, bad = parse_files([(str(path), path.read_bytes())])
    assert bad.is_empty() and docs.height == 150
    assert docs.filter(pl.col("published").is_null()).is_empty()


# --- flows.sources: discovery and reading ----------------------------------------------------------------


def test_discover_folders_globs_and_manifest(tmp_path):
    from dateline.flows.sources import discover

    (tmp_path / "a").mkdir()
    for name in ("a/one.txt", "a/two.jsonl", "a/three.csv", "a/manifest.csv", "a/notes.md", "b.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = discover([str(tmp_path / "a"), str(tmp_path / "*.txt")])
    assert [p.removeprefix(str(tmp_path) + "/") for p in found] == [
        "a/one.txt",
        "a/three.csv",
        "a/two.jsonl",
        "b.txt",
    ]
    with pytest.raises(FileNotFoundError):
        discover([str(tmp_path / "missing*")])


def test_read_files_adds_the_manifest_of_txt_folders(tmp_path):
    from dateline.flows.sources import read_files

    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("file,url\na.txt,https://x.org/a\n", encoding="utf-8")
    items, rejected = read_files([str(tmp_path / "a.txt")], 10_000)
    assert [PurePath(i[0]).name for i in items] == ["manifest.csv", "a.txt"] and not rejected
    docs, _ = parse_files(items)
    assert docs.get_column("url").to_list() == ["https://x.org/a"]


def test_big_jsonl_is_read_in_line_aligned_pieces_keeping_line_numbers(tmp_path):
    from dateline.flows.sources import read_files

    lines = [json.dumps({"id": f"r{i}", "text": f"Body number {i}. " * 5}) for i in range(1, 41)]
    lines[19] = json.dumps({"id": "huge", "text": "x" * 600})
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items, rejected = read_files([str(path)], 500)
    assert len(items) > 2 and all(len(i[1]) <= 500 for i in items)
    assert [(r["record"], r["reason"]) for r in rejected] == [(20, "too_large")]
    docs, bad = parse_files(items)
    assert bad.is_empty()
    assert docs.height == 39
    assert docs.filter(pl.col("document_id") == "r21").get_column("record").item() == 21
    assert docs.get_column("record").to_list() == [n for n in range(1, 41) if n != 20]


def test_too_large_txt_is_quarantined_unread(tmp_path):
    from dateline.flows.sources import read_files

    (tmp_path / "a.txt").write_text(ARTICLE * 50, encoding="utf-8")
    items, rejected = read_files([str(tmp_path / "a.txt")], 100)
    assert items == [] and rejected[0]["reason"] == "too_large"
