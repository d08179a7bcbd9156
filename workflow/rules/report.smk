# Release products: gene sets, summary report, data package and release manifest.


rule write_gene_sets:
    # Only the tables it reads: a change to papers or genes alone does not re-run it.
    input:
        figure_genes=shard_table_parts("figure_genes"),
        figures=shard_table_parts("figures"),
        figure_gene_orthologs=shard_table_parts("figure_gene_orthologs"),
        figure_gene_families=shard_table_parts("figure_gene_families"),
        organisms=rules.gather_organisms.output.organisms,
        code=package_modules("genesets", "tableview", "parquet_io"),
    output:
        gmt=report(
            directory(f"{OUT}/gmt"),
            patterns=["{name}.gmt"],
            caption="../report/gmt_confident.rst",
            category="Gene sets",
        ),
    log:
        f"{OUT}/logs/write_gene_sets.log",
    benchmark:
        f"{OUT}/benchmarks/write_gene_sets.tsv"
    # On the path to the report: ahead of write_datapackage, which only the release manifest needs.
    priority: 1
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    threads: half_the_cores()
    params:
        min_genes=config["gmt_min_genes"],
        max_genes=config["gmt_max_genes"],
    script:
        "../../scripts/write_gene_sets.py"


rule compute_table_metrics:
    # The report's table metrics need no gene sets: computed while write_gene_sets runs.
    input:
        unpack(published_tables),
        references=rules.describe_references.output.references,
        corpus=rules.fingerprint_corpus.output.corpus,
        code=package_modules(
            "report", "plots", "tableview", "genesets", "release", "parquet_io"
        ),
    output:
        metrics=f"{OUT}/work/table_metrics.json",
    log:
        f"{OUT}/logs/compute_table_metrics.log",
    benchmark:
        f"{OUT}/benchmarks/compute_table_metrics.tsv"
    # Ahead of write_datapackage, like write_gene_sets.
    priority: 1
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    threads: half_the_cores()
    params:
        previous_release=config["previous_release"],
    script:
        "../../scripts/compute_table_metrics.py"


rule summarize:
    input:
        table_metrics=rules.compute_table_metrics.output.metrics,
        gmt=rules.write_gene_sets.output.gmt,
        code=package_modules("report", "plots", "genesets", "parquet_io"),
    output:
        metrics=report(
            f"{OUT}/report/metrics.json",
            caption="../report/metrics.rst",
            category="Summary",
        ),
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
    params:
        benchmarks=f"{OUT}/benchmarks",
    script:
        "../../scripts/summarize.py"


rule write_datapackage:
    input:
        unpack(published_tables),
        code=package_modules(
            "release", "tableview", "genesets", "manifest", "parquet_io"
        ),
    output:
        datapackage=report(
            f"{OUT}/datapackage.json",
            caption="../report/datapackage.rst",
            category="Release",
        ),
    log:
        f"{OUT}/logs/write_datapackage.log",
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../../scripts/write_datapackage.py"


rule write_release_manifest:
    input:
        html=rules.summarize.output.html,
        metrics=rules.summarize.output.metrics,
        gmt=rules.write_gene_sets.output.gmt,
        datapackage=rules.write_datapackage.output.datapackage,
        references=rules.describe_references.output.references,
        corpus=rules.fingerprint_corpus.output.corpus,
        code=package_modules(
            "release", "tableview", "genesets", "manifest", "parquet_io"
        ),
    output:
        release=report(
            f"{OUT}/release.json",
            caption="../report/release.rst",
            category="Release",
        ),
    log:
        f"{OUT}/logs/write_release_manifest.log",
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../../scripts/write_release_manifest.py"
