-- The documents whose facts (mentions, event reports, and the events first reported by them) this load
-- writes: the staged facts' documents that are not loaded yet, and those whose facts this load removed
-- (a corrected version keeps its key: document_versions.sql). A loaded document keeps the facts it was
-- loaded with, so a rerun of the same batch writes none. This is what keeps the fact tables' keys unique
-- without a PRIMARY KEY index (which DuckDB must hold in memory whole to insert): a fact's key is made
-- from its document's key (transforms/keys.py), so a document's facts are new exactly when it is.
-- Runs after document_versions.sql and before dim_document.sql inserts the new documents.
insert into load_fact_documents
select distinct staged.document_key
from staged_fact_documents as staged
anti join dim_document as loaded on loaded.document_key = staged.document_key
union
select document_key from load_cleared_documents;
