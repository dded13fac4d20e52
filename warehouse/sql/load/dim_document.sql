-- Insert the staged dim_document rows whose key is new; existing rows are never rewritten (idempotent reruns).
insert or ignore into dim_document by name
select * from staged_dim_document;
