# Parse: one job per shard reads figure records, _data tables and article pages.


rule parse_shard:
    input:
        shard_list=f"{SHARDS_DIR}/{{shard}}.tsv",
        code=job_code(
            "parse_shard",
            "jobs",
            "parse",
            "frontmatter",
            "articles",
            "nulls",
            "parquet_io",
            "manifest",
            "atomic",
            "shard_cache",
        ),
    output:
        figures=f"{OUT}/work/{{shard}}/figures.parquet",
        figure_genes=f"{OUT}/work/{{shard}}/figure_genes_raw.parquet",
        papers=f"{OUT}/work/{{shard}}/papers.parquet",
        figure_chemicals=f"{OUT}/tables/figure_chemicals/part-{{shard}}.parquet",
        figure_diseases=f"{OUT}/tables/figure_diseases/part-{{shard}}.parquet",
        paper_references=f"{OUT}/tables/paper_references/part-{{shard}}.parquet",
        rejected=f"{OUT}/tables/rejected/part-{{shard}}.parquet",
        corpus_files=f"{OUT}/work/{{shard}}/corpus_files.parquet",
        figure_inputs=f"{OUT}/work/{{shard}}/figure_inputs.parquet",
    log:
        f"{OUT}/logs/parse_shard/{{shard}}.log",
    benchmark:
        f"{OUT}/benchmarks/parse_shard/{{shard}}.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=scaled_by_attempt(2000),
        runtime=30,
    params:
        job=job_paths("parse_shard"),
        settings=job_settings(
            input_dir=INPUT_DIR,
            strict=config["strict"],
        ),
    shell:
        JOB_COMMAND


rule gather_papers:
    input:
        candidates=shard_work_files("papers"),
        code=job_code("gather_papers", "jobs", "papers", "parquet_io", "atomic"),
    output:
        papers=f"{OUT}/tables/papers/part-all.parquet",
    log:
        f"{OUT}/logs/gather_papers.log",
    benchmark:
        f"{OUT}/benchmarks/gather_papers.tsv"
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    params:
        job=job_paths("gather_papers"),
        settings=job_settings(),
    shell:
        JOB_COMMAND
