-- Every seed document once per replica: new keys, hashes, record ids, dates and MinHash. A replica's
-- MinHash is the seed's with every value rehashed, so copies within a replica stay near duplicates of
-- each other and no replica is one of another's. Bodies of the copies are short: nothing in a run reads
-- them unless LSH proposes them, and no copy's MinHash resembles a real text's.
insert into dim_document by name
select
    replica_key(d.document_key, r.r) as document_key,
    d.document_id || case when r.r = 0 then '' else '~' || r.r::varchar end as document_id,
    d.source_key,
    d.title,
    d.url,
    replica_date(d.published_date, r.r) as published_date,
    replica_date_key(d.date_key, r.r) as date_key,
    d.date_source,
    replica_hash(d.content_hash, r.r) as content_hash,
    replica_hash(d.fingerprint, r.r) as fingerprint,
    d.word_count,
    replica_key(d.duplicate_of_key, r.r) as duplicate_of_key,
    d.duplicate_kind,
    d.similarity,
    d.source_path,
    d.record,
    d.encoding,
    d.language,
    case when r.r = 0 then d.body else left(d.body, 120) end as body,
    case when r.r = 0 then d.raw_text else left(d.raw_text, 120) end as raw_text,
    d.extra,
    d.loaded_run_id,
    case when r.r = 0 or d.minhash is null then d.minhash
        else list_transform(d.minhash, lambda v: (hash(v, r.r) % 4294967295)::uinteger) end as minhash,
    d.published_precision,
    d.is_current,
    replica_key(d.superseded_by_key, r.r) as superseded_by_key,
    d.metadata_hash
from seed.dim_document as d
cross join replica as r;
