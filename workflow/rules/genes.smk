# Genes: map each shard's gene mentions against the lexicon, then gather the genes table.


rule map_genes_shard:
    input:
        figures=rules.parse_shard.output.figures,
        raw_genes=rules.parse_shard.output.figure_genes,
        lexicon=rules.build_gene_reference.output.lexicon,
        gene_history=rules.build_gene_reference.output.gene_history,
        famplex_members=rules.build_gene_reference.output.famplex_members,
        taxonomy_names=rules.build_taxonomy.output.names,
        taxonomy_nodes=rules.build_taxonomy.output.nodes,
        taxonomy_merged=rules.build_taxonomy.output.merged,
        taxonomy_deleted=rules.build_taxonomy.output.deleted,
        stoplist=workflow.source_path("../../resources/gene_stoplist.tsv"),
        code=package_modules(
            "jobs",
            "genes",
            "lexicon",
            "references",
            "organisms",
            "taxonomy",
            "nulls",
            "parquet_io",
        ),
    output:
        figure_genes=f"{OUT}/work/{{shard}}/figure_genes_mapped.parquet",
        figure_gene_families=f"{OUT}/tables/figure_gene_families/part-{{shard}}.parquet",
        gene_counts=f"{OUT}/work/{{shard}}/gene_counts.parquet",
    log:
        f"{OUT}/logs/map_genes_shard/{{shard}}.log",
    benchmark:
        f"{OUT}/benchmarks/map_genes_shard/{{shard}}.tsv"
    conda:
        "../../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=scaled_by_attempt(4000),
        runtime=60,
    params:
        organisms=config["organisms"],
    script:
        "../../scripts/map_genes_shard.py"


rule gather_genes:
    input:
        gene_counts=shard_work_files("gene_counts"),
        gene_catalog=rules.build_gene_reference.output.gene_catalog,
        code=package_modules("jobs", "genes", "parquet_io"),
    output:
        genes=f"{OUT}/tables/genes/part-all.parquet",
    log:
        f"{OUT}/logs/gather_genes.log",
    benchmark:
        f"{OUT}/benchmarks/gather_genes.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=scaled_by_attempt(4000),
        runtime=30,
    script:
        "../../scripts/gather_genes.py"
