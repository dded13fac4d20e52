-- Upsert entities: new keys inserted; for known keys the aliases become the sorted union of old and new,
-- and the name, type, redirect and relation take the run's resolution (computed over all mentions).
merge into dim_entity as target
using staged_dim_entity as staged
on target.entity_key = staged.entity_key
when matched then update set
    aliases = list_sort(list_distinct(list_concat(target.aliases, staged.aliases))),
    canonical_name = staged.canonical_name,
    entity_type = staged.entity_type,
    merged_into_key = staged.merged_into_key,
    related_entity_key = staged.related_entity_key,
    relation = staged.relation
when not matched then insert by name;
