-- fact_event_mention: one report of an event in one sentence of one document.
create table if not exists fact_event_mention (
    event_mention_key varchar not null, -- unique: a document's reports are written once (warehouse/sql/load/)
    event_key varchar not null,
    document_key varchar not null,
    sentence_index integer not null,
    trigger varchar not null,
    sentence varchar not null,
    modality varchar not null,         -- asserted / negated / hypothetical / planned
    confidence double not null,
    trigger_lemma varchar not null,
    event_code varchar not null,
    mode varchar,
    start_char bigint not null,        -- trigger offsets into dim_document.body
    end_char bigint not null,
    actor1_entity_key varchar,
    actor2_entity_key varchar,
    location_entity_key varchar,
    quantity double,
    quantity_unit varchar,
    quantity_text varchar,
    date_text varchar,                 -- the date expression as written ("on Wednesday")
    mention_date date,                 -- anchored against the document's publication date
    date_precision varchar not null
);
