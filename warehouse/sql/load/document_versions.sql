-- A new version of a source replaces the old one's facts (transforms/versions.py). Runs first in the
-- load transaction, before the new version's rows are inserted.
-- Superseded: the old row stays as history, marked and pointing at its successor.
update dim_document as target
set is_current = false,
    superseded_by_key = staged.new_key
from staged_document_versions as staged
where target.document_key = staged.old_key and staged.change = 'superseded';
-- Superseded or corrected: its mentions and event reports go; the new extraction brings its own
-- (the events they reported are recounted, and removed when left without any report, by
-- refresh_event_counts.sql).
insert into load_touched_events
select distinct event_key from fact_event_mention
where document_key in (select old_key from staged_document_versions);
insert into load_cleared_documents
select distinct old_key from staged_document_versions;
-- The votes of the mentions that go (entity_name_votes.sql).
insert into load_vote_delta
select coalesce(name_key, entity_key), coalesce(entity_label, label), -count(*)
from fact_entity_mention
where document_key in (select old_key from staged_document_versions)
group by all;
delete from fact_entity_mention
where document_key in (select old_key from staged_document_versions);
delete from fact_event_mention
where document_key in (select old_key from staged_document_versions);
