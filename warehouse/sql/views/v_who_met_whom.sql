-- v_who_met_whom: one row per CONSULT event (meeting, call, visit) per unordered pair of its participants
-- that are persons or countries (entity_type PERSON or GPE). Only events that happened or were planned
-- (polarity 'real'): hypothetical and denied meetings are left out. Only events with at least one report whose
-- confidence is at least event_min_confidence() (warehouse/sql/tables/00_event_min_confidence.sql); the counts,
-- modalities and report dates cover those reports only. A participant that is also the event's
-- location (the venue, "Putin met Xi in Beijing") is dropped when two other participants remain.
-- grain: (event_key, participant_a_key, participant_b_key), participant_a before participant_b by name.
-- columns: event_key, event_date, date_precision, mode (call / visit / meet),
--          participant_a, participant_a_type, participant_b, participant_b_type (canonical name and
--          entity_type), participant_a_key, participant_b_key, location, num_mentions, num_documents,
--          num_sources, modalities (every modality reported, comma-joined), first_reported, last_reported
create or replace view v_who_met_whom as
with shown_reports as (
    select m.event_key, m.document_key, m.modality, d.published_date, d.source_key
    from fact_event_mention as m
    join dim_document as d using (document_key)
    where m.confidence >= event_min_confidence()
),
shown_counts as (
    select
        event_key,
        count(*) as num_mentions,
        count(distinct document_key) as num_documents,
        count(distinct source_key) as num_sources,
        min(published_date) as first_reported,
        max(published_date) as last_reported
    from shown_reports
    group by event_key
),
consults as (
    select f.* exclude (num_mentions, num_documents, num_sources, first_reported, last_reported), shown_counts.*
        exclude (event_key)
    from fact_event as f
    join shown_counts using (event_key)
    where f.event_code = 'CONSULT' and f.polarity = 'real'
),
actors as (
    select distinct
        consults.event_key,
        e.entity_key,
        e.canonical_name,
        e.entity_type,
        e.entity_key is not distinct from consults.location_entity_key as is_venue
    from consults,
        unnest(
            coalesce(consults.actor1_entity_keys, [consults.actor1_entity_key])
            || coalesce(consults.actor2_entity_keys, [consults.actor2_entity_key])
        ) as actor(entity_key)
    join dim_entity as e on e.entity_key = actor.entity_key
    where e.entity_type in ('PERSON', 'GPE')
),
participants as (
    select event_key, entity_key, canonical_name, entity_type
    from actors
    qualify not (is_venue and count(*) filter (where not is_venue) over (partition by event_key) >= 2)
),
pairs as (
    select
        a.event_key,
        a.entity_key as participant_a_key,
        a.canonical_name as participant_a,
        a.entity_type as participant_a_type,
        b.entity_key as participant_b_key,
        b.canonical_name as participant_b,
        b.entity_type as participant_b_type
    from participants as a
    join participants as b
        on a.event_key = b.event_key
        and (a.canonical_name, a.entity_key) < (b.canonical_name, b.entity_key)
),
modalities as (
    select event_key, string_agg(distinct modality, ', ' order by modality) as modalities
    from shown_reports
    group by event_key
),
final as (
    select
        c.event_key,
        c.event_date,
        c.date_precision,
        c.mode,
        pairs.participant_a,
        pairs.participant_a_type,
        pairs.participant_b,
        pairs.participant_b_type,
        pairs.participant_a_key,
        pairs.participant_b_key,
        loc.canonical_name as location,
        c.num_mentions,
        c.num_documents,
        c.num_sources,
        modalities.modalities,
        c.first_reported,
        c.last_reported
    from pairs
    join consults as c using (event_key)
    left join dim_entity as loc on loc.entity_key = c.location_entity_key
    left join modalities using (event_key)
)
select * from final;
