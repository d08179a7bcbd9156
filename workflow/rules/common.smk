# Shared helpers: config validation, output paths, shard discovery.
import os

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

OUT = config["output_dir"].rstrip("/")
INPUT_DIR = config["input_dir"].rstrip("/")
PACKAGE_DIR = os.path.join(workflow.basedir, "scripts", "pfocr_etl")
SHARDS_DIR = f"{OUT}/manifest/shards"


def package_modules(*names):
    """Package modules imported by a job: code it depends on beyond its script."""
    return [
        os.path.join(PACKAGE_DIR, f"{name}.py")
        for name in ("__init__", "schemas", *names)
    ]


def corpus_folders(wildcards):
    """Existing corpus folders: their mtimes change when files are added or removed."""
    folders = [f"{INPUT_DIR}/{sub}" for sub in ("_figures", "_data", "papers")]
    return [folder for folder in folders if os.path.isdir(folder)]


def shard_names():
    """Shard names written by the manifest checkpoint (reads one small folder)."""
    shards_dir = checkpoints.build_manifest.get().output.shards
    return sorted(
        name[: -len(".tsv")] for name in os.listdir(shards_dir) if name.endswith(".tsv")
    )


def shard_table_parts(table):
    """Input function: every shard's part file of one table."""

    def parts(wildcards):
        return [f"{OUT}/tables/{table}/part-{shard}.parquet" for shard in shard_names()]

    return parts


def shard_work_files(name):
    """Input function: every shard's intermediate file of one kind."""

    def files(wildcards):
        return [f"{OUT}/work/{shard}/{name}.parquet" for shard in shard_names()]

    return files
