"""The context-actor filler (``transforms.event_context_actors``): its candidates and features on the production
pipeline (the ``nlp`` fixture), its model's choice and file, its training (``training.context_actors``) on examples
written here, and the shipped model through ``doc_events``. The sentences are written for these tests."""

import json
from types import SimpleNamespace

import pytest
from dateline.flows.nlp import load_reference
from dateline.training.context_actors import Example, Parse, best_threshold, cross_validate, fit, gains
from dateline.transforms.entities import doc_mentions
from dateline.transforms.event_context_actors import (
    CONTEXT_SENTENCES,
    Candidate,
    ContextActorModel,
    Options,
    candidates,
    fill_context_actors,
    load_context_model,
)
from dateline.transforms.event_detector import EventDetector
from dateline.transforms.event_groups import group_mentions
from dateline.transforms.event_mentions import MentionIndex
from dateline.transforms.event_triggers import build_lexicon
from dateline.transforms.events import doc_events, without_datelines


@pytest.fixture(scope="module")
def rules_only():
    """The production lexicon and detector without the filler: what the rules and anaphora leave."""
    reference = load_reference()
    return build_lexicon(reference.triggers, EventDetector.load(), reference.group_words(), context_actors=None)


def options_of(nlp, lexicon, text: str, trigger: str, slot: str = "actor1"):
    """The options for ``slot`` of the mention of ``trigger`` (rows as the rules leave them)."""
    doc = nlp(text)
    mentions = doc_mentions("d", doc)
    rows = [SimpleNamespace(**r) for r in doc_events("d", doc, mentions, lexicon)]
    arguments = without_datelines(mentions, text)
    index = MentionIndex([*arguments, *group_mentions(doc, arguments, lexicon.group_nouns, text)])
    found = candidates(rows, doc, index, slot)
    i = next(i for i, r in enumerate(rows) if r.trigger == trigger)
    return rows[i], found[i]


def by_name(options: Options) -> dict[str, dict[str, float]]:
    return {c.name: c.features for c in options.candidates}


def test_candidates_of_an_empty_slot_come_from_the_sentences_before(nlp, rules_only):
    text = ("Special counsel Robert Mueller said on Friday that his office had finished its work. "
            "Prosecutors also questioned Paul Manafort last month. "
            "The indictment was unsealed in Washington.")
    row, options = options_of(nlp, rules_only, text, "indictment")
    assert row.actor1_starts == []  # the rules find no doer in the sentence
    features = by_name(options)
    mueller = features["robert mueller"]
    assert mueller["dist=2"] == 1.0 and mueller["role=speaker"] == 1.0 and mueller["speaker_nearby"] == 1.0
    assert features["paul manafort"]["dist=1"] == 1.0 and features["paul manafort"]["role=obj"] == 1.0
    assert "washington" in features and features["washington"]["dist=0"] == 1.0
    assert options.empty["empty"] == 1.0 and options.empty["empty|det=the"] == 1.0
    # nearest first: the sentence's own, then back sentence by sentence
    assert [c.name for c in options.candidates][-1] == "robert mueller"


def test_one_candidate_per_entity_at_its_closest_mention(nlp, rules_only):
    text = ("Donald Trump spoke in Ohio on Monday. Trump said the economy was strong. "
            "The sanctions on Iran hurt many farmers.")
    _, options = options_of(nlp, rules_only, text, "sanctions")
    names = [c.name for c in options.candidates]
    assert names.count("donald trump") == 1 and "trump" not in names
    trump = next(c for c in options.candidates if c.name == "donald trump")
    assert text[trump.start:trump.end] == "Trump"  # the mention one sentence back, not two
    assert by_name(options)["donald trump"]["dist=1"] == 1.0


def test_nothing_beyond_the_window(nlp, rules_only):
    sentences = ["Angela Merkel arrived in Paris on Monday."] + ["It rained all day."] * CONTEXT_SENTENCES
    text = " ".join([*sentences, "The visit was short."])
    _, options = options_of(nlp, rules_only, text, "visit")
    assert "angela merkel" not in by_name(options)


def test_a_filled_slot_has_no_options(nlp, rules_only):
    row, options = options_of(nlp, rules_only, "Russia attacked Ukraine on Thursday.", "attacked")
    assert row.actor1_starts and options is None


def candidate(name: str, **features: float) -> Candidate:
    return Candidate(0, len(name), name, features)


def test_the_model_chooses_by_softmax_over_leaving_empty_and_the_candidates():
    model = ContextActorModel({"empty": 1.0, "role=speaker": 2.0}, threshold=0.5)
    options = Options({"empty": 1.0}, [candidate("a", **{"role=obj": 1.0}), candidate("b", **{"role=speaker": 1.0})])
    best, chance = model.choose(options)
    assert best is not None and best.name == "b"
    assert chance == pytest.approx(2.718281828 ** 2 / (1 + 2.718281828 + 2.718281828 ** 2))
    best, _ = model.choose(Options({"empty": 1.0}, [candidate("a", **{"role=obj": 1.0})]))
    assert best is None


def test_the_model_file_is_checked_against_its_hash(tmp_path):
    model = ContextActorModel({"empty": 0.5, "dist=0": 1.25}, threshold=0.6)
    model.save(tmp_path, {"examples": 2})
    assert load_context_model(tmp_path) == model
    (tmp_path / "weights.json").write_text(json.dumps({"empty": 9.0}), encoding="utf-8")
    with pytest.raises(RuntimeError, match="do not match"):
        load_context_model(tmp_path)


def test_the_shipped_model_loads_with_a_threshold():
    model = load_context_model()
    assert 0.0 < model.threshold < 1.0 and "empty" in model.weights


def examples(n: int) -> list[Example]:
    """Articles whose doer is always the speaker: one candidate a speaker, one an object; every fifth has no
    right candidate (leaving the slot empty is right)."""
    out = []
    for i in range(n):
        cands = [candidate("obj", **{"role=obj": 1.0}), candidate("spk", **{"role=speaker": 1.0})]
        target = 0 if i % 5 == 0 else 2
        if target == 0:
            cands = [candidate("obj", **{"role=obj": 1.0})]
        out.append(Example(f"article{i}", Options({"empty": 1.0}, cands), target, target > 0))
    return out


def test_training_learns_which_candidate_is_the_doer_and_when_to_leave_it_empty():
    weights = fit(examples(60), c=1.0)
    assert weights["role=speaker"] > weights["role=obj"]
    model = ContextActorModel(weights, 0.5)
    best, chance = model.choose(examples(2)[1].options)
    assert best is not None and best.name == "spk" and chance > 0.5
    assert model.choose(examples(1)[0].options)[0] is None
    choices = cross_validate(examples(60), c=1.0)
    assert len(choices) == 60
    threshold, measured = best_threshold(choices)
    assert measured == gains(choices, threshold)
    assert measured["right"] == 48 and measured["wrong_gold_none"] == 0


QUOTED = ("Representative Bob Goodlatte wrote to the Justice Department on Monday. "
          "\"Both decisions are unseemly and should be investigated.\" Mr. Goodlatte said he expected an answer.")


def slot_of(text: str, row, slot: str) -> list[str]:
    """The texts in ``slot`` ("actor1" / "actor2") of ``row`` (a row dict of doc_events or a mention row)."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return [text[s:e] for s, e in zip(get(slot + "_starts"), get(slot + "_ends"), strict=True)]


def actor1_of(text: str, row) -> list[str]:
    return slot_of(text, row, "actor1")


def test_the_filler_fills_a_quotation_with_its_speaker_through_doc_events(nlp, lexicon, rules_only):
    doc = nlp(QUOTED)
    before = {r["trigger"]: r for r in doc_events("d", doc, doc_mentions("d", doc), rules_only)}
    after = {r["trigger"]: r for r in doc_events("d", doc, doc_mentions("d", doc), lexicon)}
    assert actor1_of(QUOTED, before["unseemly"]) == []  # the rules find no doer inside the quotation
    assert actor1_of(QUOTED, after["unseemly"]) == ["Goodlatte"]  # the speaker named after it
    assert after["unseemly"]["event_code"] == "DISAPPROVE"


def test_fill_context_actors_leaves_a_slot_empty_below_the_threshold(nlp, rules_only):
    doc = nlp(QUOTED)
    mentions = doc_mentions("d", doc)
    index = MentionIndex(without_datelines(mentions, QUOTED))
    rows = [SimpleNamespace(**r) for r in doc_events("d", doc, mentions, rules_only)]
    fill_context_actors(rows, doc, index, ContextActorModel({"empty": 5.0}, threshold=0.5))
    assert actor1_of(QUOTED, next(r for r in rows if r.trigger == "unseemly")) == []
    # the same options, a model that prefers a person named in the sentence after: it fills, but not above 0.99
    fill_context_actors(rows, doc, index, ContextActorModel({"label=PERSON": 2.0, "dist=after": 2.0}, threshold=0.99))
    assert actor1_of(QUOTED, next(r for r in rows if r.trigger == "unseemly")) == []
    fill_context_actors(rows, doc, index, ContextActorModel({"label=PERSON": 2.0, "dist=after": 2.0}, threshold=0.5))
    assert actor1_of(QUOTED, next(r for r in rows if r.trigger == "unseemly")) == ["Goodlatte"]


def test_gold_examples_label_the_candidate_the_gold_names_and_leave_out_the_test_fold(nlp, rules_only, tmp_path):
    from dateline.training.context_actors import gold_examples
    from dateline.training.events import article_fold

    sentence = '"Both decisions are unseemly and should be investigated."'
    start = QUOTED.index(sentence)
    rows = [("ctxA", QUOTED, "Bob Goodlatte"), ("ctxB", QUOTED, None)]
    test_fold = next(f"ctx{i}" for i in range(100) if article_fold(f"ctx{i}") == 0)
    rows.append((test_fold, QUOTED, "Bob Goodlatte"))
    with (tmp_path / "articles.jsonl").open("w") as articles, (tmp_path / "sentences.jsonl").open("w") as sents, \
            (tmp_path / "gold.jsonl").open("w") as gold:
        for record, text, actor in rows:
            articles.write(json.dumps({"id": record, "text": text}) + "\n")
            sid = f"{record}@{start}"
            sents.write(json.dumps({"sid": sid, "document_id": record, "sentence": sentence}) + "\n")
            event = {"type": "DISAPPROVE", "trigger": "unseemly", "actor1": actor, "actor2": None,
                     "modality": "asserted"}
            gold.write(json.dumps({"sid": sid, "events": [event]}) + "\n")
    found = {e.record_id: e for e in gold_examples(Parse(nlp), rules_only, tmp_path)}
    assert set(found) == {"ctxA", "ctxB"}  # the test fold's article is never a training example
    right = found["ctxA"].options.candidates[found["ctxA"].target - 1]
    assert right.name == "bob goodlatte" and found["ctxA"].gold_named
    assert found["ctxB"].target == 0 and not found["ctxB"].gold_named  # the gold has no actor1: leave it empty


def test_train_actors_refuses_a_folder_without_articles(tmp_path):
    from tests.fault_helpers import dateline, run_cli, subprocess_env

    result = run_cli(dateline("train", "actors", "--gold", str(tmp_path)), subprocess_env(tmp_path))
    assert result.returncode == 1
    assert "no articles.jsonl in" in result.stderr


ARREST = "Police detained Joshua Wong on Friday. The arrest drew criticism from Britain."
VISIT = ("Chinese President Xi Jinping arrived in Pyongyang on Thursday. Kim Jong Un welcomed him at the airport. "
         "Xi held talks for two hours.")


def actor2_of(text: str, row) -> list[str]:
    return slot_of(text, row, "actor2")


def test_actor2_candidates_read_the_earlier_mentions_targets_and_the_type(nlp, rules_only):
    row, options = options_of(nlp, rules_only, ARREST, "criticism", "actor2")
    assert actor1_of(ARREST, row) == ["Britain"] and row.actor2_starts == []
    features = by_name(options)
    assert "britain" not in features  # the mention's own actor1 is never its actor2
    wong = features["joshua wong"]
    assert wong["earlier_target=other"] == 1.0 and wong["earlier_target_type=DISAPPROVE|other"] == 1.0
    assert wong["type_role=DISAPPROVE|obj"] == 1.0 and wong["dist=1"] == 1.0 and wong["has_actor1"] == 1.0
    assert features["police"]["earlier_doer=other"] == 1.0 and "earlier_target=other" not in features["police"]
    assert options.empty["empty|has_actor1"] == 1.0 and "empty|has_actor2" not in options.empty
    # the actor1 filler's options of the same mention: none (its actor1 is filled)
    assert options_of(nlp, rules_only, ARREST, "criticism")[1] is None


def test_actor2_candidates_leave_out_every_mention_of_the_actor1s_entity(nlp, rules_only):
    row, options = options_of(nlp, rules_only, VISIT, "held", "actor2")
    assert actor1_of(VISIT, row) == ["Xi"]
    names = [c.name for c in options.candidates]
    assert names[0] == "kim jong un" and not any("xi" in name.split() for name in names)
    assert by_name(options)["kim jong un"]["type_role=CONSULT|subj"] == 1.0


def test_fill_context_actors_fills_actor2_with_an_actor2_model_after_the_actor1_one(nlp, rules_only):
    doc = nlp(ARREST)
    mentions = doc_mentions("d", doc)
    index = MentionIndex(without_datelines(mentions, ARREST))
    rows = [SimpleNamespace(**r) for r in doc_events("d", doc, mentions, rules_only)]
    doer = ContextActorModel({"empty": 9.0}, threshold=0.5)  # leaves every actor1 empty
    target = ContextActorModel({"earlier_target=other": 3.0}, threshold=0.5, slot="actor2")
    fill_context_actors(rows, doc, index, doer, ContextActorModel({"empty": 9.0}, threshold=0.5, slot="actor2"))
    criticism = next(r for r in rows if r.trigger == "criticism")
    assert actor2_of(ARREST, criticism) == []
    fill_context_actors(rows, doc, index, doer, target)
    assert actor2_of(ARREST, criticism) == ["Joshua Wong"] and actor1_of(ARREST, criticism) == ["Britain"]
    arrest = next(r for r in rows if r.trigger == "arrest")
    assert actor1_of(ARREST, arrest) == []  # the actor1 model left it; the actor2 model does not touch actor1


def test_the_shipped_models_load_by_slot_and_both_go_with_the_detector(rules_only):
    first, second = load_context_model(), load_context_model(slot="actor2")
    assert (first.slot, second.slot) == ("actor1", "actor2")
    assert 0.0 < second.threshold < 1.0 and "empty" in second.weights
    reference = load_reference()
    shipped = build_lexicon(reference.triggers, EventDetector.load(), reference.group_words())
    assert [m.slot for m in shipped.context_actors] == ["actor1", "actor2"]
    assert rules_only.context_actors == () and build_lexicon(reference.triggers).context_actors == ()


def test_a_saved_model_keeps_its_slot(tmp_path):
    model = ContextActorModel({"empty": 0.5}, threshold=0.6, slot="actor2")
    model.save(tmp_path, {})
    assert load_context_model(tmp_path) == model
    assert json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))["slot"] == "actor2"


def test_gold_examples_of_actor2_label_the_candidate_the_gold_names(nlp, rules_only, tmp_path):
    from dateline.training.context_actors import gold_examples

    sentence = "The arrest drew criticism from Britain."
    start = ARREST.index(sentence)
    with (tmp_path / "articles.jsonl").open("w") as articles, (tmp_path / "sentences.jsonl").open("w") as sents, \
            (tmp_path / "gold.jsonl").open("w") as gold:
        for record, actor in (("ctxA", "Joshua Wong"), ("ctxB", None)):
            articles.write(json.dumps({"id": record, "text": ARREST}) + "\n")
            sid = f"{record}@{start}"
            sents.write(json.dumps({"sid": sid, "document_id": record, "sentence": sentence}) + "\n")
            event = {"type": "DISAPPROVE", "trigger": "criticism", "actor1": "Britain", "actor2": actor,
                     "modality": "asserted"}
            gold.write(json.dumps({"sid": sid, "events": [event]}) + "\n")
    kept = tmp_path / "docs.pickle"
    found = {e.record_id: e for e in gold_examples(Parse(nlp, kept), rules_only, tmp_path, slot="actor2")}
    assert set(found) == {"ctxA", "ctxB"}
    right = found["ctxA"].options.candidates[found["ctxA"].target - 1]
    assert right.name == "joshua wong" and found["ctxA"].gold_named
    assert found["ctxB"].target == 0 and not found["ctxB"].gold_named
    # a second pass reads the kept parses back: the same examples
    again = {e.record_id: e for e in gold_examples(Parse(nlp, kept), rules_only, tmp_path, slot="actor2")}
    assert again == found


PRAISE = ("Joe Biden praised Barack Obama in a speech. Biden has often praised Obama, and he did so again on Friday, "
          "offering warm praise.")


def test_the_shipped_actor2_filler_fills_a_target_through_doc_events(nlp, lexicon):
    doc = nlp(PRAISE)
    mentions = doc_mentions("d", doc)
    reference = load_reference()
    doer_only = build_lexicon(reference.triggers, EventDetector.load(), reference.group_words(),
                              context_actors=load_context_model())
    before = {r["trigger"]: r for r in doc_events("d", doc, mentions, doer_only)}
    after = {r["trigger"]: r for r in doc_events("d", doc, mentions, lexicon)}
    assert actor1_of(PRAISE, before["praise"]) == ["Biden"] and actor2_of(PRAISE, before["praise"]) == []
    assert actor2_of(PRAISE, after["praise"]) == ["Obama"]  # whom he praised before, named in the sentence
    assert actor1_of(PRAISE, after["praise"]) == ["Biden"]
    # a mention whose actor2 the rules found keeps it
    assert actor2_of(PRAISE, after["praised"]) == actor2_of(PRAISE, before["praised"]) == ["Barack Obama"]
