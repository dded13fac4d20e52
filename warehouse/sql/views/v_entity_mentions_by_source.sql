-- v_entity_mentions_by_source: one row per entity per source (outlet) that mentions it.
-- columns: source_key, source_name, entity_key, canonical_name, coarse_type,
--          mentions (mention rows), documents (distinct documents of that source mentioning it)
create or replace view v_entity_mentions_by_source as
with mentions as (
    select m.entity_key, m.document_key, d.source_key
    from fact_entity_mention as m
    join dim_document as d using (document_key)
),
final as (
    select
        s.source_key,
        s.source_name,
        e.entity_key,
        e.canonical_name,
        e.coarse_type,
        count(*) as mentions,
        count(distinct mentions.document_key) as documents
    from mentions
    join dim_source as s using (source_key)
    join dim_entity as e using (entity_key)
    group by all
)
select * from final;
