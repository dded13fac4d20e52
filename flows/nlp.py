"""Loading the spaCy pipeline once per process."""

from functools import lru_cache

import spacy
from spacy.language import Language


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    """The installed spaCy pipeline ``model`` with Dateline's components, cached per process."""
    try:
        return spacy.load(model)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed (set DATELINE_MODEL to an installed pipeline)"
        ) from exc
