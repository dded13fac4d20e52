-- Grain: one of the given loaded entities (`lookup_values`: the entities a batch's names reach) that loaded
-- redirect rows (dim_entity) outside those given point at: the aliases of those rows, and their mentions
-- per entity label (entity_name_votes). A redirect row keeps its resolution whatever the batch (it is not
-- among the keys the batch may change, transforms/entity_probes.py), and decides no name: it only gives its
-- names and votes to the entity it points at when that entity's row is written again
-- (transforms/entities.py, `gathered`). So they are gathered here, not read one by one: at 1,000,000
-- documents the entities a 500-article batch reaches gather 261,000 such rows (each replica's spellings of
-- a head name) into 1,280 entities. Unnamed groups are left out, as resolution leaves them
-- (transforms/resolve.py).
with redirects as materialized (
    select entity_key, merged_into_key, aliases
    from dim_entity
    where merged_into_key in (select value from lookup_values)
        and entity_key not in (select value from lookup_values)
        and entity_type <> 'GROUP'
),

alias_lists as (
    select merged_into_key as entity_key, list(distinct alias order by alias) as aliases
    from (select merged_into_key, unnest(aliases) as alias from redirects)
    group by merged_into_key
),

label_votes as (
    select r.merged_into_key as entity_key, v.entity_label, sum(v.mentions)::bigint as mentions
    from entity_name_votes as v
    join redirects as r on v.name_key = r.entity_key
    group by r.merged_into_key, v.entity_label
),

vote_lists as (
    select entity_key, list(entity_label order by entity_label) as entity_labels,
        list(mentions order by entity_label) as mentions
    from label_votes
    group by entity_key
),

final as (
    select t.entity_key, coalesce(a.aliases, []::varchar[]) as aliases,
        coalesce(v.entity_labels, []::varchar[]) as entity_labels, coalesce(v.mentions, []::bigint[]) as mentions
    from (select distinct merged_into_key as entity_key from redirects) as t
    left join alias_lists as a on a.entity_key = t.entity_key
    left join vote_lists as v on v.entity_key = t.entity_key
)

select * from final
order by entity_key;
