"""Snakemake entry: merge the shards' paper rows into the papers table."""
from pfocr_etl.logs import logged
from pfocr_etl.papers import write_papers

with logged(snakemake.log[0]) as log:
    count = write_papers(snakemake.input.candidates, snakemake.output.papers)
    log.info("%d papers", count)
