-- entity_name_votes of a warehouse created before the table: filled once from fact_entity_mention (later
-- loads add and remove what they change in the load transaction, warehouse/sql/load/entity_name_votes.sql).
insert into entity_name_votes
select * from entity_name_vote_rows();
