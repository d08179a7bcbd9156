"""Job entry (pfocr_etl.entry): unpack a downloaded NCBI taxdump archive."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.reference_files import extract_archive

job = job_from_argv()
with logged(job.log[0]) as log:
    names = extract_archive(job.input.archive, job.output.dump)
    log.info("extracted %d files: %s", len(names), names)
