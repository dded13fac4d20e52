-- Every seed entity in every replica. An entity mentioned in at least head_documents seed documents
-- ("Donald Trump", "Russia") is the same entity in every replica: a real warehouse's head grows in
-- mentions, not in entities. The others (the long tail) are new entities in each replica, under a
-- replica-spelled name and the key the pipeline derives from it (make_key(coarse_type, casefold(name))).
create or replace temp table entity_documents as
with named as (
    select entity_key, document_key from seed.fact_entity_mention
    union
    select name_key, document_key from seed.fact_entity_mention where name_key is not null
),

final as (
    select e.entity_key, count(distinct n.document_key) as documents
    from seed.dim_entity as e
    left join named as n on n.entity_key = e.entity_key
    group by all
)

select * from final;

create or replace temp table entity_map as
with entities as (
    select e.*, d.documents >= getvariable('head_documents') as is_head
    from seed.dim_entity as e
    join entity_documents as d using (entity_key)
),

named as (
    select
        r.r,
        e.entity_key as seed_key,
        e.is_head,
        case when e.is_head or r.r = 0 then e.entity_key
            -- an unnamed group is keyed per document, not by its name: salted with its replica
            when e.coarse_type = 'group'
                then left(sha256('replica' || chr(31) || e.entity_key || chr(31) || r.r::varchar), 16)
            else left(sha256(e.coarse_type || chr(31) || lower(e.canonical_name || replica_suffix(r.r))), 16)
        end as entity_key,
        case when e.is_head then '' else replica_suffix(r.r) end as suffix
    from entities as e
    cross join replica as r
),

-- A replica's spelling can be another seed entity's own name ("Louisi" + "ana" in replica 338 would be
-- Louisiana): such a copy takes a key salted with its replica instead, so no key is given twice.
final as (
    select
        n.r,
        n.seed_key,
        n.is_head,
        case when n.r > 0 and not n.is_head and s.entity_key is not null
            then left(sha256('replica' || chr(31) || n.seed_key || chr(31) || n.r::varchar), 16)
            else n.entity_key
        end as entity_key,
        n.suffix
    from named as n
    left join seed.dim_entity as s on s.entity_key = n.entity_key
)

select * from final;
