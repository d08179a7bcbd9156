"""Snakemake entry: datapackage.json describing every published table."""
from pathlib import Path

from pfocr_etl.logs import logged
from pfocr_etl.release import write_datapackage

with logged(snakemake.log[0]) as log:
    tables_dir = Path(snakemake.input.figures[0]).parents[1]
    package = write_datapackage(tables_dir, snakemake.output.datapackage)
    log.info("%d resources described", len(package["resources"]))
