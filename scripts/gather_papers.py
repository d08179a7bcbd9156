"""Snakemake entry: merge the shards' paper rows into the papers table."""
from pfocr_etl.jobs import gather_papers
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    log.info("%d papers", gather_papers(snakemake.input.candidates, snakemake.output.papers))
