"""A document longer than spaCy's max_length (E088) never aborts a run: it is read in pieces whose rows keep
the document's own offsets and sentence numbers (issue 14, item 4)."""

import polars as pl
import pytest
import spacy
from dateline.transforms.extract import MAX_PIECE_CHARS, extract_documents, split_for_model
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEEDS
from tests.helpers import query, run_flow


@given(st.text(alphabet=st.sampled_from("ab .\n"), max_size=400), st.integers(min_value=1, max_value=60))
@settings(max_examples=200, deadline=None)
def test_pieces_cover_the_text_in_order_and_respect_the_limit(text, limit):
    pieces = split_for_model(text, limit)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= limit for _, piece in pieces)
    assert [offset for offset, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]


def test_pieces_end_at_paragraph_breaks_before_anything_else():
    text = "One. Two.\n\nThree four five.\n\nSix."
    assert split_for_model(text, 20) == [(0, "One. Two."), (9, "\n\nThree four five."), (27, "\n\nSix.")]
    assert split_for_model(text, 1000) == [(0, text)]


def _blank_pipeline(max_length: int):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Vladimir Putin"}, {"label": "GPE", "pattern": "Beijing"}])
    nlp.max_length = max_length
    return nlp


def test_a_document_over_max_length_is_extracted_in_pieces_with_its_own_offsets():
    paragraph = "Vladimir Putin arrived. He flew to Beijing on Friday."
    body = "\n\n".join(f"{paragraph} Number {i}." for i in range(300))
    nlp = _blank_pipeline(max_length=1_000)
    with pytest.raises(ValueError, match="E088"):
        nlp(body)  # what aborted the run before
    frame = pl.DataFrame({"document_key": ["long"], "body": [body]})
    split = extract_documents(nlp, frame).mentions
    whole = extract_documents(_blank_pipeline(max_length=len(body) + 1), frame).mentions
    assert split.height == 600
    assert all(body[s:e] == text for s, e, text in split.select("start_char", "end_char", "mention_text").iter_rows())
    # The same rows as one pass over the whole text: offsets and sentence numbers of the document.
    assert split.select("start_char", "end_char", "sentence_index", "label").equals(
        whole.select("start_char", "end_char", "sentence_index", "label"))
    assert split.get_column("sentence_index").max() == 3 * 299 + 1  # "Beijing", 2nd sentence of the last paragraph


@pytest.mark.slow
def test_a_document_over_a_million_characters_is_loaded_and_extracted(prefect_harness, tmp_path):
    article = (SEEDS / "000_fe54a43580a24ec2.txt").read_text(encoding="utf-8")
    title, rest = article.split("\n", 1)
    blob = "\n\n".join(["ZmFrZQ" * 16_000] * 12)  # a pasted data blob: 1.15 M characters, few tokens
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "huge.txt").write_text(f"Huge Report\n\n{rest}\n\n{blob}\n\n{rest}", encoding="utf-8")
    assert len(blob) > 1_000_000 > MAX_PIECE_CHARS
    warehouse = tmp_path / "wh" / "dateline.duckdb"
    summary = run_flow([inbox], warehouse)
    assert summary.status == "success", summary.message
    assert summary.documents_extracted == 1 and summary.files_quarantined == 0
    huge = query(warehouse, "select document_key, length(body) as n, body from dim_document where title = 'Huge Report'")
    assert huge.height == 1 and huge.item(0, "n") > 1_000_000
    mentions = query(warehouse, "select m.start_char, m.end_char, m.mention_text, m.sentence_index from "
                                "fact_entity_mention m join dim_document d using (document_key) "
                                "where d.title = 'Huge Report' order by m.start_char")
    body = huge.item(0, "body")
    assert all(body[s:e] == text for s, e, text, _ in mentions.iter_rows())
    # Both copies of the article are read: mentions before the blob and after it.
    assert mentions.get_column("start_char").min() < 10_000
    assert mentions.get_column("start_char").max() > len(body) - len(rest)
    assert mentions.get_column("sentence_index").is_sorted()
    assert query(warehouse, "select status from etl_run").get_column("status").to_list() == ["success"]
