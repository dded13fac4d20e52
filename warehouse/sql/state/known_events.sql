-- Events already loaded, with what merging new reports into them needs (the reporting period: a later
-- undated report joins a dated event only when that event was reported in the same days).
select event_key, event_code, mode, polarity, participants, event_date, date_precision, first_reported,
    last_reported
from fact_event
order by event_key;
