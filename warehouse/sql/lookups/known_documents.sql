-- Grain: one loaded document that has the key of a batch document or comes from the same source (a
-- .txt file's path, a record's id): what tells a new version of a source from a new source
-- (transforms/versions.py). `lookup_batch` holds the batch's document_key and source identity.
with batch_keys as (
    select distinct document_key from lookup_batch
),

batch_sources as (
    select distinct identity from lookup_batch
),

documents as (
    select
        document_key, source_path, record, document_id, is_current, metadata_hash,
        case when record is null then 'path:' || source_path else 'id:' || document_id end as identity
    from dim_document
),

final as (
    select document_key, source_path, record, document_id, is_current, metadata_hash
    from documents
    where document_key in (select document_key from batch_keys)
        or identity in (select identity from batch_sources)
)

select * from final
order by document_key;
