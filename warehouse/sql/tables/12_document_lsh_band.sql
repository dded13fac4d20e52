-- document_lsh_band: one LSH band of one loaded document's MinHash (an index table): the loaded documents a new one may be a near duplicate of are those sharing a band key with it.
create table if not exists document_lsh_band (
    band_key ubigint not null,       -- lsh_band_key(dim_document.minhash, band)
    document_key varchar not null    -- the dim_document row (any: canonical or not, current or not)
);
create index if not exists document_lsh_band_by_key on document_lsh_band (band_key);
-- Warehouses created before the band table: filled once from the stored signatures (later documents
-- get their bands in the load transaction, warehouse/sql/load/dim_document.sql).
insert into document_lsh_band
select lsh_band_key(d.minhash, b.band), d.document_key
from dim_document as d, range(37) as b(band)
where d.minhash is not null and not exists (select 1 from document_lsh_band);
