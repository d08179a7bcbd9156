"""Job entry (pfocr_etl.entry): the organisms table from every shard's per-taxon figure counts."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import gather_organisms
from pfocr_etl.logs import logged, refuse_pandas

refuse_pandas()  # this job uses pyarrow only (pfocr_etl.partials)

job = job_from_argv()
with logged(job.log[0]) as log:
    given = job.input
    taxonomy = {key: given[f"taxonomy_{key}"] for key in ("names", "nodes", "merged", "deleted")}
    count = gather_organisms(given.organism_counts, taxonomy, job.output.organisms)
    log.info("%d organisms", count)
