-- Insert the staged dim_date rows whose key is new; existing rows are never rewritten (idempotent reruns).
insert or ignore into dim_date by name
select * from staged_dim_date;
