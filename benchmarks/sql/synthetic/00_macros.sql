-- Helpers of the synthetic warehouse: replica r (0 = the seed itself) of a key, a hash, a date.
-- Keys and hashes are salted with 'replica': the pipeline's own make_key(key, n) (a second event of
-- one signature) must never give a replica's key.
-- Replica r's dates are the seed's moved r days back, so the replicas tile the days before the seed's
-- own period as a warehouse that has grown day by day would, and a new run's articles land at its front.
create or replace temp macro replica_key(k, r) as
    case when r = 0 or k is null then k else left(sha256('replica' || chr(31) || k || chr(31) || r::varchar), 16) end;
create or replace temp macro replica_hash(h, r) as
    case when r = 0 or h is null then h else sha256('replica' || chr(31) || h || chr(31) || r::varchar) end;
create or replace temp macro replica_date(d, r) as
    case when d is null then null else (d - to_days(r::integer))::date end;
create or replace temp macro replica_date_key(k, r) as
    case when k is null then null
    else strftime(replica_date(strptime(k::varchar, '%Y%m%d')::date, r), '%Y%m%d')::integer end;
-- A replica's own spelling of a name: three letters appended to its last word ("Smith" → "Smithbaa"),
-- so "Smith" still ends "John Smith" within a replica and never names another replica's entity.
create or replace temp macro replica_suffix(r) as
    case when r = 0 then ''
    else chr(97 + (r % 26)::integer) || chr(97 + ((r // 26) % 26)::integer) || chr(97 + ((r // 676) % 26)::integer) end;
