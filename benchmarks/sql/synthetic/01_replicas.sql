-- The replicas: 0 is the seed warehouse itself, 1 … n-1 its copies under other keys, names and dates.
create or replace temp table replica as
select range as r from range(getvariable('replicas'));
