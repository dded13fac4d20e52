-- Grain: one loaded event a batch report may merge into (transforms/resolve_events.py): the same
-- blocking key — category, polarity and actor-set signature — and a date near the report's own date or
-- publication (dates that agree share a year; a counterpart lies within days of the publication).
-- An undated loaded event is never a candidate: nothing dated joins it, and an undated report joins
-- only what a report of this run joined first. `lookup_reports` holds one row per batch report. With each
-- event, the lemmas of its reports' triggers (an undated report naming one side must share one).
with reports as (
    select event_code, polarity, participants, event_date, published_first, published_last
    from lookup_reports
),

candidates as (
    select distinct
        e.event_key, e.event_code, e.mode, e.polarity, e.participants, e.event_date, e.date_precision,
        e.first_reported, e.last_reported
    from fact_event as e
    join reports as r
        on e.event_code = r.event_code
        and e.polarity = r.polarity
        and e.participants = r.participants
    where e.date_precision <> 'unknown'
        and e.event_date is not null
        and (
            e.event_date between r.event_date - interval 400 day and r.event_date + interval 400 day
            or e.event_date between r.published_first - interval 400 day and r.published_last + interval 400 day
        )
),

lemmas as (
    select m.event_key, list_sort(list(distinct m.trigger_lemma)) as trigger_lemmas
    from fact_event_mention as m
    where m.event_key in (select event_key from candidates)
    group by m.event_key
),

final as (
    select c.*, coalesce(l.trigger_lemmas, []::varchar[]) as trigger_lemmas
    from candidates as c
    left join lemmas as l on l.event_key = c.event_key
)

select * from final
order by event_key;
