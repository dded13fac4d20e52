-- v_entity_mentions_daily: one row per entity per publication day.
-- columns: entity_key, canonical_name, coarse_type, date (null when the document has no date),
--          mentions (mention rows), documents (distinct documents mentioning it that day)
create or replace view v_entity_mentions_daily as
with mentions as (
    select m.entity_key, m.document_key, dt.date
    from fact_entity_mention as m
    left join dim_date as dt using (date_key)
),
final as (
    select
        e.entity_key,
        e.canonical_name,
        e.coarse_type,
        mentions.date,
        count(*) as mentions,
        count(distinct mentions.document_key) as documents
    from mentions
    join dim_entity as e using (entity_key)
    group by all
)
select * from final;
