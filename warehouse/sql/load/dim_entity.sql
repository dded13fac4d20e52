-- Upsert entities: new keys inserted; for known keys the aliases become the sorted union of old and new,
-- and the name, type, redirect and relation take the run's resolution (computed over all mentions).
-- A known entity's row is replaced (deleted, inserted anew) only when one of those values changes: a
-- list column updated in place costs DuckDB a rewrite per row, a delete and an insert do not.
-- The table has no PRIMARY KEY index (DuckDB must hold one in memory whole to insert): the join with the
-- staged keys (each once) decides what is new, so each key stays unique.
create or replace temp table load_entity as
select
    staged.entity_key,
    staged.canonical_name,
    staged.entity_type,
    coalesce(target.coarse_type, staged.coarse_type) as coarse_type,
    case when target.entity_key is null then staged.aliases
        else list_sort(list_distinct(list_concat(target.aliases, staged.aliases)))
    end as aliases,
    staged.merged_into_key,
    staged.related_entity_key,
    staged.relation,
    target.entity_key is not null as loaded,
    target.merged_into_key is distinct from staged.merged_into_key as redirected,
    target.entity_key is null
    or target.aliases is distinct from list_sort(list_distinct(list_concat(target.aliases, staged.aliases)))
    or target.canonical_name is distinct from staged.canonical_name
    or target.entity_type is distinct from staged.entity_type
    or target.merged_into_key is distinct from staged.merged_into_key
    or target.related_entity_key is distinct from staged.related_entity_key
    or target.relation is distinct from staged.relation as changed
from (
    select * from staged_dim_entity
    qualify row_number() over (partition by entity_key) = 1
) as staged
left join dim_entity as target on target.entity_key = staged.entity_key;
-- Facts already loaded that name an entity whose redirect changed follow it (redirect_entities.sql).
insert into load_redirected
select entity_key from load_entity where loaded and redirected;
delete from dim_entity
where entity_key in (select entity_key from load_entity where loaded and changed);
insert into dim_entity by name
select * exclude (loaded, redirected, changed) from load_entity where changed;
-- The name index (warehouse/sql/tables/13_entity_name_index.sql) follows: the replaced rows' index rows
-- are derived anew, the new rows' added.
delete from entity_name_index
where entity_key in (select entity_key from load_entity where loaded and changed);
insert into entity_name_index
select * from entity_name_rows()
where entity_key in (select entity_key from load_entity where changed);
drop table load_entity;
