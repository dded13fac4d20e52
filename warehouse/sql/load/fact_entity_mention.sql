-- Insert the staged fact_entity_mention rows of the documents whose facts this load writes
-- (load_fact_documents, fact_documents.sql), each key once; a loaded document's mentions are never
-- rewritten (idempotent reruns). No key of the table is looked at: the key is unique because its document is new.
-- A mention points at the live entity its name resolves to (as redirect_entities.sql keeps the loaded ones).
create or replace temp table load_entity_mentions as
with fresh as (
    select *
    from staged_fact_entity_mention
    where document_key in (select document_key from load_fact_documents)
    qualify row_number() over (partition by mention_key) = 1
),

named as (
    select entity_key, coalesce(merged_into_key, entity_key) as target
    from dim_entity
    where entity_key in (select coalesce(name_key, entity_key) from fresh)
)

select staged.* replace (coalesce(e.target, staged.entity_key) as entity_key)
from fresh as staged
left join named as e on e.entity_key = coalesce(staged.name_key, staged.entity_key);;

insert into fact_entity_mention by name
select * from load_entity_mentions;
-- Their votes (entity_name_votes.sql).
insert into load_vote_delta
select coalesce(name_key, entity_key), coalesce(entity_label, label), count(*)
from load_entity_mentions
group by all;
drop table load_entity_mentions;
