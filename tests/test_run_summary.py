"""The run counters are listed once (flows/summary.py): the etl_run row and the CLI summary follow them."""

import datetime as dt
from dataclasses import asdict, fields

import duckdb
from dateline.flows.summary import RunCounts, RunSummary, run_row
from dateline.warehouse.db import apply_schema
from dateline.warehouse.load import insert_run


def test_the_etl_run_row_has_exactly_the_columns_of_the_table():
    con = duckdb.connect()
    apply_schema(con)
    columns = [row[0] for row in con.execute("select column_name from duckdb_columns() where table_name = 'etl_run'")
               .fetchall()]
    row = run_row("r1", RunCounts(files_seen=3, words=7), dt.datetime(2026, 1, 1), {"ingest": 0.5}, ("success", ""))
    assert sorted(row) == sorted(columns)
    insert_run(con, row)
    assert con.execute("select files_seen, words, status, message from etl_run").fetchall() == [
        (3, 7, "success", None)
    ]


def test_every_counter_but_the_superseded_documents_is_recorded_and_the_summary_is_flat():
    recorded = set(RunCounts().columns())
    assert recorded == {f.name for f in fields(RunCounts)} - {"documents_superseded"}
    summary = RunSummary(run_id="r1", documents_new=2, status="success")
    # `dateline run --json` prints one flat object: counters beside run_id, status, validation ...
    assert asdict(summary)["documents_new"] == 2 and asdict(summary)["status"] == "success"
    assert summary.counters()["documents_new"] == 2


def test_the_cli_summary_shows_the_labelled_counters_in_order():
    labels = [label for label, _ in RunCounts(files_seen=1).labelled()]
    assert labels[:3] == ["files seen", "documents read", "documents new"]
    assert "words" not in labels and len(labels) == 11
