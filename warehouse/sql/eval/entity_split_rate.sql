-- Person mentions on a one-word key while a live multi-word person key ends in that word ("Trump"
-- beside "Donald Trump"): the share of person mentions split from the full name they likely mean.
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

person_mentions as (
    select p.entity_key, p.canonical_name, p.folded
    from fact_entity_mention as m
    join persons as p using (entity_key)
),

final as (
    select
        count(*) as person_mentions,
        count(*) filter (where not contains(folded, ' ') and folded in (select last_word from full_names))
            as split_mentions
    from person_mentions
)

select person_mentions, split_mentions, split_mentions / nullif(person_mentions, 0) as split_rate
from final;
