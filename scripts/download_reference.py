"""Job entry (pfocr_etl.entry): download one reference file into its versioned folder, with its checksum."""
import json
from pathlib import Path

from pfocr_etl.entry import job_from_argv
from pfocr_etl.logs import logged
from pfocr_etl.references import fetch_reference

job = job_from_argv()
with logged(job.log[0]) as log:
    target = Path(job.output.file)
    record = fetch_reference(job.params.url, target.parent, job.params.sha256 or None,
                             filename=target.name)
    Path(job.output.provenance).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    log.info("downloaded %s (%d bytes, sha256 %s)", record["url"], record["size"], record["sha256"])
