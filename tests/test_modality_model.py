"""The trained modality model: its features of the parse, its override rule, and the shipped model in doc_events.

The sentences are written for these tests; ``nlp`` and ``lexicon`` are the production ones (conftest).
"""

import dataclasses

import pytest
from dateline.transforms.entities import doc_mentions
from dateline.transforms.event_actors import is_noun, predicate
from dateline.transforms.events import doc_events
from dateline.transforms.modality_model import ModalityModel, load_modality_model, modality_features


def _features(nlp, text: str, word: str, code: str) -> tuple[str, dict[str, float]]:
    doc = nlp(text)
    token = next(t for t in doc if t.text == word)
    pred = predicate(token) if is_noun(token) else token
    return modality_features(token, pred, code)


def test_the_features_carry_the_rules_answer_and_the_rule_that_gave_it(nlp):
    answer, f = _features(nlp, "Russia might attack Ukraine.", "attack", "ASSAULT")
    assert answer == "hypothetical"
    assert f["rule=hypothetical"] == f["first=_conditional"] == f["holds=_conditional"] == 1.0
    assert f["aux_t=might"] == f["code=ASSAULT"] == 1.0
    answer, f = _features(nlp, "Russia attacked Ukraine.", "attacked", "ASSAULT")
    assert answer == "asserted" and f["first=none"] == 1.0 and f["tag=VBD"] == 1.0
    assert not any(name.startswith(("aux", "neg", "holds=")) for name in f)


def test_the_features_read_governing_words_negation_marks_and_modifiers(nlp):
    _, f = _features(nlp, "The union refused to negotiate with the company.", "negotiate", "CONSULT")
    assert f["gov1=refuse"] == f["gov_via=refuse|xcomp"] == 1.0
    _, f = _features(nlp, "The senator did not reject the offer.", "reject", "REJECT")
    assert f["neg_t"] == 1.0
    _, f = _features(nlp, "Both sides discussed the upcoming talks.", "talks", "CONSULT")
    assert f["mod=upcoming"] == 1.0 and f["pos=noun"] == 1.0
    _, f = _features(nlp, "Will Russia attack Ukraine if the talks fail?", "attack", "ASSAULT")
    assert f["question"] == f["sent_if"] == f["aux_t=will"] == 1.0
    _, f = _features(nlp, '"We will meet them," the minister said.', "meet", "CONSULT")
    assert f["quoted"] == 1.0


def test_the_model_overrides_the_rules_only_at_its_threshold():
    weights = {"asserted": {"bias": 1.0}, "planned": {"bias": 0.0, "x": 3.0}}
    model = ModalityModel(weights, threshold=0.9)
    chances = model.probabilities({"bias": 1.0, "x": 1.0})
    assert chances["planned"] == pytest.approx(1 / (1 + 2.718281828459045 ** -2))  # 0.88
    assert model.revise("asserted", {"bias": 1.0, "x": 1.0}) == "asserted"
    assert ModalityModel(weights, threshold=0.8).revise("asserted", {"bias": 1.0, "x": 1.0}) == "planned"
    # the rules' answer stays when the model agrees with it, whatever the threshold
    assert ModalityModel(weights, threshold=0.0).revise("planned", {"bias": 1.0, "x": 1.0}) == "planned"


def test_the_shipped_model_loads_with_its_hash_checked():
    model = load_modality_model()
    assert set(model.weights) == {"asserted", "negated", "hypothetical", "planned"}
    assert 0.3 <= model.threshold <= 0.95  # noqa: PLR2004


@pytest.mark.parametrize(
    ("text", "code", "by_rules", "revised"),
    [
        # "is set to" / "is due to" are plans the rules do not list
        ("The two leaders are set to meet on Monday.", "CONSULT", "asserted", "planned"),
        ("The minister is due to meet his Chinese counterpart on Friday.", "CONSULT", "asserted", "planned"),
    ],
)
def test_doc_events_revises_the_rules_modality_with_the_shipped_model(nlp, lexicon, text, code, by_rules, revised):
    doc = nlp(text)
    mentions = doc_mentions("d", doc)
    row = next(r for r in doc_events("d", doc, mentions, lexicon, text=text) if r["event_code"] == code)
    rules_row = next(r for r in doc_events("d", doc, mentions, dataclasses.replace(lexicon, modality_model=None), text=text)
                     if r["event_code"] == code)
    assert (rules_row["modality"], row["modality"]) == (by_rules, revised)
    # the tense still comes from the rules' modality
    assert row["tense"] == rules_row["tense"]


def test_the_lexicon_alone_keeps_the_rules_modality(nlp):
    from dateline.flows.nlp import load_reference
    from dateline.transforms.event_triggers import build_lexicon

    rules_only = build_lexicon(load_reference().triggers)
    text = "The two leaders are set to meet on Monday."
    doc = nlp(text)
    rows = doc_events("d", doc, doc_mentions("d", doc), rules_only, text=text)
    assert [r["modality"] for r in rows if r["event_code"] == "CONSULT"] == ["asserted"]


def test_the_model_file_is_checked_against_its_hash(tmp_path):
    import json

    model = ModalityModel({"asserted": {"bias": 0.5}, "planned": {"aux=will": 1.25}}, threshold=0.6)
    for name in ("kept", "changed"):
        model.save(tmp_path / name, {"examples": 2})
    assert load_modality_model(tmp_path / "kept") == model
    (tmp_path / "changed" / "weights.json").write_text(json.dumps({"asserted": {"bias": 9.0}}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="do not match"):
        load_modality_model(tmp_path / "changed")


def _example(record: str, rules: str, gold: str, *names: str):
    from dateline.training.modality import Example

    return Example(record, {"bias": 1.0, f"rule={rules}": 1.0, **{n: 1.0 for n in names}}, rules, gold)


def test_training_learns_where_the_rules_are_wrong_and_sets_the_threshold_by_article():
    from dateline.training.modality import fit, measure

    examples = []
    for i in range(60):
        examples.append(_example(f"a{i}", "asserted", "asserted"))
        examples.append(_example(f"b{i}", "asserted", "planned", "prev1=due"))  # the rules miss "is due to"
        examples.append(_example(f"c{i}", "planned", "planned", "aux=will"))
    model = ModalityModel(fit(examples, 1.0), 0.5)
    assert model.revise("asserted", {"bias": 1.0, "rule=asserted": 1.0, "prev1=due": 1.0}) == "planned"
    assert model.revise("asserted", {"bias": 1.0, "rule=asserted": 1.0}) == "asserted"
    threshold, cv = measure(examples, 1.0)
    assert (cv["rules_right"], cv["revised_right"], cv["mentions"]) == (120, 180, 180)
    assert cv["rules_confusions"] == {"planned->asserted": 60} and cv["revised_confusions"] == {}
    assert 0.3 <= threshold <= 0.95  # noqa: PLR2004


def test_two_classes_give_the_probabilities_of_a_binary_logistic_regression():
    from dateline.training.modality import fit

    examples = [_example(f"a{i}", "asserted", "asserted") for i in range(30)]
    examples += [_example(f"n{i}", "asserted", "negated", "neg_t") for i in range(30)]
    examples += [_example(f"m{i}", "asserted", "negated" if i % 3 else "asserted", "x") for i in range(30)]
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([e.features for e in examples])
    reference = LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000).fit(x, [e.gold for e in examples])
    ours = ModalityModel(fit(examples, 1.0), 0.5).probabilities(examples[-1].features)
    assert ours["negated"] == pytest.approx(reference.predict_proba(x[-1])[0][1], abs=1e-3)


def test_gold_examples_pair_the_mentions_with_the_gold_modality_and_leave_out_the_test_fold(nlp, lexicon, tmp_path):
    import json

    from dateline.training.context_actors import Parse
    from dateline.training.events import article_fold
    from dateline.training.modality import gold_examples

    text = "The two leaders are set to meet on Monday."
    test_fold = next(f"mod{i}" for i in range(100) if article_fold(f"mod{i}") == 0)
    with (tmp_path / "articles.jsonl").open("w") as articles, (tmp_path / "sentences.jsonl").open("w") as sents, \
            (tmp_path / "gold.jsonl").open("w") as gold:
        for record in ("modA", test_fold):
            articles.write(json.dumps({"id": record, "text": text}) + "\n")
            sents.write(json.dumps({"sid": f"{record}@0", "document_id": record, "sentence": text}) + "\n")
            event = {"type": "CONSULT", "trigger": "meet", "actor1": "leaders", "actor2": None, "modality": "planned"}
            gold.write(json.dumps({"sid": f"{record}@0", "events": [event]}) + "\n")
    found = gold_examples(Parse(nlp), lexicon, tmp_path)
    assert [(e.record_id, e.rules, e.gold) for e in found] == [("modA", "asserted", "planned")]
    assert found[0].features["code=CONSULT"] == found[0].features["prev1=to"] == 1.0


def test_train_modality_refuses_a_folder_without_articles(tmp_path):
    from tests.fault_helpers import dateline, run_cli, subprocess_env

    result = run_cli(dateline("train", "modality", "--gold", str(tmp_path)), subprocess_env(tmp_path))
    assert result.returncode == 1
    assert "no articles.jsonl in" in result.stderr
