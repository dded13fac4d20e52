-- entity_event_index: one entity one loaded event names (an index table): its actors, location and the entities of its participant signature, so the load finds the events naming an entity whose redirect it changes (warehouse/sql/load/redirect_events.sql) by a join with these rows instead of splitting the signature of every event of the warehouse.
create table if not exists entity_event_index (
    entity_key varchar not null,    -- actor1_entity_key, actor2_entity_key, location_entity_key or a key of participants
    event_key varchar not null      -- the fact_event row
);
-- entity_event_rows(events): the index rows of the fact_event rows in the table named `events`: of
-- 'fact_event' for the fill (warehouse/sql/fills/), of the rows the load inserts or repoints for the load
-- (warehouse/sql/load/fact_event.sql, redirect_events.sql; refresh_event_counts.sql removes the rows of
-- the events it deletes).
create or replace macro entity_event_rows(events) as table
select distinct entity_key, event_key
from (
    select
        event_key,
        unnest(
            string_split(replace(participants, '>', '|'), '|')
            || [actor1_entity_key, actor2_entity_key, location_entity_key]
        ) as entity_key
    from query_table(events)
)
where entity_key is not null and entity_key <> '';
