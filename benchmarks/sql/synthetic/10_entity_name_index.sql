-- The entity name index of every entity (warehouse/sql/tables/13_entity_name_index.sql), as the
-- pipeline's load keeps it.
insert into entity_name_index
select * from entity_name_rows()
where entity_key not in (select entity_key from entity_name_index);
