"""Snakemake entry: map one shard's gene mentions."""
from pfocr_etl.jobs import map_genes_shard
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    given = snakemake.input
    taxonomy = {key: given[f"taxonomy_{key}"] for key in ("names", "nodes", "merged", "deleted")}
    reference = {key: given[key] for key in ("lexicon", "gene_history", "famplex_members")}
    metrics = map_genes_shard(given.figures, given.raw_genes, reference, taxonomy, dict(snakemake.output.items()),
                              organisms=snakemake.params.organisms, stoplist=given.stoplist)
    log.info("metrics: %s", metrics)
