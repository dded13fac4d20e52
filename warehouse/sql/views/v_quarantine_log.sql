-- v_quarantine_log: one row per rejected input (quarantine), with when the run that rejected it started.
-- columns: quarantine_key, run_id, started_at (of that run), source_path, record (line/row in .jsonl/.csv,
--          null for whole files), reason, detail
create or replace view v_quarantine_log as
with final as (
    select q.quarantine_key, q.run_id, r.started_at, q.source_path, q.record, q.reason, q.detail
    from quarantine as q
    left join etl_run as r using (run_id)
)
select * from final;
