"""Entity mentions from spaCy Docs, and the canonical entities they resolve to.

Only named-entity labels become entities; numbers, dates and amounts (CARDINAL, DATE, ...) never do.
The canonical name of a mention comes from ``transforms.entity_components`` (the pipeline's
``dateline_canonical`` step) when the pipeline has it, else from ``canonical_form`` of its text.
"""

import csv
from bisect import bisect_right
from collections import Counter
from importlib import resources

import polars as pl
from spacy.tokens import Doc, Span

from transforms.entity_components import COARSE_TYPES, ENTITY_LABELS, canonical_text, short_form_target
from transforms.keys import make_key

COARSE_TYPE_VALUES = ("person", "organization", "location", "group", "other")
ALIAS_KINDS = ("country", "demonym", "capital", "organization")

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
        "entity_label": pl.String,  # spaCy label of the entity ("Russian" as a noun: NORP mention of a GPE)
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
    }
)

ENTITY_SCHEMA = pl.Schema(
    {
        "entity_key": pl.String,
        "canonical_name": pl.String,
        "entity_type": pl.String,  # most frequent entity label of the entity's mentions
        "coarse_type": pl.String,
        "aliases": pl.List(pl.String),  # every surface form seen, sorted
    }
)

ALIAS_SCHEMA = pl.Schema(
    {"alias": pl.String, "canonical_name": pl.String, "label": pl.String, "kind": pl.String}
)


def load_aliases() -> list[dict]:
    """The alias table shipped with Dateline (``transforms/data/aliases.csv``), one dict per row."""
    with resources.files("transforms").joinpath("data/aliases.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_titles() -> list[str]:
    """Person titles dropped from canonical names (``transforms/data/entity_titles.csv``)."""
    with resources.files("transforms").joinpath("data/entity_titles.csv").open(encoding="utf-8") as handle:
        return [row["title"] for row in csv.DictReader(handle)]


def canonical_form(text: str) -> str:
    """Canonical spelling of a mention: no leading "the", no trailing possessive, single spaces."""
    return canonical_text(text)


def coarse_type(label: str) -> str:
    return COARSE_TYPES.get(label, "other")


def entity_key(canonical_name: str, coarse_type: str) -> str:
    """The deterministic key of an entity: its coarse type and case-folded canonical name."""
    return make_key(coarse_type, canonical_name.casefold())


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


def resolve_entities(
    mentions: pl.DataFrame, existing: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mentions (MENTION_SCHEMA) → (RESOLVED_MENTION_SCHEMA rows, ENTITY_SCHEMA rows).

    ``existing`` holds entities already in the warehouse (ENTITY_SCHEMA columns). Across documents:
    a person's one-word name links to the one longer person name (in this batch or ``existing``) that
    starts or ends with it; a name keeps the coarse type it already has in ``existing``, else takes
    its most frequent one in the batch; then the same canonical name (case-folded) and coarse type
    share one ``entity_key``. Returned entities carry the union of their existing and new aliases.
    """
    existing = ENTITY_SCHEMA.to_frame() if existing is None else existing.select(ENTITY_SCHEMA.names())
    if mentions.is_empty():
        return RESOLVED_MENTION_SCHEMA.to_frame(), ENTITY_SCHEMA.to_frame()

    full_persons = sorted(
        {
            n
            for n in mentions.filter(pl.col("coarse_type") == "person").get_column("canonical_name")
            if " " in n
        }
        | {
            n
            for n in existing.filter(pl.col("coarse_type") == "person").get_column("canonical_name")
            if " " in n
        }
    )
    # Index full names by their first and last word: one lookup per short name, not a scan of all names.
    by_edge_word: dict[str, list[str]] = {}
    for full in full_persons:
        words = full.split()
        for word in {words[0], words[-1]}:
            by_edge_word.setdefault(word, []).append(full)
    canonical = {}
    for name in mentions.filter(pl.col("coarse_type") == "person").get_column("canonical_name").unique():
        if " " not in name:
            target = short_form_target(name, by_edge_word.get(name, ()))
            if target is not None:
                canonical[name] = target
    names = mentions.get_column("canonical_name").to_list()
    coarse = mentions.get_column("coarse_type").to_list()
    names = [canonical.get(n, n) if c == "person" else n for n, c in zip(names, coarse, strict=True)]

    known_coarse: dict[str, str] = {}
    for row in existing.sort("entity_key").iter_rows(named=True):
        known_coarse.setdefault(row["canonical_name"].casefold(), row["coarse_type"])
    counts: dict[str, Counter] = {}
    for name, c in zip(names, coarse, strict=True):
        counts.setdefault(name.casefold(), Counter())[c] += 1
    chosen = {
        folded: known_coarse.get(folded)
        or sorted(c.items(), key=lambda kv: (-kv[1], _COARSE_ORDER.get(kv[0], 99)))[0][0]
        for folded, c in counts.items()
    }
    coarse = [chosen[n.casefold()] for n in names]
    keyed = mentions.with_columns(
        canonical_name=pl.Series(names, dtype=pl.String),
        coarse_type=pl.Series(coarse, dtype=pl.String),
        entity_key=pl.Series([entity_key(n, c) for n, c in zip(names, coarse, strict=True)], dtype=pl.String),
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
    entities = (
        keyed.sort("document_key", "start_char", "end_char")
        .group_by("entity_key", maintain_order=True)
        .agg(
            canonical_name=pl.col("canonical_name").mode().sort().first(),
            entity_type=pl.col("entity_label").mode().sort().first(),
            coarse_type=pl.col("coarse_type").first(),
            aliases=pl.col("mention_text").unique(),
        )
    )
    if not existing.is_empty():
        old = existing.select(
            "entity_key", old_name="canonical_name", old_type="entity_type", old_aliases="aliases"
        )
        entities = entities.join(old, on="entity_key", how="left").with_columns(
            canonical_name=pl.coalesce("old_name", "canonical_name"),
            entity_type=pl.coalesce("old_type", "entity_type"),
            aliases=pl.concat_list(pl.col("aliases"), pl.col("old_aliases").fill_null([])),
        )
    entities = entities.with_columns(aliases=pl.col("aliases").list.unique().list.sort()).sort("entity_key")
    return keyed.select(RESOLVED_MENTION_SCHEMA.names()), entities.select(ENTITY_SCHEMA.names())
