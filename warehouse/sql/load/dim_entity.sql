-- Upsert entities: new keys inserted; for known keys the aliases become the sorted union of old and new.
merge into dim_entity as target
using staged_dim_entity as staged
on target.entity_key = staged.entity_key
when matched then update set aliases = list_sort(list_distinct(list_concat(target.aliases, staged.aliases)))
when not matched then insert by name;
