# Shared helpers: config validation, output paths, shard discovery.
import json
import os
import posixpath
import sys
import urllib.parse

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

OUT = config["output_dir"].rstrip("/")
INPUT_DIR = config["input_dir"].rstrip("/")
SCRIPTS_DIR = os.path.join(workflow.basedir, "scripts")
PACKAGE_DIR = os.path.join(SCRIPTS_DIR, "pfocr_etl")
SHARDS_DIR = f"{OUT}/manifest/shards"


def compile_package():
    """Write the package's bytecode once per run, so that no job compiles it again.

    Where PYTHONDONTWRITEBYTECODE is set (common in containers, and on our CI) Python never
    caches it itself, and each job compiled ~5,000 lines (~0.1 s). An unwritable checkout
    only loses that saving.
    """
    import compileall

    compileall.compile_dir(PACKAGE_DIR, quiet=2, workers=1)


def cancel_pending_timers():
    """Let Snakemake exit as soon as its last job is done, not up to one timespan later.

    After every scheduling round Snakemake's job-rate limiter (``--max-jobs-per-timespan``,
    10 s in the default profile, 1 s in Snakemake's default) starts a ``threading.Timer`` that
    wakes the scheduler one timespan later. Timer threads are not daemons, so the interpreter
    waited for the last one at exit. Once the run is over nothing needs the wake-up.
    """
    import threading

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


def half_the_cores():
    """Threads of each of the two jobs that run side by side after the gathers (gene sets and
    table metrics, both DuckDB): half the local cores each, so together they fill the machine
    without oversubscribing it. With DuckDB's two threads each on 2 cores, both ran ~0.4 s longer.
    """
    try:
        cores = workflow.cores
    except WorkflowError:  # no --cores given (a dry run)
        return 1
    return max(1, min(cores, os.cpu_count() or 1) // 2)


def job_interpreter():
    """Python for job commands: the job's environment's under --use-conda or a container, else
    Snakemake's own (the choice ``script:`` makes), so an unactivated virtualenv works too.
    """
    from snakemake.settings.types import DeploymentMethod

    methods = workflow.deployment_settings.deployment_method
    if DeploymentMethod.CONDA in methods or DeploymentMethod.APPTAINER in methods:
        return "python"
    return sys.executable


JOB_PYTHON = job_interpreter()
# Every rule's command: Python running scripts/<rule>.py with the place of each named input and
# output (params.job, from job_paths), the rule's params (params.settings, from job_settings),
# its log, threads, input paths and output paths, all read back by pfocr_etl.entry. Not
# script:, whose pickled `snakemake` object imports the snakemake package in every job (~0.1 s).
JOB_COMMAND = (
    "{params.job:q} {params.settings:q} {log:q} {threads} {input:q} {output:q}"
)


def entry_layout(paths):
    """{name: [start, stop, is_list]} of a job's named inputs or outputs: their place among its paths.

    Unnamed paths keep their place: Snakemake adds the output of a checkpoint that an input
    function asked for.
    """
    layout, position = {}, 0
    # _allitems: Snakemake's own walk in list order (items() goes in the order names were set).
    for name, value in paths._allitems():
        size = len(value) if isinstance(value, list) else 1
        if name is not None:
            layout[name] = [position, position + size, isinstance(value, list)]
        position += size
    return layout


def job_paths(rule_name):
    """params.job of JOB_COMMAND: interpreter, entry script, and as JSON where each named input
    and output sits among the command's paths.

    A function of the input and output, so Snakemake counts it as derived from them and leaves
    it out of its params rerun trigger: a new interpreter path is no reason to re-run a job.
    """
    entry = os.path.join(SCRIPTS_DIR, f"{rule_name}.py")

    def command(wildcards, input, output):
        layout = {
            "n_input": len(input),
            "input": entry_layout(input),
            "output": entry_layout(output),
        }
        return [
            JOB_PYTHON,
            entry,
            json.dumps(layout, sort_keys=True, separators=(",", ":")),
        ]

    return command


def job_settings(**params):
    """params.settings of JOB_COMMAND: the rule's params (values, or functions of the wildcards)
    as JSON. A function of the wildcards alone, so a changed setting re-runs the job."""

    def settings(wildcards):
        values = {
            name: value(wildcards) if callable(value) else value
            for name, value in params.items()
        }
        return json.dumps(values, sort_keys=True, separators=(",", ":"))

    return settings


def job_code(rule_name, *modules):
    """Code a job runs: its entry script and the package modules it imports (changing any
    re-runs the job)."""
    return [
        os.path.join(SCRIPTS_DIR, f"{rule_name}.py"),
        *package_modules("entry", "logs", "errors", *modules),
    ]


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


PER_SHARD_TABLES = (
    "figures",
    "figure_genes",
    "figure_gene_families",
    "figure_gene_orthologs",
    "figure_organisms",
    "figure_primary_organisms",
    "organism_disagreements",
    "figure_chemicals",
    "figure_diseases",
    "paper_references",
    "rejected",
)
GATHERED_TABLES = ("papers", "genes", "organisms")


def published_tables(wildcards):
    """Input function: {table: part files} of every published table."""
    shards = shard_names()
    tables = {
        table: [f"{OUT}/tables/{table}/part-{shard}.parquet" for shard in shards]
        for table in PER_SHARD_TABLES
    }
    tables.update(
        {table: [f"{OUT}/tables/{table}/part-all.parquet"] for table in GATHERED_TABLES}
    )
    return tables


def shard_work_files(name):
    """Input function: every shard's intermediate file of one kind."""

    def files(wildcards):
        return [f"{OUT}/work/{shard}/{name}.parquet" for shard in shard_names()]

    return files


def shard_cache_dir(rule_name):
    """Setting of a shard job: the folder of its per-figure results kept for the next run
    (pfocr_etl.shard_cache). Not an output: Snakemake deletes outputs before a job runs.
    """

    def folder(wildcards):
        return f"{OUT}/cache/{rule_name}/{wildcards.shard}"

    return folder


def scaled_by_attempt(base):
    """Resource that grows with each retry (a job killed for memory gets more next time)."""

    def scaled(wildcards, attempt):
        return base * attempt

    return scaled


# --- references -------------------------------------------------------------
REFERENCES = config["references"]
REFERENCE_DIR = os.path.join(os.path.normpath(REFERENCES["dir"]), REFERENCES["release"])
URL_SCHEMES = ("http://", "https://", "ftp://", "file://")
FAMPLEX_FILES = (
    "relations",
    "entities",
    "equivalences",
    "grounding_map",
    "hgnc_symbol_map",
)


def is_url(source):
    return str(source).startswith(URL_SCHEMES)


def url_filename(url):
    return posixpath.basename(urllib.parse.urlparse(url).path)


def collect_reference_sources():
    """Flat {name: local path or URL} of every configured reference file."""
    sources = {
        f"gene_info_{int(taxon)}": source
        for taxon, source in REFERENCES.get("gene_info", {}).items()
    }
    for key in ("gene_history", "gene_orthologs", "hgnc", "hgnc_withdrawn", "taxonomy"):
        if REFERENCES.get(key):
            sources[key] = REFERENCES[key]
    famplex = REFERENCES.get("famplex")
    if isinstance(famplex, str):
        sources.update(
            {f"famplex_{name}": f"{famplex}/{name}.csv" for name in FAMPLEX_FILES}
        )
    elif isinstance(famplex, dict):
        sources.update({f"famplex_{name}": src for name, src in famplex.items()})
    return sources


REFERENCE_SOURCES = collect_reference_sources()


def reference_source_file(name):
    """Where a reference file is read from: its local path, or its download target."""
    source = REFERENCE_SOURCES[name]
    if is_url(source):
        return f"{REFERENCE_DIR}/downloads/{name}/{url_filename(source)}"
    return source


def download_url(wildcards):
    source = REFERENCE_SOURCES.get(wildcards.name, "")
    if not is_url(source) or url_filename(source) != wildcards.filename:
        raise ValueError(
            f"no reference URL configured for {wildcards.name}/{wildcards.filename}"
        )
    return source


def expected_sha256(wildcards):
    return REFERENCES.get("sha256", {}).get(wildcards.name, "")


def taxonomy_dump_dir(wildcards):
    """The taxdump folder: given as a folder, or extracted from a downloaded archive."""
    source = reference_source_file("taxonomy")
    if os.path.isdir(source):
        return source
    return rules.extract_taxonomy.output.dump


def gene_reference_inputs(wildcards):
    inputs = {
        "gene_info": [
            reference_source_file(f"gene_info_{int(taxon)}")
            for taxon in config["organisms"]
            if f"gene_info_{int(taxon)}" in REFERENCE_SOURCES
        ]
    }
    for name in ("gene_history", "gene_orthologs", "hgnc", "hgnc_withdrawn") + tuple(
        f"famplex_{f}" for f in FAMPLEX_FILES
    ):
        if name in REFERENCE_SOURCES:
            inputs[name] = reference_source_file(name)
    return inputs


def all_reference_files(wildcards):
    files = {name: reference_source_file(name) for name in REFERENCE_SOURCES}
    return files


def reference_sources_for_manifest(wildcards):
    return {
        name: source if is_url(source) else None
        for name, source in REFERENCE_SOURCES.items()
    }
