-- Grain: one loaded event with one of the given keys (`lookup_values`): events whose key a new event's
-- natural key would repeat, so the new one takes the next key of its sequence (transforms/resolve_events.py).
with final as (
    select event_key, event_code, mode, polarity, participants, event_date, date_precision, first_reported,
        last_reported
    from fact_event
    where event_key in (select value from lookup_values)
)

select * from final
order by event_key;
