# PFOCR ETL: PFOCR figure records -> Parquet tables, reports and gene sets.
# Entry point only: configuration, validation and the list of stage rule files.
from snakemake.utils import min_version

min_version("9.12.0")


configfile: "config.yaml"


wildcard_constraints:
    shard=r"pmc\d{8}(-\d{8})?|misc",


include: "workflow/rules/common.smk"
include: "workflow/rules/manifest.smk"
include: "workflow/rules/references.smk"
include: "workflow/rules/parse.smk"
include: "workflow/rules/annotate.smk"
include: "workflow/rules/genes.smk"
include: "workflow/rules/organisms.smk"
include: "workflow/rules/report.smk"


onstart:
    compile_package()


onsuccess:
    cancel_pending_timers()


onerror:
    cancel_pending_timers()


rule all:
    default_target: True
    input:
        rules.write_release_manifest.output.release,
        rules.gather_genes.output.genes,
        rules.gather_organisms.output.organisms,
        rules.gather_papers.output.papers,
