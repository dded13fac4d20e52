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

-- A mention names coalesce(name_key, entity_key): the mentions with a name key of their own and those
-- without are found by two joins on plain columns, which DuckDB answers by scanning one key column with
-- the short list's filter, where a join on the coalesced value computed it for every mention first.
-- A repointed mention is deleted (by rowid, found in the same scan) and inserted again with its new entity
-- key, not updated in place: the mentions of a head entity lie in every row group of the table, and an
-- UPDATE makes the commit rewrite the updated column of each row group it touched (and holds the undo data
-- of every vector touched until then), where a delete only marks its rows and the insert appends. Row order
-- is not part of the contract.
create or replace temp table load_redirect_mentions as
select f.rowid as row_id, f.entity_key as source, f.* replace (t.target as entity_key)
from fact_entity_mention as f
join load_redirect_targets as t on t.entity_key = f.name_key
where f.entity_key <> t.target
union all
select f.rowid as row_id, f.entity_key as source, f.* replace (t.target as entity_key)
from fact_entity_mention as f
join load_redirect_targets as t on t.entity_key = f.entity_key
where f.name_key is null
    and f.entity_key <> t.target;

-- A mention without a name key of its own votes under its entity key: its vote moves with it
-- (entity_name_votes.sql). Counted from the mentions collected above (their old entity key is `source`),
-- not from another scan of the table.
insert into load_vote_delta
with moved as (
    select source, entity_key as target, coalesce(entity_label, label) as entity_label, count(*) as mentions
    from load_redirect_mentions
    where name_key is null
    group by all
)

select source, entity_label, -mentions from moved
union all
select target, entity_label, mentions from moved;

delete from fact_entity_mention
where rowid in (select row_id from load_redirect_mentions);
insert into fact_entity_mention by name
select * exclude (row_id, source) from load_redirect_mentions;
drop table load_redirect_mentions;

-- Reports naming a redirected entity as an actor or location; each of their keys follows its redirect.
-- Found by one semi-join of each key column with the short list (DuckDB pushes each into its scan as a
-- filter, where an OR of the three tested every report), their rows then read by rowid; not by unnesting
-- every report of the warehouse. The reports whose keys change are deleted and inserted again, as the
-- mentions above.
create or replace temp table load_redirect_reports as
with found as (
    select rowid as row_id from fact_event_mention
    where actor1_entity_key in (select entity_key from load_redirect_targets)
    union
    select rowid as row_id from fact_event_mention
    where actor2_entity_key in (select entity_key from load_redirect_targets)
    union
    select rowid as row_id from fact_event_mention
    where location_entity_key in (select entity_key from load_redirect_targets)
),

candidates as (
    select rowid as row_id, *
    from fact_event_mention
    where rowid in (select row_id from found)
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
),

repointed as (
    select
        c.* replace (
            coalesce(a1.merged_into_key, c.actor1_entity_key) as actor1_entity_key,
            coalesce(a2.merged_into_key, c.actor2_entity_key) as actor2_entity_key,
            coalesce(loc.merged_into_key, c.location_entity_key) as location_entity_key
        ),
        c.actor1_entity_key as old_actor1,
        c.actor2_entity_key as old_actor2,
        c.location_entity_key as old_location
    from candidates as c
    left join redirects as a1 on a1.entity_key = c.actor1_entity_key
    left join redirects as a2 on a2.entity_key = c.actor2_entity_key
    left join redirects as loc on loc.entity_key = c.location_entity_key
)

select * exclude (old_actor1, old_actor2, old_location)
from repointed
where old_actor1 is distinct from actor1_entity_key
    or old_actor2 is distinct from actor2_entity_key
    or old_location is distinct from location_entity_key;

delete from fact_event_mention
where rowid in (select row_id from load_redirect_reports);
insert into fact_event_mention by name
select * exclude (row_id) from load_redirect_reports;
drop table load_redirect_reports;
drop table load_redirect_targets;
