"""A self-contained HTML dashboard of the warehouse, built from its views with Plotly.

One file, no network needed to open it: plotly.js and the data are inlined. Every text that comes from
the data is escaped: with ``html.escape`` where this module writes HTML, and also inside Plotly labels,
because Plotly renders label strings as a small HTML subset (``<b>``, ``<br>``, entities).
"""

import html
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from string import Template

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

TOP_ENTITIES = 12
TIMELINE_ENTITIES = 8
MAX_TIMELINE_EVENTS = 2000
MAX_MEETING_LABELS = 15
MAX_MEETING_ROWS = 25
MAX_NETWORK_NODES = 25
MAX_NETWORK_EDGES = 150
HEATMAP_SOURCES = 12
HEATMAP_ENTITIES = 15
RECENT_RUNS = 10
RECENT_QUARANTINE = 20

QUAD_COLORS = {
    "verbal_cooperation": "#2e7d32",
    "material_cooperation": "#66bb6a",
    "verbal_conflict": "#ef6c00",
    "material_conflict": "#c62828",
}
TYPE_COLORS = {
    "person": "#1565c0", "location": "#2e7d32", "organization": "#6a1b9a", "group": "#ef6c00", "other": "#546e7a",
}
_PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def esc(value: object) -> str:
    """Text from the data, safe in HTML text and attributes (None → empty)."""
    return "" if value is None else html.escape(str(value), quote=True)


def label(value: object) -> str:
    """Text from the data for a Plotly label: its ``<``, ``>`` and ``&`` escaped, so it shows as written.

    Plotly parses labels as a small HTML subset and decodes only a few entities (not ``&quot;``), so quotes
    stay as they are; they cannot open a tag.
    """
    return "" if value is None else html.escape(str(value), quote=False)


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


def _unique_labels(names: list[str], kinds: list[str]) -> list[str]:
    """Escaped axis labels; a name shared by two entities gets its type appended so bars do not merge."""
    seen = {n: names.count(n) for n in names}
    return [label(n if seen[n] == 1 else f"{n} ({k})") for n, k in zip(names, kinds, strict=True)]


def entity_totals(daily: pl.DataFrame) -> pl.DataFrame:
    """Mentions and documents per entity over all days, most mentioned first (ties by name)."""
    return (
        daily.group_by("entity_key", "canonical_name", "coarse_type")
        .agg(pl.col("mentions").sum(), pl.col("documents").sum())
        .sort(["mentions", "canonical_name", "entity_key"], descending=[True, False, False])
    )


def top_entities_figure(daily: pl.DataFrame) -> go.Figure | None:
    """Two bar charts: the most mentioned people, and the most mentioned other entities."""
    totals = entity_totals(daily)
    if totals.is_empty():
        return None
    people = totals.filter(pl.col("coarse_type") == "person").head(TOP_ENTITIES)
    others = totals.filter(pl.col("coarse_type") != "person").head(TOP_ENTITIES)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("People", "Places, organizations, groups"),
                        horizontal_spacing=0.22)
    for col, frame in ((1, people), (2, others)):
        names = frame.get_column("canonical_name").to_list()
        kinds = frame.get_column("coarse_type").to_list()
        labels = _unique_labels(names, kinds)
        fig.add_trace(
            go.Bar(
                x=frame.get_column("mentions").to_list(), y=labels, orientation="h",
                marker_color=[TYPE_COLORS.get(k, TYPE_COLORS["other"]) for k in kinds],
                hovertext=[f"{shown}<br>{label(k)}<br>{m} mentions in {d} documents" for shown, k, m, d in zip(
                    labels, kinds, frame.get_column("mentions"), frame.get_column("documents"), strict=True)],
                hoverinfo="text", showlegend=False,
            ),
            row=1, col=col,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=col)
    fig.update_xaxes(title_text="mentions")
    return fig


def _time_bucket(first, last) -> str:
    span = (last - first).days
    return "1d" if span <= 92 else "1w" if span <= 731 else "1mo"


def mentions_over_time_figure(daily: pl.DataFrame) -> tuple[go.Figure | None, str]:
    """Lines of the most mentioned entities' mentions per day (per week or month over long spans)."""
    dated = daily.filter(pl.col("date").is_not_null())
    if dated.is_empty():
        return None, "No dated documents yet: publication dates were neither given nor inferred."
    top = entity_totals(dated).head(TIMELINE_ENTITIES)
    bucket = _time_bucket(dated.get_column("date").min(), dated.get_column("date").max())
    series = (
        dated.join(top.select("entity_key"), on="entity_key", how="semi")
        .with_columns(pl.col("date").dt.truncate(bucket).alias("period"))
        .group_by("entity_key", "period")
        .agg(pl.col("mentions").sum())
        .sort("period")
    )
    fig = go.Figure()
    for key, name in top.select("entity_key", "canonical_name").iter_rows():
        rows = series.filter(pl.col("entity_key") == key)
        fig.add_trace(go.Scatter(
            x=rows.get_column("period").to_list(), y=rows.get_column("mentions").to_list(),
            mode="lines+markers", name=label(name),
            hovertext=[f"{label(name)}: {m} mentions ({p})" for p, m in rows.select("period", "mentions").iter_rows()],
            hoverinfo="text",
        ))
    fig.update_layout(legend={"orientation": "h", "y": -0.15}, yaxis_title="mentions")
    # Padded so a single day does not stretch into a sub-second axis.
    lo, hi = series.get_column("period").min(), series.get_column("period").max()
    pad = max(timedelta(days=3), (hi - lo) * 0.05)
    fig.update_xaxes(type="date", range=[(lo - pad).isoformat(), (hi + pad).isoformat()], tickformat="%b %d, %Y")
    unit = {"1d": "day", "1w": "week", "1mo": "month"}[bucket]
    return fig, f"Mentions per {unit} of the {top.height} most mentioned entities, by publication date."


def _actors(a1, a2) -> str:
    if a1 and a2:
        return f"{a1} → {a2}"
    return a1 or a2 or "(actors unknown)"


def _pair(a, b) -> str:
    return f"{a} – {b}"


def period_span(day, precision: str | None) -> tuple:
    """First and last day of the day, week, month or year an event date stands for."""
    if precision == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    if precision == "month":
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return day.replace(day=1), following - timedelta(days=1)
    if precision == "week":
        return day, day + timedelta(days=6)
    return day, day


def _with_plot_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Add plot_date: the middle of the event's period, so a month-precise event sits inside its month."""
    spans = [period_span(d, p) for d, p in frame.select("event_date", "date_precision").iter_rows()]
    return frame.with_columns(
        pl.Series("span_start", [a for a, _ in spans], dtype=pl.Date),
        pl.Series("span_end", [b for _, b in spans], dtype=pl.Date),
        pl.Series("plot_date", [a + (b - a) / 2 for a, b in spans], dtype=pl.Date),
    )


def _when(day, precision: str | None) -> str:
    """A date label that says how precise it is: 2021-12-15, or 2022-02 (month)."""
    text = date_label(day, precision)
    return text if precision in (None, "day") else f"{text} ({precision})"


def event_timeline_figure(timeline: pl.DataFrame, met: pl.DataFrame, summary: dict) -> tuple[go.Figure | None, str]:
    """Dated events by type over time (size = documents reporting them), meetings labelled.

    An event known only to the week, month or year is plotted in the middle of that period with a bar
    spanning it, and its labels say the precision ("2022-02 (month)"), so it never reads as a day.
    """
    dated = timeline.filter(pl.col("event_date").is_not_null())
    if dated.is_empty():
        return None, "No dated events yet."
    shown = _with_plot_dates(
        dated.sort(["num_documents", "num_mentions", "event_key"], descending=[True, True, False]).head(
            MAX_TIMELINE_EVENTS
        )
    )
    codes = (
        shown.select("event_code", "quad_class").unique()
        .sort(["quad_class", "event_code"]).get_column("event_code").to_list()
    )
    fig = go.Figure()
    for quad, color in QUAD_COLORS.items():
        rows = shown.filter(pl.col("quad_class") == quad)
        if rows.is_empty():
            continue
        hover = [
            "<br>".join((
                f"<b>{label(r['event_code'])}</b> {label(r['mode'] or '')} · {label(_when(r['event_date'], r['date_precision']))}",
                label(_actors(r["actor1"], r["actor2"])),
                f"location: {label(r['location'] or '—')}",
                f"{r['num_documents']} documents, {r['num_mentions']} reports · {label(r['modality'])}",
                f"first source: {label(r['first_source'])} — {label((r['first_document_title'] or '')[:80])}",
            ))
            for r in rows.iter_rows(named=True)
        ]
        fig.add_trace(go.Scatter(
            x=rows.get_column("plot_date").to_list(), y=rows.get_column("event_code").to_list(), mode="markers",
            name=label(quad.replace("_", " ")),
            marker={"color": color, "opacity": 0.75, "line": {"width": 1, "color": "#fff"},
                    "size": [min(8 + 5 * n, 40) for n in rows.get_column("num_documents")]},
            hovertext=hover, hoverinfo="text",
        ))
    vague = shown.filter(pl.col("date_precision") != "day")
    if not vague.is_empty():
        # One bar per event over the period its date stands for (None breaks the line between bars).
        xs, ys = [], []
        for start, end, code in vague.select("span_start", "span_end", "event_code").iter_rows():
            xs += [start, end, None]
            ys += [code, code, None]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", name="date known to the week / month / year", hoverinfo="skip",
            line={"width": 6, "color": "rgba(84,110,122,0.35)"},
        ))
    meetings = (
        met.filter(pl.col("event_date").is_not_null())
        .sort(["num_documents", "event_date", "participant_a", "participant_b"], descending=[True, False, False, False])
        .head(MAX_MEETING_LABELS)
    )
    if not meetings.is_empty():
        # One label per plotted date, pairs stacked, so meetings on the same day do not print over each other.
        labels = (
            _with_plot_dates(meetings).with_columns(
                pl.struct("participant_a", "participant_b", "event_date", "date_precision").map_elements(
                    lambda r: label(_pair(r["participant_a"], r["participant_b"]) + (
                        "" if r["date_precision"] == "day" else f" ({date_label(r['event_date'], r['date_precision'])})")),
                    return_dtype=pl.String).alias("pair"))
            .group_by("plot_date", maintain_order=True).agg(pl.col("pair").unique(maintain_order=True))
            .sort("plot_date")
        )
        fig.add_trace(go.Scatter(
            x=labels.get_column("plot_date").to_list(), y=["CONSULT"] * labels.height,
            mode="text", name="meetings", text=["<br>".join(pairs) for pairs in labels.get_column("pair")],
            # Alternate above/below so labels of nearby days overlap less.
            textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(labels.height)],
            textfont={"size": 11, "color": "#0d47a1"}, hoverinfo="skip",
        ))
    fig.update_yaxes(categoryorder="array", categoryarray=codes, title_text="")
    xaxis = {"rangeslider": {"visible": True}, "type": "date"}
    # Open on where most events fall, and the documents' own period; the few events articles recall from
    # long before (a 1949 treaty) stay reachable in the slider.
    ordered = sorted(shown.get_column("plot_date").to_list())
    start = 0
    while (start < len(ordered) - 1 and (ordered[start + 1] - ordered[start]).days > 365
           and len(ordered) - start - 1 >= len(ordered) / 2):
        start += 1
    first, last = ordered[start], ordered[-1]
    if summary.get("first_published"):
        # Around the documents' own period: a year before, two after (plans), and all of it.
        first = min(max(first, summary["first_published"] - timedelta(days=400)), summary["first_published"])
        last = max(min(last, summary["last_published"] + timedelta(days=730)), summary["last_published"])
    # Room for the meeting labels centred on the first and last dates (Plotly's autorange leaves none).
    pad = timedelta(days=max(45, (last - first).days // 8))
    lo, hi = first - pad, last + pad
    if shown.filter(pl.col("plot_date").is_between(lo, hi)).height:
        xaxis["range"] = [lo.isoformat(), hi.isoformat()]
    fig.update_layout(xaxis=xaxis, legend={"orientation": "h", "y": 1.08})
    note = (f"{shown.height} of {dated.height} dated events" if shown.height < dated.height
            else f"{dated.height} dated events") + (
        f" ({timeline.height - dated.height} more without a date). Marker size: documents reporting the event; "
        "labels: who met whom; a grey bar spans the week, month or year of an event not known to the day. "
        "Drag the slider to see earlier events.")
    return fig, note


def network_figure(met: pl.DataFrame) -> go.Figure | None:
    """Who met whom: people and countries as nodes on a circle, one edge per pair that met."""
    if met.is_empty():
        return None
    edges = (
        met.group_by("participant_a_key", "participant_b_key", "participant_a", "participant_b")
        .agg(pl.len().alias("meetings"), pl.col("event_date").drop_nulls().sort().alias("dates"),
             pl.col("mode").drop_nulls().unique().sort().alias("modes"))
        .sort(["meetings", "participant_a", "participant_b"], descending=[True, False, False])
        .head(MAX_NETWORK_EDGES)
    )
    ends = pl.concat([
        edges.select(pl.col("participant_a_key").alias("key"), pl.col("participant_a").alias("name"), "meetings"),
        edges.select(pl.col("participant_b_key").alias("key"), pl.col("participant_b").alias("name"), "meetings"),
    ])
    types = pl.concat([
        met.select(pl.col("participant_a_key").alias("key"), pl.col("participant_a_type").alias("type")),
        met.select(pl.col("participant_b_key").alias("key"), pl.col("participant_b_type").alias("type")),
    ]).unique("key", keep="first", maintain_order=True)
    nodes = (
        ends.group_by("key", "name").agg(pl.col("meetings").sum())
        .join(types, on="key", how="left")
        .sort(["meetings", "name", "key"], descending=[True, False, False])
        .head(MAX_NETWORK_NODES)
    )
    count = nodes.height
    position = {
        key: (math.cos(2 * math.pi * i / count + math.pi / 2), math.sin(2 * math.pi * i / count + math.pi / 2))
        for i, key in enumerate(nodes.get_column("key"))
    }
    fig = go.Figure()
    mid_x, mid_y, mid_text = [], [], []
    for r in edges.iter_rows(named=True):
        if r["participant_a_key"] not in position or r["participant_b_key"] not in position:
            continue
        (x0, y0), (x1, y1) = position[r["participant_a_key"]], position[r["participant_b_key"]]
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"width": 1 + 2 * min(r["meetings"], 6), "color": "rgba(21,101,192,0.45)"}))
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        dates = ", ".join(d.isoformat() for d in r["dates"][:6]) or "dates unknown"
        mid_text.append(f"{label(_pair(r['participant_a'], r['participant_b']))}<br>{r['meetings']} meeting(s): "
                        f"{label(dates)}<br>{label(', '.join(r['modes']))}")
    fig.add_trace(go.Scatter(x=mid_x, y=mid_y, mode="markers", marker={"size": 10, "opacity": 0},
                             hovertext=mid_text, hoverinfo="text", showlegend=False))
    fig.add_trace(go.Scatter(
        x=[position[k][0] for k in nodes.get_column("key")], y=[position[k][1] for k in nodes.get_column("key")],
        mode="markers+text", text=[label(n) for n in nodes.get_column("name")], textposition="top center",
        marker={"size": [12 + 4 * min(m, 8) for m in nodes.get_column("meetings")],
                "color": ["#1565c0" if t == "PERSON" else "#2e7d32" for t in nodes.get_column("type")]},
        hovertext=[f"{label(n)} ({label(t)}): {m} meeting(s)" for n, t, m in nodes.select("name", "type", "meetings").iter_rows()],
        hoverinfo="text", showlegend=False,
    ))
    axis = {"visible": False, "range": [-1.45, 1.45]}
    fig.update_layout(xaxis=axis, yaxis={**axis, "scaleanchor": "x"})
    return fig


def entities_by_source_figure(by_source: pl.DataFrame, daily: pl.DataFrame) -> go.Figure | None:
    """Heatmap: mentions of the overall top entities in the sources that mention most."""
    if by_source.is_empty():
        return None
    top = entity_totals(daily).head(HEATMAP_ENTITIES)
    sources = (
        by_source.group_by("source_key", "source_name").agg(pl.col("mentions").sum())
        .sort(["mentions", "source_name", "source_key"], descending=[True, False, False]).head(HEATMAP_SOURCES)
    )
    cells = by_source.join(top.select("entity_key"), on="entity_key", how="semi")
    lookup = {(s, e): m for s, e, m in cells.select("source_key", "entity_key", "mentions").iter_rows()}
    entity_labels = _unique_labels(top.get_column("canonical_name").to_list(), top.get_column("coarse_type").to_list())
    source_labels = _unique_labels(sources.get_column("source_name").to_list(), sources.get_column("source_key").to_list())
    z = [[lookup.get((s, e), 0) for e in top.get_column("entity_key")] for s in sources.get_column("source_key")]
    fig = go.Figure(go.Heatmap(
        z=z, x=entity_labels, y=source_labels, colorscale="Blues", texttemplate="%{z}",
        hovertemplate="%{y}<br>%{x}: %{z} mentions<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-35)
    fig.update_layout(height=160 + 34 * len(source_labels))
    return fig


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


def date_label(day, precision: str | None) -> str:
    """A date as precise as it is known: 2021-12-15, week of 2021-12-13, 2022-02, 2014, or empty."""
    if day is None:
        return ""
    if precision == "year":
        return f"{day.year}"
    if precision == "month":
        return f"{day.year}-{day.month:02d}"
    if precision == "week":
        return f"week of {day.isoformat()}"
    return day.isoformat()


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
    template = Template((resources.files("analyst") / "templates" / "report.html").read_text(encoding="utf-8"))
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
