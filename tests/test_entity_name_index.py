"""The index tables follow what they index: entity_name_index dim_entity, entity_name_votes the mentions,
through loads, redirects, new versions and migrations."""

import datetime as dt
import shutil

import duckdb
import polars as pl
from dateline.transforms.entities import ENTITY_SCHEMA
from dateline.warehouse.db import apply_schema, connect_write
from dateline.warehouse.load import load_run

from tests.conftest import SEEDS
from tests.helpers import run_flow

INDEX_ORDER = "order by entity_key"


def _entities(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ENTITY_SCHEMA, orient="row")


def _load(con: duckdb.DuckDBPyConnection, run: str, rows: list[tuple]) -> None:
    started = dt.datetime(2024, 1, 1)
    load_run(con, {"dim_entity": _entities(rows)}, {"run_id": run, "started_at": started, "status": "success"})


def _index(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(f"select * from entity_name_index {INDEX_ORDER}").fetchall()


def _derived(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(f"select * from entity_name_rows() {INDEX_ORDER}").fetchall()


def test_the_load_keeps_the_name_index_in_step_with_dim_entity():
    con = duckdb.connect()
    apply_schema(con)
    _load(con, "r1", [
        ("trump", "Trump", "PERSON", "person", ["Trump"], None, None, None),
        ("xi", "Xi Jinping", "PERSON", "person", ["Xi Jinping"], None, None, None),
        ("strasse", "Große Straße", "FAC", "location", ["Große Straße"], None, None, None),
    ])
    assert [row[:6] for row in _index(con)] == [
        ("strasse", "große straße", "große", "straße", True, "location"),
        ("trump", "trump", "trump", "trump", False, "person"),
        ("xi", "xi jinping", "xi", "jinping", True, "person"),
    ]
    assert [row[6:] for row in _index(con)] == [(False, "Große Straße"), (True, None), (True, None)]  # plain: ASCII
    # A second run renames one entity, redirects another and adds a third: the index rows follow.
    _load(con, "r2", [
        ("trump", "Trump", "PERSON", "person", ["Trump"], "donald", None, None),
        ("xi", "President Xi Jinping", "PERSON", "person", ["Xi"], None, None, None),
        ("donald", "Donald Trump", "PERSON", "person", ["Donald Trump"], None, None, None),
    ])
    assert _index(con) == _derived(con)
    assert len(_index(con)) == con.execute("select count(*) from dim_entity").fetchone()[0] == 4
    assert con.execute("select first_word from entity_name_index where entity_key = 'xi'").fetchone() == ("president",)
    # A rerun of the same entities changes nothing.
    before = _index(con)
    _load(con, "r3", [("donald", "Donald Trump", "PERSON", "person", ["Donald Trump"], None, None, None)])
    assert _index(con) == before


def test_a_warehouse_from_before_the_name_index_gets_it_filled_once(tmp_path):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        apply_schema(con)
        _load(con, "r1", [("xi", "Xi Jinping", "PERSON", "person", ["Xi"], None, None, None)])
        con.execute("drop table entity_name_index")  # as a warehouse loaded before the table existed
    connect_write(path, 0.0).close()
    with duckdb.connect(str(path), read_only=True) as con:
        assert _index(con) == _derived(con) and len(_index(con)) == 1


def _votes(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from entity_name_votes order by all").fetchall()


def _vote_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from entity_name_vote_rows() order by all").fetchall()


def test_the_load_keeps_the_votes_in_step_with_the_mentions_a_redirect_moves():
    con = duckdb.connect()
    apply_schema(con)
    _load(con, "r1", [("trump", "Trump", "PERSON", "person", ["Trump"], None, None, None),
                      ("donald", "Donald Trump", "PERSON", "person", ["Donald Trump"], None, None, None)])
    # Mentions as a warehouse from before name keys holds them (name_key null: they vote under their
    # entity key), and one with a name key of its own.
    con.execute("""insert into fact_entity_mention
        (mention_key, document_key, entity_key, sentence_index, start_char, end_char, mention_text, label,
         name_key, entity_label) values
        ('m1', 'd1', 'trump', 0, 0, 5, 'Trump', 'PERSON', null, null),
        ('m2', 'd1', 'trump', 1, 9, 14, 'Trump', 'ORG', null, 'PERSON'),
        ('m3', 'd2', 'donald', 0, 0, 12, 'Donald Trump', 'PERSON', 'donald', null)""")
    con.execute("insert into entity_name_votes select * from entity_name_vote_rows()")
    assert _votes(con) == [("donald", "PERSON", 1), ("trump", "PERSON", 2)]
    # The next load redirects "Trump" to "Donald Trump": the two mentions without a name key follow it,
    # and so do their votes.
    _load(con, "r2", [("trump", "Trump", "PERSON", "person", ["Trump"], "donald", None, None)])
    assert con.execute("select count(*) from fact_entity_mention where entity_key = 'donald'").fetchone()[0] == 3
    assert _votes(con) == _vote_rows(con) == [("donald", "PERSON", 3)]


def test_the_votes_follow_new_and_replaced_documents_in_a_run(prefect_harness, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    warehouse = tmp_path / "wh" / "dateline.duckdb"
    assert run_flow([inbox], warehouse).status == "success"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first = _votes(con)
        assert first == _vote_rows(con) and sum(row[2] for row in first) > 100
    edited = sorted(inbox.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nEmmanuel Macron called Olaf Scholz on Monday.\n",
                      encoding="utf-8")
    summary = run_flow([inbox], warehouse)
    assert summary.status == "success" and summary.documents_superseded == 1
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert _votes(con) == _vote_rows(con) != first
