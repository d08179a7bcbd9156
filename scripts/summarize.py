"""Snakemake entry: metrics.json and summary.html from the tables."""
from pfocr_etl.logs import logged
from pfocr_etl.report import write_report

with logged(snakemake.log[0]) as log:
    table_files = {name: [files] if isinstance(files, str) else list(files)
                   for name, files in snakemake.input.items() if name != "code"}
    metrics = write_report(table_files, snakemake.output.metrics, snakemake.output.html)
    log.info("rows per table: %s", metrics["rows"])
