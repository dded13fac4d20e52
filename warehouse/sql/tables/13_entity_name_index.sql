-- entity_name_index: one dim_entity row's name as the entity look-ups compare it (an index table): lower-cased, with its first and last word, so the names a batch's probes reach are found by joins on stored words, not by lower-casing and splitting every name of the warehouse per query.
create table if not exists entity_name_index (
    entity_key varchar not null,     -- the dim_entity row (live or redirect)
    folded varchar not null,         -- lower(dim_entity.canonical_name)
    first_word varchar not null,     -- the folded name's first word (split on spaces)
    last_word varchar not null,      -- the folded name's last word
    multi_word boolean not null,     -- the folded name holds a space
    coarse_type varchar not null,    -- dim_entity.coarse_type
    plain boolean not null,          -- the name is ASCII only: lower() folds it as Python's casefold()
    unplain_name varchar             -- dim_entity.canonical_name when not plain (else null): only such a
                                     -- name can hold a character lower() folds unlike casefold()
);
-- entity_name_rows(): the index rows of dim_entity, as the load (warehouse/sql/load/dim_entity.sql)
-- and the fill below derive them.
create or replace macro entity_name_rows() as table
select
    entity_key,
    lower(canonical_name) as folded,
    split_part(lower(canonical_name), ' ', 1) as first_word,
    regexp_extract(lower(canonical_name), '[^ ]+$') as last_word,
    contains(lower(canonical_name), ' ') as multi_word,
    coarse_type,
    strlen(canonical_name) = length(canonical_name) as plain,
    case when strlen(canonical_name) <> length(canonical_name) then canonical_name end as unplain_name
from dim_entity;
