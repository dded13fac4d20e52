-- Insert the staged dim_source rows whose key is new; existing rows are never rewritten (idempotent reruns).
insert or ignore into dim_source by name
select * from staged_dim_source;
