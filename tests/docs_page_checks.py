"""Checks shared by the tests of the Data Docs page a run names: offline, complete, escaped."""

import re
from pathlib import Path

import polars as pl

# A src/href/url() naming a scheme (http:, https:, javascript:, data: ...) or a protocol-relative host.
EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)\s*(?:[a-z][a-z0-9+.-]*:|//)""", re.I)
SUMMARY_ROW = re.compile(
    r'<td><a href="#([^"]+)">[^<]*</a></td><td class="num">(\d+)</td><td class="num">(\d+)</td>'
    r'<td class="num">(\d+)</td><td>(.*?)</td></tr>'
)


def assert_offline_page(page: Path, results: pl.DataFrame) -> str:
    """The page loads nothing from elsewhere, runs no script, and has one summary row per validated table
    with its expectation counts (from ``results``: table_name, success); its detail links are local files.
    Returns the page's text."""
    html = page.read_text(encoding="utf-8")
    assert EXTERNAL.findall(html) == [], "the page reaches outside its folder"
    assert "<script" not in html.lower() and "@import" not in html
    expected = {
        row["table_name"]: (row["n"], row["ok"], row["n"] - row["ok"])
        for row in results.group_by("table_name").agg(n=pl.len(), ok=pl.col("success").sum()).iter_rows(named=True)
    }
    rows = SUMMARY_ROW.findall(html)
    assert {table: (int(n), int(ok), int(bad)) for table, n, ok, bad, _ in rows} == expected
    for *_, links in rows:
        for target in re.findall(r'href="([^"#]+)"', links):
            assert (page.parent / target).is_file(), target
    return html
