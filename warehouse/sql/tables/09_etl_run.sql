-- etl_run: one pipeline run, successful or not, with counts per stage.
create table if not exists etl_run (
    run_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,           -- success / failed
    message varchar,
    files_seen integer,
    documents_read integer,
    documents_new integer,
    documents_skipped integer,
    documents_duplicate integer,
    documents_extracted integer,
    files_quarantined integer,
    mentions integer,
    entities integer,
    event_mentions integer,
    events integer,
    words integer,
    stage_seconds json
);
