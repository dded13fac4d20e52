-- dim_entity: one real-world entity; aliases lists every surface form seen.
-- A key that was resolved into another entity ("Trump" → Donald Trump) stays as a redirect row:
-- merged_into_key names the live entity, and no fact points at the redirect row.
create table if not exists dim_entity (
    entity_key varchar not null,    -- unique: kept by the load (warehouse/sql/load/dim_entity.sql), no index
    canonical_name varchar not null,
    entity_type varchar not null,   -- spaCy label (PERSON, GPE, ORG, ...); GROUP: unnamed actor
    coarse_type varchar not null,   -- person / organization / location / group / other
    aliases varchar[] not null,
    merged_into_key varchar,        -- null for a live entity
    related_entity_key varchar,     -- e.g. the country of a demonym group ("Russian" → Russia)
    relation varchar                -- how: demonym_of
);
-- Warehouses created before redirects and relations.
alter table dim_entity add column if not exists merged_into_key varchar;
alter table dim_entity add column if not exists related_entity_key varchar;
alter table dim_entity add column if not exists relation varchar;
