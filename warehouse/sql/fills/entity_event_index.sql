-- entity_event_index of a warehouse created before the index: filled once from fact_event (later events
-- get their rows in the load transaction: warehouse/sql/load/fact_event.sql, redirect_events.sql and
-- refresh_event_counts.sql keep them in step).
insert into entity_event_index
select * from entity_event_rows('fact_event');
