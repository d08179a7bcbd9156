"""Job entry (pfocr_etl.entry): metrics.json and summary.html from the table metrics, the gene sets and the benchmarks."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.report import finish_report

job = job_from_argv()
with logged(job.log[0]) as log:
    finish_report(job.input.table_metrics, job.output.metrics, job.output.html,
                  gmt_dir=job.input.gmt, benchmarks_dir=job.params.benchmarks)
    log.info("report written: %s", job.output.html)
