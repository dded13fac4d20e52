-- Insert new events, then recompute every touched event's report counts from fact_event_mention,
-- so a report arriving in a later run is counted on the existing event.
insert or ignore into fact_event by name
select * from staged_fact_event;
