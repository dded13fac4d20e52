-- The LSH bands of the staged documents new to the warehouse (a corrected document keeps its bands),
-- before they are inserted: the index later runs look near duplicates up in (document_lsh_band).
insert into document_lsh_band
select lsh_band_key(d.minhash, b.band), d.document_key
from staged_dim_document as d, range(37) as b(band)
where d.minhash is not null
    and d.document_key not in (select document_key from dim_document);
-- A staged document whose key is already loaded is a correction of its given metadata
-- (transforms/versions.py): its row takes the new metadata and what was derived from it.
update dim_document as target
set title = staged.title,
    url = staged.url,
    source_key = staged.source_key,
    published_date = staged.published_date,
    date_key = staged.date_key,
    date_source = staged.date_source,
    published_precision = staged.published_precision,
    extra = staged.extra,
    duplicate_of_key = staged.duplicate_of_key,
    duplicate_kind = staged.duplicate_kind,
    similarity = staged.similarity,
    metadata_hash = staged.metadata_hash,
    loaded_run_id = staged.loaded_run_id
from staged_dim_document as staged
where target.document_key = staged.document_key;
-- Insert the staged dim_document rows whose key is new, each key once (a rerun of the same inputs stages
-- nothing). The table has no PRIMARY KEY index (DuckDB must hold one in memory whole to insert): this
-- anti-join keeps the key unique.
insert into dim_document by name
select *
from staged_dim_document as staged
where not exists (select 1 from dim_document as loaded where loaded.document_key = staged.document_key)
qualify row_number() over (partition by staged.document_key) = 1;
