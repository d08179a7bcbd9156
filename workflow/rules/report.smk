# Release products: gene sets, summary report, data package and release manifest.


rule write_gene_sets:
    # Only the tables it reads: a change to papers or genes alone does not re-run it.
    input:
        figure_genes=shard_table_parts("figure_genes"),
        figures=shard_table_parts("figures"),
        figure_gene_orthologs=shard_table_parts("figure_gene_orthologs"),
        figure_gene_families=shard_table_parts("figure_gene_families"),
        # Organism names for the file names: from the taxonomy, not the organisms gather, so the
        # gene sets start as soon as the last shard is annotated.
        taxonomy_names=rules.build_taxonomy.output.names,
        # The shards' summaries: the sets' gene rows and labels, without reading every gene row.
        confident_genes=shard_work_files("confident_genes"),
        labels=shard_work_files("gene_set_labels"),
        code=job_code("write_gene_sets", "genesets", "summaries", "tableview", "atomic"),
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
        job=job_paths("write_gene_sets"),
        settings=job_settings(
            min_genes=config["gmt_min_genes"],
            max_genes=config["gmt_max_genes"],
        ),
    shell:
        JOB_COMMAND


rule compute_table_metrics:
    # The report's table metrics need no gene sets: computed while write_gene_sets runs.
    input:
        unpack(published_tables),
        # The shards' summaries (pfocr_etl.summaries), named as the tables the report reads.
        confident_figure_genes=shard_work_files("confident_genes"),
        gene_mapping_counts=shard_work_files("mapping_counts"),
        references=rules.describe_references.output.references,
        corpus=rules.fingerprint_corpus.output.corpus,
        code=job_code(
            "compute_table_metrics",
            "report",
            "plots",
            "tableview",
            "genesets",
            "summaries",
            "release",
            "manifest",
            "atomic",
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
        job=job_paths("compute_table_metrics"),
        settings=job_settings(
            previous_release=config["previous_release"],
        ),
    shell:
        JOB_COMMAND


rule summarize:
    input:
        table_metrics=rules.compute_table_metrics.output.metrics,
        gmt=rules.write_gene_sets.output.gmt,
        code=job_code(
            "summarize",
            "report",
            "plots",
            "genesets",
            "summaries",
            "tableview",
            "atomic",
        ),
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
        job=job_paths("summarize"),
        settings=job_settings(
            benchmarks=f"{OUT}/benchmarks",
        ),
    shell:
        JOB_COMMAND


rule write_datapackage:
    input:
        unpack(published_tables),
        code=job_code(
            "write_datapackage",
            "release",
            "tableview",
            "genesets",
            "summaries",
            "manifest",
            "atomic",
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
    params:
        job=job_paths("write_datapackage"),
        settings=job_settings(),
    shell:
        JOB_COMMAND


rule write_release_manifest:
    input:
        html=rules.summarize.output.html,
        metrics=rules.summarize.output.metrics,
        gmt=rules.write_gene_sets.output.gmt,
        datapackage=rules.write_datapackage.output.datapackage,
        references=rules.describe_references.output.references,
        corpus=rules.fingerprint_corpus.output.corpus,
        code=job_code(
            "write_release_manifest",
            "release",
            "tableview",
            "genesets",
            "summaries",
            "manifest",
            "atomic",
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
    params:
        job=job_paths("write_release_manifest"),
        settings=job_settings(),
    shell:
        JOB_COMMAND
