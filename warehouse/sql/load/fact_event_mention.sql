-- Insert the staged event reports of the documents whose facts this load writes (load_fact_documents,
-- fact_documents.sql), each key once; a loaded document's reports are never rewritten (idempotent reruns).
-- No key of the table is looked at: the key is unique because its document is new. Its actors and location
-- are the live entities (as redirect_entities.sql keeps the loaded reports).
insert into fact_event_mention by name
with fresh as (
    select *
    from staged_fact_event_mention
    where document_key in (select document_key from load_fact_documents)
    qualify row_number() over (partition by event_mention_key) = 1
),

redirects as (
    select entity_key, merged_into_key
    from dim_entity
    where merged_into_key is not null
        and entity_key in (
            select unnest([actor1_entity_key, actor2_entity_key, location_entity_key])
            from fresh
        )
)

select staged.* replace (
    coalesce(a1.merged_into_key, staged.actor1_entity_key) as actor1_entity_key,
    coalesce(a2.merged_into_key, staged.actor2_entity_key) as actor2_entity_key,
    coalesce(loc.merged_into_key, staged.location_entity_key) as location_entity_key
)
from fresh as staged
left join redirects as a1 on a1.entity_key = staged.actor1_entity_key
left join redirects as a2 on a2.entity_key = staged.actor2_entity_key
left join redirects as loc on loc.entity_key = staged.location_entity_key;
-- The events these reports belong to get their counts recomputed (refresh_event_counts.sql).
insert into load_touched_events
select event_key from staged_fact_event_mention;
