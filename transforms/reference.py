"""Reference data: every table Dateline ships in ``transforms/data/``, loaded once, each with its schema.

The tables are data, not code: the alias table (countries, demonyms, capitals, organizations, party
labels), person titles, organization head words, the head nouns of unnamed group actors, boilerplate
rules, the trigger lexicon and the event categories. The flow calls ``load_reference()`` once per run and hands the tables to the stages that
use them (normalize, the spaCy pipeline, resolve, ``dim_event_type``); no stage reads a file itself.
The evaluation tables (``cameo_*.csv``) belong to ``evaluation/`` and are read there.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources

import polars as pl
from dateline.transforms.events import load_event_types, load_triggers

ALIAS_SCHEMA = pl.Schema(
    {
        "alias": pl.String,  # the name as written
        "canonical_name": pl.String,  # what it stands for
        "label": pl.String,  # spaCy label the entity ruler gives it
        "kind": pl.String,  # country / demonym / capital / organization / party
    }
)
TITLE_SCHEMA = pl.Schema({"title": pl.String})  # person titles kept outside names ("President")
ORGANIZATION_HEAD_SCHEMA = pl.Schema({"word": pl.String, "example": pl.String})  # "Foundation", "Organization"
# Head nouns of unnamed group actors ("protesters", "police"; transforms.event_groups); kind: people /
# armed / institution.
GROUP_NOUN_SCHEMA = pl.Schema({"noun": pl.String, "kind": pl.String})
RULE_SCHEMA = pl.Schema({"rule": pl.String, "pattern": pl.String, "description": pl.String})

@dataclass(frozen=True)
class Reference:
    """The shipped reference tables, one polars frame per file, in file order."""

    aliases: pl.DataFrame  # ALIAS_SCHEMA
    titles: pl.DataFrame  # TITLE_SCHEMA
    organization_heads: pl.DataFrame  # ORGANIZATION_HEAD_SCHEMA
    boilerplate_rules: pl.DataFrame  # RULE_SCHEMA
    triggers: pl.DataFrame  # events.TRIGGER_SCHEMA
    event_types: pl.DataFrame  # events.EVENT_TYPE_SCHEMA
    group_nouns: pl.DataFrame  # GROUP_NOUN_SCHEMA

    def alias_rows(self) -> list[dict]:
        """The alias table as one dict per row (empty cells as ""), as the entity components read it."""
        return self.aliases.to_dicts()

    def title_words(self) -> list[str]:
        return self.titles.get_column("title").to_list()

    def head_words(self) -> list[str]:
        return self.organization_heads.get_column("word").to_list()

    def group_words(self) -> list[str]:
        return self.group_nouns.get_column("noun").to_list()


def read_table(name: str, schema: pl.Schema, empty_as_text: bool = False) -> pl.DataFrame:
    """``transforms/data/<name>.csv`` as ``schema`` (its columns, in that order).

    Empty cells are null, or "" with ``empty_as_text`` (the alias table is read row by row as text).
    """
    source = resources.files("dateline.transforms") / "data" / f"{name}.csv"
    with resources.as_file(source) as path:
        frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in schema.names() if c not in frame.columns]
    if missing:
        raise ValueError(f"transforms/data/{name}.csv has no column {', '.join(missing)}")
    frame = frame.select(schema.names()).cast(schema)
    return frame.fill_null("") if empty_as_text else frame


@cache
def load_reference() -> Reference:
    """Every shipped reference table, read once per process."""
    return Reference(
        aliases=read_table("aliases", ALIAS_SCHEMA, empty_as_text=True),
        titles=read_table("entity_titles", TITLE_SCHEMA),
        organization_heads=read_table("organization_heads", ORGANIZATION_HEAD_SCHEMA),
        boilerplate_rules=read_table("boilerplate_rules", RULE_SCHEMA),
        # The event tables keep their readers beside their schemas (transforms/events.py).
        triggers=load_triggers(),
        event_types=load_event_types(),
        group_nouns=read_table("group_nouns", GROUP_NOUN_SCHEMA),
    )
