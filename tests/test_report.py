"""`dateline report`: one self-contained HTML dashboard, checked as text and in a real headless Chromium."""

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dateline.analyst.figures import date_label, entity_totals, label
from dateline.analyst.report import read_report_data
from dateline.cli.main import app
from typer.testing import CliRunner

# A script tag (must never run) and a tag Plotly would render as bold (must show as written).
EVIL = '<script>console.error("xss")</script><b>Evil</b> & Co'
FIGURES = ("top-entities", "event-timeline", "who-met-whom", "entities-by-source")
runner = CliRunner()


# ---------------------------------------------------------------- pure pieces


def test_label_escapes_markup_for_plotly():
    assert label(EVIL) == '&lt;script&gt;console.error("xss")&lt;/script&gt;&lt;b&gt;Evil&lt;/b&gt; &amp; Co'
    assert label(None) == ""


def test_date_label_follows_precision():
    day = dt.date(2022, 2, 1)
    assert [date_label(day, p) for p in ("day", "week", "month", "year")] == [
        "2022-02-01", "week of 2022-02-01", "2022-02", "2022"]
    assert date_label(None, "unknown") == ""


def test_timeline_plots_a_month_precise_meeting_inside_its_month_and_says_so():
    from dateline.analyst.figures import event_timeline_figure

    days = [dt.date(2021, 12, 15), dt.date(2022, 2, 1), dt.date(2024, 5, 1)]
    precisions = ["day", "month", "month"]
    timeline = pl.DataFrame({
        "event_key": ["e1", "e2", "e3"], "event_date": days, "date_precision": precisions,
        "event_code": ["CONSULT"] * 3, "quad_class": ["verbal_cooperation"] * 3, "mode": ["call", "visit", "meet"],
        "actor1": ["Vladimir Putin"] * 3, "actor2": ["Xi Jinping"] * 3, "location": [None, "Beijing", None],
        "num_documents": [3, 2, 1], "num_mentions": [3, 2, 1], "modality": ["asserted"] * 3,
        "first_source": ["unknown"] * 3, "first_document_title": ["t"] * 3,
    })
    met = pl.DataFrame({
        "event_date": days, "date_precision": precisions, "participant_a": ["Vladimir Putin"] * 3,
        "participant_b": ["Xi Jinping"] * 3, "num_documents": [3, 2, 1],
    })
    fig, _ = event_timeline_figure(timeline, met, {"first_published": None})
    (markers,) = [t for t in fig.data if t.name == "verbal cooperation"]
    assert list(markers.x) == [dt.date(2021, 12, 15), dt.date(2022, 2, 14), dt.date(2024, 5, 16)]
    assert [h.split("<br>")[0].split(" · ")[1] for h in markers.hovertext] == [
        "2021-12-15", "2022-02 (month)", "2024-05 (month)"]
    (bars,) = [t for t in fig.data if t.mode == "lines"]
    assert list(bars.x) == [dt.date(2022, 2, 1), dt.date(2022, 2, 28), None,
                            dt.date(2024, 5, 1), dt.date(2024, 5, 31), None]
    (labels,) = [t for t in fig.data if t.name == "meetings"]
    assert list(labels.text) == ["Vladimir Putin – Xi Jinping", "Vladimir Putin – Xi Jinping (2022-02)",
                                 "Vladimir Putin – Xi Jinping (2024-05)"]


def test_entity_totals_sum_over_days_most_mentioned_first():
    daily = pl.DataFrame({
        "entity_key": ["a", "a", "b", "c"], "canonical_name": ["A", "A", "B", "C"],
        "coarse_type": ["person"] * 4, "date": [dt.date(2022, 1, 1), None, None, None],
        "mentions": [2, 3, 5, 1], "documents": [1, 1, 2, 1],
    })
    totals = entity_totals(daily)
    assert totals.select("canonical_name", "mentions", "documents").rows() == [("A", 5, 2), ("B", 5, 2), ("C", 1, 1)]


def test_report_of_an_empty_warehouse_says_so_instead_of_failing(tmp_path):
    from dateline.analyst.report import build_report
    from dateline.warehouse.db import apply_schema

    path = tmp_path / "empty.duckdb"
    with duckdb.connect(str(path)) as con:
        apply_schema(con)
    with duckdb.connect(str(path), read_only=True) as con:
        page = build_report(con, path.name)
    assert "no runs recorded yet" in page and "No dated events yet." in page
    assert "Plotly.newPlot" not in page


# ---------------------------------------------------------------- on the seeds


@pytest.fixture(scope="module")
def warehouses(seeds_warehouse, tmp_path_factory) -> tuple[Path, Path]:
    """The session's seeds warehouse (conftest), and a copy with hostile names written into it."""
    clean = seeds_warehouse
    hostile = tmp_path_factory.mktemp("report-hostile") / "hostile.duckdb"
    shutil.copy(clean, hostile)
    with duckdb.connect(str(hostile)) as con:
        con.execute("insert into dim_entity (entity_key, canonical_name, entity_type, coarse_type, aliases) "
                    "values ('evil', ?, 'PERSON', 'person', [?])", [EVIL, EVIL])
        # As often mentioned as Putin, so it is on every chart.
        con.execute("""
            insert into fact_entity_mention (mention_key, document_key, entity_key, date_key, sentence_index,
                                             start_char, end_char, mention_text, label)
            select 'evil-' || mention_key, document_key, 'evil', date_key, sentence_index, start_char, end_char,
                   mention_text, label
            from fact_entity_mention
            where entity_key = (select entity_key from dim_entity where canonical_name = 'Vladimir Putin')
        """)
        con.execute("insert into dim_source values ('evil-source', ?, null)", [EVIL])
        con.execute("update dim_document set source_key = 'evil-source' where document_id like '000%'")
        con.execute("""
            insert into fact_event
            select * replace ('evil-meeting' as event_key, 'evil' as actor2_entity_key, ['evil'] as actor2_entity_keys,
                              'real' as polarity, current_date as event_date, 'day' as date_precision)
            from fact_event where event_code = 'CONSULT' and actor1_entity_key is not null
            order by num_documents desc, event_key limit 1
        """)
        # One report above the views' confidence threshold, so the views show the event.
        con.execute("""
            insert into fact_event_mention
            select * replace ('evil-report' as event_mention_key, 'evil-meeting' as event_key, 1.0 as confidence)
            from fact_event_mention order by event_mention_key limit 1
        """)
        con.execute("insert into quarantine values ('evil-q', (select min(run_id) from etl_run), ?, null, ?, ?)",
                    [EVIL + ".txt", "binary", EVIL])
    return clean, hostile


def _report(warehouse: Path, out: Path) -> str:
    result = runner.invoke(app, ["report", "--warehouse", str(warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_report_is_self_contained_and_read_only(warehouses, tmp_path):
    clean, _ = warehouses
    digest = hashlib.sha256(clean.read_bytes()).hexdigest()
    # A BI tool (another process) reading at the same time.
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(clean)!r}, read_only=True); "
                               "print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        html_text = _report(clean, tmp_path / "dash.html")
    finally:
        holder.communicate("", timeout=30)
    assert hashlib.sha256(clean.read_bytes()).hexdigest() == digest
    assert re.search(r"<script[^>]*\bsrc=", html_text) is None, "no external scripts"
    assert re.search(r"<link\b", html_text) is None, "no external stylesheets"
    assert "Plotly.newPlot" in html_text and "plotly.js v" in html_text, "plotly.js inlined"
    for div in FIGURES:
        assert f'id="{div}"' in html_text


@pytest.mark.slow
def test_report_data_puts_putin_and_xi_on_top_and_their_meetings_on_the_timeline(warehouses):
    clean, _ = warehouses
    with duckdb.connect(str(clean), read_only=True) as con:
        data = read_report_data(con)
    people = entity_totals(data.daily).filter(pl.col("coarse_type") == "person").get_column("canonical_name")
    assert set(people.head(2)) == {"Vladimir Putin", "Xi Jinping"}
    met = data.met.filter((pl.col("participant_a") == "Vladimir Putin") & (pl.col("participant_b") == "Xi Jinping"))
    dated = met.filter(pl.col("event_date").is_not_null())
    assert dated.height >= 1
    from dateline.analyst.figures import event_timeline_figure

    fig, _ = event_timeline_figure(data.timeline, data.met, data.summary)
    labels = "\n".join(t for trace in fig.data if trace.name == "meetings" for t in trace.text)
    assert labels.count("Vladimir Putin – Xi Jinping") == dated.get_column("event_date").n_unique()


@pytest.mark.slow
def test_hostile_names_are_escaped_in_the_html(warehouses, tmp_path):
    _, hostile = warehouses
    html_text = _report(hostile, tmp_path / "dash.html")
    assert EVIL not in html_text
    assert "<script>console.error" not in html_text
    assert html_text.count("&lt;script&gt;console.error(&quot;xss&quot;)&lt;/script&gt;&lt;b&gt;Evil&lt;/b&gt; &amp; Co") >= 3


# ---------------------------------------------------------------- in a real browser


class _Dom(HTMLParser):
    """Visible text (all, and inside SVG charts), script bodies and class names of a serialized DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.svg_text: list[str] = []
        self.scripts: list[str] = []
        self.classes: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        self.classes.extend((dict(attrs).get("class") or "").split())
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            self.scripts[-1] += data
        elif not (self._in and self._in[-1] == "style"):
            self.text.append(data)
            if "svg" in self._in:
                self.svg_text.append(data)


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
    return path


def _browse(html_file: Path, tmp_path: Path, *mode: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{mode[0].strip('-').split('=')[0]}"
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--window-size=1400,2200",
         *mode, html_file.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )


def _console(stderr: str) -> list[str]:
    # Chromium logs page console messages as "...:INFO:CONSOLE:<line>] ..." (older builds: "CONSOLE(<line>)").
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.slow
def test_dashboard_renders_in_headless_chromium(warehouses, tmp_path):
    _, hostile = warehouses
    page = tmp_path / "dash.html"
    _report(hostile, page)

    dom_run = _browse(page, tmp_path, "--dump-dom")
    assert dom_run.returncode == 0, dom_run.stderr[-2000:]
    assert _console(dom_run.stderr) == [], "console messages (errors, or the hostile name executing)"
    dom = _Dom()
    dom.feed(dom_run.stdout)
    # Plotly draws each chart as a .plotly container with .main-svg layers.
    assert dom.classes.count("main-svg") >= 2 * len(FIGURES)
    assert dom.classes.count("js-plotly-plot") >= len(FIGURES)
    visible = "".join(dom.text)
    assert visible.count(EVIL) >= 3, "the hostile name shows as text in the tables"
    # Plotly reads labels as a small HTML subset: unescaped, "<b>" would turn bold instead of showing.
    assert "".join(dom.svg_text).count(EVIL) >= 3, "the hostile name shows as written on the charts"
    assert not any(s.lstrip().startswith("console.error") for s in dom.scripts), "no injected script element"
    assert "Vladimir Putin – Xi Jinping" in visible

    shot = tmp_path / "dashboard.png"
    shot_run = _browse(page, tmp_path, f"--screenshot={shot}")
    assert shot_run.returncode == 0, shot_run.stderr[-2000:]
    assert _console(shot_run.stderr) == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000
