-- Grain: one loaded event a batch report may merge into (transforms/resolve_events.py): the same
-- blocking key — category, polarity and actor set — and a date that the merge rules of
-- transforms/event_merge.py can join to one of the batch's reports. A loaded event is first joined by a
-- report of this run on its loaded values alone (its date, precision, reporting period, trigger lemmas),
-- so these are the loaded events that can be joined at all:
-- * dated at day, week or month: dates that agree lie within a month of each other (`dates_compatible`),
--   and an undated report's counterpart lies within NEWS_DAYS of its publication (`_counterpart`);
--   both windows are taken wide (62 and 40 days);
-- * dated at a year only: a dated report of that year joins it when a report of it was published within
--   SAME_STORY_DAYS of its own (`_same_word_or_story`: the event's reporting period, 30 days wide here);
--   an undated report never joins it (`_counterpart` takes day, week and month events only).
-- An undated loaded event is never a candidate: nothing dated joins it, and an undated report joins
-- only what a report of this run joined first. `lookup_reports` holds one row per batch report. With each
-- event, the lemmas of its reports' triggers (an undated report naming one side must share one).
-- tests/test_lookups.py checks the merge over these candidates against the merge over every loaded event.
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
    where e.event_date is not null
        and (
            (
                e.date_precision in ('day', 'week', 'month')
                and (
                    e.event_date between r.event_date - interval 62 day and r.event_date + interval 62 day
                    or e.event_date between r.published_first - interval 40 day and r.published_last + interval 40 day
                )
            )
            or (
                e.date_precision = 'year'
                and year(e.event_date) = year(r.event_date)
                and coalesce(e.last_reported, e.first_reported) >= r.published_first - interval 30 day
                and e.first_reported <= r.published_last + interval 30 day
            )
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
