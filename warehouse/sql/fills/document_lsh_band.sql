-- document_lsh_band of a warehouse created before the band table: filled once from the stored signatures
-- (later documents get their bands in the load transaction, warehouse/sql/load/dim_document.sql).
insert into document_lsh_band
select lsh_band_key(d.minhash, b.band), d.document_key
from dim_document as d, range(37) as b(band)
where d.minhash is not null;
