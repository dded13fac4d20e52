-- fact_event: one real-world event, all its reports merged (counts derived from fact_event_mention).
create table if not exists fact_event (
    event_key varchar primary key,
    event_type_key varchar not null,
    actor1_entity_key varchar,
    actor2_entity_key varchar,
    location_entity_key varchar,
    date_key integer,
    date_precision varchar not null,   -- day / month / year / unknown
    num_mentions integer not null,
    num_documents integer not null,
    num_sources integer not null,
    first_reported date,
    last_reported date
);
