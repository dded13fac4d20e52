-- Grain: one loaded event with one of the given keys (`lookup_values`): events whose key a new event's
-- natural key would repeat, so the new one takes the next key of its sequence (transforms/resolve_events.py).
-- Only keys outside the run's candidates are asked (flows/lookups.py `resolve_events_against`): such an
-- event is never joined, it only holds its key, so the lemmas of its reports are not read (an empty list,
-- in event_candidates.sql's shape) — a scan of fact_event_mention's 17 million keys at 1,000,000 documents.
with events as (
    select event_key, event_code, mode, polarity, participants, event_date, date_precision, first_reported,
        last_reported
    from fact_event
    where event_key in (select value from lookup_values)
),

final as (
    select e.*, []::varchar[] as trigger_lemmas
    from events as e
)

select * from final
order by event_key;
