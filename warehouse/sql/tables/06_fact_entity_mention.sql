-- fact_entity_mention: one entity mention in one document (offsets into dim_document.body).
create table if not exists fact_entity_mention (
    mention_key varchar not null,    -- unique: a document's mentions are written once (warehouse/sql/load/)
    document_key varchar not null,
    entity_key varchar not null,
    date_key integer,
    sentence_index integer not null,
    start_char integer not null,
    end_char integer not null,
    mention_text varchar not null,
    label varchar not null,
    name_key varchar,       -- the mention's own name and coarse type (dim_entity row, maybe a redirect)
    entity_label varchar    -- label of the entity named ("Washington said" tagged ORG: ORG mention, GPE entity)
);
-- Warehouses created before cross-document resolution.
alter table fact_entity_mention add column if not exists name_key varchar;
alter table fact_entity_mention add column if not exists entity_label varchar;
