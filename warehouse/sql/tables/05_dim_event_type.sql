-- dim_event_type: one PLOVER-style event category (loaded from transforms/data/event_types.csv).
create table if not exists dim_event_type (
    event_type_key varchar primary key,
    code varchar not null,
    name varchar not null,
    quad_class varchar not null,     -- verbal/material × cooperation/conflict
    description varchar
);
