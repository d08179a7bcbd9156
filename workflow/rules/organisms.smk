# Organisms: the organisms table, summed from the shards' per-taxon figure counts
# (written by annotate_shard).


rule gather_organisms:
    input:
        organism_counts=shard_work_files("organism_counts"),
        taxonomy_names=rules.build_taxonomy.output.names,
        taxonomy_nodes=rules.build_taxonomy.output.nodes,
        taxonomy_merged=rules.build_taxonomy.output.merged,
        taxonomy_deleted=rules.build_taxonomy.output.deleted,
        code=job_code(
            "gather_organisms",
            "jobs",
            "partials",
            "taxonomy",
            "nulls",
            "parquet_io",
            "atomic",
        ),
    output:
        organisms=f"{OUT}/tables/organisms/part-all.parquet",
    log:
        f"{OUT}/logs/gather_organisms.log",
    benchmark:
        f"{OUT}/benchmarks/gather_organisms.tsv"
    # Ahead of write_gene_sets when both are ready (as gather_genes): compute_table_metrics, the
    # longest job after the last annotate_shard, needs both gathers; the gene sets need neither.
    priority: 2
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    params:
        job=job_paths("gather_organisms"),
        settings=job_settings(),
    shell:
        JOB_COMMAND
