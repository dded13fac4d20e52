"""``dateline eval ner``: CoNLL reading, exact-span scoring, and the command's output."""

import json

import pytest
import spacy
from dateline.evaluation.ner import (
    LABEL_MAP,
    MICRO_KEY,
    ConllDoc,
    evaluate_ner,
    format_table,
    parse_conll,
    read_conll,
    score,
)
from dateline.transforms.entity_components import add_entity_components
from dateline.transforms.reference import load_reference
from typer.testing import CliRunner

# Two documents; the second mixes IOB1 (an entity opened by I-) with a B- boundary between two names.
SNIPPET = """-DOCSTART- -X- -X- O

SOCCER NN B-NP O
- : O O
LEEDS NNP B-NP B-ORG
BEAT VB B-VP O
EVERTON NNP B-NP B-ORG
. . O O

Leeds NNP B-NP I-ORG
beat VBD B-VP O
Everton NNP B-NP I-ORG
2-1 CD I-NP O
in IN B-PP O
London NNP B-NP I-LOC
. . O O

-DOCSTART- -X- -X- O

Phil NNP B-NP I-PER
Simmons NNP I-NP I-PER
met VBD B-VP O
Jean NNP B-NP I-PER
Paul NNP I-NP I-PER
Sartre NNP I-NP B-PER
of IN B-PP O
Germany NNP B-NP I-LOC
. . O O
"""


@pytest.fixture
def snippet_file(tmp_path):
    path = tmp_path / "tiny.conll"
    path.write_text(SNIPPET, encoding="utf-8")
    return path


def test_parse_conll_rebuilds_text_and_gold_offsets(snippet_file):
    docs = read_conll(snippet_file)
    assert [d.text for d in docs] == [
        "SOCCER - LEEDS BEAT EVERTON .\nLeeds beat Everton 2-1 in London .",
        "Phil Simmons met Jean Paul Sartre of Germany .",
    ]
    first, second = docs
    assert sorted((first.text[s:e], label) for s, e, label in first.entities) == [
        ("EVERTON", "ORG"),
        ("Everton", "ORG"),
        ("LEEDS", "ORG"),
        ("Leeds", "ORG"),
        ("London", "LOC"),
    ]
    assert sorted((second.text[s:e], label) for s, e, label in second.entities) == [
        ("Germany", "LOC"),
        ("Jean Paul", "PER"),
        ("Phil Simmons", "PER"),
        ("Sartre", "PER"),
    ]


def test_parse_conll_reads_iob2_too():
    (doc,) = parse_conll(["New B-LOC", "York I-LOC", "Mets B-ORG", ""])
    assert sorted(doc.entities) == [(0, 8, "LOC"), (9, 13, "ORG")]


def test_score_is_exact_span_and_label_match_with_micro_over_per_org_loc():
    gold = [frozenset({(0, 5, "PER"), (10, 15, "ORG"), (20, 25, "LOC"), (30, 35, "MISC")})]
    predicted = [{(0, 5, "PER"), (10, 14, "ORG"), (20, 25, "ORG"), (30, 35, "MISC")}]
    result = score(gold, predicted)
    assert result["PER"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    assert result["ORG"] == {"p": 0.0, "r": 0.0, "f1": 0.0}
    assert result["LOC"] == {"p": 0.0, "r": 0.0, "f1": 0.0}
    assert result["MISC"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    # PER/ORG/LOC: 1 hit of 3 predicted and 3 gold; MISC stays out of the micro average
    assert result[MICRO_KEY] == {"p": 0.3333, "r": 0.3333, "f1": 0.3333}


def test_label_map_follows_the_issue():
    assert LABEL_MAP["PERSON"] == "PER"
    assert {LABEL_MAP[k] for k in ("GPE", "LOC", "FAC")} == {"LOC"}
    assert {LABEL_MAP[k] for k in ("NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")} == {"MISC"}
    assert "DATE" not in LABEL_MAP and "CARDINAL" not in LABEL_MAP


def ruler_nlp(with_components: bool):
    """A stand-in 'model' that knows names only in running-text case, as trained models mostly do."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(
        [
            {"label": "ORG", "pattern": "Leeds"},
            {"label": "ORG", "pattern": "Everton"},
            {"label": "GPE", "pattern": "London"},
            {"label": "PERSON", "pattern": "Phil Simmons"},
            {"label": "PERSON", "pattern": "Jean Paul Sartre"},
            {"label": "GPE", "pattern": "Germany"},
        ]
    )
    if with_components:
        add_entity_components(nlp, load_reference().alias_rows(), load_reference().title_words())
    return nlp


def test_evaluate_ner_known_scores_bare_against_pipeline(snippet_file):
    docs = read_conll(snippet_file)
    result = evaluate_ner(ruler_nlp(False), ruler_nlp(True), docs)
    # gold PER/ORG/LOC: 4 ORG + 1 LOC + 3 PER + 1 LOC = 9.
    # bare: Leeds, Everton, London, Phil Simmons, Germany right; "Jean Paul Sartre" wrong (gold splits it).
    assert result["bare"]["ORG"] == {"p": 1.0, "r": 0.5, "f1": 0.6667}
    assert result["bare"][MICRO_KEY] == {"p": 0.8333, "r": 0.5556, "f1": 0.6667}
    # pipeline: the headline re-read in sentence case finds LEEDS and EVERTON too.
    assert result["pipeline"]["ORG"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    assert result["pipeline"][MICRO_KEY] == {"p": 0.875, "r": 0.7778, "f1": 0.8235}
    assert "micro_PER_ORG_LOC" in format_table(result)


def test_pipeline_scores_name_spans_without_article():
    doc = ConllDoc(text="He left the Kremlin .", entities=frozenset({(12, 19, "ORG")}))
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns([{"label": "ORG", "pattern": "the Kremlin"}])
    bare = spacy.blank("en")
    bare.add_pipe("entity_ruler", name="ner").add_patterns([{"label": "ORG", "pattern": "the Kremlin"}])
    add_entity_components(nlp, load_reference().alias_rows(), load_reference().title_words())
    result = evaluate_ner(bare, nlp, [doc])
    assert result["bare"]["ORG"]["f1"] == 0.0
    assert result["pipeline"]["ORG"]["f1"] == 1.0


def test_cli_eval_ner_json_has_the_documented_keys(snippet_file):
    from dateline.cli.main import app

    outcome = CliRunner().invoke(app, ["eval", "ner", "--conll", str(snippet_file), "--json"])
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.output)
    assert set(result) == {"bare", "pipeline"}
    for system in result.values():
        assert set(system) == {"PER", "ORG", "LOC", "MISC", MICRO_KEY}
        for figures in system.values():
            assert set(figures) == {"p", "r", "f1"}
            assert all(0.0 <= v <= 1.0 for v in figures.values())


def test_cli_eval_ner_missing_file_fails_with_a_reason(tmp_path):
    from dateline.cli.main import app

    outcome = CliRunner().invoke(app, ["eval", "ner", "--conll", str(tmp_path / "none.txt")])
    assert outcome.exit_code != 0


@pytest.mark.corpus
def test_pipeline_beats_the_bare_model_on_conll_dev_by_three_points(nlp):
    from dateline.flows.nlp import load_nlp
    from dateline.flows.settings import Settings

    from tests.conftest import corpus

    docs = read_conll(corpus("conll2003/valid.txt"))
    result = evaluate_ner(load_nlp(Settings().model, False), nlp, docs)
    assert result["pipeline"][MICRO_KEY]["f1"] >= result["bare"][MICRO_KEY]["f1"] + 0.03
