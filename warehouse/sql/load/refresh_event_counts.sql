-- Recompute fact_event counts and report dates from its mentions (documents, their sources and dates),
-- for the events this load touched (load_touched_events, batch_keys.sql: the batch's events, the events
-- its reports belong to, and those whose reports a new version removed); no other event's reports changed.
create or replace temp table load_event_reports as
select m.event_key, m.event_mention_key, m.document_key
from fact_event_mention as m
where m.event_key in (select event_key from load_touched_events);

update fact_event as target
set num_mentions = final.num_mentions,
    num_documents = final.num_documents,
    num_sources = final.num_sources,
    first_reported = final.first_reported,
    last_reported = final.last_reported
from (
    with reports as (
        select m.event_key, m.event_mention_key, d.document_key, d.source_key, d.published_date
        from load_event_reports as m
        join dim_document as d using (document_key)
    ),
    final as (
        select
            event_key,
            count(*)::integer as num_mentions,
            count(distinct document_key)::integer as num_documents,
            count(distinct source_key)::integer as num_sources,
            min(published_date) as first_reported,
            max(published_date) as last_reported
        from reports
        group by event_key
    )
    select * from final
) as final
where target.event_key = final.event_key
    and (
        target.num_mentions is distinct from final.num_mentions
        or target.num_documents is distinct from final.num_documents
        or target.num_sources is distinct from final.num_sources
        or target.first_reported is distinct from final.first_reported
        or target.last_reported is distinct from final.last_reported
    );
-- An event whose every report belonged to a superseded or corrected version is gone with them, and so
-- are its rows of the entity → event index (warehouse/sql/tables/15_entity_event_index.sql).
create or replace temp table load_gone_events as
select distinct event_key from load_touched_events
where event_key not in (select event_key from load_event_reports);
delete from fact_event
where event_key in (select event_key from load_gone_events);
delete from entity_event_index
where event_key in (select event_key from load_gone_events);
drop table load_gone_events;
drop table load_event_reports;
