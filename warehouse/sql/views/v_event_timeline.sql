-- v_event_timeline: one row per real-world event (fact_event), with readable names, for timelines.
-- columns: event_key, event_date (first day of the week/month/year at coarser precision; null if unknown),
--          date_precision (day / week / month / year / unknown), event_code, event_name, quad_class,
--          mode (CONSULT: call / visit / meet), actor1 and actor2 (canonical names, " & "-joined when a side
--          has several actors), location, quantity, quantity_unit, num_mentions, num_documents, num_sources,
--          polarity (real / negated / hypothetical), modality (the modality most of its reports carry; ties go
--          asserted > planned > hypothetical > negated), modalities (every modality reported, comma-joined),
--          first_reported, first_source (source_name of the earliest report), first_document_title,
--          first_document_key (earliest by publication date, then document_id)
create or replace view v_event_timeline as
with sides as (
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
    from fact_event_mention
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
        d.title,
        d.document_key,
        row_number() over (
            partition by m.event_key
            order by d.published_date nulls last, d.document_id, m.sentence_index
        ) as report_rank
    from fact_event_mention as m
    join dim_document as d using (document_key)
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
        f.num_mentions,
        f.num_documents,
        f.num_sources,
        f.polarity,
        modalities.modality,
        modalities.modalities,
        f.first_reported,
        first_report.source_name as first_source,
        first_report.title as first_document_title,
        first_report.document_key as first_document_key
    from fact_event as f
    join dim_event_type as t using (event_type_key)
    left join actor_names using (event_key)
    left join dim_entity as loc on loc.entity_key = f.location_entity_key
    left join modalities using (event_key)
    left join reports as first_report on first_report.event_key = f.event_key and first_report.report_rank = 1
)
select * from final;
