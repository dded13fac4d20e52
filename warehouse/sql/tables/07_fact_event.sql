-- fact_event: one real-world event, all its reports merged (counts derived from fact_event_mention).
create table if not exists fact_event (
    event_key varchar not null,        -- unique: kept by resolve and the load (warehouse/sql/load/fact_event.sql)
    event_type_key varchar not null,
    actor1_entity_key varchar,
    actor2_entity_key varchar,
    location_entity_key varchar,
    date_key integer,                  -- set when the date is known to the day
    date_precision varchar not null,   -- day / week / month / year / unknown
    num_mentions integer not null,
    num_documents integer not null,
    num_sources integer not null,
    first_reported date,
    last_reported date,
    event_code varchar not null,       -- dim_event_type.code, for readable queries
    event_date date,                   -- first day of the week/month/year at coarser precision
    mode varchar,                      -- CONSULT: call / visit / meet
    polarity varchar not null,         -- real (asserted or planned reports) / negated / hypothetical
    participants varchar not null,     -- the actor-set signature reports must share to merge
    actor1_entity_keys varchar[],      -- every actor on each side ("Putin and Xi")
    actor2_entity_keys varchar[],
    quantity double,                   -- largest quantity reported ("100,000 troops")
    quantity_unit varchar
);
