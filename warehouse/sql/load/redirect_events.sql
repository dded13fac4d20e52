-- Events follow entity redirects, in the load transaction: actors, location and participant signature
-- point at the live entities. Looked at: the batch's events (load_new_events, batch_keys.sql), and the
-- loaded events naming an entity whose redirect this load changed (load_redirected).
create or replace temp table load_redirect_events as
select event_key from load_new_events
union
select n.event_key
from (
    select
        event_key,
        unnest(
            string_split(replace(participants, '>', '|'), '|')
            || [actor1_entity_key, actor2_entity_key, location_entity_key]
        ) as entity_key
    from fact_event
    where exists (select 1 from load_redirected)
) as n
join load_redirected as k on k.entity_key = n.entity_key;

update fact_event as f
set
    actor1_entity_key = n.actor1_entity_key,
    actor2_entity_key = n.actor2_entity_key,
    location_entity_key = n.location_entity_key,
    actor1_entity_keys = n.actor1_entity_keys,
    actor2_entity_keys = n.actor2_entity_keys,
    participants = n.participants
from (
    with candidates as (
        select e.*
        from fact_event as e
        where e.event_key in (select event_key from load_redirect_events)
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
            event_key,
            actor1_entity_key,
            actor2_entity_key,
            location_entity_key,
            actor1_entity_keys,
            list_sort(list_filter(actor2_all, lambda k: not list_contains(actor1_entity_keys, k)))
                as actor2_entity_keys,
            case
                when directed then
                    array_to_string(list_sort(side1), '|') || '>'
                    || array_to_string(list_sort(list_filter(side2, lambda k: not list_contains(side1, k))), '|')
                else array_to_string(list_sort(side1), '|')
            end as participants
        from mapped
    )

    select * from final
) as n
where f.event_key = n.event_key
    and (
        f.participants is distinct from n.participants
        or f.actor1_entity_key is distinct from n.actor1_entity_key
        or f.actor2_entity_key is distinct from n.actor2_entity_key
        or f.location_entity_key is distinct from n.location_entity_key
    );
drop table load_redirect_events;
