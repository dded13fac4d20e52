-- Insert the staged fact_entity_mention rows whose key is new; existing rows are never rewritten (idempotent reruns).
-- A mention points at the live entity its name resolves to (as redirect_entities.sql keeps the loaded ones).
insert or ignore into fact_entity_mention by name
with named as (
    select entity_key, coalesce(merged_into_key, entity_key) as target
    from dim_entity
    where entity_key in (select coalesce(name_key, entity_key) from staged_fact_entity_mention)
)

select staged.* replace (coalesce(e.target, staged.entity_key) as entity_key)
from staged_fact_entity_mention as staged
left join named as e on e.entity_key = coalesce(staged.name_key, staged.entity_key);
