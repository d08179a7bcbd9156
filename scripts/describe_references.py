"""Snakemake entry: references.json (names, sources, checksums, release)."""
from pfocr_etl.logs import logged
from pfocr_etl.reference_files import write_references_manifest

with logged(snakemake.log[0]) as log:
    files = {name: path for name, path in snakemake.input.items() if name != "code"}
    manifest = write_references_manifest(files, snakemake.params.sources, snakemake.params.release,
                                         snakemake.output.references)
    log.info("%d reference files described", len(manifest["files"]))
