"""The ECB+ evaluation's listing of wrong links: merged pairs that ECB+ keeps in two chains."""

import json

from dateline.evaluation.ecb_events import evaluate_ecbplus, link_evidence
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
    (evidence,) = result["links_by_evidence"]
    assert evidence.startswith("same document, undated, ") and evidence.endswith(", same word")
    assert result["links_by_evidence"][evidence] == {"right": 0, "wrong": 1}
    assert "wrong_links" not in evaluate_ecbplus(nlp, lexicon, path)


def _report(doc: str, lemma: str, a1: str | None, a2: str | None, precision: str = "unknown",
            code: str = "COERCE") -> dict:
    return {"document_key": doc, "trigger_lemma": lemma, "actor1_entity_key": a1, "actor2_entity_key": a2,
            "date_precision": precision, "event_code": code}


def test_links_are_counted_by_the_evidence_their_reports_share():
    # e1: "Williams was arrested on Sunday" (D1) and "Williams' arrest" (D1, ECB+ chains it to nothing) and
    # "Williams was arrested last weekend" (D2); e2: "Putin met Xi" / "the talks" in 2019 (a year: undated);
    # "x" was not detected: it takes part in no link.
    gold = {"a": "c1", "b": "single:b", "c": "c1", "d": "c2", "e": "c2", "x": "c1"}
    system = {"a": "e1", "b": "e1", "c": "e1", "d": "e2", "e": "e2", "x": "single:x"}
    reports = {
        "a": _report("D1", "arrest", None, "williams", "day"),
        "b": _report("D1", "arrest", None, "williams"),
        "c": _report("D2", "arrest", None, "williams", "week"),
        "d": _report("D3", "meet", "putin", "xi", "year", code="CONSULT"),
        "e": _report("D3", "talk", "xi", "putin", code="CONSULT"),
    }
    assert link_evidence(gold, system, reports) == {
        "across documents, both dated, target only, same word": {"right": 1, "wrong": 0},
        "across documents, one dated, target only, same word": {"right": 0, "wrong": 1},
        "same document, one dated, target only, same word": {"right": 0, "wrong": 1},
        "same document, undated, both sides, other word": {"right": 1, "wrong": 0},
    }


def test_errors_without_ecbplus_is_refused(tmp_path):
    from dateline.cli.main import app

    result = CliRunner().invoke(app, ["eval", "events", "--seeds", str(tmp_path), "--errors", "3"])
    assert result.exit_code != 0
    assert "--errors" in result.output


def test_the_table_view_shows_the_links_by_evidence(capsys):
    from dateline.cli.eval_cmds import _print_event_result

    evidence = {"same document, undated, target only, same word": {"right": 11, "wrong": 5}}
    _print_event_result("ecbplus", {"link_precision": 0.692, "links_by_evidence": evidence})
    shown = capsys.readouterr().out
    assert "same document, undated, target only, same word" in shown
    assert "11" in shown and "5" in shown
