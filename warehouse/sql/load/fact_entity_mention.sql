-- Insert the staged fact_entity_mention rows whose key is new; existing rows are never rewritten (idempotent reruns).
insert or ignore into fact_entity_mention by name
select * from staged_fact_entity_mention;
