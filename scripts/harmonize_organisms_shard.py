"""Snakemake entry: organisms of one shard's figures and the human projection of its genes."""
from pfocr_etl.jobs import harmonize_organisms_shard
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    given = snakemake.input
    taxonomy = {key: given[f"taxonomy_{key}"] for key in ("names", "nodes", "merged", "deleted")}
    counts = harmonize_organisms_shard(given.figures, given.mapped_genes, given.orthologs, taxonomy,
                                       dict(snakemake.output.items()))
    log.info("rows: %s", counts)
