-- `dateline runs`: the latest pipeline runs, newest first (? = how many).
with final as (
    select run_id, started_at, duration_seconds, status, documents_read, documents_new, documents_extracted,
           files_quarantined, validation_failures, message
    from v_run_health
    order by started_at desc nulls last
    limit ?
)
select * from final;
