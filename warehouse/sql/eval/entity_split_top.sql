-- The one-word person keys that hold the most split mentions, with their mentions.
with persons as (
    select entity_key, canonical_name, lower(canonical_name) as folded
    from dim_entity
    where coarse_type = 'person' and merged_into_key is null
),

full_names as (
    select distinct string_split(folded, ' ')[-1] as last_word
    from persons
    where contains(folded, ' ')
),

final as (
    select p.canonical_name, count(*) as mentions
    from fact_entity_mention as m
    join persons as p using (entity_key)
    where not contains(p.folded, ' ') and p.folded in (select last_word from full_names)
    group by all
)

select * from final
order by mentions desc, canonical_name
limit ?;
