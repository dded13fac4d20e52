-- Documents already loaded, with what deduplication of new documents needs (bodies are fetched per
-- candidate). A regular expression, not a column list: a warehouse from before the minhash column
-- still answers (its documents are then matched exactly only, until the next write adds the column).
select columns('^(document_key|content_hash|duplicate_of_key|published_date|word_count|minhash)$')
from dim_document
order by document_key;
