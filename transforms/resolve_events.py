"""Event mentions → events: actors keyed, dates anchored, reports of one real-world event merged.

The merge rule (GDELT's event/mention split without counting reports as events): two mentions are
one event only on evidence that they report the same happening. Always required: the same category,
the same actor set (order-free for CONSULT, AGREE and COOPERATE), compatible CONSULT modes (a call is
not a visit; a "meeting" is either) and the same polarity (asserted and planned reports of a meeting
merge; negated and hypothetical ones stay apart). Then:

* two dated mentions merge when their dates agree at the coarser of their two precisions (day or
  week); agreeing only on a month, they also need the same trigger word, the same document, or
  documents published within ``SAME_STORY_DAYS`` of each other;
* an undated mention (no date, or one at year precision, which says little about which event it is)
  needs a matching counterpart: a report of the event in its own document with the same trigger word
  (the nearest), or else a dated event (day, week or month) that another document published within
  ``SAME_STORY_DAYS`` of its own reports — the same story in the news of those days — and whose date
  lies within ``NEWS_DAYS`` of its publication, or else an undated event another document of those
  days reports with the same word. Never merely "the one compatible event": when two qualify, it
  joins neither. A CONSULT / AGREE / COOPERATE report with one known participant never merges undated;
* reports without any actor only merge within their sentence.

Keys come from the founding mention's content, so a rerun gives the same keys, and a later run
attaches its reports to the events already in the warehouse (passed in as ``existing``).
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import polars as pl

from transforms.dates import PRECISION_RANK, anchor_date, period_bounds, publication_date
from transforms.entities import entity_key
from transforms.events import EVENT_MENTION_SCHEMA, SYMMETRIC_CODES
from transforms.keys import make_key

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
# Two documents published this many days apart (or fewer) can carry the same story.
SAME_STORY_DAYS = 3
# An undated report is news of its days: the dated event it joins lies this close to its publication.
NEWS_DAYS = 7
# Dates that tell one event from another of the same actors; a year does not.
DISTINCTIVE_PRECISIONS = ("day", "week", "month")
_NEVER = (dt.date.max, dt.date.min)  # the period of an unknown publication date: near no other
POLARITY = {"asserted": "real", "planned": "real", "negated": "negated", "hypothetical": "hypothetical"}


def event_documents(documents: pl.DataFrame) -> pl.DataFrame:
    """(document_key, published_date, published_precision, source_key) for anchoring.

    Dated as normalize dates a run's documents (``dates.publication_date``): the given date at its
    precision (``published_precision`` when the frame has it, else day), a day the body pins inside a
    given month or year, else a day inferred from the body. For texts that did not go through
    normalize (evaluation corpora); the flow's documents already carry normalize's date.
    """
    if "published_precision" not in documents.columns:
        documents = documents.with_columns(
            published_precision=pl.when(pl.col("published_date").is_not_null()).then(pl.lit("day"))
        )
    dated = [
        publication_date(given, precision, body or "")[:2]
        for given, precision, body in documents.select("published_date", "published_precision", "body").iter_rows()
    ]
    return documents.select("document_key", "source_key").with_columns(
        published_date=pl.Series([d for d, _ in dated], dtype=pl.Date),
        published_precision=pl.Series([p for _, p in dated], dtype=pl.String),
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
) -> pl.DataFrame:
    """Attach entity keys to actor spans and anchor each mention's date (KEYED_MENTION_SCHEMA).

    ``entity_mentions`` are resolved entity mentions (document_key, start_char, entity_key);
    ``documents`` give document_key, published_date (nullable), source_key and optionally
    published_precision (day / month / year; day when absent), which bounds how precisely a date
    relative to the publication can be anchored. An actor span with
    no resolved entity (e.g. dropped as a number) is dropped from the actor list. As an actor, a
    demonym stands for its country ("Russian troops" are Russia's): ``countries`` (demonym_countries)
    maps it when that country is an entity of the same run, so the key always resolves.
    """
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
    rows = []
    for row in mentions.iter_rows(named=True):
        doc = row["document_key"]
        published, source, published_precision = docs.get(doc, (None, None, None))
        if published is None:
            published_precision = None
        date, precision = anchor_date(row["date_text"], published, row["tense"] or "past", published_precision)
        rows.append(
            {
                **row,
                "actor1_entity_keys": _keys(spans, doc, row["actor1_starts"]),
                "actor2_entity_keys": _keys(spans, doc, row["actor2_starts"]),
                "location_entity_key": spans.get((doc, row["location_start"])),
                "published_date": published,
                "source_key": source,
                "event_date": date,
                "date_precision": precision,
                "published_precision": published_precision,
            }
        )
    return pl.DataFrame(rows, schema=KEYED_MENTION_SCHEMA) if rows else KEYED_MENTION_SCHEMA.to_frame()


def _keys(spans: dict, document_key: str, starts: list[int]) -> list[str]:
    keys = []
    for start in starts:
        key = spans.get((document_key, start))
        if key is not None and key not in keys:
            keys.append(key)
    return keys


def participants(code: str, actor1: list[str], actor2: list[str]) -> str:
    """The actor-set signature two mentions must share to be one event ("" when no actor is known)."""
    if code in SYMMETRIC_CODES:
        return "|".join(sorted(set(actor1) | set(actor2)))
    if not actor1 and not actor2:
        return ""
    return "|".join(sorted(set(actor1))) + ">" + "|".join(sorted(set(actor2) - set(actor1)))


def dates_compatible(a: dt.date | None, a_precision: str, b: dt.date | None, b_precision: str) -> bool:
    """Whether two anchored dates can be the same day, compared at the coarser precision."""
    if a is None or b is None or a_precision == "unknown" or b_precision == "unknown":
        return True
    coarse = max(a_precision, b_precision, key=PRECISION_RANK.__getitem__)
    if coarse == "day":
        return a == b
    if coarse == "week":
        return a.isocalendar()[:2] == b.isocalendar()[:2]
    if coarse == "month":
        return (a.year, a.month) == (b.year, b.month)
    return a.year == b.year


def modes_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b or "meet" in (a, b)


def publication_period(published: dt.date | None, precision: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day a document can have been published on (None when its date is unknown)."""
    return None if published is None else period_bounds(published, precision)


def _within(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date], days: int) -> bool:
    """Whether two periods come within ``days`` of each other."""
    gap = dt.timedelta(days=days)
    return a[0] - gap <= b[1] and b[0] - gap <= a[1]


@dataclass
class _Cluster:
    event_key: str
    code: str
    mode: str | None
    polarity: str
    participants: str
    date: dt.date | None
    precision: str
    document_key: str | None  # for an undated event founded in this run: the document it was founded in
    existing: bool
    members: list[dict] = field(default_factory=list)
    # (document, publication period) of its reports (for a loaded event: None, first to last reported).
    reported: list[tuple[str | None, tuple[dt.date, dt.date]]] = field(default_factory=list)

    def add(self, row: dict) -> None:
        self.members.append(row)
        period = publication_period(row["published_date"], row.get("published_precision"))
        if period is not None:
            self.reported.append((row["document_key"], period))


def resolve_events(keyed: pl.DataFrame, existing: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keyed mentions (KEYED_MENTION_SCHEMA) → (new EVENT_SCHEMA rows, EVENT_MENTION_ROW_SCHEMA rows).

    ``existing`` (EXISTING_EVENT_SCHEMA) are events already loaded: mentions that match one are
    attached to it and no new event row is made for it. Counts and report dates on the new event rows
    cover this run's mentions only; the loader recomputes them over all reports.
    """
    clusters: list[_Cluster] = []
    used_keys: set[str] = set()
    # Only clusters with the same category, polarity and actor set can merge: index them by that.
    index: dict[tuple[str, str, str], list[_Cluster]] = defaultdict(list)
    if existing is not None:
        for row in existing.sort("event_key").iter_rows(named=True):
            cluster = _Cluster(row["event_key"], row["event_code"], row["mode"], row["polarity"],
                               row["participants"], row["event_date"], row["date_precision"], None, existing=True)
            if row["first_reported"] is not None:
                cluster.reported.append((None, (row["first_reported"], row["last_reported"] or row["first_reported"])))
            clusters.append(cluster)
            used_keys.add(cluster.event_key)
            index[(cluster.code, cluster.polarity, cluster.participants)].append(cluster)
    ordered = keyed.sort(
        pl.col("date_precision").replace_strict(PRECISION_RANK, return_dtype=pl.Int32),
        "event_date", "document_key", "trigger_start", "event_code", nulls_last=True,
    )
    for row in ordered.iter_rows(named=True):
        signature = participants(row["event_code"], row["actor1_entity_keys"], row["actor2_entity_keys"])
        polarity = POLARITY[row["modality"]]
        # Actor-less reports only ever merge within their sentence, so their bucket is that sentence.
        slot = signature or f"\x00{row['document_key']}:{row['sentence_index']}"
        bucket = index[(row["event_code"], polarity, slot)]
        cluster = _choose(bucket, row, signature, polarity)
        if cluster is None:
            cluster = _found(row, signature, polarity, used_keys)
            clusters.append(cluster)
            bucket.append(cluster)
        cluster.add(row)
    events, mentions = [], []
    for cluster in clusters:
        for row in cluster.members:
            mentions.append(_mention_row(cluster.event_key, row))
        if cluster.members and not cluster.existing:
            events.append(_event_row(cluster))
    event_frame = pl.DataFrame(events, schema=EVENT_SCHEMA) if events else EVENT_SCHEMA.to_frame()
    mention_frame = (
        pl.DataFrame(mentions, schema=EVENT_MENTION_ROW_SCHEMA) if mentions else EVENT_MENTION_ROW_SCHEMA.to_frame()
    )
    return event_frame.sort("event_key"), mention_frame.sort("event_mention_key")


def _choose(clusters: list[_Cluster], row: dict, signature: str, polarity: str) -> _Cluster | None:
    date, precision = row["event_date"], row["date_precision"]
    candidates = [
        c
        for c in clusters
        if c.code == row["event_code"]
        and c.polarity == polarity
        and c.participants == signature
        and modes_compatible(c.mode, row["mode"])
        and dates_compatible(c.date, c.precision, date, precision)
    ]
    if not signature:
        # Without actors there is no evidence two reports are one event, except inside one sentence.
        candidates = [c for c in candidates if any(
            m["document_key"] == row["document_key"] and m["sentence_index"] == row["sentence_index"]
            for m in c.members)]
    if precision in DISTINCTIVE_PRECISIONS:
        # Dates that agree are the evidence; an undated event is only this document's own. Agreeing on
        # a month only, two reports also need the same word or the same days of news.
        candidates = [
            c for c in candidates
            if (c.precision != "unknown" or c.document_key == row["document_key"])
            and (max(PRECISION_RANK[c.precision], PRECISION_RANK[precision]) <= PRECISION_RANK["week"]
                 or _same_word_or_story(c, row))
        ]
        candidates.sort(key=lambda c: (PRECISION_RANK[c.precision], c.event_key))
        return candidates[0] if candidates else None
    if row["event_code"] in SYMMETRIC_CODES and len(signature.split("|")) < 2:
        # "LaRue was at the meeting": a meeting is told from another by who met; one side says too little.
        return None
    return _counterpart(candidates, row)


def _same_word_or_story(cluster: _Cluster, row: dict) -> bool:
    """Whether a report shares the event's trigger word, document, or days of news (another document's)."""
    if any(m["trigger_lemma"] == row["trigger_lemma"] or m["document_key"] == row["document_key"]
           for m in cluster.members):
        return True
    own = publication_period(row["published_date"], row.get("published_precision"))
    return own is not None and any(
        doc != row["document_key"] and _within(period, own, SAME_STORY_DAYS) for doc, period in cluster.reported
    )


def _counterpart(candidates: list[_Cluster], row: dict) -> _Cluster | None:
    """The event an undated (or only year-dated) report belongs to, when something says which one.

    The same document's report of that event (the same trigger word first, then the nearest report
    before it) is the best evidence; else a dated event that another document of the same days
    reports, and that happened in those days. Two such dated events, and the report joins neither.
    """
    # In its own document: a report of the same event with the same word.
    same_doc = [c for c in candidates if any(
        m["document_key"] == row["document_key"] and m["trigger_lemma"] == row["trigger_lemma"] for m in c.members
    )]
    if same_doc:
        def distance(c: _Cluster) -> tuple[int, str]:
            starts = [m["trigger_start"] for m in c.members if m["document_key"] == row["document_key"]]
            return min(abs(row["trigger_start"] - start) for start in starts), c.event_key

        return min(same_doc, key=distance)
    own = publication_period(row["published_date"], row.get("published_precision"))
    if own is None:
        return None
    if row["date_precision"] == "year":
        candidates = [c for c in candidates if c.precision != "year"]
    dated = [
        c for c in candidates
        if c.precision in DISTINCTIVE_PRECISIONS
        and c.mode == row["mode"]  # an undated call joins a call, not a "meeting"
        and _within(_event_period(c), own, NEWS_DAYS)
        and any(doc != row["document_key"] and _within(period, own, SAME_STORY_DAYS) for doc, period in c.reported)
    ]
    if dated:
        return dated[0] if len(dated) == 1 else None
    # The same words about the same actors in another document of the same days: the same story.
    undated = [
        c for c in candidates
        if c.precision == "unknown" and c.mode == row["mode"]
        and any(m["trigger_lemma"] == row["trigger_lemma"] and m["document_key"] != row["document_key"]
                and _within(publication_period(m["published_date"], m.get("published_precision")) or _NEVER, own,
                            SAME_STORY_DAYS)
                for m in c.members)
    ]
    return undated[0] if len(undated) == 1 else None


def _event_period(cluster: _Cluster) -> tuple[dt.date, dt.date]:
    """First and last day the event's date can be, at its precision."""
    if cluster.precision == "week":
        start = cluster.date - dt.timedelta(days=cluster.date.weekday())
        return start, start + dt.timedelta(days=6)
    return publication_period(cluster.date, cluster.precision)


def _found(row: dict, signature: str, polarity: str, used_keys: set[str]) -> _Cluster:
    date, precision = row["event_date"], row["date_precision"]
    if precision == "unknown" or date is None or not signature:
        anchor = f"doc:{row['document_key']}:{row['sentence_index'] if not signature else ''}"
        home = row["document_key"]
    else:
        anchor = f"{precision}:{date.isoformat()}"
        home = None
    mode_family = "visit" if row["mode"] == "visit" else "call" if row["mode"] == "call" else ""
    key = make_key("event", row["event_code"], polarity, signature, anchor, mode_family)
    # Two clusters the merge rules keep apart (e.g. modes "meet" and "call" on one day) can share the
    # natural key; the later one in the deterministic order gets the next key of the sequence.
    base, n = key, 0
    while key in used_keys:
        n += 1
        key = make_key(base, n)
    used_keys.add(key)
    return _Cluster(key, row["event_code"], row["mode"], polarity, signature, date, precision, home,
                    existing=False)


def _mention_row(event_key: str, row: dict) -> dict:
    return {
        "event_mention_key": make_key(row["document_key"], row["trigger_start"], row["event_code"]),
        "event_key": event_key,
        "document_key": row["document_key"],
        "sentence_index": row["sentence_index"],
        "trigger": row["trigger"],
        "sentence": row["sentence"],
        "modality": row["modality"],
        "confidence": row["confidence"],
        "trigger_lemma": row["trigger_lemma"],
        "event_code": row["event_code"],
        "mode": row["mode"],
        "start_char": row["trigger_start"],
        "end_char": row["trigger_end"],
        "actor1_entity_key": (row["actor1_entity_keys"] or [None])[0],
        "actor2_entity_key": (row["actor2_entity_keys"] or [None])[0],
        "location_entity_key": row["location_entity_key"],
        "quantity": row["quantity"],
        "quantity_unit": row["quantity_unit"],
        "quantity_text": row["quantity_text"],
        "date_text": row["date_text"],
        "mention_date": row["event_date"],
        "date_precision": row["date_precision"],
    }


def _event_row(cluster: _Cluster) -> dict:
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
        "date_key": date.year * 10000 + date.month * 100 + date.day if date and cluster.precision == "day" else None,
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
