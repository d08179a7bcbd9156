"""Snakemake entry: download one reference file into its versioned folder, with its checksum."""
import json
from pathlib import Path

from pfocr_etl.logs import logged
from pfocr_etl.references import fetch_reference

with logged(snakemake.log[0]) as log:
    target = Path(snakemake.output.file)
    record = fetch_reference(snakemake.params.url, target.parent, snakemake.params.sha256 or None,
                             filename=target.name)
    Path(snakemake.output.provenance).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    log.info("downloaded %s (%d bytes, sha256 %s)", record["url"], record["size"], record["sha256"])
