# PFOCR ETL: PFOCR figure records -> Parquet tables, reports and gene sets.
# Entry point only: configuration, validation and the list of stage rule files.
from snakemake.utils import min_version

min_version("9.12.0")


configfile: "config.yaml"


wildcard_constraints:
    shard=r"pmc\d{8}|misc",


include: "workflow/rules/common.smk"
include: "workflow/rules/manifest.smk"
include: "workflow/rules/parse.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        f"{OUT}/report/summary.html",
        f"{OUT}/report/metrics.json",
