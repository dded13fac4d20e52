"""The name probes' shortcuts give what their plain definitions give (transforms/entity_probes.py).

The probes are built for hundreds of thousands of names a run at 1,000,000 documents, so their keys are
hashed with each name folded once (``entities.entity_keys``) and the places before an opened name are found
by looking up the rest after each space of a reached name; these tests compare both with the definitions
written out, on names that case folding, spacing and nesting make awkward.
"""

import polars as pl
from dateline.transforms.entities import COARSE_TYPE_VALUES, entity_key, entity_keys
from dateline.transforms.entity_probes import PROBE_SCHEMA, input_probes, key_probes, prefix_probes

NAMES = [
    "Donald Trump", "donald  trump", "Straße", "İstanbul", "ﬁnance Committee", "ΣΊΣΥΦΟΣ", "Москва",
    "New York City", "A", "naïve café", "Hamburg 🚢", "x\u00a0y", "",
]


def test_entity_keys_are_entity_key_under_each_coarse_type():
    for name in NAMES:
        assert entity_keys(name) == [entity_key(name, coarse) for coarse in COARSE_TYPE_VALUES], name
    assert entity_keys("Straße", ("person", "location")) == [entity_key("STRASSE", "person"),
                                                             entity_key("strasse", "location")]


def test_key_probes_are_the_keys_of_each_name_ordered_once():
    names = [name.casefold() for name in NAMES] * 2
    expected = sorted({("key", entity_key(name, coarse), None, None) for name in names for coarse in COARSE_TYPE_VALUES})
    assert key_probes(names).rows() == expected
    assert key_probes(names).schema == PROBE_SCHEMA


def _prefix_keys_by_definition(opened: list[str], reached: list[str]) -> set[str]:
    """Every reached name ending in a space and an opened name: the keys of what comes before that space."""
    return {
        entity_key(name[: -len(folded) - 1], coarse)
        for name in reached
        for folded in opened
        if name.endswith(" " + folded)
        for coarse in COARSE_TYPE_VALUES
    }


def test_prefix_probes_are_the_places_before_each_opened_name_a_reached_name_ends_in():
    opened = ["city", "york city", "colts", "trump", "donald trump", "committee", "ﬁnance committee", "b c"]
    reached = [
        "new york city",  # ends in two opened names: "new york" and "new" are both asked for
        "indianapolis colts", "president donald trump", "donald trump", "trump", "senate  finance committee",
        "house ﬁnance committee", "a b c", "a  b c", " b c", "colts", "cityscape", "the city", "xcity",
    ]
    probes = prefix_probes(opened, reached)
    assert set(probes.get_column("value").to_list()) == _prefix_keys_by_definition(opened, reached)
    assert probes.get_column("kind").unique().to_list() == ["key"]
    assert probes.rows() == sorted(probes.rows())  # one row per key, in order
    assert probes.height == len(set(probes.get_column("value").to_list()))


def test_input_probes_are_ordered_by_kind_value_and_words_a_missing_word_first():
    probes = input_probes(["donald trump", "trump", "b"], persons={"trump"}, uncounted={"straße"})
    rows = probes.rows()
    assert rows == sorted(rows, key=lambda r: (r[0], r[1], r[2] or "", r[3] or ""))
    assert ("ends", "donald trump", "donald", "trump") in rows and ("first", "trump", None, None) in rows
    assert ("first", "b", None, None) not in rows  # not a person
    assert len(rows) == len(set(rows))
    assert pl.DataFrame(rows, schema=PROBE_SCHEMA, orient="row").equals(probes)


def test_inside_shared_keys_each_names_keys_are_hashed_once_and_the_probes_are_the_same(monkeypatch):
    from dateline.transforms import entity_probes

    folded = [name.casefold() for name in NAMES if name] + ["donald", "trump", "kim jong-un", "new york"]
    reached = ["new york city", "mayor of new york", "donald trump", "trump"]

    def built() -> list[pl.DataFrame]:
        return [entity_probes.seed_probes(folded), entity_probes.input_probes(folded),
                entity_probes.key_probes(folded), entity_probes.prefix_probes(folded, reached)]

    hashed, spelt = [], []
    real, spellings = entity_probes.entity_keys, entity_probes._spellings
    monkeypatch.setattr(entity_probes, "entity_keys", lambda name: hashed.append(name) or real(name))
    monkeypatch.setattr(entity_probes, "_spellings", lambda name: spelt.append(name) or spellings(name))
    alone = built()
    assert len(hashed) > len(set(hashed)) and len(spelt) > len(set(spelt))  # outside: the same names again and again
    hashed.clear()
    spelt.clear()
    with entity_probes.shared_keys():
        shared = built()
    assert sorted(hashed) == sorted(set(hashed)) and sorted(spelt) == sorted(set(spelt))  # once each
    for got, expected in zip(shared, alone, strict=True):
        assert got.equals(expected)
    hashed.clear()
    built()  # the block's names are not kept past it
    assert len(hashed) > len(set(hashed))
