"""Job entry (pfocr_etl.entry): corpus.json (file counts, bytes, one sha256) from the parse jobs' file digests."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import fingerprint_corpus
from pfocr_etl.logs import logged, refuse_pandas

refuse_pandas()  # this job uses pyarrow only

job = job_from_argv()
with logged(job.log[0]) as log:
    summary = fingerprint_corpus(job.input.parts, job.output.corpus)
    log.info("%d files, %d bytes, sha256 %s", summary["files"], summary["bytes"], summary["sha256"])
