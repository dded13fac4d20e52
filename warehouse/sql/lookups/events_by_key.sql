-- Grain: one loaded event with one of the given keys (`lookup_values`): events whose key a new event's
-- natural key would repeat, so the new one takes the next key of its sequence (transforms/resolve_events.py).
-- Only keys outside the run's candidates are asked (flows/lookups.py `resolve_events_against`): such an
-- event is never joined, it only holds its key, so the lemmas of its reports are not read (an empty list,
-- in event_candidates.sql's shape) — a scan of fact_event_mention's 17 million keys at 1,000,000 documents.
-- In two steps: the row ids of the keys asked, by a scan of fact_event's key column alone, then those few
-- rows (row groups without one are skipped). One semi-join on the key read the wide columns of every row its
-- Bloom filter let through (122,000 for 75,000 keys asked, 33 held, at 1,000,000 documents): 0.87 CPU s,
-- 0.59 this way (README, Performance).
with matched as materialized (
    select rowid as row_id
    from fact_event
    where event_key in (select value from lookup_values)
),

events as (
    select event_key, event_code, mode, polarity, participants, event_date, date_precision, first_reported,
        last_reported
    from fact_event
    where rowid in (select row_id from matched)
),

final as (
    select e.*, []::varchar[] as trigger_lemmas
    from events as e
)

select * from final
order by event_key;
