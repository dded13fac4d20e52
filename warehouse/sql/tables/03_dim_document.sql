-- dim_document: one ingested document, duplicates included (duplicate_of_key points to the canonical one).
create table if not exists dim_document (
    document_key varchar not null,     -- unique: kept by the load (warehouse/sql/load/dim_document.sql), no index
    document_id varchar not null,      -- record id, or the file name for .txt
    source_key varchar not null,
    title varchar,
    url varchar,
    published_date date,               -- the first day of the month / year when only that is known (published_precision)
    date_key integer,                  -- of published_date when its precision is day, else null
    date_source varchar not null,      -- given / inferred / unknown
    content_hash varchar not null,     -- sha256 of the normalized body
    fingerprint varchar not null,      -- sha256 of the raw bytes
    word_count integer not null,
    duplicate_of_key varchar,          -- null if canonical
    duplicate_kind varchar,            -- exact / near, null if canonical
    similarity double,                 -- to the canonical document, null if canonical
    source_path varchar not null,
    record integer,                    -- line/row number in .jsonl/.csv inputs
    encoding varchar not null,
    language varchar,
    body varchar not null,             -- normalized text; mention offsets point into it
    raw_text varchar not null,         -- decoded text before cleaning, so rules can be re-run
    extra json,
    loaded_run_id varchar not null,
    minhash uinteger[],                -- MinHash of the body's 5-word shingles (near-duplicates across runs)
    published_precision varchar        -- day / month / year (a manifest's "2024-05" is month); null if no date
);
-- Warehouses created before the minhash column get it (null: their documents are matched exactly only).
alter table dim_document add column if not exists minhash uinteger[];
-- Warehouses created before published_precision get it (null: their dated documents were all days).
alter table dim_document add column if not exists published_precision varchar;
-- Versions of one source (transforms/versions.py): a superseded row is history, not news.
alter table dim_document add column if not exists is_current boolean default true;        -- false once superseded
alter table dim_document add column if not exists superseded_by_key varchar;               -- the version that replaced it
alter table dim_document add column if not exists metadata_hash varchar;                   -- sha256 of the given url, source, published
