-- Documents already loaded, with what deduplication of new documents needs (bodies are fetched per
-- candidate) and what tells a new version of a source from a new source (transforms/versions.py).
-- A regular expression, not a column list: a warehouse from before the minhash or version columns
-- still answers (its documents are then matched exactly only and all current, until the next write
-- adds the columns).
select columns('^(document_key|content_hash|duplicate_of_key|published_date|word_count|minhash|source_path|record|document_id|is_current|metadata_hash)$')
from dim_document
order by document_key;
