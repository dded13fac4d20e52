-- Grain: one loaded event with one of the given keys (`lookup_values`): events whose key a new event's
-- natural key would repeat, so the new one takes the next key of its sequence (transforms/resolve_events.py);
-- with the lemmas of its reports' triggers, as event_candidates.sql gives them.
with events as (
    select event_key, event_code, mode, polarity, participants, event_date, date_precision, first_reported,
        last_reported
    from fact_event
    where event_key in (select value from lookup_values)
),

lemmas as (
    select m.event_key, list_sort(list(distinct m.trigger_lemma)) as trigger_lemmas
    from fact_event_mention as m
    where m.event_key in (select value from lookup_values)
    group by m.event_key
),

final as (
    select e.*, coalesce(l.trigger_lemmas, []::varchar[]) as trigger_lemmas
    from events as e
    left join lemmas as l on l.event_key = e.event_key
)

select * from final
order by event_key;
