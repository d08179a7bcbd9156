"""Job entry (pfocr_etl.entry): NCBI Taxonomy dump -> Parquet tables, once per release."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import build_taxonomy
from pfocr_etl.logs import logged

job = job_from_argv()
with logged(job.log[0]) as log:
    log.info("rows: %s", build_taxonomy(job.input.dump, dict(job.output.items())))
