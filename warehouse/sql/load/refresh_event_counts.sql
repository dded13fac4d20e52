-- Recompute fact_event counts and report dates from its mentions (documents, their sources and dates).
update fact_event as target
set num_mentions = final.num_mentions,
    num_documents = final.num_documents,
    num_sources = final.num_sources,
    first_reported = final.first_reported,
    last_reported = final.last_reported
from (
    with reports as (
        select m.event_key, m.event_mention_key, d.document_key, d.source_key, d.published_date
        from fact_event_mention as m
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
where target.event_key = final.event_key;
-- An event whose every report belonged to a superseded or corrected version is gone with them.
delete from fact_event
where event_key not in (select event_key from fact_event_mention);
