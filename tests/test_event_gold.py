"""`dateline eval events --gold DIR`: the project's sentence-gold scorer agrees with the reference scorer."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dateline.evaluation.event_gold import CURVE_THRESHOLDS, evaluate_gold_folder, same_actor
from dateline.warehouse.db import apply_schema

from tests.conftest import ROOT
from tests.fault_helpers import dateline, run_cli, subprocess_env
from tests.helpers import run_flow

REFERENCE = ROOT.parent / "shared" / "eval" / "score_events.py"
EVENTS_DEV = ROOT.parent / "shared" / "eval" / "events_dev"

BODY = (
    "Officials gathered in Springfield on Monday. "
    "The mayor of Springfield met the governor on Monday. "
    "The council fined the company for pollution. "
    "Nothing else happened."
)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _sentence(sid: str, doc: str, text: str) -> dict:
    return {"sid": sid, "document_id": doc, "published": "2020-03-03", "title": "t", "before": "", "sentence": text,
            "after": ""}


def _event(code: str, trigger: str, actor1: str | None, actor2: str | None, date: str | None = None) -> dict:
    return {"type": code, "trigger": trigger, "actor1": actor1, "actor2": actor2, "location": None,
            "modality": "asserted", "date": date, "date_precision": "day" if date else None}


def _reference(warehouse: Path, folder: Path) -> dict | None:
    """The reference scorer's figures, or None when ../shared/eval is absent (CI)."""
    if not REFERENCE.is_file():
        return None
    done = subprocess.run(
        [sys.executable, str(REFERENCE), str(warehouse), str(folder / "sentences.jsonl"), str(folder / "gold.jsonl"),
         "--json"], capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _insert(con, table: str, rows: list[dict]) -> None:
    con.register("rows_in", pl.DataFrame(rows))
    con.execute(f"insert into {table} by name select * from rows_in")
    con.unregister("rows_in")


@pytest.fixture
def tiny_gold(tmp_path: Path) -> tuple[Path, Path]:
    """A gold folder written here (generated sentences) and a warehouse holding known mentions of them."""
    folder = tmp_path / "gold"
    folder.mkdir()
    s0, s1, s2 = BODY.split(". ")[1] + ".", BODY.split(". ")[2] + ".", BODY.split(". ")[3]
    _write_jsonl(folder / "sentences.jsonl", [
        _sentence("A#0", "docA", s0), _sentence("A#1", "docA", s1), _sentence("A#2", "docA", s2),
        _sentence("B#0", "docB", s1),                  # a duplicate: located in its canonical copy's body
        _sentence("C#0", "docC", "Nobody loaded this."),  # not in the warehouse: not scored
    ])
    _write_jsonl(folder / "gold.jsonl", [
        {"sid": "A#0", "events": [_event("CONSULT", "met", "Mayor Alice Ward", "Governor Bob Stone", "2020-03-02")]},
        {"sid": "A#1", "events": [_event("SANCTION", "fined", "city council", None)]},
        {"sid": "A#2", "events": []},
        {"sid": "B#0", "events": [_event("SANCTION", "fined", "city council", None)]},
        {"sid": "C#0", "events": [_event("CONSULT", "talks", "Alice Ward", None)]},
    ])
    warehouse = tmp_path / "tiny.duckdb"
    con = duckdb.connect(str(warehouse))
    apply_schema(con)
    _insert(con, "dim_entity", [
        {"entity_key": k, "canonical_name": n, "entity_type": t, "coarse_type": "x", "aliases": a}
        for k, n, t, a in (("alice", "Alice Ward", "PERSON", ["Ward"]), ("bob", "Bob Stone", "PERSON", ["Stone"]),
                           ("council", "Springfield City Council", "ORG", []), ("acme", "Acme", "ORG", []))
    ])
    docs = []
    for key, doc_id, duplicate_of in (("kA", "docA", None), ("kB", "docB", "kA")):
        docs.append({"document_key": key, "document_id": doc_id, "source_key": "s", "date_source": "given",
                     "content_hash": key, "fingerprint": key, "word_count": 20, "duplicate_of_key": duplicate_of,
                     "source_path": "a.jsonl", "encoding": "utf-8", "body": BODY if duplicate_of is None else "",
                     "raw_text": BODY, "loaded_run_id": "r"})
    _insert(con, "dim_document", docs)

    def mention(word: str, code: str, confidence: float, a1=None, a2=None, date=None) -> dict:
        start = BODY.index(word, BODY.index("mayor") if word == "met" else 0)
        return {"event_mention_key": f"m-{word}", "event_key": f"e-{word}", "document_key": "kA", "sentence_index": 0,
                "trigger": word, "sentence": "s", "modality": "asserted", "confidence": confidence,
                "trigger_lemma": word, "event_code": code, "start_char": start, "end_char": start + len(word),
                "actor1_entity_key": a1, "actor2_entity_key": a2, "mention_date": date,
                "date_precision": "day" if date else "unknown"}

    _insert(con, "fact_event_mention", [
        mention("met", "CONSULT", 0.9, "alice", "bob", "2020-03-02"),  # right in every field
        mention("fined", "SANCTION", 0.6, "council", "acme"),          # right type, an actor2 gold does not have
        mention("pollution", "ASSAULT", 0.3),                          # false positive
        mention("happened", "ACCUSE", 0.2),                            # false positive
    ])
    con.close()
    return folder, warehouse


def test_gold_folder_figures_on_known_mentions(tiny_gold):
    folder, warehouse = tiny_gold
    result = evaluate_gold_folder(folder, warehouse)
    assert {k: result[k] for k in ("sentences", "located", "gold_events", "predicted", "matched", "precision",
                                   "recall", "f1", "actor1_acc", "actor2_acc", "modality_acc",
                                   "date_acc_on_dated_gold", "spurious_dates", "fully_correct",
                                   "fully_correct_per_predicted", "fully_correct_per_gold")} == {
        "sentences": 5, "located": 4, "gold_events": 3, "predicted": 6, "matched": 3, "precision": 0.5,
        "recall": 1.0, "f1": 0.667, "actor1_acc": 1.0, "actor2_acc": 0.333, "modality_acc": 1.0,
        "date_acc_on_dated_gold": 1.0, "spurious_dates": 0, "fully_correct": 1,
        "fully_correct_per_predicted": 0.167, "fully_correct_per_gold": 0.333,
    }
    assert result["per_type"]["SANCTION"] == {"predicted": 2, "gold": 2, "matched": 2}
    reference = _reference(warehouse, folder)
    if reference is not None:
        assert result == reference


def test_min_confidence_and_curve_drop_mentions_before_scoring(tiny_gold):
    folder, warehouse = tiny_gold
    at_half = evaluate_gold_folder(folder, warehouse, min_confidence=0.5)
    assert (at_half["predicted"], at_half["matched"], at_half["precision"], at_half["recall"]) == (3, 3, 1.0, 1.0)
    result = evaluate_gold_folder(folder, warehouse, with_curve=True)
    points = {p["min_confidence"]: p for p in result["curve"]}
    assert tuple(points) == CURVE_THRESHOLDS == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    assert points[0.0]["predicted"] == result["predicted"] == 6
    assert (points[0.3]["predicted"], points[0.4]["predicted"], points[0.6]["predicted"]) == (5, 3, 3)
    assert (points[0.7]["matched"], points[0.7]["recall"], points[0.7]["fully_correct_per_predicted"]) == (1, 0.333, 1.0)
    assert points[0.9]["predicted"] == 1 and points[0.9]["fully_correct"] == 1


def test_same_actor_rules():
    assert same_actor(None, [])
    assert not same_actor(None, ["Acme"])
    assert same_actor("the United States", ["U.S.", "America"])
    assert same_actor("Governor Bob Stone", ["Bob Stone"])
    assert same_actor("city council", ["Springfield City Council"])
    assert not same_actor("President Smith", ["Jones"])


@pytest.mark.slow
def test_cli_runs_the_pipeline_when_no_warehouse_is_given(prefect_harness, tmp_path):
    """Without --warehouse the command runs the real pipeline on DIR/articles.jsonl into a temporary warehouse."""
    folder = tmp_path / "gold"
    folder.mkdir()
    articles = [
        {"id": "g1", "title": "Mayors meet", "published": "2020-03-04", "url": "", "source": "Wire",
         "text": "Mayor Alice Ward met Governor Bob Stone in Springfield on Tuesday. They discussed roads."},
        {"id": "g2", "title": "Protest", "published": "2020-03-05", "url": "", "source": "Daily",
         "text": "Thousands of farmers protested in Riverton on Wednesday. The ministry criticized the farmers."},
    ]
    _write_jsonl(folder / "articles.jsonl", articles)
    _write_jsonl(folder / "sentences.jsonl", [
        _sentence("g1#0", "g1", "Mayor Alice Ward met Governor Bob Stone in Springfield on Tuesday."),
        _sentence("g2#0", "g2", "Thousands of farmers protested in Riverton on Wednesday."),
        _sentence("g2#1", "g2", "The ministry criticized the farmers."),
    ])
    _write_jsonl(folder / "gold.jsonl", [
        {"sid": "g1#0", "events": [_event("CONSULT", "met", "Alice Ward", "Bob Stone", "2020-03-03")]},
        {"sid": "g2#0", "events": [_event("PROTEST", "protested", "farmers", None, "2020-03-04")]},
        {"sid": "g2#1", "events": [_event("DISAPPROVE", "criticized", "ministry", "farmers")]},
    ])
    done = run_cli(dateline("eval", "events", "--gold", str(folder), "--curve", "--json"), subprocess_env(tmp_path))
    assert done.returncode == 0, done.stderr
    from_cli = json.loads(done.stdout)
    assert from_cli["located"] == 3 and from_cli["gold_events"] == 3
    assert [p["min_confidence"] for p in from_cli.pop("curve")] == list(CURVE_THRESHOLDS)
    warehouse = tmp_path / "run.duckdb"
    assert run_flow([folder / "articles.jsonl"], warehouse).status == "success"
    assert from_cli == evaluate_gold_folder(folder, warehouse)
    reference = _reference(warehouse, folder)
    if reference is not None:
        assert from_cli == reference


@pytest.mark.slow
@pytest.mark.corpus
def test_agrees_with_the_reference_scorer_on_events_dev(prefect_harness, tmp_path):
    if not (REFERENCE.is_file() and (EVENTS_DEV / "articles.jsonl").is_file()):
        pytest.skip("../shared/eval (reference scorer and events_dev) not found")
    warehouse = tmp_path / "dev.duckdb"
    assert run_flow([EVENTS_DEV / "articles.jsonl"], warehouse).status == "success"
    reference = _reference(warehouse, EVENTS_DEV)
    assert reference["located"] > 400 and reference["predicted"] > 0
    assert evaluate_gold_folder(EVENTS_DEV, warehouse) == reference
    done = run_cli(dateline("eval", "events", "--gold", str(EVENTS_DEV), "--warehouse", str(warehouse), "--json"),
                   subprocess_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == reference
