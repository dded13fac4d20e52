"""``dateline_canonical``: each entity's name span, canonical name, entity label and coarse type.

Drops the tail of a title ("State" of "Secretary of State"), then gives each entity its name span (no
"the", title or possessive), canonical name (aliases, short forms linked to the full name seen in the
document), entity label and coarse type, stored on the span as ``Span._.canonical_name`` and friends.
The alias table, titles and organization heads come in through ``initialize(...)`` and are saved with
the pipeline.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dateline.transforms.entity_names import (
    ARTICLES,
    COARSE_TYPES,
    ENTITY_LABELS,
    NAME_LABELS,
    POSSESSIVES,
    DataComponent,
    canonical_text,
    line_words,
    proper_case,
    short_form_target,
    strip_article,
)
from dateline.transforms.entity_roles import a_state, acting, flat_case, language_use, scoreline_team
from spacy.language import Language
from spacy.tokens import Doc, Span


@Language.factory("dateline_canonical")
def make_canonical(nlp: Language, name: str) -> "Canonicalizer":
    return Canonicalizer()


@dataclass
class _Name:
    start_char: int
    end_char: int
    canonical: str
    entity_label: str
    from_alias: bool  # resolved by the alias table: no short-form linking


@dataclass(frozen=True)
class _Reading:
    """How an entity reads: the span's label, the entity's label, its canonical name, and whether the
    alias table gave them."""

    label: str
    entity_label: str
    canonical: str
    from_alias: bool = False


class Canonicalizer(DataComponent):
    """Name span, canonical name, entity label and coarse type of every named entity.

    The name span drops a leading "the", a person's titles ("President", "Chinese leader") and a
    trailing possessive; the mention keeps its own span. Alias-table names resolve to their entry by
    the rule of their kind (``_ALIAS_RULES``): countries and organizations always (and relabel the
    span); a demonym, noun or modifier, is its country's group (NORP, named by the country's first
    demonym in the table: "Americans" → "American", which ``resolve_entities`` relates to the country),
    never the country itself, and a language after "in" or "speak"; capitals only where they stand for
    their government in a political act ("Washington said", "Moscow's buildup", see
    ``entity_roles.acting``). A person's short form links to the one longer name in the document that
    starts or ends with it ("Xi" → "Xi Jinping", "Putin" → "Vladimir Putin").
    """

    def __init__(self) -> None:
        self._apply({"aliases": [], "titles": [], "organization_heads": []})

    def initialize(
        self,
        get_examples: Callable[[], Iterable] | None = None,
        *,
        nlp: Language | None = None,
        aliases: Iterable[dict] = (),
        titles: Iterable[str] = (),
        organization_heads: Iterable[str] = (),
    ) -> None:
        """Hand over the alias table rows, the person titles and the organization heads."""
        self._apply({"aliases": list(aliases), "titles": list(titles), "organization_heads": list(organization_heads)})

    def _apply(self, data: dict) -> None:
        self.data = data
        self.exact: dict[str, dict] = {}
        self.folded: dict[str, dict] = {}
        self.titles: dict[str, list[tuple[str, ...]]] = {}  # first word → titles, longest first
        self.demonyms: set[str] = set()
        self.group_names: dict[str, str] = {}  # country → its group's name (its first demonym)
        self.organization_heads = {w.casefold() for w in data["organization_heads"]}
        for row in data["aliases"]:
            text = strip_article(row["alias"])
            self.exact.setdefault(text, row)
            # Short capitals-only forms (US, UN, EU) match only as written: "us" is a pronoun. Party
            # labels too: "democratic" in lower case is an adjective, "Democratic" the party.
            if row["kind"] != "party" and not (text.isupper() and len(text) <= 3):
                self.folded.setdefault(text.casefold(), row)
            if row["kind"] == "demonym":
                self.demonyms.add(text.casefold())
                self.group_names.setdefault(row["canonical_name"], text)
        for title in data["titles"]:
            words = tuple(title.casefold().split())
            options = self.titles.setdefault(words[0], [])
            if words not in options:
                options.append(words)
                options.sort(key=len, reverse=True)

    def lookup(self, name: str) -> dict | None:
        return self.exact.get(name) or self.folded.get(name.casefold())

    def __call__(self, doc: Doc) -> Doc:
        flat: dict[int, bool] = {}
        surnames = {e[-1].lower_ for e in doc.ents if e.label_ == "PERSON" and len(e) > 1}
        read: list[tuple[Span, _Name | None]] = []
        for ent in doc.ents:
            if ent.label_ not in ENTITY_LABELS:
                read.append((ent, None))
            elif not self._ends_a_title(ent):  # "State" of "Secretary of State" is part of a title
                read.append(self._read(ent, surnames, flat))
        names = [name for _, name in read]
        _link_short_forms([n for n in names if n is not None])
        doc.ents = [span for span, _ in read]
        for span, name in zip(doc.ents, names, strict=True):
            if name is not None:
                span._.name_start_char = name.start_char
                span._.name_end_char = name.end_char
                span._.canonical_name = name.canonical
                span._.entity_label = name.entity_label
                span._.coarse_type = COARSE_TYPES.get(name.entity_label, "other")
        return doc

    def _read(self, ent: Span, surnames: set[str], flat: dict[int, bool]) -> tuple[Span, _Name]:
        """The entity's span (relabelled if need be) and its name."""
        doc = ent.doc
        label = self._span_label(ent, surnames)
        start, end = self._name_tokens(ent if label == ent.label_ else Span(doc, ent.start, ent.end, label))
        reading = self._alias_reading(ent, label, canonical_text(doc[start:end].text))
        canonical = reading.canonical
        if not reading.from_alias and flat_case(ent, flat):
            canonical = proper_case(canonical)
        name = _Name(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), canonical, reading.entity_label,
                     reading.from_alias)
        span = ent if reading.label == ent.label_ else Span(doc, ent.start, ent.end, label=reading.label)
        return span, name

    def _span_label(self, ent: Span, surnames: set[str]) -> str:
        label = ent.label_
        if label == "PERSON" and len(ent) > 1 and ent[-1].lower_ in self.organization_heads:
            label = "ORG"  # "Trump Organization", "Clinton Foundation": named after a person, not one
        # A lone word taken for a person but no person's surname here ("Surrey 4", "Kent 108-3") is a
        # team in a results line, as a place is.
        lone = label == "PERSON" and len(ent) == 1 and ent[0].lower_ not in surnames
        if (label in ("GPE", "LOC") or lone) and scoreline_team(ent):
            row = self.lookup(canonical_text(ent.text))
            if row is None or row["kind"] not in ("country", "demonym"):
                label = "ORG"  # "Pohang 3 Ulsan 2", "CHICAGO 74 60 .552": a city's team
        return label

    def _alias_reading(self, ent: Span, label: str, canonical: str) -> _Reading:
        """The reading the alias table gives the name, by the rule of its kind; the name as written else."""
        as_written = _Reading(label, label, canonical)
        row = self.lookup(canonical)
        if row is None:
            return as_written
        if row["kind"] == "demonym" and (label == "LANGUAGE" or language_use(ent)):
            return _Reading("LANGUAGE", "LANGUAGE", canonical)  # "in Spanish", "speaks Russian": a language
        rule = _ALIAS_RULES.get(row["kind"])
        return (rule(self, ent, label, row) if rule else None) or as_written

    def _named_entry(self, ent: Span, label: str, row: dict) -> _Reading:
        """A country, organization or party: always its entry, and its label on a name span."""
        span_label = row["label"] if label in NAME_LABELS and label != "NORP" else label
        return _Reading(span_label, row["label"], row["canonical_name"], True)

    def _group(self, ent: Span, label: str, row: dict) -> _Reading:
        """One key per group, related to its country: "the Americans said" and "American troops" are both
        the group "American" (events read it as the country's actor)."""
        group = self.group_names[row["canonical_name"]]
        return _Reading("NORP" if label in NAME_LABELS else label, "NORP", group, True)

    def _government(self, ent: Span, label: str, row: dict) -> _Reading | None:
        """A capital is its country only where it acts as the government ("Washington said")."""
        if label in ("GPE", "ORG", "LOC") and acting(ent) and not a_state(ent):
            return _Reading(label, "GPE", row["canonical_name"], True)
        return None

    def _name_tokens(self, ent: Span) -> tuple[int, int]:
        doc = ent.doc
        start, end = ent.start, ent.end
        while end - start > 1 and (doc[end - 1].text in POSSESSIVES or doc[end - 1].is_punct):
            end -= 1
        while end - start > 1 and doc[start].lower_ in ARTICLES:
            start += 1
        if ent.label_ == "PERSON":
            start = self._skip_titles(doc, start, end)
        return start, end

    def _ends_a_title(self, ent: Span) -> bool:
        """The entity is the last words of a title that begins before it ("Secretary of State")."""
        if ent.label_ == "PERSON":
            return False
        lower = line_words(ent.doc).token_lower
        words = lower[ent.start:ent.end]
        for k in range(1, min(3, ent.start) + 1):
            options = self.titles.get(lower[ent.start - k])
            if options and tuple(lower[ent.start - k:ent.start] + words) in options:
                return True
        return False

    def _skip_titles(self, doc: Doc, start: int, end: int) -> int:
        """Drop leading titles, also after a demonym or a party ("Chinese leader", "Democrat President")."""
        changed = True
        while changed and end - start > 1:
            changed = False
            lowered = line_words(doc).token_lower[start:end]
            skip = 1 if lowered[0] in self.demonyms else 0
            for title in self.titles.get(lowered[skip], ()) if skip < len(lowered) else ():
                n = skip + len(title)
                if n < end - start and tuple(lowered[skip:n]) == title:
                    start += n
                    changed = True
                    break
        return start


# The rule of each alias kind: how an alias-table name reads (None: as written).
_ALIAS_RULES: dict[str, Callable[[Canonicalizer, Span, str, dict], _Reading | None]] = {
    "country": Canonicalizer._named_entry,
    "organization": Canonicalizer._named_entry,
    "party": Canonicalizer._named_entry,
    "demonym": Canonicalizer._group,
    "capital": Canonicalizer._government,
}


def _link_short_forms(names: list[_Name]) -> None:
    """A person's short name that begins or ends exactly one longer person name takes that name."""
    persons = sorted({n.canonical for n in names if n.entity_label == "PERSON" and not n.from_alias})
    for name in names:
        if name.entity_label == "PERSON" and not name.from_alias:
            target = short_form_target(name.canonical, persons)
            if target is not None:
                name.canonical = target
