"""Job entry (pfocr_etl.entry): the report's metrics that come from the tables (run beside the gene sets)."""
from pathlib import Path

from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.report import write_table_metrics

NOT_TABLES = {"code", "references", "corpus"}

job = job_from_argv()
with logged(job.log[0]) as log:
    tables = {name: list(files) for name, files in job.input.items() if name not in NOT_TABLES}
    write_table_metrics(tables, job.output.metrics, references_json=job.input.references,
                        previous_release=job.params.previous_release,
                        manifest_dir=Path(job.input.corpus).parent, threads=job.threads)
    log.info("table metrics written: %s", job.output.metrics)
