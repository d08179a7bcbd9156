"""Job entry (pfocr_etl.entry): GMT gene sets per organism (confident, direct symbols, human-projected)."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.genesets import write_gmt_sets
from pfocr_etl.logs import logged

job = job_from_argv()
with logged(job.log[0]) as log:
    given = job.input
    files = write_gmt_sets(given.figure_genes, given.figures, None, job.output.gmt,
                           job.params.min_genes, job.params.max_genes,
                           figure_gene_orthologs_parts=given.figure_gene_orthologs,
                           figure_gene_families_parts=given.figure_gene_families,
                           taxonomy_names_parts=given.taxonomy_names, confident_genes_parts=given.confident_genes,
                           labels_parts=given.labels, threads=job.threads)
    log.info("wrote %s", files)
