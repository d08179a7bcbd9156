"""Snakemake entry: metrics.json and summary.html from the tables."""
from pathlib import Path

from pfocr_etl.logs import logged
from pfocr_etl.report import write_report

NOT_TABLES = {"code", "gmt", "references", "corpus"}

with logged(snakemake.log[0]) as log:
    manifest_dir = Path(snakemake.input.corpus).parent
    tables = {name: list(files) for name, files in snakemake.input.items() if name not in NOT_TABLES}
    metrics = write_report(tables, snakemake.output.metrics, snakemake.output.html,
                           benchmarks_dir=snakemake.params.benchmarks, references_json=snakemake.input.references,
                           previous_release=snakemake.params.previous_release,
                           manifest_dir=manifest_dir, gmt_dir=snakemake.input.gmt)
    log.info("report written: %s", snakemake.output.html)
