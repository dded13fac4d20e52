-- Grain: one loaded entity (dim_entity row, redirects included) that a probe of the batch's names
-- reaches (transforms/entity_probes.py): by key; multi-word names by first word (unless surely
-- ambiguous, below), by last word or by both; names starting with a name (`prefix`) or ending in one
-- (`suffix`). Names are compared in lower case word by word (the stored entity_name_index); a name
-- holding a character whose Unicode case folding differs from lower case (`?`, a character class) is
-- always returned, so Python's casefold decides.
with probes as (
    select kind, value, first_word, last_word from lookup_probes
),

-- The stored name index (warehouse/sql/tables/13_entity_name_index.sql): each name lower-cased, with its
-- first and last word, kept by the load, so no name of the warehouse is lower-cased or split here. Not
-- materialized: each probe below reads only the index columns it needs (materializing all of it for its
-- readers cost more than their joins at 6 million names).
worded as not materialized (
    select entity_key, folded, first_word, last_word, multi_word, coarse_type
    from entity_name_index
),

-- Only a name holding a non-ASCII character can hold one of them (the index keeps those names).
unfolded as (
    select entity_key, folded, first_word, last_word, multi_word, coarse_type
    from entity_name_index
    where not plain and regexp_matches(unplain_name, ?)
),

-- The names ending in a word that a `first`, `last`, `ends` or `suffix` probe asks about, read in one
-- scan of the index for `ended`, `by_last`, `by_ends` and `by_suffix` (at 1,000,000 documents the
-- 204,000 probes of a 500-article batch's inputs reach 171,000 of the 7.6 million names this way): one
-- scan of the last words instead of five.
last_rows as materialized (
    select w.*
    from worded as w
    where w.last_word in (
        select value from probes where kind in ('first', 'last')
        union all
        select last_word from probes where kind in ('ends', 'suffix')
    )
),

-- The `first` and `last` probes are for a one-word person name, which links only to a person name: a
-- name held under no person key is never one, whatever its votes, and is not needed. `open` probes are
-- names counted apart: the open names, and the case folding of every name SQL's lower() cannot fold
-- (such a name is always returned, and another key of its folded name may be spelt without it).
-- A one-word name takes a full name it begins only when no full name ends in it (transforms/name_links.py):
-- a word that a loaded multi-word name held under person keys alone ends (not counted apart, so the batch
-- leaves it a person; the `last` probe reads it) never does, and the names it begins are not needed
-- (743 of the 1,223 words of a 500-article batch at 1,000,000 documents: 627,000 names less to read).
ended as (
    select distinct last_word
    from (
        select folded, any_value(last_word) as last_word
        from last_rows
        where multi_word and last_word in (select value from probes where kind = 'first')
            and folded not in (select value from probes where kind = 'open')
            and entity_key not in (select entity_key from unfolded)
        group by folded
        having bool_and(coarse_type = 'person')
    )
),

first_words as (
    select value from probes where kind = 'first' and value not in (select last_word from ended)
),

-- The multi-word names beginning with a first word, read once: a name among them is a hit when some
-- person key of it is among them too (the same name has the same first word), or it is counted apart.
first_rows as materialized (
    select w.*
    from worded as w
    where w.multi_word and w.first_word in (select value from first_words)
),

first_hits as (
    select f.* from first_rows as f
    where f.folded in (select p.folded from first_rows as p where p.coarse_type = 'person')
        or f.folded in (select value from probes where kind = 'open')
),

-- A one-word person name takes the full person name it begins only when that is the only one
-- (transforms/name_links.py). Loaded names held under person keys alone are persons whatever their
-- votes; two of them with different last words (so two different full names) starting with the probe
-- word make it ambiguous whatever the batch adds ("john": thousands), and then only two such names are
-- needed, the witnesses (the first and last by last word): with them the resolution sees the ambiguity
-- however many of the others it lacks, even when the batch or another probe brings one more name the word
-- begins. The `open` names (the batch's among them, whose votes it changes) and names whose case folding
-- SQL cannot match are not counted.
sure_first as (
    select first_word, folded, any_value(last_word) as last_word
    from first_hits
    where folded not in (select value from probes where kind = 'open')
        and entity_key not in (select entity_key from unfolded)
    group by first_word, folded
    having bool_and(coarse_type = 'person')
),

ambiguous_first as (
    select first_word, arg_min(folded, [last_word, folded]) as lowest, arg_max(folded, [last_word, folded]) as highest
    from sure_first
    group by first_word
    having count(distinct last_word) >= 2
),

by_first as (
    select f.* from first_hits as f
    where f.first_word not in (select first_word from ambiguous_first)
    union all
    select f.* from first_hits as f
    join ambiguous_first as a on f.first_word = a.first_word and f.folded in (a.lowest, a.highest)
),

by_last as (
    select w.* from last_rows as w
    where w.multi_word and w.last_word in (select value from probes where kind = 'last')
        and (
            w.folded in (
                select p.folded from last_rows as p
                where p.multi_word and p.coarse_type = 'person'
                    and p.last_word in (select value from probes where kind = 'last')
            )
            or w.folded in (select value from probes where kind = 'open')
        )
),

by_ends as (
    select w.* from last_rows as w
    join probes as p on p.kind = 'ends' and w.first_word = p.first_word and w.last_word = p.last_word
    where w.multi_word
),

by_prefix as (
    select w.* from worded as w
    join probes as p on p.kind = 'prefix' and w.first_word = p.first_word
    where starts_with(w.folded, p.value || ' ')
),

by_suffix as (
    select w.* from last_rows as w
    join probes as p on p.kind = 'suffix' and w.last_word = p.last_word
    where ends_with(w.folded, ' ' || p.value)
),

reached as (
    select entity_key from by_first
    union select entity_key from by_last
    union select entity_key from by_ends
    union select entity_key from by_prefix
    union select entity_key from by_suffix
    union select entity_key from unfolded
),

-- The reached rows of dim_entity in two steps: their row ids by a scan of the key column alone, then the
-- rows with those ids (row groups without one are skipped). One semi-join on the key read the wide columns
-- (names, aliases) of far more rows than it kept: at 1,000,000 documents a query reaching 1,400 to 4,200
-- entities took 0.4 to 0.5 CPU s less this way (README, Performance). The `key` probes are looked up in
-- that same scan: the index holds one row per dim_entity row, so reading its keys first found the same rows
-- with one more scan of 7.6 million keys at 1,000,000 documents.
reached_rows as materialized (
    select rowid as row_id
    from dim_entity
    where entity_key in (
        select entity_key from reached
        union all
        select value from probes where kind = 'key'
    )
),

final as (
    select entity_key, canonical_name, entity_type, coarse_type, aliases, merged_into_key, related_entity_key,
        relation
    from dim_entity
    where rowid in (select row_id from reached_rows)
)

select * from final
order by entity_key;
