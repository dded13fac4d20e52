"""What a run counted and how it ended: the counters listed once.

``RunCounts`` is the one list of a run's counters. Each stage returns what it counted; the flow
assembles the counts once, after the resolve stage. The ``etl_run`` row (``run_row``) and the lines
of the CLI's summary table (``RunCounts.labelled``) are derived from the dataclass's fields, so a new
counter is one field here plus its column in ``warehouse/sql/tables/09_etl_run.sql``
(``tests/test_flow_e2e.py`` checks that the two agree).
"""

import datetime as dt
from dataclasses import dataclass, field, fields


def _counter(label: str | None = None, column: bool = True) -> int:
    """A counter field: ``label`` is its line in the CLI summary (None: not shown), ``column`` whether
    ``etl_run`` records it."""
    return field(default=0, metadata={"label": label, "column": column})


@dataclass(frozen=True, kw_only=True)
class RunCounts:
    """The counters of one run, in the order the summary shows them."""

    files_seen: int = _counter("files seen")
    documents_read: int = _counter("documents read")
    documents_new: int = _counter("documents new")
    documents_skipped: int = _counter("documents skipped (already loaded)")
    documents_duplicate: int = _counter("documents duplicate")
    documents_extracted: int = _counter("documents extracted (spaCy)")
    files_quarantined: int = _counter("inputs quarantined")
    mentions: int = _counter("entity mentions")
    entities: int = _counter("entities")  # live entities written, not redirects
    event_mentions: int = _counter("event mentions")
    events: int = _counter("events")
    words: int = _counter()
    # Loaded documents replaced by a new version or corrected (transforms/versions.py).
    documents_superseded: int = _counter(column=False)

    def counters(self) -> dict[str, int]:
        """Every counter by name (the ``RunCounts`` part of a summary)."""
        return {f.name: getattr(self, f.name) for f in fields(RunCounts)}

    def columns(self) -> dict[str, int]:
        """The counters ``etl_run`` records, by column name."""
        return {f.name: getattr(self, f.name) for f in fields(RunCounts) if f.metadata["column"]}

    def labelled(self) -> list[tuple[str, int]]:
        """(label, value) of the counters the CLI summary shows, in order."""
        return [(f.metadata["label"], getattr(self, f.name)) for f in fields(RunCounts) if f.metadata["label"]]


@dataclass(frozen=True, kw_only=True)
class RunSummary(RunCounts):
    """What a run did, printed by the CLI (``dateline run --json`` prints it as one flat object)."""

    run_id: str
    status: str = "running"
    validation: str = "not run"
    rows_added: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warehouse: str = ""
    data_docs: str = ""  # index.html of this run's Great Expectations Data Docs
    warehouse_rows_read: int = 0  # rows the run's warehouse look-ups returned (flows/lookups.py)
    message: str = ""


def run_row(
    run_id: str, counts: RunCounts, started_at: dt.datetime, stage_seconds: dict[str, float],
    outcome: tuple[str, str],
) -> dict:
    """The ``etl_run`` row of a run that ended with ``outcome`` = (status, message)."""
    status, message = outcome
    return {
        "run_id": run_id,
        "started_at": started_at,
        "finished_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "status": status,
        "message": message or None,
        **counts.columns(),
        "stage_seconds": stage_seconds,
    }


def validation_text(nothing_new: bool, failures: list[str]) -> str:
    """How validation went, as the summary says it."""
    if nothing_new:
        return "skipped (nothing new)"
    return "passed" if not failures else f"failed ({len(failures)} expectations)"
