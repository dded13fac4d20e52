-- document_lsh_band: one LSH band of one loaded document's MinHash (an index table): the loaded documents a new one may be a near duplicate of are those sharing a band key with it.
create table if not exists document_lsh_band (
    band_key ubigint not null,       -- lsh_band_key(dim_document.minhash, band)
    document_key varchar not null    -- the dim_document row (any: canonical or not, current or not)
);
-- No ART index on band_key: the look-up (lookups/duplicate_candidates.sql) joins the table with the
-- batch's band keys by a hash join, whose filter DuckDB pushes into a scan of the band_key column, and
-- never used one; keeping one up to date cost every load its commit (DuckDB loads the index, inserts the
-- batch's 37 keys per document and writes it again at the checkpoint: 1.8 CPU s for 500 documents at
-- 1,000,000 documents) and memory it cannot spill. A warehouse that has one loses it at its next write.
drop index if exists document_lsh_band_by_key;
