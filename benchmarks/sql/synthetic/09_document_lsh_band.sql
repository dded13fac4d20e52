-- The near-duplicate index of every document (warehouse/sql/tables/12_document_lsh_band.sql), as the
-- loads that made a real warehouse of this size would have left it (no ART index: see that file).
drop index if exists document_lsh_band_by_key;
insert into document_lsh_band
select lsh_band_key(d.minhash, b.band), d.document_key
from dim_document as d, range(37) as b(band)
where d.minhash is not null;
