-- v_run_health: one row per pipeline run (etl_run), with its validation and quarantine outcome.
-- columns: run_id, started_at, finished_at, duration_seconds (null while a run is unfinished), status,
--          message, files_seen, documents_read, documents_new, documents_skipped, documents_duplicate,
--          documents_extracted, mentions, entities, event_mentions, events, words,
--          words_per_second (words extracted / duration), validation_checks (expectations evaluated),
--          validation_failures (expectations failed), failed_expectations ("table.expectation(column)",
--          "; "-joined, null when none failed), files_quarantined (inputs the run set aside, as it counted
--          them), quarantine_rows (quarantine rows this run was the first to reject), stage_seconds (json)
create or replace view v_run_health as
with validation as (
    select
        run_id,
        count(*) as validation_checks,
        count(*) filter (where not success) as validation_failures,
        string_agg(
            table_name || '.' || expectation || coalesce('(' || column_name || ')', ''),
            '; ' order by table_name, expectation, column_name
        ) filter (where not success) as failed_expectations
    from etl_validation
    group by run_id
),
quarantined as (
    select run_id, count(*) as quarantine_rows
    from quarantine
    group by run_id
),
final as (
    select
        r.run_id,
        r.started_at,
        r.finished_at,
        round(epoch(r.finished_at - r.started_at), 3) as duration_seconds,
        r.status,
        r.message,
        r.files_seen,
        r.documents_read,
        r.documents_new,
        r.documents_skipped,
        r.documents_duplicate,
        r.documents_extracted,
        r.mentions,
        r.entities,
        r.event_mentions,
        r.events,
        r.words,
        round(r.words / nullif(epoch(r.finished_at - r.started_at), 0), 1) as words_per_second,
        coalesce(v.validation_checks, 0) as validation_checks,
        coalesce(v.validation_failures, 0) as validation_failures,
        v.failed_expectations,
        r.files_quarantined,
        coalesce(q.quarantine_rows, 0) as quarantine_rows,
        r.stage_seconds
    from etl_run as r
    left join validation as v using (run_id)
    left join quarantined as q using (run_id)
)
select * from final;
