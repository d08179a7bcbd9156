# Report: metrics.json and summary.html from the published tables.


rule summarize:
    input:
        figures=shard_table_parts("figures"),
        figure_genes=shard_table_parts("figure_genes"),
        figure_chemicals=shard_table_parts("figure_chemicals"),
        figure_diseases=shard_table_parts("figure_diseases"),
        paper_references=shard_table_parts("paper_references"),
        rejected=shard_table_parts("rejected"),
        papers=rules.gather_papers.output.papers,
        code=package_modules("report", "parquet_io"),
    output:
        metrics=f"{OUT}/report/metrics.json",
        html=report(
            f"{OUT}/report/summary.html",
            caption="../report/summary.rst",
            category="Summary",
        ),
    log:
        f"{OUT}/logs/summarize.log",
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../../scripts/summarize.py"
