-- Every seed mention once per replica, pointing at its replica's document and entities.
insert into fact_entity_mention by name
select
    replica_key(f.mention_key, r.r) as mention_key,
    replica_key(f.document_key, r.r) as document_key,
    entity.entity_key,
    replica_date_key(f.date_key, r.r) as date_key,
    f.sentence_index,
    f.start_char,
    f.end_char,
    f.mention_text || entity.suffix as mention_text,
    f.label,
    name.entity_key as name_key,
    f.entity_label
from seed.fact_entity_mention as f
cross join replica as r
join entity_map as entity on entity.seed_key = f.entity_key and entity.r = r.r
left join entity_map as name on name.seed_key = f.name_key and name.r = r.r;
