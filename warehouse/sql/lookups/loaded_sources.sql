-- Grain: one input path (of `lookup_paths`) the warehouse holds documents of, with the start of the
-- latest run that loaded one, in seconds since the epoch (UTC): what `dateline run` reads before the
-- flow to judge whether an incremental run has documents to extract (cli/run_cmds.py).
with paths as (
    select distinct source_path from lookup_paths
),

loaded as (
    select document.source_path, run.started_at
    from dim_document as document
    inner join etl_run as run on run.run_id = document.loaded_run_id
    where document.source_path in (select source_path from paths)
),

final as (
    select source_path, epoch(max(started_at)) as last_loaded
    from loaded
    group by source_path
)

select * from final
order by source_path;
