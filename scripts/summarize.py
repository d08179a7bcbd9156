"""Snakemake entry: metrics.json and summary.html from the table metrics, the gene sets and the benchmarks."""
from pfocr_etl.logs import logged
from pfocr_etl.report import finish_report

with logged(snakemake.log[0]) as log:
    finish_report(snakemake.input.table_metrics, snakemake.output.metrics, snakemake.output.html,
                  gmt_dir=snakemake.input.gmt, benchmarks_dir=snakemake.params.benchmarks)
    log.info("report written: %s", snakemake.output.html)
