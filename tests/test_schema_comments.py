"""The warehouse tells BI tools what each table, view and column means (COMMENT ON, from the DDL's own comments)."""

import duckdb
from dateline.warehouse.db import apply_schema, comment_statements


def test_every_table_and_view_has_a_comment_and_documented_columns_carry_theirs():
    con = duckdb.connect()
    apply_schema(con)
    apply_schema(con)  # idempotent
    objects = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'main' "
        "union all select view_name, comment from duckdb_views() where schema_name = 'main' and not internal"
    ).fetchall()
    assert objects and all(comment for _, comment in objects), [name for name, comment in objects if not comment]
    columns = dict(((t, c), comment) for t, c, comment in con.execute(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'main'").fetchall())
    assert columns[("dim_document", "body")] == "normalized text; mention offsets point into it"
    assert columns[("dim_document", "is_current")] == "false once superseded"
    assert columns[("quarantine", "run_id")] == "the run that first rejected it"
    assert sum(1 for s in comment_statements() if s.startswith("comment on column")) >= 35
