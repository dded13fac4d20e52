-- Grain: one (name key, entity label) of the given name keys (`lookup_values`): how many loaded
-- mentions name it, the votes that decide an entity's type and links (transforms/entities.py).
with mentions as (
    select
        coalesce(name_key, entity_key) as name_key,
        coalesce(entity_label, label) as entity_label
    from fact_entity_mention
    where coalesce(name_key, entity_key) in (select value from lookup_values)
),

final as (
    select name_key, entity_label, count(*) as mentions
    from mentions
    group by all
)

select * from final
order by name_key, entity_label;
