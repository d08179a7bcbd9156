"""Job entry (pfocr_etl.entry): write the per-shard file lists of the corpus."""
from pathlib import Path

from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.manifest import build_manifest, prune_stale_parts

job = job_from_argv()
with logged(job.log[0]) as log:
    params = job.params
    counts = build_manifest(params.input_dir, job.output.shards, params.shard_width,
                            max_figures=params.shard_max_figures, cache_dir=params.cache_dir, work_dir=params.work_dir,
                            newest_max_figures=params.newest_shard_max_figures, workers=job.threads)
    log.info("%d files in %d shards: %s", sum(counts.values()), len(counts), counts)
    removed = prune_stale_parts(Path(job.output.shards).parents[1], set(counts))
    if removed:
        log.info("removed outputs of shards that no longer have files: %s", removed)
