-- v_event_timeline: one row per real-world event (fact_event), with readable names, for timelines.
-- Shown: events with at least one report whose confidence is at least event_min_confidence() (the threshold,
-- warehouse/sql/tables/00_event_min_confidence.sql); num_mentions, num_documents, num_sources, modalities,
-- first_reported and the first report count those reports only. fact_event keeps every event.
-- columns: event_key, event_date (first day of the week/month/year at coarser precision; null if unknown),
--          date_precision (day / week / month / year / unknown), event_code, event_name, quad_class,
--          mode (CONSULT: call / visit / meet), actor1 and actor2 (canonical names, " & "-joined when a side
--          has several actors), location, quantity, quantity_unit, num_mentions, num_documents, num_sources,
--          polarity (real / negated / hypothetical), modality (the modality most of its reports carry; ties go
--          asserted > planned > hypothetical > negated), modalities (every modality reported, comma-joined),
--          first_reported, first_source (source_name of the earliest report), first_document_title,
--          first_document_key (earliest by publication date, then document_id)
create or replace view v_event_timeline as
with shown_reports as (
    select m.*, d.published_date, d.document_id, d.title, d.source_key
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
        min(published_date) as first_reported
    from shown_reports
    group by event_key
),
sides as (
    select event_key, 1 as side, unnest(coalesce(actor1_entity_keys, [actor1_entity_key])) as entity_key,
        unnest(generate_series(1, len(coalesce(actor1_entity_keys, [actor1_entity_key])))) as position
    from fact_event
    union all
    select event_key, 2 as side, unnest(coalesce(actor2_entity_keys, [actor2_entity_key])) as entity_key,
        unnest(generate_series(1, len(coalesce(actor2_entity_keys, [actor2_entity_key])))) as position
    from fact_event
),
actor_names as (
    select
        sides.event_key,
        string_agg(e.canonical_name, ' & ' order by sides.position) filter (where sides.side = 1) as actor1,
        string_agg(e.canonical_name, ' & ' order by sides.position) filter (where sides.side = 2) as actor2
    from sides
    join dim_entity as e using (entity_key)
    group by sides.event_key
),
modality_counts as (
    select
        event_key,
        modality,
        count(*) as reports,
        case modality when 'asserted' then 1 when 'planned' then 2 when 'hypothetical' then 3 else 4 end as priority
    from shown_reports
    group by event_key, modality
),
modalities as (
    select
        event_key,
        arg_min(modality, [-reports, priority]) as modality,
        string_agg(modality, ', ' order by priority) as modalities
    from modality_counts
    group by event_key
),
reports as (
    select
        m.event_key,
        s.source_name,
        m.title,
        m.document_key,
        row_number() over (
            partition by m.event_key
            order by m.published_date nulls last, m.document_id, m.sentence_index
        ) as report_rank
    from shown_reports as m
    join dim_source as s using (source_key)
),
final as (
    select
        f.event_key,
        f.event_date,
        f.date_precision,
        f.event_code,
        t.name as event_name,
        t.quad_class,
        f.mode,
        actor_names.actor1,
        actor_names.actor2,
        loc.canonical_name as location,
        f.quantity,
        f.quantity_unit,
        shown_counts.num_mentions,
        shown_counts.num_documents,
        shown_counts.num_sources,
        f.polarity,
        modalities.modality,
        modalities.modalities,
        shown_counts.first_reported,
        first_report.source_name as first_source,
        first_report.title as first_document_title,
        first_report.document_key as first_document_key
    from fact_event as f
    join shown_counts using (event_key)
    join dim_event_type as t using (event_type_key)
    left join actor_names using (event_key)
    left join dim_entity as loc on loc.entity_key = f.location_entity_key
    left join modalities using (event_key)
    left join reports as first_report on first_report.event_key = f.event_key and first_report.report_rank = 1
)
select * from final;
