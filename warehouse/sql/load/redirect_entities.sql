-- Facts follow entity redirects, in the load transaction: a mention points at the live entity its
-- name resolves to; events (actors, location, participant signature) at the live entities too.
update fact_entity_mention as f
set entity_key = coalesce(e.merged_into_key, e.entity_key)
from dim_entity as e
where e.entity_key = coalesce(f.name_key, f.entity_key)
    and f.entity_key <> coalesce(e.merged_into_key, e.entity_key);

update fact_event_mention as f
set
    actor1_entity_key = coalesce(r.redirect[f.actor1_entity_key], f.actor1_entity_key),
    actor2_entity_key = coalesce(r.redirect[f.actor2_entity_key], f.actor2_entity_key),
    location_entity_key = coalesce(r.redirect[f.location_entity_key], f.location_entity_key)
from (
    select map(list(entity_key), list(merged_into_key)) as redirect
    from dim_entity
    where merged_into_key is not null
) as r
where r.redirect[f.actor1_entity_key] is not null
    or r.redirect[f.actor2_entity_key] is not null
    or r.redirect[f.location_entity_key] is not null;

update fact_event as f
set
    actor1_entity_key = n.actor1_entity_key,
    actor2_entity_key = n.actor2_entity_key,
    location_entity_key = n.location_entity_key,
    actor1_entity_keys = n.actor1_entity_keys,
    actor2_entity_keys = n.actor2_entity_keys,
    participants = n.participants
from (
    with redirects as (
        select map(list(entity_key), list(merged_into_key)) as redirect
        from dim_entity
        where merged_into_key is not null
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
        from fact_event as e
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
