-- Head entities once, tail entities once per replica with their replica's names and links.
insert into dim_entity
select
    m.entity_key,
    e.canonical_name || m.suffix as canonical_name,
    e.entity_type,
    e.coarse_type,
    list_transform(e.aliases, lambda a: a || m.suffix) as aliases,
    merged.entity_key as merged_into_key,
    related.entity_key as related_entity_key,
    e.relation
from seed.dim_entity as e
join entity_map as m on m.seed_key = e.entity_key and (m.r = 0 or not m.is_head)
left join entity_map as merged on merged.seed_key = e.merged_into_key and merged.r = m.r
left join entity_map as related on related.seed_key = e.related_entity_key and related.r = m.r;
