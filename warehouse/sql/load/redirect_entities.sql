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
-- They are read whole, with their rowid, deleted by it and inserted again pointing at the new entity. An
-- UPDATE would be cheaper to state but not to commit: the checkpoint rewrites the updated column in every
-- row group an update touched, and a redirected head entity is named in most of them (58,653 mentions in
-- 529 of 627 row groups for 500 new articles into the 1,000,000-document warehouse: the commit's largest
-- part), while deleted rows only mark their row groups and inserted ones are appended. Row order is not
-- part of the contract.
create or replace temp table load_repointed_mentions as
select f.rowid as row_id, f.* replace (t.target as entity_key)
from fact_entity_mention as f
join load_redirect_targets as t on f.name_key = t.entity_key
where f.entity_key <> t.target
union all
select f.rowid as row_id, f.* replace (t.target as entity_key)
from fact_entity_mention as f
join load_redirect_targets as t on f.entity_key = t.entity_key
where f.name_key is null
    and f.entity_key <> t.target;
delete from fact_entity_mention
where rowid in (select row_id from load_repointed_mentions);
insert into fact_entity_mention by name
select * exclude (row_id) from load_repointed_mentions;
drop table load_repointed_mentions;

-- Reports naming a redirected entity as an actor or location; each of their keys follows its redirect.
-- Found by three joins of the short list with one key column each (a filter DuckDB pushes into the
-- column's scan), whose rowids then give the reports' whole rows; those that change are deleted by rowid
-- and inserted again, as the mentions above (an UPDATE of the three columns would have the checkpoint
-- rewrite them in every row group it touched).
create or replace temp table load_redirect_reports as
with found as (
    select f.rowid as row_id
    from fact_event_mention as f
    join load_redirect_targets as t on f.actor1_entity_key = t.entity_key
    union
    select f.rowid as row_id
    from fact_event_mention as f
    join load_redirect_targets as t on f.actor2_entity_key = t.entity_key
    union
    select f.rowid as row_id
    from fact_event_mention as f
    join load_redirect_targets as t on f.location_entity_key = t.entity_key
),

candidates as (
    select f.rowid as row_id, f.*
    from fact_event_mention as f
    where f.rowid in (select row_id from found)
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

select c.* replace (
    coalesce(a1.merged_into_key, c.actor1_entity_key) as actor1_entity_key,
    coalesce(a2.merged_into_key, c.actor2_entity_key) as actor2_entity_key,
    coalesce(loc.merged_into_key, c.location_entity_key) as location_entity_key
)
from candidates as c
left join redirects as a1 on a1.entity_key = c.actor1_entity_key
left join redirects as a2 on a2.entity_key = c.actor2_entity_key
left join redirects as loc on loc.entity_key = c.location_entity_key
where c.actor1_entity_key is distinct from coalesce(a1.merged_into_key, c.actor1_entity_key)
    or c.actor2_entity_key is distinct from coalesce(a2.merged_into_key, c.actor2_entity_key)
    or c.location_entity_key is distinct from coalesce(loc.merged_into_key, c.location_entity_key);

delete from fact_event_mention
where rowid in (select row_id from load_redirect_reports);
insert into fact_event_mention by name
select * exclude (row_id) from load_redirect_reports;
drop table load_redirect_reports;
drop table load_redirect_targets;
