# Annotate: one job per shard maps its gene mentions in the context of each figure's named
# organisms, then harmonizes its organisms with NCBI Taxonomy and projects its genes to human
# orthologs. The two stages share the shard's figures and the taxonomy, so one job loads them
# once (logic in the genes, organisms and orthologs modules; the gathers are in genes.smk and
# organisms.smk). Figures unchanged since the job's last run reuse their rows from
# {output_dir}/cache/annotate_shard/<shard>/ (pfocr_etl.shard_cache).


rule annotate_shard:
    input:
        figures=rules.parse_shard.output.figures,
        raw_genes=rules.parse_shard.output.figure_genes,
        figure_inputs=rules.parse_shard.output.figure_inputs,
        lexicon=rules.build_gene_reference.output.lexicon,
        gene_history=rules.build_gene_reference.output.gene_history,
        famplex_members=rules.build_gene_reference.output.famplex_members,
        orthologs=rules.build_gene_reference.output.orthologs,
        taxonomy_names=rules.build_taxonomy.output.names,
        taxonomy_nodes=rules.build_taxonomy.output.nodes,
        taxonomy_merged=rules.build_taxonomy.output.merged,
        taxonomy_deleted=rules.build_taxonomy.output.deleted,
        stoplist=workflow.source_path("../../resources/gene_stoplist.tsv"),
        code=job_code(
            "annotate_shard",
            "jobs",
            "genes",
            "lexicon",
            "references",
            "organisms",
            "orthologs",
            "taxonomy",
            "nulls",
            "parquet_io",
            "partials",
            "summaries",
            "atomic",
            "shard_cache",
        ),
    output:
        figure_gene_families=f"{OUT}/tables/figure_gene_families/part-{{shard}}.parquet",
        gene_counts=f"{OUT}/work/{{shard}}/gene_counts.parquet",
        figures=f"{OUT}/tables/figures/part-{{shard}}.parquet",
        figure_genes=f"{OUT}/tables/figure_genes/part-{{shard}}.parquet",
        figure_organisms=f"{OUT}/tables/figure_organisms/part-{{shard}}.parquet",
        figure_primary_organisms=f"{OUT}/tables/figure_primary_organisms/part-{{shard}}.parquet",
        figure_gene_orthologs=f"{OUT}/tables/figure_gene_orthologs/part-{{shard}}.parquet",
        organism_disagreements=f"{OUT}/tables/organism_disagreements/part-{{shard}}.parquet",
        organism_counts=f"{OUT}/work/{{shard}}/organism_counts.parquet",
        # Summaries for the gene sets and the report (pfocr_etl.summaries).
        confident_genes=f"{OUT}/work/{{shard}}/confident_genes.parquet",
        gene_set_labels=f"{OUT}/work/{{shard}}/gene_set_labels.parquet",
        mapping_counts=f"{OUT}/work/{{shard}}/mapping_counts.parquet",
    log:
        f"{OUT}/logs/annotate_shard/{{shard}}.log",
    benchmark:
        f"{OUT}/benchmarks/annotate_shard/{{shard}}.tsv"
    # Ahead of fingerprint_corpus and gather_papers when all are ready (the last shard of a
    # build): the gene sets and the report wait on this job, not on them. Without a priority,
    # Snakemake's greedy scheduler takes the jobs with the most input bytes first, the gathers.
    priority: 1
    conda:
        "../../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=scaled_by_attempt(4000),
        runtime=90,
    params:
        job=job_paths("annotate_shard"),
        settings=job_settings(
            organisms=config["organisms"],
            cache_dir=shard_cache_dir("annotate_shard"),
        ),
    shell:
        JOB_COMMAND
