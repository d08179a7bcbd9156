"""Snakemake entry: NCBI Taxonomy dump -> Parquet tables, once per release."""
from pfocr_etl.jobs import build_taxonomy
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    log.info("rows: %s", build_taxonomy(snakemake.input.dump, dict(snakemake.output.items())))
