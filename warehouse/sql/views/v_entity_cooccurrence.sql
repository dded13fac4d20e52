-- v_entity_cooccurrence: one row per unordered pair of entities mentioned in the same document at least once.
-- grain: (entity_key_a, entity_key_b) with entity_key_a < entity_key_b, so each pair appears once.
-- columns: entity_key_a, entity_a (canonical name), coarse_type_a,
--          entity_key_b, entity_b (canonical name), coarse_type_b,
--          documents (distinct documents mentioning both),
--          sentences (distinct sentences mentioning both; 0 when they only share documents)
create or replace view v_entity_cooccurrence as
with in_document as (
    select distinct document_key, entity_key
    from fact_entity_mention
),
in_sentence as (
    select distinct document_key, sentence_index, entity_key
    from fact_entity_mention
),
document_pairs as (
    select a.entity_key as entity_key_a, b.entity_key as entity_key_b, count(*) as documents
    from in_document as a
    join in_document as b on a.document_key = b.document_key and a.entity_key < b.entity_key
    group by all
),
sentence_pairs as (
    select a.entity_key as entity_key_a, b.entity_key as entity_key_b, count(*) as sentences
    from in_sentence as a
    join in_sentence as b
        on a.document_key = b.document_key
        and a.sentence_index = b.sentence_index
        and a.entity_key < b.entity_key
    group by all
),
final as (
    select
        d.entity_key_a,
        ea.canonical_name as entity_a,
        ea.coarse_type as coarse_type_a,
        d.entity_key_b,
        eb.canonical_name as entity_b,
        eb.coarse_type as coarse_type_b,
        d.documents,
        coalesce(s.sentences, 0) as sentences
    from document_pairs as d
    left join sentence_pairs as s using (entity_key_a, entity_key_b)
    join dim_entity as ea on ea.entity_key = d.entity_key_a
    join dim_entity as eb on eb.entity_key = d.entity_key_b
)
select * from final;
