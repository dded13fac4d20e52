-- Events follow entity redirects, in the load transaction: actors, location and participant signature
-- point at the live entities. Looked at: the batch's events (load_new_events, batch_keys.sql), and the
-- loaded events naming an entity whose redirect this load changed (load_redirected), found by a join of
-- that short list with the entity → event index (warehouse/sql/tables/15_entity_event_index.sql), not by
-- splitting the signature of every event of the warehouse.
create or replace temp table load_redirect_events as
select event_key from load_new_events
union
select i.event_key
from entity_event_index as i
where i.entity_key in (select entity_key from load_redirected);

-- Their rows, read once (the statement below reads them three times), with their rowid: a repointed
-- event is deleted by it and inserted again, as DuckDB itself executes an update of a list column
-- (actor1_entity_keys), without a second pass over fact_event's 22 million keys to find the rows again.
-- Deleted rows only mark their row groups and inserted ones are appended, so the checkpoint rewrites no
-- column of the row groups they came from. Row order is not part of the contract.
create or replace temp table load_redirect_candidates as
select e.rowid as row_id, e.*
from fact_event as e
where e.event_key in (select event_key from load_redirect_events);

-- The events looked at whose actors, location or signature change, with their new values.
create or replace temp table load_event_redirects as
with candidates as (
    select * from load_redirect_candidates
),

redirects as (
    select map(list(entity_key), list(merged_into_key)) as redirect
    from dim_entity
    where merged_into_key is not null
        and entity_key in (
            select unnest(
                string_split(replace(participants, '>', '|'), '|')
                || [actor1_entity_key, actor2_entity_key, location_entity_key]
                || coalesce(actor1_entity_keys, [])
                || coalesce(actor2_entity_keys, [])
            )
            from candidates
        )
),

mapped as (
    select
        e.event_key,
        coalesce(r.redirect[e.actor1_entity_key], e.actor1_entity_key) as actor1_entity_key,
        coalesce(r.redirect[e.actor2_entity_key], e.actor2_entity_key) as actor2_entity_key,
        coalesce(r.redirect[e.location_entity_key], e.location_entity_key) as location_entity_key,
        list_sort(list_distinct(
            list_transform(e.actor1_entity_keys, lambda k: coalesce(r.redirect[k], k))
        )) as actor1_entity_keys,
        list_distinct(
            list_transform(e.actor2_entity_keys, lambda k: coalesce(r.redirect[k], k))
        ) as actor2_all,
        -- the participant signature (transforms.resolve_events.participants): "a|b" or "a|b>c"
        contains(e.participants, '>') as directed,
        list_distinct(list_filter(
            list_transform(
                string_split(split_part(e.participants, '>', 1), '|'),
                lambda k: coalesce(r.redirect[k], k)
            ),
            lambda k: k <> ''
        )) as side1,
        list_distinct(list_filter(
            list_transform(
                string_split(split_part(e.participants, '>', 2), '|'),
                lambda k: coalesce(r.redirect[k], k)
            ),
            lambda k: k <> ''
        )) as side2
    from candidates as e
    cross join redirects as r
    where r.redirect is not null
),

final as (
    select
        c.* replace (
            n.actor1_entity_key as actor1_entity_key,
            n.actor2_entity_key as actor2_entity_key,
            n.location_entity_key as location_entity_key,
            n.actor1_entity_keys as actor1_entity_keys,
            list_sort(list_filter(n.actor2_all, lambda k: not list_contains(n.actor1_entity_keys, k)))
                as actor2_entity_keys,
            case
                when n.directed then
                    array_to_string(list_sort(n.side1), '|') || '>'
                    || array_to_string(list_sort(list_filter(n.side2, lambda k: not list_contains(n.side1, k))), '|')
                else array_to_string(list_sort(n.side1), '|')
            end as participants
        ),
        c.participants as old_participants,
        c.actor1_entity_key as old_actor1,
        c.actor2_entity_key as old_actor2,
        c.location_entity_key as old_location
    from mapped as n
    join candidates as c on c.event_key = n.event_key
)

select * exclude (old_participants, old_actor1, old_actor2, old_location)
from final
where old_participants is distinct from participants
    or old_actor1 is distinct from actor1_entity_key
    or old_actor2 is distinct from actor2_entity_key
    or old_location is distinct from location_entity_key;

delete from fact_event
where rowid in (select row_id from load_event_redirects);
insert into fact_event by name
select * exclude (row_id) from load_event_redirects;
-- The repointed events' index rows are derived anew from their new values.
delete from entity_event_index
where event_key in (select event_key from load_event_redirects);
insert into entity_event_index
select * from entity_event_rows('load_event_redirects');
drop table load_event_redirects;
drop table load_redirect_candidates;
drop table load_redirect_events;
