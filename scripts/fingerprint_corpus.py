"""Snakemake entry: corpus.json (file counts, bytes, one sha256) from the parse jobs' file digests."""
from pfocr_etl.jobs import fingerprint_corpus
from pfocr_etl.logs import logged, refuse_pandas

refuse_pandas()  # this job uses pyarrow only

with logged(snakemake.log[0]) as log:
    summary = fingerprint_corpus(snakemake.input.parts, snakemake.output.corpus)
    log.info("%d files, %d bytes, sha256 %s", summary["files"], summary["bytes"], summary["sha256"])
