"""The ECB+ evaluation's listing of wrong links: merged pairs that ECB+ keeps in two chains."""

import json

from dateline.evaluation.ecb_events import evaluate_ecbplus
from dateline.evaluation.scores import pairwise_links, wrong_links
from typer.testing import CliRunner


def test_wrong_links_are_the_merged_pairs_gold_keeps_apart():
    gold = {"a": "x", "b": "x", "c": "y", "d": "z"}
    system = {"a": "e1", "b": "e1", "c": "e1", "d": "e2"}
    assert wrong_links(gold, system) == [("a", "c"), ("b", "c")]
    links = pairwise_links(gold, system)
    assert links["system_links"] - links["correct_links"] == len(wrong_links(gold, system))


def _record(doc_id: str, words: list[str], markables: list[tuple[str, int]], chained: list[str]) -> dict:
    return {
        "doc_id": doc_id, "topic": 1, "text": " ".join(words),
        "tokens": [{"t_id": i + 1, "sentence": 0, "text": w} for i, w in enumerate(words)],
        "markables": [{"tag": "ACTION_OCCURRENCE", "m_id": m, "token_ids": [t]} for m, t in markables],
        "relations": [{"tag": "CROSS_DOC_COREF", "r_id": "9", "sources": chained, "targets": [], "note": "ACT1"}],
    }


def test_ecbplus_lists_a_same_document_merge_of_a_mention_outside_every_chain(nlp, lexicon, tmp_path):
    # the same report twice in one document: one event
    sentence = "Police arrested Vincent Jackson on suspicion of drunken driving ."
    words = f"{sentence} {sentence}".split()
    arrested, arrest = words.index("arrested") + 1, len(words) - words[::-1].index("arrested")
    path = tmp_path / "ecb.jsonl"
    # ECB+ puts the first in a chain and leaves the second out of every chain
    path.write_text(json.dumps(_record("D1", words, [("1", arrested), ("2", arrest)], ["1"])) + "\n",
                    encoding="utf-8")
    result = evaluate_ecbplus(nlp, lexicon, path, errors=5)
    assert result["system_links"] == 1 and result["correct_links"] == 0
    assert result["wrong_links_unchained"] == 1
    (link,) = result["wrong_links"]
    assert [m["id"] for m in link["mentions"]] == ["D1:1", "D1:2"]
    assert [m["in_chain"] for m in link["mentions"]] == [True, False]
    assert [m["trigger"] for m in link["mentions"]] == ["arrested", "arrested"]
    assert "wrong_links" not in evaluate_ecbplus(nlp, lexicon, path)


def test_errors_without_ecbplus_is_refused(tmp_path):
    from dateline.cli.main import app

    result = CliRunner().invoke(app, ["eval", "events", "--seeds", str(tmp_path), "--errors", "3"])
    assert result.exit_code != 0
    assert "--errors" in result.output
