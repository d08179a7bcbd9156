"""Snakemake entry: GMT gene sets per organism (confident, direct symbols, human-projected)."""
from pfocr_etl.genesets import write_gmt_sets
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    given = snakemake.input
    files = write_gmt_sets(given.figure_genes, given.figures, given.organisms, snakemake.output.gmt,
                           snakemake.params.min_genes, snakemake.params.max_genes,
                           figure_gene_orthologs_parts=given.figure_gene_orthologs,
                           figure_gene_families_parts=given.figure_gene_families, threads=snakemake.threads)
    log.info("wrote %s", files)
