-- dim_source: one outlet / origin of documents ("unknown" when the input does not say).
create table if not exists dim_source (
    source_key varchar primary key,
    source_name varchar not null,
    domain varchar
);
