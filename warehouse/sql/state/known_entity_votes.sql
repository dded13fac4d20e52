-- Mentions loaded per name key and entity label: the votes that decide an entity's type and links.
with mentions as (
    select
        coalesce(name_key, entity_key) as name_key,
        coalesce(entity_label, label) as entity_label
    from fact_entity_mention
),

final as (
    select name_key, entity_label, count(*) as mentions
    from mentions
    group by all
)

select * from final
order by name_key, entity_label;
