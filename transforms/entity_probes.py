"""Name probes: which loaded entities a batch's names can decide, or be decided by.

``resolve_entities`` with ``open_keys`` re-decides only the keys a batch can change; these pure
functions say which names to ask the warehouse for (``flows.lookups.WarehouseLookups.entity_context``
runs them as SQL joins) so that the open keys come with everything their decision reads.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import polars as pl
from dateline.transforms.entities import coarse_vote, entity_keys
from dateline.transforms.name_links import hyphen_spellings, variant_form

# Probes that find, among the loaded entities, those a batch's names can decide or be decided by
# (``resolve_entities`` with ``open_keys``). kind: key (an entity_key), first / last (multi-word names
# with that first / last word), ends (multi-word names with both), prefix / suffix (names starting with
# the value and a space / ending in a space and the value); open (a name whose resolution may change:
# reaches nothing itself, see the first-word probe in warehouse/sql/lookups/entity_neighbours.sql).
# Values are case-folded.
PROBE_SCHEMA = pl.Schema({"kind": pl.String, "value": pl.String, "first_word": pl.String, "last_word": pl.String})


# The key probes and the spelling probes of each name built so far inside ``shared_keys`` (None outside):
# one batch's probe sets ask for the same names again and again (a head name's words in each of its full
# names, the batch's names in the seed, key and input probes), each time five SHA-256 digests.
_built_keys: ContextVar[tuple[dict[str, list], dict[str, list]] | None] = ContextVar("_built_keys", default=None)


@contextmanager
def shared_keys() -> Iterator[None]:
    """Inside, the probe builders compute each name's key probes and spelling probes once (the same rows,
    from dicts that live as long as the block: ``flows.lookups.WarehouseLookups.entity_context``)."""
    token = _built_keys.set(({}, {}))
    try:
        yield
    finally:
        _built_keys.reset(token)


def _keys_of(folded: str) -> list[tuple[str, str, str | None, str | None]]:
    return _once(0, folded, _key_rows)


def _key_rows(folded: str) -> list[tuple[str, str, str | None, str | None]]:
    return [("key", key, None, None) for key in entity_keys(folded)]


def _once(kind: int, folded: str, build) -> list[tuple[str, str, str | None, str | None]]:
    """``build(folded)``, computed once per name inside ``shared_keys`` (``kind``: which of its two dicts)."""
    built = _built_keys.get()
    if built is None:
        return build(folded)
    rows = built[kind].get(folded)
    if rows is None:
        rows = built[kind][folded] = build(folded)
    return rows


def _spelling_probes(folded: str) -> list[tuple[str, str, str | None, str | None]]:
    """Probes for the other spellings of a name (``name_links.variant_targets``: a hyphen inside a word against
    a space): the one-word spelling by key, those of more words by their first and last words."""
    if "-" not in folded and " " not in folded:
        return []
    return _once(1, folded, _spellings)


def _spellings(folded: str) -> list[tuple[str, str, str | None, str | None]]:
    form = variant_form(folded)
    one_word, ends = hyphen_spellings(form)
    rows = [row for spelling in one_word if spelling != folded for row in _keys_of(spelling)]
    return rows + [("ends", form, first, last) for first, last in ends]


def _probe_frame(rows: Iterable[tuple[str, str, str | None, str | None]]) -> pl.DataFrame:
    """The distinct probes, ordered by kind, value, first and last word (a missing word first)."""
    frame = pl.DataFrame(list(set(rows)), schema=PROBE_SCHEMA, orient="row")
    return frame.sort("kind", "value", pl.col("first_word").fill_null(""), pl.col("last_word").fill_null(""))


def seed_probes(batch: Iterable[str], places: Iterable[str] | None = None) -> pl.DataFrame:
    """Probes for the loaded names whose resolution the batch's case-folded names may change.

    A name's own keys (every coarse type: its type is a vote over them); for a multi-word name, the
    one-word names of its first and last word (a short person name links to the full name it ends or
    begins) and the multi-word names with the same first and last words (middle names); every name
    ending in one of its last words (an organization named after its place goes by the rest); the
    names starting with it (it may be the place such an organization is named after), only for the
    names of ``places`` (default: every batch name; see ``places_in_question``); the name's other spellings
    with a hyphen inside a word for a space or the reverse (``_spelling_probes``).
    """
    batch = list(batch)
    places = set(batch) if places is None else set(places)
    rows = []
    for folded in batch:
        words = folded.split()
        rows += _keys_of(folded)
        if folded in places:
            rows.append(("prefix", folded, words[0], None))
        for cut in range(1, len(words)):
            rows += _keys_of(" ".join(words[cut:]))
        if len(words) > 1:
            rows += _keys_of(words[0]) + _keys_of(words[-1])
            rows.append(("ends", folded, words[0], words[-1]))
        rows += _spelling_probes(folded)
    return _probe_frame(rows)


def prefix_seed_probes(places: Iterable[str]) -> pl.DataFrame:
    """The ``prefix`` probes of ``seed_probes`` alone, for the case-folded names of ``places``."""
    return _probe_frame([("prefix", folded, folded.split()[0], None) for folded in places])


def _coarse_votes(
    names: set[str], mentions: pl.DataFrame, loaded: pl.DataFrame, votes: pl.DataFrame
) -> tuple[dict[str, Counter], dict[str, Counter]]:
    """Mentions per coarse type of each case-folded name of ``names``: over the ``loaded`` keys (ENTITY_SCHEMA
    rows, at least every key of these names) with their loaded ``votes`` (VOTE_SCHEMA), then with the
    batch's ``mentions`` (MENTION_SCHEMA) added, as ``entities._coarse_by_name`` counts them."""
    counts = Counter(dict(votes.group_by("name_key").agg(pl.col("mentions").sum()).iter_rows()))
    before: dict[str, Counter] = defaultdict(Counter)
    for key, name, coarse in loaded.unique("entity_key").select("entity_key", "canonical_name", "coarse_type").iter_rows():
        if name.casefold() in names:
            before[name.casefold()][coarse] += counts[key]
    after: dict[str, Counter] = defaultdict(Counter)
    for folded, counter in before.items():
        after[folded].update(counter)
    for name, coarse in mentions.select("canonical_name", "coarse_type").iter_rows():
        if name.casefold() in names:
            after[name.casefold()][coarse] += 1
    return before, after


def places_in_question(mentions: pl.DataFrame, loaded: pl.DataFrame, votes: pl.DataFrame) -> set[str]:
    """The batch's case-folded names whose being a location this batch may change.

    A loaded name "P R" decides the short name "R" through P only by whether P's coarse type is
    "location" (``name_links.place_named_targets``), and a loaded "R" was decided with P's type as the
    warehouse holds it: "R" needs re-deciding only when the batch turns P into a location or out of
    one. P's type is a vote over the mentions of its keys (``entities._coarse_by_name``), so this
    compares the vote over the loaded ``votes`` of its ``loaded`` keys (VOTE_SCHEMA, ENTITY_SCHEMA
    rows: at least every key of every batch name) with the vote once the batch's ``mentions``
    (MENTION_SCHEMA) are added. A name the warehouse does not hold was no location.
    """
    batch = {name.casefold() for name in mentions.get_column("canonical_name").to_list()}
    before, after = _coarse_votes(batch, mentions, loaded, votes)
    return {
        folded
        for folded, counter in after.items()
        if (folded in before and coarse_vote(before[folded]) == "location") != (coarse_vote(counter) == "location")
    }


def persons_among(names: set[str], mentions: pl.DataFrame, loaded: pl.DataFrame, votes: pl.DataFrame) -> set[str]:
    """The case-folded ``names`` that are persons once the batch's ``mentions`` are counted (see
    ``_coarse_votes``): only a person name links to the full name it ends or begins."""
    _, after = _coarse_votes(names, mentions, loaded, votes)
    return {folded for folded, counter in after.items() if coarse_vote(counter) == "person"}


def open_names(batch: Iterable[str], reached: Iterable[str], places: Iterable[str] | None = None) -> set[str]:
    """The case-folded names whose resolution may change: the batch's (and their other spellings reached,
    decided as they are), and those ``seed_probes`` reached that a batch name decides (see there), given the case-folded names of the loaded entities reached;
    the rest of a name after a batch name only for the names of ``places`` (default: every batch name)."""
    batch = set(batch)
    places = set(batch) if places is None else set(places)
    # another spelling of a batch name is decided as the batch name is ("kim jong un" for "kim jong-un")
    reached = list(reached)
    forms = {variant_form(folded) for folded in batch}
    batch.update(name for name in reached if variant_form(name) in forms)
    opened = set(batch)
    ends = set()
    by_first: dict[str, list[str]] = defaultdict(list)
    for folded in batch:
        words = folded.split()
        if folded in places:
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


def input_probes(
    opened: Iterable[str], persons: Iterable[str] | None = None, uncounted: Iterable[str] = ()
) -> pl.DataFrame:
    """Probes for everything the resolution of the ``opened`` names reads: their keys; the multi-word
    names sharing both end words (a multi-word name) or one of them (a one-word name of ``persons``,
    default every one: only a person links to the full name it ends or begins); the names ending in
    them (organizations named after a place, whose places ``prefix_probes`` then adds); their other spellings
    (``_spelling_probes``). ``uncounted``:
    the case folding of the loaded names SQL cannot fold (``flows.lookups.unfolded_characters``)."""
    opened = list(opened)
    persons = set(opened) if persons is None else set(persons)
    rows = [("open", folded, None, None) for folded in uncounted]
    for folded in opened:
        words = folded.split()
        rows += _keys_of(folded)
        rows.append(("open", folded, None, None))  # not counted as a sure person (entity_neighbours.sql)
        rows.append(("suffix", folded, None, words[-1]))
        rows += _spelling_probes(folded)
        if len(words) > 1:
            rows.append(("ends", folded, words[0], words[-1]))
        elif folded in persons:
            rows += [("first", folded, None, None), ("last", folded, None, None)]
    return _probe_frame(rows)


def key_probes(names: Iterable[str]) -> pl.DataFrame:
    """The keys of the case-folded ``names`` under every coarse type."""
    return _probe_frame([row for folded in names for row in _keys_of(folded)])


def target_probes(keys: Iterable[str]) -> pl.DataFrame:
    """Probes for loaded entities by their ``keys`` (the entities reached redirect rows point at)."""
    return _probe_frame([("key", key, None, None) for key in keys])


def prefix_probes(opened: Iterable[str], reached: Iterable[str]) -> pl.DataFrame:
    """Keys of the places before an opened name in the reached names ("indianapolis" of "indianapolis
    colts" for "colts"): whether that place is a location decides whether the longer name counts."""
    opened = set(opened)
    rows = []
    for name in reached:
        # each opened name the reached one ends in, after a space: the rest after each of its spaces
        at = name.find(" ")
        while at >= 0:
            if name[at + 1 :] in opened:
                rows += _keys_of(name[:at])
            at = name.find(" ", at + 1)
    return _probe_frame(rows)
