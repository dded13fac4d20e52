-- Events already loaded, with what merging new reports into them needs.
select event_key, event_code, mode, polarity, participants, event_date, date_precision
from fact_event
order by event_key;
