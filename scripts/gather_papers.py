"""Job entry (pfocr_etl.entry): merge the shards' paper rows into the papers table."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import gather_papers
from pfocr_etl.logs import logged, refuse_pandas

refuse_pandas()  # this job uses pyarrow and numpy only (pfocr_etl.papers)

job = job_from_argv()
with logged(job.log[0]) as log:
    log.info("%d papers", gather_papers(job.input.candidates, job.output.papers))
