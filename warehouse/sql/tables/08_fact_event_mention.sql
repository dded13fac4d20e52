-- fact_event_mention: one report of an event in one sentence of one document.
create table if not exists fact_event_mention (
    event_mention_key varchar primary key,
    event_key varchar not null,
    document_key varchar not null,
    sentence_index integer not null,
    trigger varchar not null,
    sentence varchar not null,
    modality varchar not null,         -- asserted / negated / hypothetical / planned
    confidence double not null
);
