"""Input bytes for the parser tests: (path, bytes[, first line]) pairs as ``ingest.InputBytes``."""

from collections.abc import Iterable

import polars as pl
from dateline.flows.sources import input_kind
from dateline.transforms.ingest import InputBytes, parse_inputs


def parse_files(items: Iterable[tuple | InputBytes]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``parse_inputs`` over pairs, each of the kind its path names (as ``flows.sources`` decides)."""
    return parse_inputs([
        item if isinstance(item, InputBytes) else InputBytes(item[0], input_kind(item[0]), *item[1:])
        for item in items
    ])
