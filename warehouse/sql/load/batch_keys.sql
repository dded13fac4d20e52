-- What this load changes, collected as its steps run, so the steps after them touch only those rows
-- (redirect_entities.sql, refresh_event_counts.sql) instead of every row of a growing warehouse.
-- Temporary: they live in the load's connection only.
create or replace temp table load_redirected (entity_key varchar);     -- entities whose redirect this load changed
create or replace temp table load_new_events (event_key varchar);      -- fact_event rows staged by this load
create or replace temp table load_touched_events (event_key varchar);  -- events whose reports this load added or removed
create or replace temp table load_cleared_documents (document_key varchar);  -- documents whose facts this load removed
create or replace temp table load_fact_documents (document_key varchar);     -- documents whose facts this load writes
create or replace temp table load_vote_delta (name_key varchar, entity_label varchar, mentions bigint);  -- entity_name_votes changes
