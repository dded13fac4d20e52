"""Event mentions → events: actors keyed, dates anchored, reports of one real-world event merged.

``key_event_mentions`` attaches entity keys and anchored dates to the mentions of a run;
``resolve_events`` merges them into events by the rules of ``transforms.event_merge`` (GDELT's
event/mention split without counting reports as events). Keys come from the founding mention's
content, so a rerun gives the same keys, and a later run attaches its reports to the events already
in the warehouse (passed in as ``existing``).
"""

import datetime as dt
from collections import Counter, defaultdict

import polars as pl
from dateline.transforms.date_anchor import anchor_date
from dateline.transforms.dates import PRECISION_RANK, publication_date
from dateline.transforms.entities import entity_key
from dateline.transforms.event_groups import group_key
from dateline.transforms.event_merge import (
    Cluster,
    choose_cluster,
    dates_compatible,
    found_cluster,
    participants,
)
from dateline.transforms.events import EVENT_MENTION_SCHEMA, SYMMETRIC_CODES
from dateline.transforms.frames import rows_frame
from dateline.transforms.keys import date_key, make_key

__all__ = [
    "EVENT_MENTION_ROW_SCHEMA", "EVENT_SCHEMA", "EXISTING_EVENT_SCHEMA", "KEYED_MENTION_SCHEMA", "POLARITY",
    "dates_compatible", "demonym_countries", "event_documents", "key_event_mentions", "participants",
    "resolve_events",
]

KEYED_MENTION_SCHEMA = pl.Schema(
    {
        **EVENT_MENTION_SCHEMA,
        "actor1_entity_keys": pl.List(pl.String),
        "actor2_entity_keys": pl.List(pl.String),
        "location_entity_key": pl.String,
        "published_date": pl.Date,
        "source_key": pl.String,
        "event_date": pl.Date,
        "date_precision": pl.String,
        "published_precision": pl.String,  # day / month / year of published_date (null: day)
    }
)
EVENT_SCHEMA = pl.Schema(
    {
        "event_key": pl.String,
        "event_type_key": pl.String,
        "event_code": pl.String,
        "actor1_entity_key": pl.String,
        "actor2_entity_key": pl.String,
        "location_entity_key": pl.String,
        "date_key": pl.Int32,
        "event_date": pl.Date,
        "date_precision": pl.String,
        "mode": pl.String,
        "polarity": pl.String,  # real (asserted or planned) / negated / hypothetical
        "participants": pl.String,  # the merge signature of the actor set
        "actor1_entity_keys": pl.List(pl.String),
        "actor2_entity_keys": pl.List(pl.String),
        "quantity": pl.Float64,
        "quantity_unit": pl.String,
        "num_mentions": pl.Int32,
        "num_documents": pl.Int32,
        "num_sources": pl.Int32,
        "first_reported": pl.Date,
        "last_reported": pl.Date,
    }
)
EVENT_MENTION_ROW_SCHEMA = pl.Schema(
    {
        "event_mention_key": pl.String,
        "event_key": pl.String,
        "document_key": pl.String,
        "sentence_index": pl.Int32,
        "trigger": pl.String,
        "sentence": pl.String,
        "modality": pl.String,
        "confidence": pl.Float64,
        "trigger_lemma": pl.String,
        "event_code": pl.String,
        "mode": pl.String,
        "start_char": pl.Int64,
        "end_char": pl.Int64,
        "actor1_entity_key": pl.String,
        "actor2_entity_key": pl.String,
        "location_entity_key": pl.String,
        "quantity": pl.Float64,
        "quantity_unit": pl.String,
        "quantity_text": pl.String,
        "date_text": pl.String,
        "mention_date": pl.Date,
        "date_precision": pl.String,
    }
)
# What the merge needs to know of the events already in the warehouse.
EXISTING_EVENT_SCHEMA = pl.Schema(
    {
        "event_key": pl.String,
        "event_code": pl.String,
        "mode": pl.String,
        "polarity": pl.String,
        "participants": pl.String,
        "event_date": pl.Date,
        "date_precision": pl.String,
        "first_reported": pl.Date,
        "last_reported": pl.Date,
    }
)
POLARITY = {"asserted": "real", "planned": "real", "negated": "negated", "hypothetical": "hypothetical"}


def event_documents(documents: pl.DataFrame, today: dt.date | None = None) -> pl.DataFrame:
    """(document_key, published_date, published_precision, source_key) for anchoring.

    Dated as normalize dates a run's documents (``dates.publication_date``): the given date at its
    precision (``published_precision`` when the frame has it, else day), a day the body pins inside a
    given month or year, else a day inferred from the body. For texts that did not go through
    normalize (evaluation corpora); the flow's documents already carry normalize's date. ``today`` is
    the run's date (default: the clock's).
    """
    today = today or dt.date.today()
    if "published_precision" not in documents.columns:
        documents = documents.with_columns(
            published_precision=pl.when(pl.col("published_date").is_not_null()).then(pl.lit("day"))
        )
    dated = [
        publication_date(given, precision, body or "", today=today)[:2]
        for given, precision, body in documents.select("published_date", "published_precision", "body").iter_rows()
    ]
    return documents.select("document_key", "source_key").with_columns(
        published_date=pl.Series([d for d, _ in dated], dtype=pl.Date),
        published_precision=pl.Series([p for _, p in dated], dtype=pl.String),
    )


# The columns of a keyed report the merge reads (choose_cluster, Cluster.add, _event_row, natural_key).
MERGE_COLUMNS = (
    "document_key", "sentence_index", "trigger_start", "trigger_lemma", "event_code", "mode", "modality",
    "actor1_entity_keys", "actor2_entity_keys", "location_entity_key", "quantity", "quantity_unit",
    "published_date", "published_precision", "source_key", "event_date", "date_precision",
)


def demonym_countries(aliases: list[dict]) -> dict[str, str]:
    """entity_key of a demonym ("Russian", a group) → entity_key of its country, from the alias table rows."""
    return {
        entity_key(row["alias"], "group"): entity_key(row["canonical_name"], "location")
        for row in aliases
        if row.get("kind") == "demonym"
    }


def key_event_mentions(
    mentions: pl.DataFrame,
    entity_mentions: pl.DataFrame,
    documents: pl.DataFrame,
    countries: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """Attach entity keys to actor spans and anchor each mention's date (KEYED_MENTION_SCHEMA).

    ``entity_mentions`` are resolved entity mentions (document_key, start_char, entity_key);
    ``documents`` give document_key, published_date (nullable), source_key and optionally
    published_precision (day / month / year; day when absent), which bounds how precisely a date
    relative to the publication can be anchored. An unnamed group actor (the row's ``group_*``
    columns) takes its per-document key (``event_groups.group_key``); any other actor span with
    no resolved entity (e.g. dropped as a number) is dropped from the actor list. As an actor, a
    demonym stands for its country ("Russian troops" are Russia's): ``countries`` (demonym_countries)
    maps it when that country is an entity of the same run, so the key always resolves. ``today`` is
    the run's date (default: the clock's), which bounds how far ahead a planned event's date can lie.
    """
    today = today or dt.date.today()
    present = set(entity_mentions.get_column("entity_key").to_list())
    actor_key = {k: c for k, c in (countries or {}).items() if c in present}
    spans = {
        (d, s): actor_key.get(k, k)
        for d, s, k in entity_mentions.select("document_key", "start_char", "entity_key").iter_rows()
    }
    if "published_precision" not in documents.columns:
        documents = documents.with_columns(published_precision=pl.lit("day"))
    docs = {
        d: (p, s, q)
        for d, p, s, q in documents.select(
            "document_key", "published_date", "source_key", "published_precision"
        ).iter_rows()
    }
    # Only the columns the keys and dates are made of go through Python; the mention's other columns
    # stay in the frame, and the new ones are added to it (one pass, no frame rebuilt from row dicts).
    needed = ("document_key", "group_starts", "group_names", "date_text", "tense", "actor1_starts",
              "actor2_starts", "location_start")
    added: dict[str, list] = {name: [] for name in _KEYED_COLUMNS}
    for doc, group_starts, group_names, date_text, tense, actor1, actor2, location in mentions.select(
        [pl.col(c) if c in mentions.columns else pl.lit(None).alias(c) for c in needed]
    ).iter_rows():
        groups = {
            start: group_key(doc, name) for start, name in zip(group_starts or (), group_names or (), strict=True)
        }
        published, source, published_precision = docs.get(doc, (None, None, None))
        if published is None:
            published_precision = None
        date, precision = anchor_date(date_text, published, tense or "past", published_precision, today=today)
        for name, value in zip(_KEYED_COLUMNS, (
            _keys(spans, groups, doc, actor1), _keys(spans, groups, doc, actor2), spans.get((doc, location)),
            published, source, date, precision, published_precision,
        ), strict=True):
            added[name].append(value)
    return mentions.with_columns(
        [pl.Series(name, values, dtype=KEYED_MENTION_SCHEMA[name]) for name, values in added.items()]
    ).select(
        [pl.col(c) if c in mentions.columns or c in added else pl.lit(None).alias(c) for c in KEYED_MENTION_SCHEMA]
    ).cast(dict(KEYED_MENTION_SCHEMA))


# The columns key_event_mentions adds to the mentions, in the order it computes them.
_KEYED_COLUMNS = ("actor1_entity_keys", "actor2_entity_keys", "location_entity_key", "published_date", "source_key",
                  "event_date", "date_precision", "published_precision")


def _keys(spans: dict, groups: dict[int, str], document_key: str, starts: list[int]) -> list[str]:
    keys = []
    for start in starts:
        key = spans.get((document_key, start)) or groups.get(start)
        if key is not None and key not in keys:
            keys.append(key)
    return keys


def resolve_events(keyed: pl.DataFrame, existing: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keyed mentions (KEYED_MENTION_SCHEMA) → (new EVENT_SCHEMA rows, EVENT_MENTION_ROW_SCHEMA rows).

    ``existing`` (EXISTING_EVENT_SCHEMA) are events already loaded: mentions that match one are
    attached to it and no new event row is made for it. An optional ``trigger_lemmas`` column (the
    look-ups give it) holds the lemmas of each loaded event's reports, which an undated report naming
    one side needs to share. Counts and report dates on the new event rows
    cover this run's mentions only; the loader recomputes them over all reports.
    """
    clusters: list[Cluster] = []
    used_keys: set[str] = set()
    # Only clusters with the same category, polarity and actor set can merge: index them by that.
    index: dict[tuple[str, str, str], list[Cluster]] = defaultdict(list)
    if existing is not None:
        for row in existing.sort("event_key").iter_rows(named=True):
            cluster = Cluster(row["event_key"], row["event_code"], row["mode"], row["polarity"],
                               row["participants"], row["event_date"], row["date_precision"], None, existing=True)
            cluster.lemmas.update(row.get("trigger_lemmas") or ())
            if row["first_reported"] is not None:
                cluster.reported.append((None, (row["first_reported"], row["last_reported"] or row["first_reported"])))
            clusters.append(cluster)
            used_keys.add(cluster.event_key)
            index[(cluster.code, cluster.polarity, cluster.participants)].append(cluster)
    ordered = keyed.sort(
        pl.col("date_precision").replace_strict(PRECISION_RANK, return_dtype=pl.Int32),
        "event_date", "document_key", "trigger_start", "event_code", nulls_last=True,
    )
    # The merge reads these columns of a report (as a member of its event too); the others (the
    # sentence, the spans) go from ``ordered`` to the mention rows without passing through Python.
    event_keys: list[str] = []
    for row in ordered.select(MERGE_COLUMNS).iter_rows(named=True):
        signature = participants(row["event_code"], row["actor1_entity_keys"], row["actor2_entity_keys"])
        polarity = POLARITY[row["modality"]]
        # Actor-less reports only ever merge within their sentence, so their bucket is that sentence.
        slot = signature or f"\x00{row['document_key']}:{row['sentence_index']}"
        bucket = index[(row["event_code"], polarity, slot)]
        cluster = choose_cluster(bucket, row, signature, polarity)
        if cluster is None:
            cluster = found_cluster(row, signature, polarity, used_keys)
            clusters.append(cluster)
            bucket.append(cluster)
        cluster.add(row)
        event_keys.append(cluster.event_key)
    events = [_event_row(cluster) for cluster in clusters if cluster.members and not cluster.existing]
    # an event's day in dim_date, when its date is known to the day
    event_frame = rows_frame(events, EVENT_SCHEMA).with_columns(
        date_key=pl.when(pl.col("date_precision") == "day").then(date_key(pl.col("event_date")))
    )
    return event_frame.sort("event_key"), _mention_rows(ordered, event_keys).sort("event_mention_key")


def _mention_rows(reports: pl.DataFrame, event_keys: list[str]) -> pl.DataFrame:
    """One EVENT_MENTION_ROW_SCHEMA row per keyed report, with the key of the event it merged into."""
    mention_keys = [
        make_key(document, start, code)
        for document, start, code in reports.select("document_key", "trigger_start", "event_code").iter_rows()
    ]
    return reports.select(
        pl.Series("event_mention_key", mention_keys, dtype=pl.String),
        pl.Series("event_key", event_keys, dtype=pl.String),
        "document_key", "sentence_index", "trigger", "sentence", "modality", "confidence", "trigger_lemma",
        "event_code", "mode",
        pl.col("trigger_start").alias("start_char"),
        pl.col("trigger_end").alias("end_char"),
        pl.col("actor1_entity_keys").list.first().alias("actor1_entity_key"),
        pl.col("actor2_entity_keys").list.first().alias("actor2_entity_key"),
        "location_entity_key", "quantity", "quantity_unit", "quantity_text", "date_text",
        pl.col("event_date").alias("mention_date"),
        "date_precision",
    ).cast(dict(EVENT_MENTION_ROW_SCHEMA))


def _event_row(cluster: Cluster) -> dict:
    members = cluster.members
    first = members[0]
    if cluster.code in SYMMETRIC_CODES:
        # Order-free for merging, but the side a participant is most often reported on (the visitor,
        # the caller) is shown as actor1.
        as_actor1 = Counter(k for m in members for k in m["actor1_entity_keys"])
        people = sorted(
            {k for m in members for k in m["actor1_entity_keys"] + m["actor2_entity_keys"]},
            key=lambda k: (-as_actor1[k], k),
        )
        actor1_keys, actor2_keys = people[:1], people[1:]
    else:
        actor1_keys = sorted({k for m in members for k in m["actor1_entity_keys"]})
        actor2_keys = sorted({k for m in members for k in m["actor2_entity_keys"]} - set(actor1_keys))
    locations = Counter(m["location_entity_key"] for m in members if m["location_entity_key"])
    quantities = [(m["quantity"], m["quantity_unit"]) for m in members if m["quantity"] is not None]
    reported = [m["published_date"] for m in members if m["published_date"] is not None]
    modes = {m["mode"] for m in members if m["mode"]}
    date = cluster.date
    return {
        "event_key": cluster.event_key,
        "event_type_key": make_key(cluster.code),
        "event_code": cluster.code,
        "actor1_entity_key": actor1_keys[0] if actor1_keys else None,
        "actor2_entity_key": actor2_keys[0] if actor2_keys else None,
        "location_entity_key": min(locations, key=lambda k: (-locations[k], k)) if locations else None,
        "date_key": None,  # resolve_events derives it from event_date and date_precision
        "event_date": date,
        "date_precision": cluster.precision,
        "mode": next((m for m in ("call", "visit", "meet") if m in modes), None),
        "polarity": cluster.polarity,
        "participants": cluster.participants,
        "actor1_entity_keys": actor1_keys,
        "actor2_entity_keys": actor2_keys,
        "quantity": max(quantities)[0] if quantities else None,
        "quantity_unit": max(quantities)[1] if quantities else None,
        "num_mentions": len(members),
        "num_documents": len({m["document_key"] for m in members}),
        "num_sources": len({m["source_key"] for m in members if m["source_key"]}) or 1,
        "first_reported": min(reported) if reported else None,
        "last_reported": max(reported) if reported else first["published_date"],
    }
