"""Events from mentions: the resolve stage, shared by the flow and the evaluations.

One function, ``resolve_mentions``, turns what the spaCy pass read off the documents (entity
mentions, event mentions) into canonical entities and merged events: entity resolution over the
batch and the warehouse (``entities.resolve_entities``), then each event mention's actors keyed to
those entities and its date anchored on its document's publication date
(``resolve_events.key_event_mentions``), then the cross-document merge
(``resolve_events.resolve_events``). The flow (``flows.tasks.resolve_run``) and every evaluation
(``evaluation.events.run_events``) call it, so what is scored is what is loaded.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass

import polars as pl
from dateline.transforms.entities import entity_relations, resolve_entities
from dateline.transforms.event_groups import GROUP_LABEL, group_entities
from dateline.transforms.resolve_events import demonym_countries, key_event_mentions, resolve_events


@dataclass(frozen=True)
class Known:
    """What the warehouse already holds that resolution builds on (None: an empty warehouse)."""

    entities: pl.DataFrame | None = None  # entities.ENTITY_SCHEMA
    entity_votes: pl.DataFrame | None = None  # entities.VOTE_SCHEMA
    events: pl.DataFrame | None = None  # resolve_events.EXISTING_EVENT_SCHEMA
    # The keys of ``entities`` the batch can change (None: all); the others keep their loaded redirects.
    open_keys: Collection[str] | None = None
    # Loaded redirect rows pointing at ``entities``, gathered per entity (entities.GATHERED_SCHEMA), not among them.
    gathered: pl.DataFrame | None = None
    # How keyed reports merge with the loaded events when those are asked of the warehouse by blocking
    # key (the flow: ``flows.lookups.resolve_events_against``) instead of given as ``events``.
    merge_events: Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]] | None = None


@dataclass(frozen=True)
class Resolution:
    """The resolved rows of a batch of documents."""

    mentions: pl.DataFrame  # entity mentions with their entity_key (entities.RESOLVED_MENTION_SCHEMA)
    entities: pl.DataFrame  # entity rows to upsert (entities.ENTITY_SCHEMA), redirects included
    events: pl.DataFrame  # merged events (resolve_events.EVENT_SCHEMA)
    event_mentions: pl.DataFrame  # one row per event mention, with its event_key (EVENT_MENTION_ROW_SCHEMA)

    @property
    def live_entities(self) -> int:
        """Entities that are not redirects to another one."""
        return self.entities.filter(pl.col("merged_into_key").is_null()).height


def resolve_mentions(
    mentions: pl.DataFrame,
    event_mentions: pl.DataFrame,
    documents: pl.DataFrame,
    aliases: list[dict],
    known: Known | None = None,
) -> Resolution:
    """Entity mentions and event mentions of ``documents`` → canonical entities and merged events.

    ``mentions`` (entities.MENTION_SCHEMA) and ``event_mentions`` (events.EVENT_MENTION_SCHEMA) are
    what extraction read; ``documents`` give document_key, published_date, published_precision and
    source_key (a run's dim_document rows, or ``resolve_events.event_documents`` of a gold corpus);
    ``aliases`` are the alias table rows (``reference.Reference.alias_rows``): demonyms relate to
    their countries and stand for them as actors. The unnamed group actors of the event mentions
    ("protesters", "the police") become entities of their own (``event_groups.group_entities``),
    outside entity resolution: loaded group entities are not handed to it.
    """
    known = known or Known()
    loaded = known.entities
    if loaded is not None:
        # Unnamed groups ("police" of one article) are no names: they never resolve with named entities.
        loaded = loaded.filter(pl.col("entity_type") != GROUP_LABEL)
    resolved, entities = resolve_entities(mentions, loaded, known.entity_votes, entity_relations(aliases),
                                          known.open_keys, known.gathered)
    keyed = key_event_mentions(
        event_mentions,
        resolved,
        documents.select("document_key", "published_date", "published_precision", "source_key"),
        demonym_countries(aliases),
    )
    entities = pl.concat([entities, group_entities(event_mentions)])
    events, reports = known.merge_events(keyed) if known.merge_events else resolve_events(keyed, known.events)
    return Resolution(mentions=resolved, entities=entities, events=events, event_mentions=reports)
