"""Job entry (pfocr_etl.entry): datapackage.json describing every published table."""
from pathlib import Path

from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.release import write_datapackage

job = job_from_argv()
with logged(job.log[0]) as log:
    tables_dir = Path(job.input.figures[0]).parents[1]
    package = write_datapackage(tables_dir, job.output.datapackage)
    log.info("%d resources described", len(package["resources"]))
