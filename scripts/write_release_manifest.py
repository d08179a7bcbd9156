"""Snakemake entry: release.json (every output with checksum and row count, inputs, references, versions)."""
from pathlib import Path

from pfocr_etl.logs import logged
from pfocr_etl.release import write_release_manifest

with logged(snakemake.log[0]) as log:
    manifest_dir = Path(snakemake.input.corpus).parent
    output_dir = Path(snakemake.output.release).parent
    manifest = write_release_manifest(output_dir, manifest_dir, snakemake.input.references,
                                      snakemake.output.release)
    log.info("release manifest lists %d output files", len(manifest["outputs"]))
