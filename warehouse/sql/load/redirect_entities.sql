-- Facts follow entity redirects, in the load transaction: a mention points at the live entity its
-- name resolves to; event reports (actors, location) at the live entities too.
-- The batch's own mentions and reports were inserted pointing at live entities (fact_entity_mention.sql,
-- fact_event_mention.sql); loaded facts can only be left behind by an entity whose redirect this load
-- changed (load_redirected, batch_keys.sql), so only the facts naming one are repointed, found by one
-- join each with that short list (the events: redirect_events.sql). Run only when a redirect changed.
create or replace temp table load_redirect_targets as
select entity_key, coalesce(merged_into_key, entity_key) as target
from dim_entity
where entity_key in (select entity_key from load_redirected);

-- A mention without a name key of its own votes under its entity key: its vote moves with it
-- (entity_name_votes.sql).
insert into load_vote_delta
with moved as (
    select f.entity_key as source, t.target, coalesce(f.entity_label, f.label) as entity_label, count(*) as mentions
    from fact_entity_mention as f
    join load_redirect_targets as t on t.entity_key = f.entity_key
    where f.name_key is null and f.entity_key <> t.target
    group by all
)

select source, entity_label, -mentions from moved
union all
select target, entity_label, mentions from moved;

-- A mention names coalesce(name_key, entity_key): the mentions with a name key of their own and those
-- without are found by two joins on plain columns, which DuckDB answers by scanning one key column with
-- the short list's filter, where a join on the coalesced value computed it for every mention first.
update fact_entity_mention as f
set entity_key = t.target
from load_redirect_targets as t
where f.name_key = t.entity_key
    and f.entity_key <> t.target;
update fact_entity_mention as f
set entity_key = t.target
from load_redirect_targets as t
where f.name_key is null
    and f.entity_key = t.entity_key
    and f.entity_key <> t.target;

-- Reports naming a redirected entity as an actor or location; each of their keys follows its redirect.
-- Found by a filter on the three key columns (semi-joins with the short list), not by unnesting every
-- report of the warehouse.
create or replace temp table load_redirect_reports as
with candidates as (
    select event_mention_key, actor1_entity_key, actor2_entity_key, location_entity_key
    from fact_event_mention
    where actor1_entity_key in (select entity_key from load_redirect_targets)
        or actor2_entity_key in (select entity_key from load_redirect_targets)
        or location_entity_key in (select entity_key from load_redirect_targets)
),

-- the redirect rows among the candidates' keys (as fact_event_mention.sql reads them), not all of dim_entity
redirects as (
    select entity_key, merged_into_key
    from dim_entity
    where merged_into_key is not null
        and entity_key in (
            select unnest([actor1_entity_key, actor2_entity_key, location_entity_key])
            from candidates
        )
)

select
    c.event_mention_key,
    coalesce(a1.merged_into_key, c.actor1_entity_key) as actor1_entity_key,
    coalesce(a2.merged_into_key, c.actor2_entity_key) as actor2_entity_key,
    coalesce(loc.merged_into_key, c.location_entity_key) as location_entity_key
from candidates as c
left join redirects as a1 on a1.entity_key = c.actor1_entity_key
left join redirects as a2 on a2.entity_key = c.actor2_entity_key
left join redirects as loc on loc.entity_key = c.location_entity_key;

update fact_event_mention as f
set
    actor1_entity_key = n.actor1_entity_key,
    actor2_entity_key = n.actor2_entity_key,
    location_entity_key = n.location_entity_key
from load_redirect_reports as n
where f.event_mention_key = n.event_mention_key
    and (
        f.actor1_entity_key is distinct from n.actor1_entity_key
        or f.actor2_entity_key is distinct from n.actor2_entity_key
        or f.location_entity_key is distinct from n.location_entity_key
    );
drop table load_redirect_reports;
drop table load_redirect_targets;
