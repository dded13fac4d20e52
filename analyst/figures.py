"""The dashboard's Plotly figures, each from one or two warehouse views (``analyst.report`` lays them out).

Every text that comes from the data goes through ``label``: Plotly renders label strings as a small
HTML subset (``<b>``, ``<br>``, entities).
"""

import html
import math
from datetime import timedelta

import plotly.graph_objects as go
import polars as pl
from dateline.transforms.dates import period_bounds
from plotly.subplots import make_subplots

TOP_ENTITIES = 12
TIMELINE_ENTITIES = 8
MAX_TIMELINE_EVENTS = 2000
MAX_MEETING_LABELS = 15
MAX_NETWORK_NODES = 25
MAX_NETWORK_EDGES = 150
HEATMAP_SOURCES = 12
HEATMAP_ENTITIES = 15

QUAD_COLORS = {
    "verbal_cooperation": "#2e7d32",
    "material_cooperation": "#66bb6a",
    "verbal_conflict": "#ef6c00",
    "material_conflict": "#c62828",
}
TYPE_COLORS = {
    "person": "#1565c0", "location": "#2e7d32", "organization": "#6a1b9a", "group": "#ef6c00", "other": "#546e7a",
}

def label(value: object) -> str:
    """Text from the data for a Plotly label: its ``<``, ``>`` and ``&`` escaped, so it shows as written.

    Plotly parses labels as a small HTML subset and decodes only a few entities (not ``&quot;``), so quotes
    stay as they are; they cannot open a tag.
    """
    return "" if value is None else html.escape(str(value), quote=False)


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
    if precision == "week":
        return day, day + timedelta(days=6)
    return period_bounds(day, precision)


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
    fig = go.Figure()
    for trace in (*_event_traces(shown), _period_bars(shown), _meeting_labels(met)):
        if trace is not None:
            fig.add_trace(trace)
    codes = (
        shown.select("event_code", "quad_class").unique()
        .sort(["quad_class", "event_code"]).get_column("event_code").to_list()
    )
    fig.update_yaxes(categoryorder="array", categoryarray=codes, title_text="")
    xaxis = {"rangeslider": {"visible": True}, "type": "date"}
    shown_range = _opening_range(shown, summary)
    if shown_range:
        xaxis["range"] = shown_range
    fig.update_layout(xaxis=xaxis, legend={"orientation": "h", "y": 1.08})
    note = (f"{shown.height} of {dated.height} dated events" if shown.height < dated.height
            else f"{dated.height} dated events") + (
        f" ({timeline.height - dated.height} more without a date). Marker size: documents reporting the event; "
        "labels: who met whom; a grey bar spans the week, month or year of an event not known to the day. "
        "Drag the slider to see earlier events.")
    return fig, note


def _event_hover(r: dict) -> str:
    return "<br>".join((
        f"<b>{label(r['event_code'])}</b> {label(r['mode'] or '')} · {label(_when(r['event_date'], r['date_precision']))}",
        label(_actors(r["actor1"], r["actor2"])),
        f"location: {label(r['location'] or '—')}",
        f"{r['num_documents']} documents, {r['num_mentions']} reports · {label(r['modality'])}",
        f"first source: {label(r['first_source'])} — {label((r['first_document_title'] or '')[:80])}",
    ))


def _event_traces(shown: pl.DataFrame) -> list[go.Scatter]:
    """One marker trace per quad class present, coloured by it."""
    traces = []
    for quad, color in QUAD_COLORS.items():
        rows = shown.filter(pl.col("quad_class") == quad)
        if rows.is_empty():
            continue
        traces.append(go.Scatter(
            x=rows.get_column("plot_date").to_list(), y=rows.get_column("event_code").to_list(), mode="markers",
            name=label(quad.replace("_", " ")),
            marker={"color": color, "opacity": 0.75, "line": {"width": 1, "color": "#fff"},
                    "size": [min(8 + 5 * n, 40) for n in rows.get_column("num_documents")]},
            hovertext=[_event_hover(r) for r in rows.iter_rows(named=True)], hoverinfo="text",
        ))
    return traces


def _period_bars(shown: pl.DataFrame) -> go.Scatter | None:
    """One bar per event not known to the day, over the period its date stands for."""
    vague = shown.filter(pl.col("date_precision") != "day")
    if vague.is_empty():
        return None
    xs, ys = [], []
    for start, end, code in vague.select("span_start", "span_end", "event_code").iter_rows():
        xs += [start, end, None]  # None breaks the line between bars
        ys += [code, code, None]
    return go.Scatter(
        x=xs, y=ys, mode="lines", name="date known to the week / month / year", hoverinfo="skip",
        line={"width": 6, "color": "rgba(84,110,122,0.35)"},
    )


def _meeting_pair(r: dict) -> str:
    when = "" if r["date_precision"] == "day" else f" ({date_label(r['event_date'], r['date_precision'])})"
    return label(_pair(r["participant_a"], r["participant_b"]) + when)


def _meeting_labels(met: pl.DataFrame) -> go.Scatter | None:
    """Who met whom, as text on the CONSULT row: one label per plotted date, pairs stacked."""
    meetings = (
        met.filter(pl.col("event_date").is_not_null())
        .sort(["num_documents", "event_date", "participant_a", "participant_b"], descending=[True, False, False, False])
        .head(MAX_MEETING_LABELS)
    )
    if meetings.is_empty():
        return None
    # Pairs of one date stacked, so meetings on the same day do not print over each other.
    labels = (
        _with_plot_dates(meetings).with_columns(
            pl.struct("participant_a", "participant_b", "event_date", "date_precision")
            .map_elements(_meeting_pair, return_dtype=pl.String).alias("pair"))
        .group_by("plot_date", maintain_order=True).agg(pl.col("pair").unique(maintain_order=True))
        .sort("plot_date")
    )
    return go.Scatter(
        x=labels.get_column("plot_date").to_list(), y=["CONSULT"] * labels.height,
        mode="text", name="meetings", text=["<br>".join(pairs) for pairs in labels.get_column("pair")],
        # Alternate above/below so labels of nearby days overlap less.
        textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(labels.height)],
        textfont={"size": 11, "color": "#0d47a1"}, hoverinfo="skip",
    )


def _opening_range(shown: pl.DataFrame, summary: dict) -> list[str] | None:
    """The x range the timeline opens on: where most events fall, and the documents' own period.

    The few events articles recall from long before (a 1949 treaty) stay reachable in the slider.
    None when no event would be in view (Plotly's autorange then).
    """
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
        return [lo.isoformat(), hi.isoformat()]
    return None


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
