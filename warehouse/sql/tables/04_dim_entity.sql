-- dim_entity: one real-world entity; aliases lists every surface form seen.
create table if not exists dim_entity (
    entity_key varchar primary key,
    canonical_name varchar not null,
    entity_type varchar not null,   -- spaCy label (PERSON, GPE, ORG, ...)
    coarse_type varchar not null,   -- person / organization / location / group / other
    aliases varchar[] not null
);
