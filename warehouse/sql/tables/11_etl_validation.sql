-- etl_validation: one expectation result of one run's validation.
create table if not exists etl_validation (
    run_id varchar not null,
    table_name varchar not null,
    expectation varchar not null,
    column_name varchar,
    success boolean not null,
    observed_value varchar
);
