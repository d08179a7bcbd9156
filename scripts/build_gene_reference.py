"""Snakemake entry: lexicon, FamPlex members, gene history, catalog and orthologs, once per release."""
from pfocr_etl.jobs import build_gene_reference
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    given = dict(snakemake.input.items())
    famplex = {name[len("famplex_"):]: path for name, path in given.items() if name.startswith("famplex_")}
    counts = build_gene_reference(
        snakemake.input.gene_info, dict(snakemake.output.items()), organisms=snakemake.params.organisms,
        gene_history=given.get("gene_history"), gene_orthologs=given.get("gene_orthologs"),
        hgnc=given.get("hgnc"), hgnc_withdrawn=given.get("hgnc_withdrawn"), famplex=famplex or None)
    log.info("rows: %s", counts)
