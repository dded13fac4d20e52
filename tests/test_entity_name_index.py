"""The stored entity name index follows dim_entity through loads and migrations."""

import datetime as dt

import duckdb
import polars as pl
from dateline.transforms.entities import ENTITY_SCHEMA
from dateline.warehouse.db import apply_schema, connect_write
from dateline.warehouse.load import load_run

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
