-- Insert new event reports; a report already loaded is never rewritten.
insert or ignore into fact_event_mention by name
select * from staged_fact_event_mention;
