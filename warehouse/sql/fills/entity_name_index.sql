-- entity_name_index of a warehouse created before the index: filled once from dim_entity (later entities
-- get their rows in the load transaction, warehouse/sql/load/dim_entity.sql).
insert into entity_name_index
select * from entity_name_rows();
