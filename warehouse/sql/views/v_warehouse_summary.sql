-- v_warehouse_summary: one row per warehouse: what it holds, for dashboards' headline numbers.
-- columns: documents (duplicates included), canonical_documents (duplicate_of_key is null), sources,
--          entities, mentions (entity mentions), events, event_mentions (event reports),
--          event_min_confidence (the analyst views' threshold), events_shown (events with a report at or
--          above it: the rows of v_event_timeline),
--          first_published, last_published (publication date range of the dated documents)
create or replace view v_warehouse_summary as
with final as (
    select
        (select count(*) from dim_document) as documents,
        (select count(*) from dim_document where duplicate_of_key is null) as canonical_documents,
        (select count(*) from dim_source) as sources,
        (select count(*) from dim_entity) as entities,
        (select count(*) from fact_entity_mention) as mentions,
        (select count(*) from fact_event) as events,
        (select count(*) from fact_event_mention) as event_mentions,
        event_min_confidence() as event_min_confidence,
        (select count(distinct event_key) from fact_event_mention
            where confidence >= event_min_confidence()) as events_shown,
        (select min(published_date) from dim_document) as first_published,
        (select max(published_date) from dim_document) as last_published
)
select * from final;
