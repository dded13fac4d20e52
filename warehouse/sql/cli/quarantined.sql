-- `dateline quarantine`: rejected inputs, newest run first (? = a run id prefix or null for all runs, ? = how many).
with final as (
    select run_id, started_at, source_path, record, reason, detail
    from v_quarantine_log
    where ?::varchar is null or starts_with(run_id, ?::varchar)
    order by started_at desc nulls last, source_path, record nulls first, reason
    limit ?
)
select * from final;
