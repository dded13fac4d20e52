"""Name probes: which loaded entities a batch's names can decide, or be decided by.

``resolve_entities`` with ``open_keys`` re-decides only the keys a batch can change; these pure
functions say which names to ask the warehouse for (``flows.lookups.WarehouseLookups.entity_context``
runs them as SQL joins) so that the open keys come with everything their decision reads.
"""

from collections import defaultdict
from collections.abc import Iterable

import polars as pl
from dateline.transforms.entities import COARSE_TYPE_VALUES, entity_key

# Probes that find, among the loaded entities, those a batch's names can decide or be decided by
# (``resolve_entities`` with ``open_keys``). kind: key (an entity_key), first / last (multi-word names
# with that first / last word), ends (multi-word names with both), prefix / suffix (names starting with
# the value and a space / ending in a space and the value). Values are case-folded.
PROBE_SCHEMA = pl.Schema({"kind": pl.String, "value": pl.String, "first_word": pl.String, "last_word": pl.String})


def _keys_of(folded: str) -> list[tuple[str, str, str | None, str | None]]:
    return [("key", entity_key(folded, c), None, None) for c in COARSE_TYPE_VALUES]


def _probe_frame(rows: Iterable[tuple[str, str, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(sorted(set(rows), key=lambda r: (r[0], r[1], r[2] or "", r[3] or "")),
                        schema=PROBE_SCHEMA, orient="row")


def seed_probes(batch: Iterable[str]) -> pl.DataFrame:
    """Probes for the loaded names whose resolution the batch's case-folded names may change.

    A name's own keys (every coarse type: its type is a vote over them); for a multi-word name, the
    one-word names of its first and last word (a short person name links to the full name it ends or
    begins) and the multi-word names with the same first and last words (middle names); every name
    ending in one of its last words (an organization named after its place goes by the rest); the
    names starting with it (it may be the place such an organization is named after).
    """
    rows = []
    for folded in batch:
        words = folded.split()
        rows += _keys_of(folded)
        rows.append(("prefix", folded, words[0], None))
        for cut in range(1, len(words)):
            rows += _keys_of(" ".join(words[cut:]))
        if len(words) > 1:
            rows += _keys_of(words[0]) + _keys_of(words[-1])
            rows.append(("ends", folded, words[0], words[-1]))
    return _probe_frame(rows)


def open_names(batch: Iterable[str], reached: Iterable[str]) -> set[str]:
    """The case-folded names whose resolution may change: the batch's, and those ``seed_probes`` reached
    that a batch name decides (see there), given the case-folded names of the loaded entities reached."""
    batch = set(batch)
    opened = set(batch)
    ends = set()
    by_first: dict[str, list[str]] = defaultdict(list)
    for folded in batch:
        words = folded.split()
        by_first[words[0]].append(folded)
        opened.update(" ".join(words[cut:]) for cut in range(1, len(words)))
        if len(words) > 1:
            opened.update((words[0], words[-1]))
            ends.add((words[0], words[-1]))
    for name in reached:
        words = name.split()
        if len(words) > 1 and (words[0], words[-1]) in ends:
            opened.add(name)
        for prefix in by_first.get(words[0], ()):
            if name.startswith(prefix + " "):
                opened.add(name[len(prefix) + 1 :])
    return opened


def input_probes(opened: Iterable[str]) -> pl.DataFrame:
    """Probes for everything the resolution of the ``opened`` names reads: their keys; the multi-word
    names sharing both end words (a multi-word name) or one of them (a one-word name); the names
    ending in them (organizations named after a place, whose places ``prefix_probes`` then adds)."""
    rows = []
    for folded in opened:
        words = folded.split()
        rows += _keys_of(folded)
        rows.append(("suffix", folded, None, words[-1]))
        if len(words) > 1:
            rows.append(("ends", folded, words[0], words[-1]))
        else:
            rows += [("first", folded, None, None), ("last", folded, None, None)]
    return _probe_frame(rows)


def prefix_probes(opened: Iterable[str], reached: Iterable[str]) -> pl.DataFrame:
    """Keys of the places before an opened name in the reached names ("indianapolis" of "indianapolis
    colts" for "colts"): whether that place is a location decides whether the longer name counts."""
    by_last: dict[str, list[str]] = defaultdict(list)
    for folded in opened:
        by_last[folded.split()[-1]].append(folded)
    rows = []
    for name in reached:
        for folded in by_last.get(name.split()[-1], ()):
            if name.endswith(" " + folded):
                rows += _keys_of(name[: -len(folded) - 1])
    return _probe_frame(rows)
