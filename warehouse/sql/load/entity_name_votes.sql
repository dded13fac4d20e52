-- The votes follow the mentions this load added, removed or repointed (load_vote_delta, collected by
-- fact_entity_mention.sql, document_versions.sql and redirect_entities.sql): one merge keyed by the
-- changed (name key, label) pairs; a pair left without mentions goes.
merge into entity_name_votes as votes
using (
    select name_key, entity_label, sum(mentions) as mentions
    from load_vote_delta
    group by all
    having sum(mentions) <> 0
) as delta
on votes.name_key = delta.name_key and votes.entity_label = delta.entity_label
when matched then update set mentions = votes.mentions + delta.mentions
when not matched then insert (name_key, entity_label, mentions) values (delta.name_key, delta.entity_label, delta.mentions);
delete from entity_name_votes
where mentions <= 0
    and (name_key, entity_label) in (select name_key, entity_label from load_vote_delta);
