"""A self-contained HTML page of one run's validation results, readable without a network.

Great Expectations' own index draws its table with jQuery and bootstrap-table from CDNs, so offline it
is blank. This page is plain HTML with inline CSS (no script, no external URL; a Content-Security-Policy
forbids fetching anything), every value escaped; it links to GX's local pages for the details.
"""

from html import escape
from pathlib import Path
from urllib.parse import quote

import polars as pl

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; }
tr.fail td { background: #fde8e8; }
.passed { color: #176b2c; } .failed { color: #b00020; }
td.observed { font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'"


def table_counts(results: pl.DataFrame) -> pl.DataFrame:
    """Expectations, passed and failed per validated table, in validation order."""
    return results.group_by("table_name", maintain_order=True).agg(
        expectations=pl.len(), passed=pl.col("success").sum(), failed=(~pl.col("success")).sum()
    )


def render_page(results: pl.DataFrame, run_id: str, links: dict[str, list[tuple[str, str]]]) -> str:
    """The whole page: run status, one summary row per table, then every expectation of each table.

    ``links`` maps a table to (label, path relative to the page) pairs of GX's pages about it.
    """
    failed = int((~results.get_column("success")).sum())
    status = "failed" if failed else "passed"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>Dateline validation — run {escape(run_id)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Dateline validation — run {escape(run_id)}</h1>",
        f'<p>Validation <strong class="{status}">{status}</strong>: {failed} of {results.height} '
        "expectations failed.</p>",
        _summary_table(results, links),
        *(_table_section(table, rows) for (table,), rows in results.group_by("table_name", maintain_order=True)),
        '<p>Great Expectations\' own index (its scripts need a network): <a href="gx_index.html">gx_index.html</a>'
        "</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary_table(results: pl.DataFrame, links: dict[str, list[tuple[str, str]]]) -> str:
    rows = [
        f'<tr{_fail_class(r["failed"] == 0)}><td><a href="#{escape(r["table_name"])}">{escape(r["table_name"])}'
        f'</a></td><td class="num">{r["expectations"]}</td><td class="num">{r["passed"]}</td>'
        f'<td class="num">{r["failed"]}</td><td>{_links(links.get(r["table_name"], []))}</td></tr>'
        for r in table_counts(results).iter_rows(named=True)
    ]
    head = "<tr><th>table</th><th>expectations</th><th>passed</th><th>failed</th><th>details (GX)</th></tr>"
    return f'<table id="summary">{head}{"".join(rows)}</table>'


def _table_section(table: str, rows: pl.DataFrame) -> str:
    body = "".join(
        f'<tr{_fail_class(r["success"])}><td>{escape(r["expectation"])}</td>'
        f'<td>{escape(r["column_name"] or "")}</td>'
        f'<td class="{"passed" if r["success"] else "failed"}">{"passed" if r["success"] else "failed"}</td>'
        f'<td class="observed">{escape(r["observed_value"] or "")}</td></tr>'
        for r in rows.iter_rows(named=True)
    )
    head = "<tr><th>expectation</th><th>column</th><th>result</th><th>observed value</th></tr>"
    return f'<h2 id="{escape(table)}">{escape(table)}</h2><table>{head}{body}</table>'


def _fail_class(success: bool) -> str:
    return "" if success else ' class="fail"'


def _links(pairs: list[tuple[str, str]]) -> str:
    return " · ".join(f'<a href="{escape(quote(path))}">{escape(label)}</a>' for label, path in pairs)


def gx_links(site: Path, tables: list[str], run_id: str) -> dict[str, list[tuple[str, str]]]:
    """GX's suite page and this run's validation page per table, relative to the site root, when they exist."""
    links: dict[str, list[tuple[str, str]]] = {}
    for table in tables:
        pages = [("suite", site / "expectations" / f"{table}.html")]
        runs = sorted((site / "validations" / table / run_id).glob("*/*.html"))
        pages += [("validation", runs[-1])] if runs else []
        links[table] = [(label, p.relative_to(site).as_posix()) for label, p in pages if p.is_file()]
    return links


def write_page(site: Path, results: pl.DataFrame, run_id: str) -> Path:
    """Move GX's index aside to ``gx_index.html`` and write this page as the site's ``index.html``."""
    index = site / "index.html"
    if index.is_file():
        index.replace(site / "gx_index.html")
    tables = table_counts(results).get_column("table_name").to_list()
    index.write_text(render_page(results, run_id, gx_links(site, tables, run_id)), encoding="utf-8")
    return index
