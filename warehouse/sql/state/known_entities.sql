-- Entities already loaded, so a new document's short forms and coarse types resolve to them.
select entity_key, canonical_name, entity_type, coarse_type, aliases
from dim_entity
order by entity_key;
