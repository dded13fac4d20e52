-- The votes follow the mentions this load added, removed or repointed (load_vote_delta, collected by
-- fact_entity_mention.sql, document_versions.sql and redirect_entities.sql), keyed by the changed
-- (name key, label) pairs: a pair's row is replaced (deleted by rowid, inserted with its new count), a new
-- pair's inserted, and a pair left without mentions goes. Replaced rather than updated: the checkpoint
-- rewrites an updated column in every row group the update touched (the batch's names are spread over
-- all of them), while deleted rows only mark their row groups and inserted ones are appended.
create or replace temp table load_votes as
with delta as (
    select name_key, entity_label, sum(mentions) as mentions
    from load_vote_delta
    group by all
    having sum(mentions) <> 0
)

select votes.rowid as row_id, delta.name_key, delta.entity_label, coalesce(votes.mentions, 0) + delta.mentions as mentions
from delta
left join entity_name_votes as votes on votes.name_key = delta.name_key and votes.entity_label = delta.entity_label;
delete from entity_name_votes
where rowid in (select row_id from load_votes where row_id is not null);
insert into entity_name_votes (name_key, entity_label, mentions)
select name_key, entity_label, mentions from load_votes where mentions > 0;
drop table load_votes;
