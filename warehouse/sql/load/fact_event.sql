-- Insert new events, each key once: an event staged with a report of a document whose facts this load
-- writes (load_fact_documents, fact_documents.sql; staged_event_documents: the staged reports' event and
-- document keys). Resolution gives a new event a key no loaded event has (flows/lookups.py,
-- resolve_events_against), so no key of the table is looked at; a rerun of the same batch stages reports
-- of loaded documents only and inserts nothing. Report counts are recomputed from fact_event_mention after
-- the reports are in (refresh_event_counts.sql), so a report arriving in a later run is counted on the
-- existing event.
create or replace temp table load_inserted_events as
select *
from staged_fact_event
where event_key in (
    select event_key
    from staged_event_documents
    where document_key in (select document_key from load_fact_documents)
)
qualify row_number() over (partition by event_key) = 1;

insert into fact_event by name
select * from load_inserted_events;
-- Their rows of the entity → event index (warehouse/sql/tables/15_entity_event_index.sql).
insert into entity_event_index
select * from entity_event_rows('load_inserted_events');
drop table load_inserted_events;
-- The staged events are the ones whose actors follow entity redirects (redirect_entities.sql) and whose
-- counts are recomputed.
insert into load_new_events
select event_key from staged_fact_event;
insert into load_touched_events
select event_key from staged_fact_event;
