-- Each seed event's actor lists and merge signature in every replica: the keys mapped to the replica's
-- entities, the signature rebuilt as transforms.resolve_events.participants builds it (each side's
-- keys sorted, sides joined by ">").
create or replace temp table event_actors as
with listed as (
    select event_key, 1 as side, unnest(actor1_entity_keys) as k, generate_subscripts(actor1_entity_keys, 1) as i
    from seed.fact_event
    union all
    select event_key, 2 as side, unnest(actor2_entity_keys) as k, generate_subscripts(actor2_entity_keys, 1) as i
    from seed.fact_event
),

final as (
    select l.event_key, r.r, l.side, list(coalesce(m.entity_key, l.k) order by l.i) as keys
    from listed as l
    cross join replica as r
    left join entity_map as m on m.seed_key = l.k and m.r = r.r
    group by all
)

select * from final;

create or replace temp table event_participants as
with sides as (
    select
        event_key,
        unnest(string_split(participants, '>')) as side,
        generate_subscripts(string_split(participants, '>'), 1) as side_index
    from seed.fact_event
),

side_keys as (
    select event_key, side_index, unnest(string_split(side, '|')) as k
    from sides
),

mapped as (
    select s.event_key, r.r, s.side_index, coalesce(m.entity_key, s.k) as k
    from side_keys as s
    cross join replica as r
    left join entity_map as m on m.seed_key = s.k and m.r = r.r
),

mapped_sides as (
    select event_key, r, side_index, string_agg(k, '|' order by k) as side
    from mapped
    group by all
),

final as (
    select event_key, r, string_agg(side, '>' order by side_index) as participants
    from mapped_sides
    group by all
)

select * from final;

insert into fact_event by name
select
    replica_key(e.event_key, r.r) as event_key,
    e.event_type_key,
    actor1.entity_key as actor1_entity_key,
    actor2.entity_key as actor2_entity_key,
    place.entity_key as location_entity_key,
    replica_date_key(e.date_key, r.r) as date_key,
    e.date_precision,
    e.num_mentions,
    e.num_documents,
    e.num_sources,
    replica_date(e.first_reported, r.r) as first_reported,
    replica_date(e.last_reported, r.r) as last_reported,
    e.event_code,
    replica_date(e.event_date, r.r) as event_date,
    e.mode,
    e.polarity,
    p.participants,
    case when e.actor1_entity_keys is null then null else coalesce(a1.keys, []) end as actor1_entity_keys,
    case when e.actor2_entity_keys is null then null else coalesce(a2.keys, []) end as actor2_entity_keys,
    e.quantity,
    e.quantity_unit
from seed.fact_event as e
cross join replica as r
join event_participants as p on p.event_key = e.event_key and p.r = r.r
left join event_actors as a1 on a1.event_key = e.event_key and a1.r = r.r and a1.side = 1
left join event_actors as a2 on a2.event_key = e.event_key and a2.r = r.r and a2.side = 2
left join entity_map as actor1 on actor1.seed_key = e.actor1_entity_key and actor1.r = r.r
left join entity_map as actor2 on actor2.seed_key = e.actor2_entity_key and actor2.r = r.r
left join entity_map as place on place.seed_key = e.location_entity_key and place.r = r.r;
