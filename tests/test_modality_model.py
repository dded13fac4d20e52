"""The trained modality model: its features of the parse, its override rule, and the shipped model in doc_events.

The sentences are written for these tests; ``nlp`` and ``lexicon`` are the production ones (conftest).
"""

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
    rules_row = next(r for r in doc_events("d", doc, mentions, lexicon, text=text, modality_model=None)
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
