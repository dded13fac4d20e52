-- Entities already loaded (redirect rows included), so a new document's names resolve to them.
select entity_key, canonical_name, entity_type, coarse_type, aliases, merged_into_key, related_entity_key, relation
from dim_entity
order by entity_key;
