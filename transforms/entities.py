"""Entity mentions from spaCy Docs, and the canonical entities they resolve to.

Only named-entity labels become entities; numbers, dates and amounts (CARDINAL, DATE, ...) never do.
The canonical name of a mention comes from ``transforms.entity_components`` (the pipeline's
``dateline_canonical`` step) when the pipeline has it, else from ``canonical_form`` of its text.
``resolve_entities`` then decides, over the warehouse's and the batch's mentions together, which
entity each mention names (types by majority, short forms to full names, redirect rows for every name
that resolves elsewhere), so the result does not depend on the order or split of the runs.
"""

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import sha256

import polars as pl
from dateline.transforms.entity_components import COARSE_TYPES, ENTITY_LABELS, canonical_text
from dateline.transforms.keys import SEP, make_key
from dateline.transforms.name_links import (
    merge_variants,
    person_targets,
    place_named_targets,
    variant_targets,
)
from spacy.tokens import Doc, Span

COARSE_TYPE_VALUES = ("person", "organization", "location", "group", "other")
ALIAS_KINDS = ("country", "demonym", "capital", "organization", "party")

MENTION_SCHEMA = pl.Schema(
    {
        "document_key": pl.String,
        "sentence_index": pl.Int64,
        "start_char": pl.Int64,  # offsets into the stored body
        "end_char": pl.Int64,
        "mention_text": pl.String,  # exactly body[start_char:end_char]
        "label": pl.String,  # spaCy label of the mention
        "canonical_name": pl.String,  # within-document canonical name (resolve_entities may link further)
        "coarse_type": pl.String,
        "entity_label": pl.String,  # spaCy label of the entity ("Washington said" tagged ORG: GPE entity)
        "name_start_char": pl.Int64,  # the name inside the mention: no "the", title or possessive
        "name_end_char": pl.Int64,
    }
)

RESOLVED_MENTION_SCHEMA = pl.Schema(
    {
        "mention_key": pl.String,
        "document_key": pl.String,
        "entity_key": pl.String,
        "sentence_index": pl.Int64,
        "start_char": pl.Int64,
        "end_char": pl.Int64,
        "mention_text": pl.String,
        "label": pl.String,
        "name_key": pl.String,  # the key of the mention's own name and coarse type, before cross-document links
        "entity_label": pl.String,
    }
)

ENTITY_SCHEMA = pl.Schema(
    {
        "entity_key": pl.String,
        "canonical_name": pl.String,
        "entity_type": pl.String,  # most frequent entity label of the entity's mentions
        "coarse_type": pl.String,
        "aliases": pl.List(pl.String),  # every surface form seen, sorted
        # The entity this key was resolved into ("Trump" → Donald Trump); null for a live entity.
        "merged_into_key": pl.String,
        # A live entity related to this one without being it ("Russian", a group → Russia), and how.
        "related_entity_key": pl.String,
        "relation": pl.String,
    }
)

# The warehouse's mentions per name key (fact_entity_mention.name_key) and entity label.
VOTE_SCHEMA = pl.Schema({"name_key": pl.String, "entity_label": pl.String, "mentions": pl.Int64})

# What loaded redirect rows not given to ``resolve_entities`` as rows give the entity they point at
# (``entity_key``): their aliases, and their mentions per entity label (``entity_labels`` and ``mentions``,
# parallel lists). Such a row keeps its resolution and decides no name; it only feeds its entity's aliases
# and type when that entity's row is written (flows.lookups.WarehouseLookups.entity_context gathers them).
GATHERED_SCHEMA = pl.Schema(
    {
        "entity_key": pl.String,
        "aliases": pl.List(pl.String),
        "entity_labels": pl.List(pl.String),
        "mentions": pl.List(pl.Int64),
    }
)

ALIAS_SCHEMA = pl.Schema(
    {"alias": pl.String, "canonical_name": pl.String, "label": pl.String, "kind": pl.String}
)


def entity_relations(aliases: Iterable[dict]) -> dict[str, tuple[str, str, str]]:
    """Case-folded demonym → ("demonym_of", country, "location"), from the alias table rows."""
    return {
        row["alias"].casefold(): ("demonym_of", row["canonical_name"], "location")
        for row in aliases
        if row["kind"] == "demonym"
    }


def canonical_form(text: str) -> str:
    """Canonical spelling of a mention: no leading "the", no trailing possessive, single spaces."""
    return canonical_text(text)


def coarse_type(label: str) -> str:
    return COARSE_TYPES.get(label, "other")


def entity_key(canonical_name: str, coarse_type: str) -> str:
    """The deterministic key of an entity: its coarse type and case-folded canonical name."""
    return make_key(coarse_type, canonical_name.casefold())


def entity_keys(canonical_name: str, coarse_types: Iterable[str] = COARSE_TYPE_VALUES) -> list[str]:
    """``entity_key(canonical_name, c)`` for each of ``coarse_types``, the name folded and encoded once
    (the name probes ask for a name under every coarse type: hundreds of thousands of keys a run)."""
    name = (SEP + canonical_name.casefold()).encode("utf-8")
    return [sha256(coarse.encode("utf-8") + name).hexdigest()[:16] for coarse in coarse_types]


def _mention(document_key: str, sentence_index: int, ent: Span) -> dict | None:
    canonical = ent._.canonical_name
    if canonical is None:
        # A pipeline without Dateline's components: the name is the text, minus article and possessive.
        canonical = canonical_form(ent.text)
        offset = ent.text.find(canonical)
        name_start = ent.start_char + max(offset, 0)
        name_end = name_start + len(canonical) if offset >= 0 else ent.end_char
        entity_label = ent.label_
    else:
        name_start, name_end, entity_label = ent._.name_start_char, ent._.name_end_char, ent._.entity_label
    if not canonical or not any(ch.isalpha() for ch in canonical):
        return None
    return {
        "document_key": document_key,
        "sentence_index": sentence_index,
        "start_char": ent.start_char,
        "end_char": ent.end_char,
        "mention_text": ent.text,
        "label": ent.label_,
        "canonical_name": canonical,
        "coarse_type": coarse_type(entity_label),
        "entity_label": entity_label,
        "name_start_char": name_start,
        "name_end_char": name_end,
    }


def doc_mentions(document_key: str, doc: Doc) -> list[dict]:
    """One MENTION_SCHEMA row (as a dict) per named-entity span of ``doc``."""
    sent_starts = [sent.start for sent in doc.sents] if doc.has_annotation("SENT_START") else [0]
    rows = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS:
            continue
        row = _mention(document_key, bisect_right(sent_starts, ent.start) - 1, ent)
        if row is not None:
            rows.append(row)
    return rows


_COARSE_ORDER = {c: i for i, c in enumerate(COARSE_TYPE_VALUES)}


def spelling_rank(name: str) -> tuple:
    """Order of preference between spellings of one case-folded name: cased as a name, then alphabetical.

    Words in capitals (longer than an acronym) and words in lower case count against a spelling
    ("Donald TRUMP", "china"). A total order, so the chosen spelling is the same whichever run saw
    which spelling first.
    """
    words = [w for w in name.split() if any(c.isalpha() for c in w)]
    shouting = sum(1 for w in words if w.isupper() and "." not in w and sum(c.isalpha() for c in w) > 4)
    lower = sum(1 for w in words if w.islower() and len(w) > 3)
    return (shouting + lower, name)


def _settled(existing: pl.DataFrame, open_keys: Collection[str] | None, batch_keys: set[str]) -> dict[str, str]:
    """Loaded keys the batch cannot change (not open, not the batch's own) → the key they resolve to."""
    if open_keys is None:
        return {}
    return {
        key: merged or key
        for key, merged in existing.select("entity_key", "merged_into_key").iter_rows()
        if key not in open_keys and key not in batch_keys
    }


def _vote_winner(counts: Counter, order: dict[str, int]) -> str:
    return sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99), kv[0]))[0][0]


def coarse_vote(mentions_by_coarse: Counter) -> str:
    """The coarse type a case-folded name takes: the one most of its mentions have (ties: COARSE_TYPE_VALUES' order)."""
    return _vote_winner(mentions_by_coarse, _COARSE_ORDER)


def resolve_entities(  # noqa: PLR0913  (the batch, then what the warehouse holds of it)
    mentions: pl.DataFrame,
    existing: pl.DataFrame | None = None,
    votes: pl.DataFrame | None = None,
    relations: Mapping[str, tuple[str, str, str]] | None = None,
    open_keys: Collection[str] | None = None,
    gathered: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mentions (MENTION_SCHEMA) → (RESOLVED_MENTION_SCHEMA rows, ENTITY_SCHEMA rows to upsert).

    Every mention has a *name key*: its within-document canonical name and its own coarse type. Over
    all mentions of the warehouse and the batch (``existing`` entities, ``votes`` = the warehouse's
    mention counts per name key and entity label, VOTE_SCHEMA), each case-folded name takes the coarse
    type most of its mentions have ("Trump" tagged ORG here and there is still a person); spellings of a
    name and type that differ only by a hyphen inside a word against a space are one entity, named by the
    most written ("Kim Jong-un" → "Kim Jong Un", ``name_links.variant_targets``); then a one-word person name takes the full person name it is the last (or first) word of, when that name
    is unambiguous or ``DOMINANCE`` times as mentioned as the next ("Trump" → "Donald Trump"). The
    result is the mention's ``entity_key``.

    Every name key that resolves elsewhere is kept as a redirect row (``merged_into_key`` = the key
    it resolves to), whether it was loaded by an earlier run or only seen now: the same mentions give
    the same rows whatever the order and split into runs, and an old key still answers. Existing
    entities whose resolution changes are returned with their new ``merged_into_key`` (the loader
    repoints their facts in the same transaction). ``relations`` maps a case-folded name to
    (relation, related canonical name, related coarse type), e.g. a demonym to its country.
    Canonical spellings follow ``spelling_rank``, entity types the most frequent entity label.

    ``open_keys`` (default: all) are the existing keys whose resolution this batch may change; every
    other existing row keeps the resolution it was loaded with (its ``merged_into_key``), so a caller
    may pass only the part of the warehouse the batch's names reach (``entity_probes``), as long as
    the open keys come with everything their decision reads. The loaded redirect rows pointing at those
    entities may then come ``gathered`` per entity instead (GATHERED_SCHEMA; not also as rows of
    ``existing``): the rows written are the same as with those rows given one by one.
    """
    existing = ENTITY_SCHEMA.to_frame() if existing is None else existing.select(ENTITY_SCHEMA.names())
    votes = VOTE_SCHEMA.to_frame() if votes is None else votes.select(VOTE_SCHEMA.names())
    if mentions.is_empty():
        return RESOLVED_MENTION_SCHEMA.to_frame(), ENTITY_SCHEMA.to_frame()
    names = mentions.get_column("canonical_name").to_list()
    own_coarse = mentions.get_column("coarse_type").to_list()
    # (a batch names the same few thousand entities over and over: one key per distinct name)
    key_of: dict[tuple[str, str], str] = {}
    name_keys = [key_of.get((n, c)) or key_of.setdefault((n, c), entity_key(n, c))
                 for n, c in zip(names, own_coarse, strict=True)]
    table = _name_table(existing, votes, mentions.with_columns(name_key=pl.Series(name_keys, dtype=pl.String)))
    chosen, mentions_of = _coarse_by_name(table)
    # spellings of one name ("Kim Jong-un", "Kim Jong Un") first: the other links read them as one name
    variant_target = variant_targets(chosen, mentions_of)
    linked, linked_mentions = merge_variants(chosen, mentions_of, variant_target)
    person_target = person_targets(linked, linked_mentions)
    org_target = place_named_targets(linked, linked_mentions)

    def final_folded(key: str) -> tuple[str, str]:
        folded = table.spelling[key].casefold()
        coarse = chosen[folded]
        folded = variant_target.get(folded, folded)
        if coarse == "person":
            return person_target.get(folded, folded), coarse
        if folded in org_target:
            return org_target[folded], "organization"
        return folded, coarse

    settled = _settled(existing, open_keys, set(name_keys))
    final_of = {key: settled.get(key) or entity_key(*final_folded(key)) for key in table.spelling}
    entity_keys = [final_of[k] for k in name_keys]
    keyed = mentions.with_columns(
        canonical_name=pl.Series(names, dtype=pl.String),
        entity_key=pl.Series(entity_keys, dtype=pl.String),
        name_key=pl.Series(name_keys, dtype=pl.String),
        mention_key=pl.Series(
            [
                make_key(d, s, e)
                for d, s, e in zip(
                    mentions.get_column("document_key"),
                    mentions.get_column("start_char"),
                    mentions.get_column("end_char"),
                    strict=True,
                )
            ],
            dtype=pl.String,
        ),
    )
    if gathered is not None:
        table.gathered = {
            key: (names, dict(zip(labels, counts, strict=True)))
            for key, names, labels, counts in gathered.select(GATHERED_SCHEMA.names()).iter_rows()
        }
    entities = _entity_rows(table, final_of, existing, keyed, relations or {})
    return keyed.select(RESOLVED_MENTION_SCHEMA.names()), entities


@dataclass
class _NameTable:
    """Every name key known (the warehouse's and the batch's): spellings, coarse type, mentions per label."""

    spellings: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    key_coarse: dict[str, str] = field(default_factory=dict)
    label_counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    spelling: dict[str, str] = field(default_factory=dict)  # the preferred spelling (``spelling_rank``)
    # key → (aliases, mentions per label) of the loaded redirect rows pointing at it given gathered
    gathered: dict[str, tuple[list[str], dict[str, int]]] = field(default_factory=dict)


def _name_table(existing: pl.DataFrame, votes: pl.DataFrame, mentions: pl.DataFrame) -> _NameTable:
    table = _NameTable()
    for key, name, coarse in existing.select("entity_key", "canonical_name", "coarse_type").iter_rows():
        table.spellings[key].add(name)
        table.key_coarse[key] = coarse
    for name_key, label, n in votes.select("name_key", "entity_label", "mentions").iter_rows():
        table.label_counts[name_key][label] += n
    for name, coarse, label, key in mentions.select(
        "canonical_name", "coarse_type", "entity_label", "name_key"
    ).iter_rows():
        table.spellings[key].add(name)
        table.key_coarse[key] = coarse
        table.label_counts[key][label] += 1
    # (one spelling needs no ranking: most loaded keys have one)
    table.spelling = {
        key: next(iter(s)) if len(s) == 1 else min(s, key=spelling_rank) for key, s in table.spellings.items()
    }
    return table


def _coarse_by_name(table: _NameTable) -> tuple[dict[str, str], dict[str, int]]:
    """(coarse type, mentions) per case-folded name: the type by majority over all its mentions."""
    by_folded: dict[str, Counter] = defaultdict(Counter)
    label_counts, key_coarse = table.label_counts, table.key_coarse
    for key, name in table.spelling.items():
        counts = label_counts.get(key)  # most loaded keys reached have no votes: no empty Counter for them
        by_folded[name.casefold()][key_coarse[key]] += sum(counts.values()) if counts else 0
    chosen = {folded: coarse_vote(c) for folded, c in by_folded.items()}
    mentions_of = {folded: sum(c.values()) for folded, c in by_folded.items()}
    return chosen, mentions_of


def _entity_rows(
    table: _NameTable,
    final_of: Mapping[str, str],
    existing: pl.DataFrame,
    keyed: pl.DataFrame,
    relations: Mapping[str, tuple[str, str, str]],
) -> pl.DataFrame:
    """Rows to upsert: every key the batch touches (its name keys and their targets), and every
    existing row whose target or spelling changes."""
    # entity_key → (canonical_name, entity_type, merged_into_key), as tuples: hundreds of thousands of loaded
    # rows reach a batch of a big warehouse (their aliases are read below for the keys feeding a touched row)
    old = {
        row[0]: row[1:]
        for row in existing.select("entity_key", "canonical_name", "entity_type", "merged_into_key").iter_rows()
    }
    name_keys = keyed.get_column("name_key").to_list()
    touched = set(name_keys) | set(keyed.get_column("entity_key").to_list())
    for key, (name, _, merged) in old.items():
        target = final_of[key]
        redirect = None if target == key else target
        if redirect != merged or table.spelling[key] != name:
            touched.update((key, target))
    touched.update(final_of[k] for k in list(touched))
    # A row's aliases and type votes come from the keys resolving to it (a redirect row's from its own key):
    # only the keys feeding a touched row are gathered.
    feeding = [key for key in table.spelling if key in touched or final_of[key] in touched]
    loaded_feeding = [key for key in feeding if key in old]
    old_aliases = dict(
        existing.filter(pl.col("entity_key").is_in(loaded_feeding)).select("entity_key", "aliases").iter_rows()
    )
    aliases: dict[str, set[str]] = defaultdict(set)
    for key in loaded_feeding:
        aliases[key].update(old_aliases[key] or ())
    for key, text in zip(name_keys, keyed.get_column("mention_text").to_list(), strict=True):
        aliases[key].add(text)
    type_counts: dict[str, Counter] = defaultdict(Counter)
    final_aliases: dict[str, set[str]] = defaultdict(set)
    for key in feeding:
        type_counts[final_of[key]].update(table.label_counts.get(key, ()))
        final_aliases[final_of[key]].update(aliases[key])
    # loaded redirect rows given gathered feed the row they point at, as they would one by one (they keep
    # their resolution: their target is the key they point at)
    for key, (gathered_aliases, counts) in table.gathered.items():
        if key in touched:
            type_counts[key].update(counts)
            final_aliases[key].update(gathered_aliases)
    rows = []
    for key in sorted(touched):
        target = final_of[key]
        live = target == key
        name, coarse = table.spelling[key], table.key_coarse[key]
        counts = type_counts[key] if live else table.label_counts[key]
        matching = Counter({lab: n for lab, n in counts.items() if coarse_type(lab) == coarse}) or counts
        # only the group is its country's demonym: "Spanish" the language is no group of Spain
        relation = relations.get(name.casefold()) if live and coarse == "group" else None
        rows.append(
            {
                "entity_key": key,
                "canonical_name": name,
                "entity_type": _vote_winner(matching, {}) if matching else old[key][1],
                "coarse_type": coarse,
                "aliases": sorted(final_aliases[key] if live else aliases[key]),
                "merged_into_key": None if live else target,
                "related_entity_key": entity_key(relation[1], relation[2]) if relation else None,
                "relation": relation[0] if relation else None,
            }
        )
    return pl.DataFrame(rows, schema=ENTITY_SCHEMA)
