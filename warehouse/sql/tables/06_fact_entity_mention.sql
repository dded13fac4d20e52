-- fact_entity_mention: one entity mention in one document (offsets into dim_document.body).
create table if not exists fact_entity_mention (
    mention_key varchar primary key,
    document_key varchar not null,
    entity_key varchar not null,
    date_key integer,
    sentence_index integer not null,
    start_char integer not null,
    end_char integer not null,
    mention_text varchar not null,
    label varchar not null
);
