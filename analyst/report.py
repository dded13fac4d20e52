"""A self-contained HTML dashboard of the warehouse, built from its views with Plotly.

One file, no network needed to open it: plotly.js and the data are inlined. Every text that comes from
the data is escaped: with ``html.escape`` where this module writes HTML, and with ``figures.label``
inside Plotly labels (the figures are in ``analyst/figures.py``).
"""

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from string import Template

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from dateline.analyst.figures import (
    date_label,
    entities_by_source_figure,
    event_timeline_figure,
    mentions_over_time_figure,
    network_figure,
    top_entities_figure,
)
from plotly.offline import get_plotlyjs

MAX_MEETING_ROWS = 25
RECENT_RUNS = 10
RECENT_QUARANTINE = 20

_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def esc(value: object) -> str:
    """Text from the data, safe in HTML text and attributes (None → empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


@dataclass(frozen=True)
class ReportData:
    """What the dashboard shows, read from the warehouse views in one read-only session."""

    summary: dict
    daily: pl.DataFrame
    by_source: pl.DataFrame
    timeline: pl.DataFrame
    met: pl.DataFrame
    runs: pl.DataFrame
    quarantine: pl.DataFrame


def read_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Read the views the dashboard is built from (works on a read-only connection)."""
    return ReportData(
        summary=con.sql("select * from v_warehouse_summary").pl().row(0, named=True),
        daily=con.sql("select * from v_entity_mentions_daily").pl(),
        by_source=con.sql("select * from v_entity_mentions_by_source").pl(),
        timeline=con.sql("select * from v_event_timeline").pl(),
        met=con.sql("select * from v_who_met_whom").pl(),
        runs=con.sql("select * from v_run_health").pl().sort("started_at", descending=True, nulls_last=True),
        quarantine=con.sql("select * from v_quarantine_log").pl().sort(
            ["started_at", "source_path", "record"], descending=[True, False, False], nulls_last=True
        ),
    )


# ---------------------------------------------------------------- figures


def _figure_html(fig: go.Figure, div_id: str, height: int) -> str:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, template="plotly_white")
    # A fixed div id keeps the file deterministic for the same warehouse.
    return pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=_PLOT_CONFIG,
        default_height=f"{height}px", default_width="100%",
    )


def _empty(message: str) -> str:
    return f'<p class="empty">{esc(message)}</p>'


# ---------------------------------------------------------------- HTML pieces


def _table(frame: pl.DataFrame, columns: dict[str, str], numeric: set[str] = frozenset()) -> str:
    if frame.is_empty():
        return _empty("none")
    head = "".join(f"<th>{esc(heading)}</th>" for heading in columns.values())
    rows = []
    for r in frame.select(list(columns)).iter_rows(named=True):
        cells = []
        for col in columns:
            value = r[col]
            css = ' class="num"' if col in numeric else ""
            if col == "status":
                css = f' class="status-{esc(value)}"'
            cells.append(f"<td{css}>{esc('' if value is None else value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _section(title: str, body: str, note: str = "", wide: bool = False) -> str:
    css = ' class="wide"' if wide else ""
    note_html = f'<p class="note">{esc(note)}</p>' if note else ""
    return f"<section{css}><h2>{esc(title)}</h2>{note_html}{body}</section>"


def _cards(items: list[tuple[str, object, str]]) -> str:
    return '<div class="cards">' + "".join(
        f'<div class="card {esc(kind)}"><b>{esc(value)}</b><span>{esc(caption)}</span></div>'
        for caption, value, kind in items
    ) + "</div>"


def overview_html(data: ReportData) -> str:
    s = data.summary
    period = f"{s['first_published']} … {s['last_published']}" if s["first_published"] else "undated"
    return _cards([
        ("documents", s["documents"], ""), ("canonical documents", s["canonical_documents"], ""),
        ("sources", s["sources"], ""), ("entities", s["entities"], ""), ("entity mentions", s["mentions"], ""),
        ("events", s["events"], ""), ("event reports", s["event_mentions"], ""),
        (f"events shown (confidence ≥ {s['event_min_confidence']:g})", s["events_shown"], ""),
        ("published", period, ""),
    ])


def quality_html(data: ReportData) -> str:
    runs = data.runs
    if runs.is_empty():
        return _empty("no runs recorded yet")
    last = runs.row(0, named=True)
    cards = _cards([
        ("last run", last["status"], "good" if last["status"] == "success" else "bad"),
        ("expectations checked (last run)", last["validation_checks"], ""),
        ("expectations failed (last run)", last["validation_failures"], "bad" if last["validation_failures"] else "good"),
        ("runs", runs.height, ""),
        ("failed runs", runs.filter(pl.col("status") != "success").height, ""),
        ("inputs in quarantine", data.quarantine.height, "bad" if data.quarantine.height else "good"),
    ])
    recent = runs.head(RECENT_RUNS).with_columns(
        pl.col("run_id").str.slice(0, 8), pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
    )
    runs_table = _table(recent, {
        "run_id": "run", "started_at": "started (UTC)", "status": "status", "duration_seconds": "seconds",
        "files_seen": "files", "documents_new": "new docs", "documents_skipped": "skipped",
        "documents_duplicate": "duplicates", "mentions": "mentions", "events": "events",
        "validation_failures": "failed checks", "files_quarantined": "quarantined",
    }, numeric={"duration_seconds", "files_seen", "documents_new", "documents_skipped", "documents_duplicate",
                "mentions", "events", "validation_failures", "files_quarantined"})
    failed = runs.filter(pl.col("failed_expectations").is_not_null()).head(RECENT_RUNS).with_columns(
        pl.col("run_id").str.slice(0, 8))
    failed_table = _table(failed, {"run_id": "run", "message": "message", "failed_expectations": "failed expectations"})
    quarantine_table = _table(data.quarantine.head(RECENT_QUARANTINE), {
        "source_path": "input", "record": "record", "reason": "reason", "detail": "detail"}, numeric={"record"})
    return (
        cards
        + f"<h3>Last {min(RECENT_RUNS, runs.height)} runs</h3>{runs_table}"
        + f"<h3>Failed validation</h3>{failed_table}"
        + f"<h3>Quarantine (latest {min(RECENT_QUARANTINE, data.quarantine.height)} of {data.quarantine.height})</h3>"
        + quarantine_table
    )


def meetings_html(met: pl.DataFrame) -> tuple[str, str]:
    """The meetings table (the most reported ones when there are many, by date) and its caption."""
    rows = met.sort(["num_documents", "event_date", "participant_a", "participant_b"],
                    descending=[True, False, False, False], nulls_last=True).head(MAX_MEETING_ROWS)
    caption = ("Every row of v_who_met_whom, by date." if rows.height == met.height else
               f"The {rows.height} most reported of {met.height} rows of v_who_met_whom, by date.")
    rows = rows.sort(["event_date", "participant_a", "participant_b"], nulls_last=True)
    rows = rows.with_columns(pl.Series("when", [date_label(d, p) for d, p in rows.select(
        "event_date", "date_precision").iter_rows()], dtype=pl.String))
    return caption, _table(rows, {
        "when": "date", "participant_a": "who", "participant_b": "with whom",
        "mode": "how", "location": "where", "num_documents": "documents", "modalities": "reported as",
    }, numeric={"num_documents"})


def render_report(data: ReportData, title: str, subtitle: str) -> str:
    """The dashboard as one HTML document (plotly.js inlined)."""
    panels = [_section("Overview", overview_html(data), wide=True)]
    fig = top_entities_figure(data.daily)
    panels.append(_section("Top entities", _figure_html(fig, "top-entities", 420) if fig else _empty("no entities"),
                           "Most mentioned entities over all documents.", wide=True))
    fig, note = mentions_over_time_figure(data.daily)
    panels.append(_section("Mentions over time", _figure_html(fig, "mentions-over-time", 380) if fig else _empty(note),
                           note if fig else "", wide=True))
    fig, note = event_timeline_figure(data.timeline, data.met, data.summary)
    panels.append(_section("Event timeline", _figure_html(fig, "event-timeline", 520) if fig else _empty(note),
                           note if fig else "", wide=True))
    fig = network_figure(data.met)
    panels.append(_section("Who met whom", _figure_html(fig, "who-met-whom", 460) if fig else _empty("no meetings"),
                           "Meetings, calls and visits between people and countries (v_who_met_whom)."))
    caption, table = meetings_html(data.met)
    panels.append(_section("Meetings", table, caption))
    fig = entities_by_source_figure(data.by_source, data.daily)
    panels.append(_section("Top entities per source",
                           _figure_html(fig, "entities-by-source", fig.layout.height) if fig else _empty("no sources"),
                           "Mentions of the overall top entities in each source.", wide=True))
    panels.append(_section("Data quality", quality_html(data),
                           "Runs, Great Expectations results and quarantined inputs (v_run_health, quarantine).",
                           wide=True))
    template = Template((resources.files("dateline.analyst") / "templates" / "report.html").read_text(encoding="utf-8"))
    return template.substitute(title=esc(title), subtitle=esc(subtitle), plotlyjs=get_plotlyjs(),
                               panels="\n".join(panels))


def build_report(con: duckdb.DuckDBPyConnection, warehouse_name: str) -> str:
    """Read the views over ``con`` and render the dashboard."""
    data = read_report_data(con)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return render_report(data, "Dateline dashboard", f"warehouse {warehouse_name} · generated {generated}")


def write_report(con: duckdb.DuckDBPyConnection, warehouse: Path, out: Path) -> int:
    """Write the dashboard of the warehouse behind ``con`` to ``out``; return its size in bytes."""
    text = build_report(con, warehouse.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out.stat().st_size
