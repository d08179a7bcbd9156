"""Job entry (pfocr_etl.entry): lexicon, FamPlex members, gene history, catalog and orthologs, once per release."""
from pfocr_etl.entry import job_from_argv
from pfocr_etl.jobs import build_gene_reference
from pfocr_etl.logs import logged

job = job_from_argv()
with logged(job.log[0]) as log:
    given = dict(job.input.items())
    famplex = {name[len("famplex_"):]: path for name, path in given.items() if name.startswith("famplex_")}
    counts = build_gene_reference(
        job.input.gene_info, dict(job.output.items()), organisms=job.params.organisms,
        gene_history=given.get("gene_history"), gene_orthologs=given.get("gene_orthologs"),
        hgnc=given.get("hgnc"), hgnc_withdrawn=given.get("hgnc_withdrawn"), famplex=famplex or None)
    log.info("rows: %s", counts)
