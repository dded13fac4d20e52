-- Grain: one (name key, entity label) of the given name keys (`lookup_values`): how many loaded
-- mentions name it, the votes that decide an entity's type and links (transforms/entities.py), as the
-- load keeps them counted in entity_name_votes (warehouse/sql/tables/14_entity_name_votes.sql).
with final as (
    select name_key, entity_label, mentions
    from entity_name_votes
    where name_key in (select value from lookup_values)
)

select * from final
order by name_key, entity_label;
