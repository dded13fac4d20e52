-- The entity → event index of every event (warehouse/sql/tables/15_entity_event_index.sql), as the
-- pipeline's load keeps it.
insert into entity_event_index
select * from entity_event_rows('fact_event')
where not exists (select 1 from entity_event_index);
