-- document_lsh_band: one LSH band of one loaded document's MinHash (an index table): the loaded documents a new one may be a near duplicate of are those sharing a band key with it.
create table if not exists document_lsh_band (
    band_key ubigint not null,       -- lsh_band_key(dim_document.minhash, band)
    document_key varchar not null    -- the dim_document row (any: canonical or not, current or not)
);
create index if not exists document_lsh_band_by_key on document_lsh_band (band_key);
