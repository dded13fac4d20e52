"""A synthetic warehouse of any size, grown in DuckDB SQL from a real (seed) warehouse.

The seed is a warehouse a real run made (``dateline run`` over real articles). The synthetic one is
the seed repeated in *replicas*: replica 0 is the seed itself, every other replica is each seed
document, mention, event and event report again under new deterministic keys, hashes, record ids and
MinHash values, its dates moved back by ``r`` days, and its long-tail entities (named in fewer than
``head_documents`` seed documents) as new entities with replica-spelled names; the head entities are
shared. So key, MinHash, name, date and per-document count distributions are the seed's, and the
warehouse is valid by construction: the same DDL (``warehouse.db.apply_schema``), every foreign key
pointing at a row of its replica. Bodies of the copies are cut to 120 characters (nothing in a run reads
a body unless LSH proposes its document). The SQL is in ``benchmarks/sql/synthetic/``, one step a file.
"""

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dateline.warehouse.db import apply_schema

SQL_DIR = Path(__file__).parent / "sql" / "synthetic"
TABLES = ("dim_date", "dim_source", "dim_document", "dim_entity", "dim_event_type", "fact_entity_mention",
          "fact_event", "fact_event_mention", "etl_run", "quarantine", "etl_validation")


def table_counts(con: duckdb.DuckDBPyConnection, schema: str | None = None) -> dict[str, int]:
    """Rows per warehouse table (of the attached database ``schema``, if given)."""
    prefix = f"{schema}." if schema else ""
    return {t: con.execute(f"select count(*) from {prefix}{t}").fetchone()[0] for t in TABLES}


def replicas_for(documents: int, seed_documents: int) -> int:
    """How many replicas of a seed of ``seed_documents`` give at least ``documents`` documents."""
    if seed_documents < 1:
        raise ValueError("the seed warehouse holds no document")
    return max(1, math.ceil(documents / seed_documents))


@dataclass(frozen=True)
class BuildOptions:
    """How ``build`` grows a warehouse: head documents per replica, DuckDB's memory limit and temp folder."""

    head_documents: int = 2
    memory_limit: str | None = None
    temp_dir: Path | None = None


def build(seed: Path, out: Path, documents: int, options: BuildOptions = BuildOptions(), log=None) -> dict:
    """Write a synthetic warehouse of at least ``documents`` documents grown from ``seed`` to ``out``.

    ``out`` appears only when complete (written beside it, then renamed), so an interrupted build
    leaves no half warehouse behind for a cache to trust. Returns the row counts and build seconds.
    """
    if out.exists():
        raise FileExistsError(f"{out} exists")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    head_documents, memory_limit, temp_dir = options.head_documents, options.memory_limit, options.temp_dir
    con = duckdb.connect(str(partial))
    try:
        if memory_limit:
            con.execute(f"set memory_limit = '{memory_limit}'")
        if temp_dir is not None:
            con.execute(f"set temp_directory = '{temp_dir}'")
        con.execute("set preserve_insertion_order = false")
        apply_schema(con)
        con.execute(f"attach '{seed}' as seed (read_only)")
        seed_documents = con.execute("select count(*) from seed.dim_document").fetchone()[0]
        replicas = replicas_for(documents, seed_documents)
        con.execute("set variable replicas = ?", [replicas])
        con.execute("set variable head_documents = ?", [head_documents])
        for path in sorted(SQL_DIR.glob("*.sql")):
            step = time.perf_counter()
            con.execute(path.read_text(encoding="utf-8"))
            if log:
                log(f"synthetic: {path.stem} {time.perf_counter() - step:.1f} s")
        seed_counts = table_counts(con, "seed")
        con.execute("detach seed")
        counts = table_counts(con)
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(partial, out)
    return {"replicas": replicas, "seed_documents": seed_documents, "head_documents": head_documents,
            "seed_counts": seed_counts, "counts": counts, "build_seconds": round(time.perf_counter() - started, 1)}
