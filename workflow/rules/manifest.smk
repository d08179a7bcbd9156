# Manifest: list the corpus and split it into shards by PMC number.


checkpoint build_manifest:
    input:
        corpus=corpus_folders,
        code=package_modules("manifest"),
    output:
        shards=directory(SHARDS_DIR),
    log:
        f"{OUT}/logs/build_manifest.log",
    benchmark:
        f"{OUT}/benchmarks/build_manifest.tsv"
    localrule: True
    conda:
        "../../envs/pipeline.yaml"
    # Hashing a new corpus uses this many processes (capped by --cores).
    threads: 4
    params:
        input_dir=INPUT_DIR,
        shard_width=config["shard_width"],
        shard_max_figures=config["shard_max_figures"],
        hash_cache=f"{OUT}/manifest/hash-cache.tsv",
    script:
        "../../scripts/build_manifest.py"
