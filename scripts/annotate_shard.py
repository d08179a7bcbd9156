"""Snakemake entry: map one shard's gene mentions, harmonize its organisms, project its genes to human."""
from pfocr_etl.jobs import annotate_shard
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    given = snakemake.input
    taxonomy = {key: given[f"taxonomy_{key}"] for key in ("names", "nodes", "merged", "deleted")}
    reference = {key: given[key] for key in ("lexicon", "gene_history", "famplex_members", "orthologs")}
    counts = annotate_shard(given.figures, given.raw_genes, reference, taxonomy, dict(snakemake.output.items()),
                            organisms=snakemake.params.organisms, stoplist=given.stoplist)
    log.info("gene mapping: %s", counts["genes"])
    log.info("organisms: %s", counts["organisms"])
