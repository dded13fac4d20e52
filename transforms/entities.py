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

import polars as pl
from spacy.tokens import Doc, Span

from transforms.entity_components import COARSE_TYPES, ENTITY_LABELS, canonical_text
from transforms.keys import make_key

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
# A one-word person name links to the most-mentioned full name ending in it when that name has at least
# this many times the mentions of the next one ("Trump": Donald Trump over Ivanka Trump).
DOMINANCE = 3
# A short organization name links to "PLACE + name" only when that full name has at least one mention for
# every PLACE_NAME_SHARE of the short name's (a generic short name is its own entity).
PLACE_NAME_SHARE = 10


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


def _vote_winner(counts: Counter, order: dict[str, int]) -> str:
    return sorted(counts.items(), key=lambda kv: (-kv[1], order.get(kv[0], 99), kv[0]))[0][0]


def resolve_entities(
    mentions: pl.DataFrame,
    existing: pl.DataFrame | None = None,
    votes: pl.DataFrame | None = None,
    relations: Mapping[str, tuple[str, str, str]] | None = None,
    open_keys: Collection[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Mentions (MENTION_SCHEMA) → (RESOLVED_MENTION_SCHEMA rows, ENTITY_SCHEMA rows to upsert).

    Every mention has a *name key*: its within-document canonical name and its own coarse type. Over
    all mentions of the warehouse and the batch (``existing`` entities, ``votes`` = the warehouse's
    mention counts per name key and entity label, VOTE_SCHEMA), each case-folded name takes the coarse
    type most of its mentions have ("Trump" tagged ORG here and there is still a person); then a
    one-word person name takes the full person name it is the last (or first) word of, when that name
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
    the open keys come with everything their decision reads.
    """
    existing = ENTITY_SCHEMA.to_frame() if existing is None else existing.select(ENTITY_SCHEMA.names())
    votes = VOTE_SCHEMA.to_frame() if votes is None else votes.select(VOTE_SCHEMA.names())
    relations = relations or {}
    if mentions.is_empty():
        return RESOLVED_MENTION_SCHEMA.to_frame(), ENTITY_SCHEMA.to_frame()

    names = mentions.get_column("canonical_name").to_list()
    own_coarse = mentions.get_column("coarse_type").to_list()
    labels = mentions.get_column("entity_label").to_list()
    name_keys = [entity_key(n, c) for n, c in zip(names, own_coarse, strict=True)]

    # Every name key known: (spellings, coarse type) and its mention counts per entity label.
    spellings: dict[str, set[str]] = defaultdict(set)
    key_coarse: dict[str, str] = {}
    label_counts: dict[str, Counter] = defaultdict(Counter)  # per name key
    for row in existing.iter_rows(named=True):
        spellings[row["entity_key"]].add(row["canonical_name"])
        key_coarse[row["entity_key"]] = row["coarse_type"]
    for name_key, label, n in votes.select("name_key", "entity_label", "mentions").iter_rows():
        label_counts[name_key][label] += n
    for name, coarse, label, key in zip(names, own_coarse, labels, name_keys, strict=True):
        spellings[key].add(name)
        key_coarse[key] = coarse
        label_counts[key][label] += 1
    spelling = {key: min(s, key=spelling_rank) for key, s in spellings.items()}
    total = {key: sum(label_counts[key].values()) for key in spelling}

    # Coarse type per case-folded name, by majority over all its mentions.
    by_folded: dict[str, Counter] = defaultdict(Counter)
    for key, name in spelling.items():
        by_folded[name.casefold()][key_coarse[key]] += total[key]
    chosen = {folded: _vote_winner(c, _COARSE_ORDER) for folded, c in by_folded.items()}
    mentions_of = {folded: sum(c.values()) for folded, c in by_folded.items()}

    # A full name without its middle names → the one longer name with the same first and last words
    # ("Mark Heller" → "Mark Jay Heller").
    persons = sorted(f for f, c in chosen.items() if c == "person" and " " in f)
    by_ends: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folded in persons:
        words = folded.split()
        by_ends[(words[0], words[-1])].append(folded)
    person_target: dict[str, str] = {}
    for folded in persons:
        words = folded.split()
        longer = [f for f in by_ends[(words[0], words[-1])] if len(f.split()) > len(words)]
        target = _dominant(longer, mentions_of)
        if target is not None:
            person_target[folded] = target
    # One-word person names → the full person name they end (or begin), counting the mentions of the
    # names linked into each full name.
    resolved_mentions: Counter = Counter()
    for folded in persons:
        resolved_mentions[person_target.get(folded, folded)] += mentions_of[folded]
    full_by_word: dict[tuple[str, str], list[str]] = defaultdict(list)
    for folded in resolved_mentions:
        words = folded.split()
        full_by_word[("last", words[-1])].append(folded)
        full_by_word[("first", words[0])].append(folded)
    for folded, coarse in chosen.items():
        if coarse != "person" or " " in folded:
            continue
        target = _dominant(full_by_word.get(("last", folded), ()), resolved_mentions)
        if target is None:
            first = full_by_word.get(("first", folded), ())
            target = first[0] if len(first) == 1 else None  # first names only when unambiguous
        if target is not None:
            person_target[folded] = target

    # An organization named after its place goes by the rest of its name ("Indianapolis Colts" →
    # "Colts", "Boston Red Sox" → "Red Sox"): that short name links to the one (or dominant) such name.
    by_rest: dict[str, list[str]] = defaultdict(list)
    for folded, coarse in chosen.items():
        words = folded.split()
        if coarse != "organization" or len(words) < 2:
            continue
        for cut in range(1, len(words)):
            if chosen.get(" ".join(words[:cut])) == "location":
                by_rest[" ".join(words[cut:])].append(folded)
    # Only when the full name is attested at least 1/PLACE_NAME_SHARE as often as the short one: "the
    # House" (hundreds of mentions) is not "the Florida House" (a few), nor "Democratic Party" the
    # "California Democratic Party"; "Colts" beside a well-attested "Indianapolis Colts" is.
    org_target: dict[str, str] = {}
    for folded, coarse in chosen.items():
        if coarse in ("organization", "group") and folded in by_rest:
            target = _dominant(by_rest[folded], mentions_of)
            if target is not None and mentions_of[target] * PLACE_NAME_SHARE >= mentions_of[folded]:
                org_target[folded] = target

    def final_folded(key: str) -> tuple[str, str]:
        folded = spelling[key].casefold()
        coarse = chosen[folded]
        if coarse == "person":
            return person_target.get(folded, folded), coarse
        if folded in org_target:
            return org_target[folded], "organization"
        return folded, coarse

    batch_keys = set(name_keys)
    settled = {} if open_keys is None else {
        row["entity_key"]: row["merged_into_key"] or row["entity_key"]
        for row in existing.iter_rows(named=True)
        if row["entity_key"] not in open_keys and row["entity_key"] not in batch_keys
    }
    final_of = {key: settled.get(key) or entity_key(*final_folded(key)) for key in spelling}

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

    # Rows to upsert: every key the batch touches (its name keys and their targets), and every
    # existing row whose target or spelling changes.
    old = {row["entity_key"]: row for row in existing.iter_rows(named=True)}
    aliases: dict[str, set[str]] = defaultdict(set)
    for key, row in old.items():
        aliases[key].update(row["aliases"] or ())
    for key, text in zip(name_keys, keyed.get_column("mention_text").to_list(), strict=True):
        aliases[key].add(text)
    type_counts: dict[str, Counter] = defaultdict(Counter)
    for key, counts in label_counts.items():
        type_counts[final_of[key]].update(counts)
    final_aliases: dict[str, set[str]] = defaultdict(set)
    for key in spelling:
        final_aliases[final_of[key]].update(aliases[key])
    touched = set(name_keys) | set(entity_keys)
    for key, row in old.items():
        target = final_of[key]
        redirect = None if target == key else target
        if redirect != row["merged_into_key"] or spelling[key] != row["canonical_name"]:
            touched.update((key, target))
    touched.update(final_of[k] for k in list(touched))
    rows = []
    for key in sorted(touched):
        target = final_of[key]
        live = target == key
        name, coarse = spelling[key], key_coarse[key]
        counts = type_counts[key] if live else label_counts[key]
        matching = Counter({lab: n for lab, n in counts.items() if coarse_type(lab) == coarse}) or counts
        # only the group is its country's demonym: "Spanish" the language is no group of Spain
        relation = relations.get(name.casefold()) if live and coarse == "group" else None
        rows.append(
            {
                "entity_key": key,
                "canonical_name": name,
                "entity_type": _vote_winner(matching, {}) if matching else old[key]["entity_type"],
                "coarse_type": coarse,
                "aliases": sorted(final_aliases[key] if live else aliases[key]),
                "merged_into_key": None if live else target,
                "related_entity_key": entity_key(relation[1], relation[2]) if relation else None,
                "relation": relation[0] if relation else None,
            }
        )
    entities = pl.DataFrame(rows, schema=ENTITY_SCHEMA)
    return keyed.select(RESOLVED_MENTION_SCHEMA.names()), entities


def _dominant(candidates: Iterable[str], mentions_of: Mapping[str, int]) -> str | None:
    ranked = sorted(candidates, key=lambda c: (-mentions_of[c], c))
    if not ranked:
        return None
    if len(ranked) == 1 or mentions_of[ranked[0]] >= DOMINANCE * mentions_of[ranked[1]]:
        return ranked[0]
    return None


# Probes that find, among the loaded entities, those a batch's names can decide or be decided by
# (``resolve_entities`` with ``open_keys``). kind: key (an entity_key), first / last (multi-word names
# with that first / last word), ends (multi-word names with both), prefix / suffix (names starting with
# the value and a space / ending in a space and the value). Values are case-folded.
PROBE_SCHEMA = pl.Schema({"kind": pl.String, "value": pl.String, "first_word": pl.String, "last_word": pl.String})


def _keys_of(folded: str) -> list[tuple[str, str, str | None, str | None]]:
    return [("key", entity_key(folded, c), None, None) for c in COARSE_TYPE_VALUES]


def _probe_frame(rows: Iterable[tuple[str, str, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(sorted(set(rows), key=lambda r: (r[0], r[1], r[2] or "", r[3] or "")),
                        schema=PROBE_SCHEMA, orient="row")


def seed_probes(batch: Iterable[str]) -> pl.DataFrame:
    """Probes for the loaded names whose resolution the batch's case-folded names may change.

    A name's own keys (every coarse type: its type is a vote over them); for a multi-word name, the
    one-word names of its first and last word (a short person name links to the full name it ends or
    begins) and the multi-word names with the same first and last words (middle names); every name
    ending in one of its last words (an organization named after its place goes by the rest); the
    names starting with it (it may be the place such an organization is named after).
    """
    rows = []
    for folded in batch:
        words = folded.split()
        rows += _keys_of(folded)
        rows.append(("prefix", folded, words[0], None))
        for cut in range(1, len(words)):
            rows += _keys_of(" ".join(words[cut:]))
        if len(words) > 1:
            rows += _keys_of(words[0]) + _keys_of(words[-1])
            rows.append(("ends", folded, words[0], words[-1]))
    return _probe_frame(rows)


def open_names(batch: Iterable[str], reached: Iterable[str]) -> set[str]:
    """The case-folded names whose resolution may change: the batch's, and those ``seed_probes`` reached
    that a batch name decides (see there), given the case-folded names of the loaded entities reached."""
    batch = set(batch)
    opened = set(batch)
    ends = set()
    by_first: dict[str, list[str]] = defaultdict(list)
    for folded in batch:
        words = folded.split()
        by_first[words[0]].append(folded)
        opened.update(" ".join(words[cut:]) for cut in range(1, len(words)))
        if len(words) > 1:
            opened.update((words[0], words[-1]))
            ends.add((words[0], words[-1]))
    for name in reached:
        words = name.split()
        if len(words) > 1 and (words[0], words[-1]) in ends:
            opened.add(name)
        for prefix in by_first.get(words[0], ()):
            if name.startswith(prefix + " "):
                opened.add(name[len(prefix) + 1 :])
    return opened


def input_probes(opened: Iterable[str]) -> pl.DataFrame:
    """Probes for everything the resolution of the ``opened`` names reads: their keys; the multi-word
    names sharing both end words (a multi-word name) or one of them (a one-word name); the names
    ending in them (organizations named after a place, whose places ``prefix_probes`` then adds)."""
    rows = []
    for folded in opened:
        words = folded.split()
        rows += _keys_of(folded)
        rows.append(("suffix", folded, None, words[-1]))
        if len(words) > 1:
            rows.append(("ends", folded, words[0], words[-1]))
        else:
            rows += [("first", folded, None, None), ("last", folded, None, None)]
    return _probe_frame(rows)


def prefix_probes(opened: Iterable[str], reached: Iterable[str]) -> pl.DataFrame:
    """Keys of the places before an opened name in the reached names ("indianapolis" of "indianapolis
    colts" for "colts"): whether that place is a location decides whether the longer name counts."""
    by_last: dict[str, list[str]] = defaultdict(list)
    for folded in opened:
        by_last[folded.split()[-1]].append(folded)
    rows = []
    for name in reached:
        for folded in by_last.get(name.split()[-1], ()):
            if name.endswith(" " + folded):
                rows += _keys_of(name[: -len(folded) - 1])
    return _probe_frame(rows)
