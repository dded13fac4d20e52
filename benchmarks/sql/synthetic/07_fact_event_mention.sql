-- Every seed event report once per replica, in its replica's document and event.
insert into fact_event_mention by name
select
    replica_key(f.event_mention_key, r.r) as event_mention_key,
    replica_key(f.event_key, r.r) as event_key,
    replica_key(f.document_key, r.r) as document_key,
    f.* exclude (event_mention_key, event_key, document_key, actor1_entity_key, actor2_entity_key,
        location_entity_key, mention_date),
    actor1.entity_key as actor1_entity_key,
    actor2.entity_key as actor2_entity_key,
    place.entity_key as location_entity_key,
    replica_date(f.mention_date, r.r) as mention_date
from seed.fact_event_mention as f
cross join replica as r
left join entity_map as actor1 on actor1.seed_key = f.actor1_entity_key and actor1.r = r.r
left join entity_map as actor2 on actor2.seed_key = f.actor2_entity_key and actor2.r = r.r
left join entity_map as place on place.seed_key = f.location_entity_key and place.r = r.r;
