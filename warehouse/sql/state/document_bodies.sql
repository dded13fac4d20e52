-- Bodies of the warehouse documents that MinHash LSH proposed as near-duplicate candidates.
select document_key, body
from dim_document
where document_key in (select unnest(?::varchar[]))
order by document_key;
