"""Loading the spaCy pipeline once per process."""

from functools import lru_cache

import spacy
from spacy.language import Language

from transforms.entities import load_aliases, load_organization_heads, load_titles
from transforms.entity_components import add_entity_components
from transforms.event_detector import EventDetector
from transforms.events import Lexicon, build_lexicon, load_triggers


@lru_cache(maxsize=4)
def load_nlp(model: str, entity_components: bool = True) -> Language:
    """The installed spaCy pipeline ``model`` with Dateline's entity components, cached per process.

    ``entity_components=False`` gives the bare model (what ``dateline eval ner`` compares against).
    """
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed (set DATELINE_MODEL to an installed pipeline)"
        ) from exc
    if entity_components:
        add_entity_components(nlp, load_aliases(), load_titles(), organization_heads=load_organization_heads())
    return nlp


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The shipped trigger lexicon with the trained event detector, built once per process (and Dask worker)."""
    return build_lexicon(load_triggers(), EventDetector.load())
