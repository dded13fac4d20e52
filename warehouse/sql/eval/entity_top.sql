-- The most-mentioned live entities with their aliases, for reading.
with counts as (
    select entity_key, count(*) as mentions, count(distinct document_key) as documents
    from fact_entity_mention
    group by all
),

final as (
    select e.canonical_name, e.entity_type, e.coarse_type, c.mentions, c.documents, e.aliases
    from dim_entity as e
    join counts as c using (entity_key)
    where e.merged_into_key is null
)

select * from final
order by mentions desc, canonical_name
limit ?;
