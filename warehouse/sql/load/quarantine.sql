-- Insert the staged quarantine rows whose key is new; existing rows are never rewritten (idempotent reruns).
insert or ignore into quarantine by name
select * from staged_quarantine;
