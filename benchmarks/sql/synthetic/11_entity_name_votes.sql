-- The mention votes of every name key (warehouse/sql/tables/14_entity_name_votes.sql), as the
-- pipeline's load keeps them.
insert into entity_name_votes
select * from entity_name_vote_rows()
where not exists (select 1 from entity_name_votes);
