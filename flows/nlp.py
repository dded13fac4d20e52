"""Loading the spaCy pipeline once per process."""

from functools import lru_cache

import spacy
from dateline.transforms.array_lemmatizer import use_array_lemmatizer
from dateline.transforms.attribute_rules import use_array_attribute_ruler
from dateline.transforms.entity_components import add_entity_components
from dateline.transforms.event_detector import EventDetector
from dateline.transforms.events import Lexicon, build_lexicon
from dateline.transforms.reference import load_reference
from dateline.transforms.sentence_breaks import add_sentence_breaks
from spacy.language import Language


@lru_cache(maxsize=4)
def load_nlp(model: str, entity_components: bool = True) -> Language:
    """The installed spaCy pipeline ``model`` with Dateline's components, cached per process: a line break
    ends a sentence (``transforms.sentence_breaks``, before the parser), the model's attribute ruler and the
    lemmatizer run over arrays (``transforms.attribute_rules``, ``transforms.array_lemmatizer``, the same
    output) and the entity components follow ``ner``.

    ``entity_components=False`` gives the bare model (what ``dateline eval ner`` compares against).
    """
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed (set DATELINE_MODEL to an installed pipeline)"
        ) from exc
    if entity_components:
        use_array_attribute_ruler(nlp)
        use_array_lemmatizer(nlp)
        add_sentence_breaks(nlp)
        reference = load_reference()
        add_entity_components(nlp, reference.alias_rows(), reference.title_words(),
                              organization_heads=reference.head_words())
    return nlp


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The shipped trigger lexicon with the trained event detector, built once per process (and Dask worker)."""
    reference = load_reference()
    return build_lexicon(reference.triggers, EventDetector.load(), reference.group_words())
