"""Label pointers become a gold folder the project's scorer reads (texts from the corpus, never stored)."""

import json
from pathlib import Path

import pytest
from dateline.training.gold_folder import main, write_gold_folder


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def sources(tmp_path):
    text = "The mayor met the governor on Monday. Nothing else happened."
    corpus = _write(tmp_path / "corpus.jsonl", [
        {"id": "a1", "title": "Talks", "text": text, "date": "2019-03-06", "source": "Example"},
        {"id": "b2", "title": "Other", "text": "Quiet day.", "date": "2019-03-07", "source": "Example"},
    ])
    event = {"type": "CONSULT", "trigger": "met", "actor1": "mayor", "actor2": "governor", "location": None,
             "modality": "asserted", "date": "2019-03-04", "date_precision": "day"}
    labels = _write(tmp_path / "labels.jsonl", [
        {"record_id": "a1", "start": 0, "end": 37, "published": "2019-03-06", "split": "test", "events": [event]},
        {"record_id": "b2", "start": 0, "end": 10, "published": "2019-03-07", "split": "train", "events": []},
    ])
    return labels, corpus


def test_the_test_split_becomes_a_gold_folder(sources, tmp_path):
    labels, corpus = sources
    counts = write_gold_folder([labels], corpus, tmp_path / "gold")
    assert counts == {"articles": 1, "sentences": 1, "events": 1}
    sentence = json.loads((tmp_path / "gold" / "sentences.jsonl").read_text())
    assert sentence["sentence"] == "The mayor met the governor on Monday."
    assert sentence["sid"] == "a1@0-37"
    gold = json.loads((tmp_path / "gold" / "gold.jsonl").read_text())
    assert gold["sid"] == "a1@0-37" and gold["events"][0]["type"] == "CONSULT"
    article = json.loads((tmp_path / "gold" / "articles.jsonl").read_text())
    assert (article["id"], article["published"]) == ("a1", "2019-03-06")


def test_a_record_missing_from_the_corpus_is_a_clear_error(sources, tmp_path, capsys):
    labels, _ = sources
    corpus = _write(tmp_path / "small.jsonl", [{"id": "zz", "text": "x", "date": "2019-01-01"}])
    code = main([str(tmp_path / "gold"), "--labels", str(labels), "--corpus", str(corpus), "--split", "all"])
    assert code == 1
    assert capsys.readouterr().err.startswith("error: 2 labelled records are not in")
