-- lsh_band_key(minhash, band): the key of band `band` (0 … 36) of a MinHash signature, as the near-duplicate
-- index cuts it (transforms/deduplicate.py: LSH_BANDS = 37 bands of LSH_ROWS = 3 values of NUM_PERM = 128).
-- Two signatures that agree on a band's three values share its key. The key is a fixed 64-bit mix, the
-- same on every machine and DuckDB version; a collision of two different bands only proposes one more
-- candidate, which the in-memory LSH and the true Jaccard then reject.
create or replace macro lsh_band_key(minhash, band) as (
    (
        (
            (
                ((band::hugeint * 2685821657736338717 + minhash[band * 3 + 1]) % 18446744073709551616)
                * 2862933555777941757 + minhash[band * 3 + 2]
            ) % 18446744073709551616
        ) * 4354685564936845355 + minhash[band * 3 + 3]
    ) % 18446744073709551616
)::ubigint;
