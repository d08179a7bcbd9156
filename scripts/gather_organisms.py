"""Snakemake entry: the organisms table from every shard's per-taxon figure counts."""
from pfocr_etl.jobs import gather_organisms
from pfocr_etl.logs import logged

with logged(snakemake.log[0]) as log:
    given = snakemake.input
    taxonomy = {key: given[f"taxonomy_{key}"] for key in ("names", "nodes", "merged", "deleted")}
    count = gather_organisms(given.organism_counts, taxonomy, snakemake.output.organisms)
    log.info("%d organisms", count)
