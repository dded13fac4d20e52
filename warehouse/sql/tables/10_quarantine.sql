-- quarantine: one rejected input (a file, or one record of a .jsonl/.csv file).
create table if not exists quarantine (
    quarantine_key varchar primary key,  -- same path, record and reason → same key, so reruns add nothing
    run_id varchar not null,             -- the run that first rejected it
    source_path varchar not null,
    record integer,
    reason varchar not null,
    detail varchar
);
