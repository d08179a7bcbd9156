"""Snakemake entry: the report's metrics that come from the tables (run beside the gene sets)."""
from pathlib import Path

from pfocr_etl.logs import logged
from pfocr_etl.report import write_table_metrics

NOT_TABLES = {"code", "references", "corpus"}

with logged(snakemake.log[0]) as log:
    tables = {name: list(files) for name, files in snakemake.input.items() if name not in NOT_TABLES}
    write_table_metrics(tables, snakemake.output.metrics, references_json=snakemake.input.references,
                        previous_release=snakemake.params.previous_release,
                        manifest_dir=Path(snakemake.input.corpus).parent, threads=snakemake.threads)
    log.info("table metrics written: %s", snakemake.output.metrics)
