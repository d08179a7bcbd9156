# Organisms: harmonize each shard's organism evidence with NCBI Taxonomy, project genes to
# human orthologs, then gather the organisms table.


rule harmonize_organisms_shard:
    input:
        figures=rules.parse_shard.output.figures,
        mapped_genes=rules.map_genes_shard.output.figure_genes,
        orthologs=rules.build_gene_reference.output.orthologs,
        taxonomy_names=rules.build_taxonomy.output.names,
        taxonomy_nodes=rules.build_taxonomy.output.nodes,
        taxonomy_merged=rules.build_taxonomy.output.merged,
        taxonomy_deleted=rules.build_taxonomy.output.deleted,
        code=package_modules(
            "jobs", "organisms", "orthologs", "taxonomy", "nulls", "parquet_io"
        ),
    output:
        figures=f"{OUT}/tables/figures/part-{{shard}}.parquet",
        figure_genes=f"{OUT}/tables/figure_genes/part-{{shard}}.parquet",
        figure_organisms=f"{OUT}/tables/figure_organisms/part-{{shard}}.parquet",
        figure_primary_organisms=f"{OUT}/tables/figure_primary_organisms/part-{{shard}}.parquet",
        figure_gene_orthologs=f"{OUT}/tables/figure_gene_orthologs/part-{{shard}}.parquet",
        organism_disagreements=f"{OUT}/tables/organism_disagreements/part-{{shard}}.parquet",
        organism_counts=f"{OUT}/work/{{shard}}/organism_counts.parquet",
    log:
        f"{OUT}/logs/harmonize_organisms_shard/{{shard}}.log",
    benchmark:
        f"{OUT}/benchmarks/harmonize_organisms_shard/{{shard}}.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=scaled_by_attempt(4000),
        runtime=60,
    script:
        "../../scripts/harmonize_organisms_shard.py"


rule gather_organisms:
    input:
        organism_counts=shard_work_files("organism_counts"),
        taxonomy_names=rules.build_taxonomy.output.names,
        taxonomy_nodes=rules.build_taxonomy.output.nodes,
        taxonomy_merged=rules.build_taxonomy.output.merged,
        taxonomy_deleted=rules.build_taxonomy.output.deleted,
        code=package_modules("jobs", "organisms", "taxonomy", "parquet_io"),
    output:
        organisms=f"{OUT}/tables/organisms/part-all.parquet",
    log:
        f"{OUT}/logs/gather_organisms.log",
    benchmark:
        f"{OUT}/benchmarks/gather_organisms.tsv"
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    script:
        "../../scripts/gather_organisms.py"
