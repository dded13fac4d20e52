-- entity_name_votes: how many loaded mentions name one name key with one entity label (an index table):
-- the votes that decide an entity's type and links (transforms/entities.py), counted by the load, so the
-- look-ups (lookups/entity_votes.sql) read a batch's name keys here instead of counting their mentions in
-- fact_entity_mention, where a head name ("Trump") has millions.
create table if not exists entity_name_votes (
    name_key varchar not null,      -- coalesce(fact_entity_mention.name_key, entity_key)
    entity_label varchar not null,  -- coalesce(fact_entity_mention.entity_label, label)
    mentions bigint not null        -- loaded mentions with both (rows at 0 are removed)
);
-- entity_name_vote_rows(): the votes of fact_entity_mention, as the load keeps them
-- (warehouse/sql/load/entity_name_votes.sql) and the fill below derives them.
create or replace macro entity_name_vote_rows() as table
select
    coalesce(name_key, entity_key) as name_key,
    coalesce(entity_label, label) as entity_label,
    count(*) as mentions
from fact_entity_mention
group by all;
