-- The calendar days the replicas' documents, mentions and events point at; the seed's sources, event
-- types, runs, quarantine and validation results as they are.
insert into dim_date
with keys as (
    select date_key from dim_document where date_key is not null
    union
    select date_key from fact_entity_mention where date_key is not null
    union
    select date_key from fact_event where date_key is not null
    union
    select date_key from seed.dim_date
),

days as (
    select date_key, strptime(date_key::varchar, '%Y%m%d')::date as day
    from keys
),

final as (
    select
        date_key,
        day as date,
        year(day) as year,
        quarter(day) as quarter,
        month(day) as month,
        day(day) as day,
        isodow(day) as day_of_week,
        dayname(day) as day_name,
        monthname(day) as month_name
    from days
)

select * from final;

insert into dim_source select * from seed.dim_source;
insert into dim_event_type select * from seed.dim_event_type;
insert into etl_run select * from seed.etl_run;
insert into quarantine select * from seed.quarantine;
insert into etl_validation select * from seed.etl_validation;
