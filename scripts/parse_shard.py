"""Job entry (pfocr_etl.entry): parse one shard's records into Parquet tables."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import parse_shard
from pfocr_etl.logs import logged, refuse_pandas

refuse_pandas()  # this job uses pyarrow only

job = job_from_argv()
with logged(job.log[0]) as log:
    outputs = dict(job.output.items())
    counts = parse_shard(job.params.input_dir, job.input.shard_list, outputs, job.params.strict, job.input.code)
    log.info("rows: %s", counts)
