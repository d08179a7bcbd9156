"""Job entry (pfocr_etl.entry): map one shard's gene mentions, harmonize its organisms, project its genes to human."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import annotate_shard
from pfocr_etl.logs import logged

job = job_from_argv()
with logged(job.log[0]) as log:
    given = job.input
    taxonomy = {key: given[f"taxonomy_{key}"] for key in ("names", "nodes", "merged", "deleted")}
    reference = {key: given[key] for key in ("lexicon", "gene_history", "famplex_members", "orthologs")}
    counts = annotate_shard(given.figures, given.raw_genes, given.figure_inputs, reference, taxonomy,
                            dict(job.output.items()), organisms=job.params.organisms, stoplist=given.stoplist,
                            code=given.code, cache_dir=job.params.cache_dir)
    if counts["cache_ignored"]:
        log.info("earlier results in %s not used: %s", job.params.cache_dir, counts["cache_ignored"])
    log.info("figures: %d annotated, %d unchanged since the cached run and reused",
             counts["figures_annotated"], counts["figures_reused"])
    log.info("gene mapping: %s", counts["genes"])
    log.info("organisms: %s", counts["organisms"])
