"""``dateline dedupe INPUT...``: preview the duplicate groups of a batch (no spaCy, no warehouse)."""

import polars as pl
from dateline.flows.sources import discover, read_files
from dateline.transforms.deduplicate import deduplicate
from dateline.transforms.ingest import parse_inputs
from dateline.transforms.keys import make_key
from dateline.transforms.normalize import normalize_documents
from dateline.transforms.reference import load_reference


def preview(inputs: list[str], max_bytes: int, threshold: float) -> tuple[dict, pl.DataFrame]:
    """Read, parse, normalize and deduplicate the inputs → ({"groups": [...]}, quarantine rows).

    Every document row is its own member, even when the same record appears in two files (the
    warehouse would store it once; a preview shows both places, as an exact group).
    """
    items, rejected = read_files(discover(inputs), max_bytes)
    raw, bad = parse_inputs(items)
    quarantine = pl.concat([pl.DataFrame(rejected, schema=bad.schema), bad]) if rejected else bad
    # The first row of each document keeps its key, so canonical choices match what `dateline run`
    # would make; a repeat of the same record elsewhere gets a key of its own place.
    rows = (
        raw.sort(["source_path", "record"], nulls_last=True)
        .with_columns(repeat=pl.col("document_key").is_first_distinct().not_())
        .with_columns(
            row_key=pl.when(pl.col("repeat"))
            .then(
                pl.struct("document_key", "source_path", "record").map_elements(
                    lambda r: make_key(r["document_key"], r["source_path"], r["record"]),
                    return_dtype=pl.String,
                )
            )
            .otherwise(pl.col("document_key"))
        )
        .drop("repeat")
    )
    normalized = normalize_documents(
        rows.drop("document_key").rename({"row_key": "document_key"}), load_reference().boilerplate_rules
    )
    links = deduplicate(normalized, threshold=threshold)
    return {"groups": groups(rows, links)}, quarantine


def groups(rows: pl.DataFrame, links: pl.DataFrame) -> list[dict]:
    """Duplicate groups in the issue's format, deterministic: groups by canonical place, members canonical first."""
    members = rows.select(
        pl.col("row_key").alias("document_key"), "document_id", "source_path", "record"
    ).join(
        links.select("document_key", "duplicate_of_key", "duplicate_kind", "similarity"), on="document_key"
    )
    linked = members.filter(pl.col("duplicate_of_key").is_not_null())
    places = {r["document_key"]: r for r in members.iter_rows(named=True)}
    out = []
    for head, group in linked.group_by("duplicate_of_key"):
        canonical = _member(places[head[0]], 1.0)
        others = sorted(
            (_member(r, r["similarity"]) for r in group.iter_rows(named=True)),
            key=lambda m: (-m["similarity"], m["source_path"], m["record"] or 0, m["document_id"]),
        )
        kind = "exact" if set(group.get_column("duplicate_kind")) == {"exact"} else "near"
        out.append({"canonical": canonical, "members": [canonical, *others], "kind": kind})
    return sorted(
        out,
        key=lambda g: (
            g["canonical"]["source_path"],
            g["canonical"]["record"] or 0,
            g["canonical"]["document_id"],
        ),
    )


def _member(row: dict, similarity: float) -> dict:
    return {
        "document_id": row["document_id"],
        "source_path": row["source_path"],
        "record": row["record"],
        "similarity": similarity,
    }
