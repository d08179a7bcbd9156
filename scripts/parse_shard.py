"""Snakemake entry: parse one shard's records into Parquet tables."""
from pfocr_etl.logs import logged
from pfocr_etl.parse import write_shard

with logged(snakemake.log[0]) as log:
    outputs = {name: path for name, path in snakemake.output.items()}
    tables = write_shard(snakemake.params.input_dir, snakemake.input.shard_list, outputs, snakemake.params.strict)
    log.info("%d figures, %d gene rows, %d rejected inputs", len(tables.figures), len(tables.figure_genes),
             len(tables.rejected))
