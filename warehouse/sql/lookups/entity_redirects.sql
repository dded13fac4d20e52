-- Grain: one loaded redirect row (dim_entity) pointing at one of the given live entities
-- (`lookup_values`): the names whose mentions and aliases an entity of this run gathers.
with final as (
    select entity_key, canonical_name, entity_type, coarse_type, aliases, merged_into_key, related_entity_key,
        relation
    from dim_entity
    where merged_into_key in (select value from lookup_values)
)

select * from final
order by entity_key;
