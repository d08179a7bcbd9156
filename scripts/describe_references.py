"""Job entry (pfocr_etl.entry): references.json (names, sources, checksums, release)."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.reference_files import write_references_manifest

job = job_from_argv()
with logged(job.log[0]) as log:
    files = {name: path for name, path in job.input.items() if name != "code"}
    manifest = write_references_manifest(files, job.params.sources, job.params.release,
                                         job.output.references)
    log.info("%d reference files described", len(manifest["files"]))
