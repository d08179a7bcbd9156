# Genes: the genes table, summed from the shards' per-gene counts (written by annotate_shard).


rule gather_genes:
    input:
        gene_counts=shard_work_files("gene_counts"),
        gene_catalog=rules.build_gene_reference.output.gene_catalog,
        code=job_code("gather_genes", "jobs", "partials", "parquet_io", "atomic"),
    output:
        genes=f"{OUT}/tables/genes/part-all.parquet",
    log:
        f"{OUT}/logs/gather_genes.log",
    benchmark:
        f"{OUT}/benchmarks/gather_genes.tsv"
    # Ahead of write_gene_sets, like gather_organisms.
    priority: 2
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=scaled_by_attempt(4000),
        runtime=30,
    params:
        job=job_paths("gather_genes"),
        settings=job_settings(),
    shell:
        JOB_COMMAND
