-- Grain: one loaded event a batch report may merge into (transforms/resolve_events.py): the same
-- blocking key — category, polarity and actor set — and a date that the merge rules of
-- transforms/event_merge.py can join to one of the batch's reports. A loaded event is first joined by a
-- report of this run on its loaded values alone (its date, precision, reporting period, trigger lemmas),
-- so these are the loaded events that can be joined at all (`choose_cluster`):
-- * by a dated report (day, week or month, with its date): an event dated at day, week or month whose
--   date agrees with the report's at the coarser of the two precisions (`dates_compatible`: the same
--   day, ISO week or month), or an event dated at a year only, of the report's year, reported within
--   $story_days (SAME_STORY_DAYS) of the report's publication (`_same_word_or_story`);
-- * by an undated report (no date, or a year only): an event dated at day, week or month whose period
--   (`_event_period`: its day, ISO week or month) lies within $news_days (NEWS_DAYS) of the report's
--   publication (`_counterpart`; a loaded event's other conditions there are not asked: more candidates,
--   never fewer).
-- An undated loaded event is never a candidate: nothing dated joins it, and an undated report joins
-- only what a report of this run joined first. `lookup_reports` holds one row per distinct report block,
-- date, precision and publication period (flows/lookups.py `event_blocks`). Each report gives, per
-- precision of the loaded events it can join, a window of that precision's anchor (the day itself, the
-- Monday of its ISO week, the first of its month; for a year: its year and reporting period); the
-- windows of one block and precision that overlap are merged first, so a block reported by many
-- reports meets each of its loaded events a few times, not once per report. With each event, the
-- lemmas of its reports' triggers (an undated report naming one side must share one).
-- tests/test_lookups.py checks the merge over these candidates against the merge over every loaded event.
with reports as (
    select
        event_code, polarity, participants, event_date, date_precision, published_first, published_last,
        date_precision in ('day', 'week', 'month') and event_date is not null as dated,
        event_date - (isodow(event_date) - 1)::integer as week_start,
        date_trunc('month', event_date)::date as month_start,
        last_day(event_date) as month_end
    from lookup_reports
),

-- (block, precision of the loaded event, its year for a year, first and last anchor)
windows as (
    -- dated reports: the same day / ISO week / month at the coarser precision
    select event_code, polarity, participants, 'day' as kind, 0 as event_year,
        case date_precision when 'day' then event_date when 'week' then week_start else month_start end as first_anchor,
        case date_precision when 'day' then event_date when 'week' then week_start + 6 else month_end end as last_anchor
    from reports
    where dated
    union all
    -- a week event's anchor is the Monday of its week; against a month report, any week reaching the month
    select event_code, polarity, participants, 'week', 0,
        case when date_precision = 'month' then month_start - 6 else week_start end,
        case when date_precision = 'month' then month_end else week_start end
    from reports
    where dated
    union all
    select event_code, polarity, participants, 'month', 0, month_start, month_start
    from reports
    where dated
    union all
    select event_code, polarity, participants, 'year', year(event_date),
        published_first - $story_days::integer, published_last + $story_days::integer
    from reports
    where dated and published_first is not null and published_last is not null
    union all
    -- undated reports: an event whose period lies within NEWS_DAYS of the publication
    select event_code, polarity, participants, 'day', 0,
        published_first - $news_days::integer, published_last + $news_days::integer
    from reports
    where not dated and published_first is not null and published_last is not null
    union all
    select event_code, polarity, participants, 'week', 0,
        published_first - $news_days::integer - 6, published_last + $news_days::integer
    from reports
    where not dated and published_first is not null and published_last is not null
    union all
    select event_code, polarity, participants, 'month', 0,
        date_trunc('month', published_first - $news_days::integer)::date,
        date_trunc('month', published_last + $news_days::integer)::date
    from reports
    where not dated and published_first is not null and published_last is not null
),

-- Overlapping windows of one block, precision (and year) merged: gaps and islands.
islands as (
    select *,
        sum(case when first_anchor <= reach then 0 else 1 end) over (
            partition by event_code, polarity, participants, kind, event_year
            order by first_anchor, last_anchor rows unbounded preceding
        ) as island
    from (
        select *,
            max(last_anchor) over (
                partition by event_code, polarity, participants, kind, event_year
                order by first_anchor, last_anchor rows between unbounded preceding and 1 preceding
            ) as reach
        from windows
    )
),

merged as (
    select event_code, polarity, participants, kind, event_year, min(first_anchor) as first_anchor,
        max(last_anchor) as last_anchor
    from islands
    group by event_code, polarity, participants, kind, event_year, island
),

-- The loaded dated events of the batch's actor sets (a semi-join on one column, which DuckDB filters
-- the scan of fact_event with), with the anchor of their precision.
blocked as materialized (
    select event_key, event_code, mode, polarity, participants, event_date, date_precision, first_reported,
        last_reported,
        date_precision as kind,
        case date_precision
            when 'day' then event_date
            when 'week' then event_date - (isodow(event_date) - 1)::integer
            when 'month' then date_trunc('month', event_date)::date
        end as anchor,
        case when date_precision = 'year' then year(event_date) else 0 end as event_year
    from fact_event
    where participants in (select participants from reports)
        and event_date is not null
        and date_precision in ('day', 'week', 'month', 'year')
),

candidates as (
    select distinct
        e.event_key, e.event_code, e.mode, e.polarity, e.participants, e.event_date, e.date_precision,
        e.first_reported, e.last_reported
    from blocked as e
    join merged as w
        on e.event_code = w.event_code
        and e.polarity = w.polarity
        and e.participants = w.participants
        and e.kind = w.kind
        and e.event_year = w.event_year
    where (e.kind <> 'year' and e.anchor between w.first_anchor and w.last_anchor)
        or (
            e.kind = 'year'
            and coalesce(e.last_reported, e.first_reported) >= w.first_anchor
            and e.first_reported <= w.last_anchor
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
