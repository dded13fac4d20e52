-- Insert new events; their report counts are recomputed from fact_event_mention after the reports are in
-- (refresh_event_counts.sql), so a report arriving in a later run is counted on the existing event.
insert or ignore into fact_event by name
select * from staged_fact_event;
-- The staged events are the ones whose actors follow entity redirects (redirect_entities.sql) and whose
-- counts are recomputed.
insert into load_new_events
select event_key from staged_fact_event;
insert into load_touched_events
select event_key from staged_fact_event;
