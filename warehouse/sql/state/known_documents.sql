-- Documents already loaded, with what deduplication of new documents needs.
select document_key, content_hash, duplicate_of_key
from dim_document
order by document_key;
