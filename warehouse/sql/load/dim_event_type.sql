-- Insert the staged dim_event_type rows whose key is new; existing rows are never rewritten (idempotent reruns).
insert or ignore into dim_event_type by name
select * from staged_dim_event_type;
