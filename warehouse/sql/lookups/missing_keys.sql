-- Grain: one value of `lookup_values` that is not a key of the table (the foreign-key check of a
-- reference to the warehouse, as an anti-join). {table} and {key} come from warehouse.lookups.KEY_COLUMNS.
with final as (
    select distinct v.value
    from lookup_values as v
    anti join {table} as t on t.{key} = v.value
)

select * from final
order by value;
