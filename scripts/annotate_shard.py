"""Job entry (pfocr_etl.entry): map one shard's gene mentions, harmonize its organisms, project its genes to human."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import annotate_shard
from pfocr_etl.logs import logged

job = job_from_argv()
with logged(job.log[0]) as log:
    given = job.input
    taxonomy = {key: given[f"taxonomy_{key}"] for key in ("names", "nodes", "merged", "deleted")}
    reference = {key: given[key] for key in ("lexicon", "gene_history", "famplex_members", "orthologs")}
    counts = annotate_shard(given.figures, given.raw_genes, reference, taxonomy, dict(job.output.items()),
                            organisms=job.params.organisms, stoplist=given.stoplist)
    log.info("gene mapping: %s", counts["genes"])
    log.info("organisms: %s", counts["organisms"])
