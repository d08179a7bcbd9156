"""Snakemake entry: parse one shard's records into Parquet tables."""
from pfocr_etl.jobs import parse_shard
from pfocr_etl.logs import logged, refuse_pandas

refuse_pandas()  # this job uses pyarrow only

with logged(snakemake.log[0]) as log:
    outputs = dict(snakemake.output.items())
    counts = parse_shard(snakemake.params.input_dir, snakemake.input.shard_list, outputs, snakemake.params.strict)
    log.info("rows: %s", counts)
