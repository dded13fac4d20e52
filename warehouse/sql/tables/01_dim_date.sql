-- dim_date: one calendar day referenced by any document, mention or event.
create table if not exists dim_date (
    date_key integer primary key,  -- yyyymmdd
    date date not null,
    year integer not null,
    quarter integer not null,
    month integer not null,
    day integer not null,
    day_of_week integer not null,  -- ISO: 1 = Monday … 7 = Sunday
    day_name varchar not null,
    month_name varchar not null
);
