"""One expectation suite per loaded table.

Suites are built per run because foreign-key expectations need the keys known at that moment
(this run's staged dimension rows plus what the warehouse already holds).
"""

import datetime as dt
from collections.abc import Mapping

import great_expectations as gx
import great_expectations.expectations as gxe

from transforms.dates import PRECISIONS
from transforms.entities import COARSE_TYPE_VALUES, ENTITY_LABELS
from transforms.events import CONSULT_MODES, MODALITIES, QUAD_CLASSES

DATE_SOURCES = ("given", "inferred", "unknown")
DUPLICATE_KINDS = ("exact", "near")
MIN_DATE = dt.date(1900, 1, 1)


def _keys(column: str) -> list:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column), gxe.ExpectColumnValuesToBeUnique(column=column)]


def _fk(column: str, keys: set) -> gxe.Expectation:
    # Null foreign keys are allowed where the column is optional: in-set checks skip nulls.
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(keys))


def build_suites(known: Mapping[str, set], today: dt.date | None = None) -> dict[str, list]:
    """Expectations per table name. ``known`` maps ``<table>`` to the set of its keys (staged ∪ loaded)."""
    tomorrow = (today or dt.date.today()) + dt.timedelta(days=1)
    max_date_key = int(tomorrow.strftime("%Y%m%d"))
    return {
        "dim_date": [
            *_keys("date_key"),
            gxe.ExpectColumnValuesToBeBetween(column="date_key", min_value=19000101, max_value=max_date_key),
            gxe.ExpectColumnValuesToBeBetween(column="day_of_week", min_value=1, max_value=7),
        ],
        "dim_source": [*_keys("source_key"), gxe.ExpectColumnValuesToNotBeNull(column="source_name")],
        "dim_document": [
            *_keys("document_key"),
            gxe.ExpectColumnValuesToNotBeNull(column="content_hash"),
            gxe.ExpectColumnValuesToNotBeNull(column="body"),
            gxe.ExpectColumnValuesToNotBeNull(column="source_path"),
            _fk("source_key", known["dim_source"]),
            _fk("duplicate_of_key", known["dim_document"]),
            _fk("date_key", known["dim_date"]),
            gxe.ExpectColumnValuesToBeInSet(column="date_source", value_set=list(DATE_SOURCES)),
            gxe.ExpectColumnValuesToBeInSet(column="duplicate_kind", value_set=list(DUPLICATE_KINDS)),
            gxe.ExpectColumnValuesToBeBetween(column="similarity", min_value=0.0, max_value=1.0),
            gxe.ExpectColumnValuesToBeBetween(column="word_count", min_value=0),
            gxe.ExpectColumnValuesToBeBetween(
                # polars Date arrives in pandas as datetime64: GX compares it only with datetimes.
                column="published_date",
                min_value=dt.datetime.combine(MIN_DATE, dt.time()),
                max_value=dt.datetime.combine(tomorrow, dt.time()),
            ),
        ],
        "dim_entity": [
            *_keys("entity_key"),
            gxe.ExpectColumnValuesToNotBeNull(column="canonical_name"),
            gxe.ExpectColumnValuesToBeInSet(column="entity_type", value_set=list(ENTITY_LABELS)),
            gxe.ExpectColumnValuesToBeInSet(column="coarse_type", value_set=list(COARSE_TYPE_VALUES)),
            # Widget counters and stray numbers must never become entities.
            gxe.ExpectColumnValuesToNotMatchRegex(column="canonical_name", regex=r"^[\W\d_]+$"),
        ],
        "fact_entity_mention": [
            *_keys("mention_key"),
            _fk("document_key", known["dim_document"]),
            gxe.ExpectColumnValuesToNotBeNull(column="entity_key"),
            _fk("entity_key", known["dim_entity"]),
            _fk("date_key", known["dim_date"]),
            gxe.ExpectColumnValuesToBeInSet(column="label", value_set=list(ENTITY_LABELS)),
            gxe.ExpectColumnValuesToBeBetween(column="start_char", min_value=0),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end_char", column_B="start_char"),
            # body_length and text_matches are added by the flow from dim_document.body.
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="body_length", column_B="end_char", or_equal=True),
            gxe.ExpectColumnValuesToBeInSet(column="text_matches", value_set=[True]),
        ],
        "dim_event_type": [
            *_keys("event_type_key"),
            gxe.ExpectColumnValuesToNotBeNull(column="code"),
            gxe.ExpectColumnValuesToBeUnique(column="code"),
            gxe.ExpectColumnValuesToBeInSet(column="quad_class", value_set=list(QUAD_CLASSES)),
        ],
        "fact_event": [
            *_keys("event_key"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_type_key"),
            _fk("event_type_key", known["dim_event_type"]),
            _fk("actor1_entity_key", known["dim_entity"]),
            _fk("actor2_entity_key", known["dim_entity"]),
            _fk("location_entity_key", known["dim_entity"]),
            _fk("date_key", known["dim_date"]),
            gxe.ExpectColumnValuesToBeInSet(column="date_precision", value_set=list(PRECISIONS)),
            gxe.ExpectColumnValuesToBeInSet(column="polarity", value_set=["real", "negated", "hypothetical"]),
            gxe.ExpectColumnValuesToBeInSet(column="mode", value_set=list(CONSULT_MODES)),
            gxe.ExpectColumnValuesToBeBetween(column="num_mentions", min_value=1),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="num_mentions", column_B="num_documents", or_equal=True
            ),
        ],
        "fact_event_mention": [
            *_keys("event_mention_key"),
            gxe.ExpectColumnValuesToNotBeNull(column="event_key"),
            _fk("event_key", known["fact_event"]),
            _fk("document_key", known["dim_document"]),
            _fk("actor1_entity_key", known["dim_entity"]),
            _fk("actor2_entity_key", known["dim_entity"]),
            gxe.ExpectColumnValuesToNotBeNull(column="trigger"),
            gxe.ExpectColumnValuesToBeInSet(column="modality", value_set=list(MODALITIES)),
            gxe.ExpectColumnValuesToBeInSet(column="date_precision", value_set=list(PRECISIONS)),
            gxe.ExpectColumnValuesToBeBetween(column="confidence", min_value=0.0, max_value=1.0),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end_char", column_B="start_char"),
        ],
        "quarantine": [
            *_keys("quarantine_key"),
            gxe.ExpectColumnValuesToNotBeNull(column="source_path"),
            gxe.ExpectColumnValuesToNotBeNull(column="reason"),
        ],
    }


def expectation_suite(name: str, expectations: list) -> gx.ExpectationSuite:
    """A named suite holding ``expectations``."""
    return gx.ExpectationSuite(name=name, expectations=expectations)
