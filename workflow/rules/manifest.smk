# Manifest: list the corpus and split it into shards by PMC number; fingerprint what was parsed.


checkpoint build_manifest:
    input:
        corpus=corpus_folders,
        code=job_code("build_manifest", "manifest", "atomic"),
    output:
        shards=directory(SHARDS_DIR),
    log:
        f"{OUT}/logs/build_manifest.log",
    benchmark:
        f"{OUT}/benchmarks/build_manifest.tsv"
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    # Processes that share the shards' stat calls and lists; it runs alone, before any shard job. Snakemake
    # gives at most --cores; beyond four the file system, not the CPU, is the limit.
    threads: 4
    params:
        job=job_paths("build_manifest"),
        settings=job_settings(
            input_dir=INPUT_DIR,
            shard_width=config["shard_width"],
            shard_max_figures=config["shard_max_figures"],
            newest_shard_max_figures=config["newest_shard_max_figures"],
            # What was listed (Snakemake deletes the lists before this job) and what was parsed.
            cache_dir=f"{OUT}/manifest/list-cache",
            work_dir=f"{OUT}/work",
        ),
    shell:
        JOB_COMMAND


rule fingerprint_corpus:
    # From the parse jobs' per-file digests: the manifest reads no file contents.
    input:
        parts=shard_work_files("corpus_files"),
        code=job_code("fingerprint_corpus", "jobs", "manifest", "parquet_io", "atomic"),
    output:
        corpus=f"{OUT}/manifest/corpus.json",
    log:
        f"{OUT}/logs/fingerprint_corpus.log",
    benchmark:
        f"{OUT}/benchmarks/fingerprint_corpus.tsv"
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    params:
        job=job_paths("fingerprint_corpus"),
        settings=job_settings(),
    shell:
        JOB_COMMAND
