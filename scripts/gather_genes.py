"""Snakemake entry: the genes table from every shard's per-gene counts."""
from pfocr_etl.jobs import gather_genes
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    count = gather_genes(snakemake.input.gene_counts, snakemake.input.gene_catalog, snakemake.output.genes)
    log.info("%d genes", count)
