"""Snakemake entry: unpack a downloaded NCBI taxdump archive."""
from pfocr_etl.logs import logged
from pfocr_etl.reference_files import extract_archive

with logged(snakemake.log[0]) as log:
    names = extract_archive(snakemake.input.archive, snakemake.output.dump)
    log.info("extracted %d files: %s", len(names), names)
