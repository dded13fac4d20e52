"""spaCy components that make entity mentions worth counting, registered by factory, one module each.

``add_entity_components`` appends them after the model's ``ner``, in this order:

1. ``dateline_headline_ner`` (``transforms.headline_ner``) re-reads headline-cased lines (ALL CAPS,
   Title Case) with the case a sentence would have, so "Putin Visits Xi Jinping" is two people, not one.
2. ``dateline_entity_cleanup`` (``transforms.entity_cleanup``): a name never crosses a line break or
   punctuation that separates names, never starts or ends with a bare number, and a span without
   letters is no name.
3. ``dateline_alias_ruler``, spaCy's own ``entity_ruler`` with the alias table as phrase patterns:
   adds names the model missed, never overwrites what it found.
4. ``dateline_entity_consistency`` (``transforms.entity_consistency``): one label per name within a
   document, a person's surname alone is that person, and a name found once is found at its other
   occurrences.
5. ``dateline_canonical`` (``transforms.canonicalizer``): each entity's name span, canonical name,
   entity label and coarse type, stored on the span as ``Span._.canonical_name`` and friends.

Everything a component needs beyond the Doc (aliases, titles) is handed over through the component's
``initialize(...)`` — as spaCy's own rulers take their patterns — and saved with the pipeline
(``nlp.to_disk`` / ``spacy.load`` give the same components with the same data).
"""

from collections.abc import Iterable

# Importing the component modules registers their factories.
from dateline.transforms import canonicalizer, entity_cleanup, entity_consistency, headline_ner  # noqa: F401
from dateline.transforms.entity_names import (
    COARSE_TYPES,
    ENTITY_LABELS,
    NAME_LABELS,
    alias_patterns,
    canonical_text,
    proper_case,
    short_form_target,
)
from spacy.language import Language

__all__ = [
    "COARSE_TYPES", "ENTITY_LABELS", "NAME_LABELS", "add_entity_components", "alias_patterns", "canonical_text",
    "proper_case", "short_form_target",
]


def add_entity_components(
    nlp: Language,
    aliases: Iterable[dict],
    titles: Iterable[str],
    *,
    ner: str = "ner",
    organization_heads: Iterable[str] = (),
) -> Language:
    """Append Dateline's entity components to ``nlp`` (after ``ner``) and initialize them with their data.

    ``aliases`` rows have alias, canonical_name, label, kind (country / demonym / capital /
    organization / party), see ``transforms.reference``. ``ner`` names the component that
    finds entities (the model's ``ner``, or an entity ruler in tests). ``organization_heads`` are the
    last words that make a person's name an organization's ("Trump Organization", "Clinton Foundation").
    Only these components are initialized: the model's own stay as trained.
    """
    aliases = list(aliases)
    nlp.add_pipe("dateline_headline_ner", config={"ner_component": ner}).initialize(
        nlp=nlp, known_forms=[a["alias"] for a in aliases]
    )
    nlp.add_pipe("dateline_entity_cleanup")
    ruler = nlp.add_pipe("entity_ruler", name="dateline_alias_ruler", config={"overwrite_ents": False})
    # The ruler matches its phrase patterns on ORTH, so a pattern is its tokens: spaCy would run every
    # pattern (~1,100) through the whole pipeline before the ruler (about 5 CPU s per process, each
    # spaCy worker's start-up); with the pipes off, only the tokenizer reads them, the same tokens.
    with nlp.select_pipes(enable=[]):
        ruler.initialize(lambda: [], nlp=nlp, patterns=alias_patterns(aliases))
    nlp.add_pipe("dateline_entity_consistency").initialize(nlp=nlp, aliases=aliases)
    nlp.add_pipe("dateline_canonical").initialize(
        nlp=nlp, aliases=aliases, titles=list(titles), organization_heads=list(organization_heads)
    )
    return nlp
