"""What every loaded table must satisfy, declared as data: one ``TableRules`` per table.

This module does not import Great Expectations (``suites.py`` turns the rules into GX suites), so
the flow can read the rules cheaply. Checks that span tables (foreign keys, offsets into a
document's body, row-count relations) cannot be stated on one frame in GX; ``check_columns`` adds
them as derived columns with polars, and the rules state what those columns must hold.
"""

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl
from dateline.transforms.dates import PRECISIONS, PUBLICATION_PRECISIONS
from dateline.transforms.entities import COARSE_TYPE_VALUES, ENTITY_LABELS
from dateline.transforms.event_groups import GROUP_LABEL
from dateline.transforms.events import CONSULT_MODES, MODALITIES, QUAD_CLASSES
from dateline.transforms.resolve_events import POLARITY

DATE_SOURCES = ("given", "inferred", "unknown")
DUPLICATE_KINDS = ("exact", "near")
MIN_DATE = dt.date(1900, 1, 1)
# Reported events may be planned ("will meet next month"): their dates may lie ahead of today.
EVENT_HORIZON = dt.timedelta(days=2 * 366)


@dataclass(frozen=True)
class TableRules:
    """The contract of one table. Every mapping is column → constraint; nulls pass all but ``not_null``."""

    key: str  # primary key: not null and unique
    not_null: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()
    references: Mapping[str, str] = field(default_factory=dict)  # column → table whose key it must name
    accepted: Mapping[str, Sequence] = field(default_factory=dict)  # column → allowed values
    between: Mapping[str, tuple[object, object]] = field(default_factory=dict)  # inclusive, None = open
    greater: tuple[tuple[str, str, bool], ...] = ()  # (a, b, or_equal): a > b (a >= b when or_equal)
    not_matching: Mapping[str, str] = field(default_factory=dict)  # column → regex no value may match
    matching: Mapping[str, str] = field(default_factory=dict)  # column → regex every value must match

    def columns(self) -> set[str]:
        """Every column the rules speak about, derived reference columns included."""
        named = {self.key, *self.not_null, *self.unique, *self.accepted, *self.between, *self.matching,
                 *self.not_matching}
        named |= {column for a, b, _ in self.greater for column in (a, b)}
        return named | {reference_column(c, t) for c, t in self.references.items()}


def reference_column(column: str, table: str) -> str:
    """Name of the derived column holding the values of ``column`` not found among ``table``'s keys."""
    return f"{column}__not_in_{table}"


def table_rules(today: dt.date | None = None) -> dict[str, TableRules]:
    """The rules of every loaded table, with date bounds relative to ``today`` (default: the real today)."""
    tomorrow = (today or dt.date.today()) + dt.timedelta(days=1)
    published = (_midnight(MIN_DATE), _midnight(tomorrow))
    reported = (_midnight(MIN_DATE), _midnight(tomorrow + EVENT_HORIZON))
    event_day_key = (_day_key(MIN_DATE), _day_key(tomorrow + EVENT_HORIZON))
    return {
        "dim_date": TableRules(
            key="date_key",
            not_null=("date", "year", "month", "day"),
            between={"date_key": event_day_key, "date": reported, "month": (1, 12), "day": (1, 31),
                     "quarter": (1, 4), "day_of_week": (1, 7)},
        ),
        "dim_source": TableRules(key="source_key", not_null=("source_name",)),
        "dim_document": TableRules(
            key="document_key",
            not_null=("document_id", "content_hash", "fingerprint", "body", "raw_text", "source_path",
                      "encoding", "date_source"),
            references={"source_key": "dim_source", "duplicate_of_key": "dim_document", "date_key": "dim_date"},
            accepted={"date_source": DATE_SOURCES, "duplicate_kind": DUPLICATE_KINDS,
                      "published_precision": PUBLICATION_PRECISIONS},
            between={"similarity": (0.0, 1.0), "word_count": (0, None), "published_date": published,
                     "date_key": (_day_key(MIN_DATE), _day_key(tomorrow)), "record": (1, None)},
            matching={"language": r"^[a-z]{2,3}$"},
        ),
        "dim_entity": TableRules(
            key="entity_key",
            not_null=("canonical_name",),
            # GROUP: an unnamed group actor of the event mentions ("protesters", "the police"; event_groups),
            # never a label of fact_entity_mention.
            accepted={"entity_type": sorted(ENTITY_LABELS | {GROUP_LABEL}), "coarse_type": COARSE_TYPE_VALUES},
            # Widget counters and stray numbers must never become entities.
            not_matching={"canonical_name": r"^[\W\d_]+$"},
        ),
        "dim_event_type": TableRules(
            key="event_type_key",
            not_null=("code", "name"),
            unique=("code",),
            accepted={"quad_class": QUAD_CLASSES},
        ),
        "fact_entity_mention": TableRules(
            key="mention_key",
            not_null=("document_key", "entity_key", "mention_text"),
            references={"document_key": "dim_document", "entity_key": "dim_entity", "date_key": "dim_date"},
            accepted={"label": sorted(ENTITY_LABELS), "text_matches": (True,), "document_is_canonical": (True,)},
            between={"start_char": (0, None), "sentence_index": (0, None)},
            greater=(("end_char", "start_char", False), ("body_length", "end_char", True)),
        ),
        "fact_event": TableRules(
            key="event_key",
            not_null=("event_type_key", "event_code"),
            references={"event_type_key": "dim_event_type", "actor1_entity_key": "dim_entity",
                        "actor2_entity_key": "dim_entity", "location_entity_key": "dim_entity",
                        "date_key": "dim_date"},
            accepted={"date_precision": PRECISIONS, "polarity": sorted(set(POLARITY.values())),
                      "mode": CONSULT_MODES},
            between={"num_mentions": (1, None), "num_documents": (1, None), "num_sources": (1, None),
                     "mention_rows": (1, None), "event_date": reported, "first_reported": published,
                     "last_reported": published},
            greater=(("num_mentions", "num_documents", True), ("num_documents", "num_sources", True),
                     ("last_reported", "first_reported", True)),
        ),
        "fact_event_mention": TableRules(
            key="event_mention_key",
            not_null=("event_key", "document_key", "trigger", "sentence"),
            references={"event_key": "fact_event", "document_key": "dim_document",
                        "actor1_entity_key": "dim_entity", "actor2_entity_key": "dim_entity",
                        "location_entity_key": "dim_entity"},
            accepted={"modality": MODALITIES, "date_precision": PRECISIONS, "mode": CONSULT_MODES,
                      "text_matches": (True,)},
            between={"confidence": (0.0, 1.0), "start_char": (0, None), "sentence_index": (0, None),
                     "mention_date": reported},
            greater=(("end_char", "start_char", False), ("body_length", "end_char", True)),
        ),
        "quarantine": TableRules(
            key="quarantine_key",
            not_null=("run_id", "source_path", "reason", "detail"),
            between={"record": (1, None)},
            matching={"reason": r"^[a-z][a-z0-9_]*$"},
        ),
    }


class LoadedKeys(Protocol):
    """The warehouse's keys, asked for the few values a run references (flows.lookups.WarehouseLookups)."""

    def missing_keys(self, table: str, values: Collection) -> set: ...


def check_columns(
    frames: Mapping[str, pl.DataFrame],
    loaded_keys: Mapping[str, set] | LoadedKeys,
    rules: Mapping[str, TableRules],
    only: Collection[str] | None = None,
) -> dict[str, pl.DataFrame]:
    """The frames as they are validated: the columns their rules speak about, derived ones included.

    A reference is satisfied by a key staged in this run or already loaded: ``loaded_keys`` is asked
    (``missing_keys``, an anti-join in the warehouse) only about the values no staged row has, or is a
    mapping of table → loaded keys. Derived columns exist only in what is validated, never in what is
    loaded. With ``only``, just those tables are returned; the other frames only stage their keys (and
    the documents' bodies) for the references and offsets of these.
    """
    staged = {table: _staged(frames.get(table), rule.key) for table, rule in rules.items()}
    out: dict[str, pl.DataFrame] = {}
    for table, frame in frames.items():
        if only is not None and table not in only:
            continue
        rule = rules.get(table)
        if rule is None:
            out[table] = frame
            continue
        frame = frame.with_columns(
            pl.when(pl.col(column).cast(pl.String).is_in(_unknown(frame, column, target, staged, loaded_keys)))
            .then(pl.col(column))
            .alias(reference_column(column, target))
            for column, target in rule.references.items()
            if column in frame.columns
        )
        out[table] = frame
    documents = frames.get("dim_document")
    if "fact_entity_mention" in out and documents is not None:
        out["fact_entity_mention"] = _with_body_checks(out["fact_entity_mention"], documents, "mention_text")
        out["fact_entity_mention"] = _with_canonical_check(out["fact_entity_mention"], documents)
    if "fact_event_mention" in out and documents is not None:
        out["fact_event_mention"] = _with_body_checks(out["fact_event_mention"], documents, "trigger")
    if "fact_event" in out:
        out["fact_event"] = _with_mention_rows(out["fact_event"], frames.get("fact_event_mention"))
    # Only what the rules read goes on to GX (through pandas): bodies and raw texts are the bulk of a
    # run's memory and no expectation reads them directly. A column a rule names but the frame lacks
    # stays missing, so its expectation fails loudly.
    return {
        table: frame.select(c for c in frame.columns if c in rules[table].columns()) if table in rules else frame
        for table, frame in out.items()
    }


def _staged(frame: pl.DataFrame | None, key: str) -> pl.Series:
    staged = frame.get_column(key) if frame is not None and key in frame.columns else pl.Series(key, [])
    return staged.cast(pl.String).unique()


def _unknown(
    frame: pl.DataFrame, column: str, target: str, staged: Mapping[str, pl.Series],
    loaded_keys: Mapping[str, set] | LoadedKeys,
) -> pl.Series:
    """The values of ``column`` (as strings) that name no key of ``target``, staged or loaded."""
    values = frame.get_column(column).drop_nulls().unique()
    outside = values.filter(~values.cast(pl.String).is_in(staged[target].implode()))
    if outside.is_empty():
        return pl.Series(column, [], dtype=pl.String)
    if isinstance(loaded_keys, Mapping):
        loaded = {str(v) for v in loaded_keys.get(target, set())}
        missing = [v for v in outside.cast(pl.String).to_list() if v not in loaded]
    else:
        missing = [str(v) for v in loaded_keys.missing_keys(target, outside.to_list())]
    return pl.Series(column, sorted(missing), dtype=pl.String)


def _with_body_checks(facts: pl.DataFrame, documents: pl.DataFrame, text_column: str) -> pl.DataFrame:
    """body_length and text_matches (``text_column`` == body[start_char:end_char]) for the offset rules.

    Facts of a document not staged in this run get body_length -1 (the offset rule then fails): facts
    are only ever made for this run's new documents.
    """
    joined = facts.join(documents.select("document_key", "body"), on="document_key", how="left")
    return joined.with_columns(
        body_length=pl.col("body").str.len_chars().fill_null(-1),
        text_matches=(
            pl.col("body").str.slice(pl.col("start_char"), pl.col("end_char") - pl.col("start_char"))
            == pl.col(text_column)
        ).fill_null(False),
    ).drop("body")


def _with_canonical_check(mentions: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """document_is_canonical: duplicates are linked, never extracted, so no mention may point at one."""
    canonical = documents.select("document_key", document_is_canonical=pl.col("duplicate_of_key").is_null())
    return mentions.join(canonical, on="document_key", how="left")


def _with_mention_rows(events: pl.DataFrame, mentions: pl.DataFrame | None) -> pl.DataFrame:
    """mention_rows: how many staged fact_event_mention rows report each event (new events need ≥ 1)."""
    if mentions is None or mentions.is_empty():
        return events.with_columns(mention_rows=pl.lit(0, dtype=pl.UInt32))
    per_event = mentions.group_by("event_key").agg(mention_rows=pl.len())
    return events.join(per_event, on="event_key", how="left").with_columns(pl.col("mention_rows").fill_null(0))


def _midnight(day: dt.date) -> dt.datetime:
    # Polars dates reach GX as pandas datetime64 values, which compare with datetimes, not dates.
    return dt.datetime(day.year, day.month, day.day)


def _day_key(day: dt.date) -> int:
    return int(day.strftime("%Y%m%d"))
