"""Job entry (pfocr_etl.entry): the genes table from every shard's per-gene counts."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import gather_genes
from pfocr_etl.logs import logged, refuse_pandas

refuse_pandas()  # this job uses pyarrow only (pfocr_etl.partials)

job = job_from_argv()
with logged(job.log[0]) as log:
    count = gather_genes(job.input.gene_counts, job.input.gene_catalog, job.output.genes)
    log.info("%d genes", count)
