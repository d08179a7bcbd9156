"""Job entry (pfocr_etl.entry): release.json (every output with checksum and row count, inputs, references, versions)."""
from pathlib import Path

from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.release import write_release_manifest

job = job_from_argv()
with logged(job.log[0]) as log:
    manifest_dir = Path(job.input.corpus).parent
    output_dir = Path(job.output.release).parent
    manifest = write_release_manifest(output_dir, manifest_dir, job.input.references,
                                      job.output.release)
    log.info("release manifest lists %d output files", len(manifest["outputs"]))
