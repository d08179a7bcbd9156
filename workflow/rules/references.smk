# References: NCBI Gene, HGNC, FamPlex and NCBI Taxonomy, each a local path or a URL.
# URLs are downloaded once into a versioned folder (<references.dir>/<references.release>/),
# checksums recorded; the lexicon and taxonomy tables are built once per release.


rule download_reference:
    output:
        file=f"{REFERENCE_DIR}/downloads/{{name}}/{{filename}}",
        provenance=f"{REFERENCE_DIR}/downloads/{{name}}/{{filename}}.provenance.json",
    log:
        f"{REFERENCE_DIR}/logs/download_{{name}}_{{filename}}.log",
    retries: 3
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    params:
        job=job_paths("download_reference"),
        settings=job_settings(
            url=download_url,
            sha256=expected_sha256,
        ),
    shell:
        JOB_COMMAND


rule extract_taxonomy:
    input:
        archive=reference_source_file("taxonomy"),
    output:
        dump=directory(f"{REFERENCE_DIR}/downloads/taxonomy/taxdump"),
    log:
        f"{REFERENCE_DIR}/logs/extract_taxonomy.log",
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    params:
        job=job_paths("extract_taxonomy"),
        settings=job_settings(),
    shell:
        JOB_COMMAND


rule build_gene_reference:
    input:
        unpack(gene_reference_inputs),
        code=job_code(
            "build_gene_reference",
            "jobs",
            "references",
            "lexicon",
            "orthologs",
            "parquet_io",
            "atomic",
        ),
    output:
        lexicon=f"{REFERENCE_DIR}/built/lexicon.parquet",
        famplex_members=f"{REFERENCE_DIR}/built/famplex_members.parquet",
        gene_history=f"{REFERENCE_DIR}/built/gene_history.parquet",
        gene_catalog=f"{REFERENCE_DIR}/built/gene_catalog.parquet",
        orthologs=f"{REFERENCE_DIR}/built/orthologs.parquet",
    log:
        f"{REFERENCE_DIR}/logs/build_gene_reference.log",
    benchmark:
        f"{REFERENCE_DIR}/benchmarks/build_gene_reference.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=scaled_by_attempt(8000),
        runtime=60,
    params:
        job=job_paths("build_gene_reference"),
        settings=job_settings(
            organisms=config["organisms"],
        ),
    shell:
        JOB_COMMAND


rule build_taxonomy:
    input:
        dump=taxonomy_dump_dir,
        code=job_code(
            "build_taxonomy", "jobs", "taxonomy", "parquet_io", "nulls", "atomic"
        ),
    output:
        names=f"{REFERENCE_DIR}/built/taxonomy/names.parquet",
        nodes=f"{REFERENCE_DIR}/built/taxonomy/nodes.parquet",
        merged=f"{REFERENCE_DIR}/built/taxonomy/merged.parquet",
        deleted=f"{REFERENCE_DIR}/built/taxonomy/deleted.parquet",
    log:
        f"{REFERENCE_DIR}/logs/build_taxonomy.log",
    benchmark:
        f"{REFERENCE_DIR}/benchmarks/build_taxonomy.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=scaled_by_attempt(8000),
        runtime=60,
    params:
        job=job_paths("build_taxonomy"),
        settings=job_settings(),
    shell:
        JOB_COMMAND


rule describe_references:
    input:
        unpack(all_reference_files),
        code=job_code("describe_references", "reference_files"),
    output:
        references=f"{OUT}/references.json",
    log:
        f"{OUT}/logs/describe_references.log",
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    params:
        job=job_paths("describe_references"),
        settings=job_settings(
            release=config["references"]["release"],
            sources=reference_sources_for_manifest,
        ),
    shell:
        JOB_COMMAND
