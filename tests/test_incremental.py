"""Incremental rebuilds: new or changed figures re-run only their shard and the gathers.

The scheduled refresh is two invocations: the manifest checkpoint alone (forced), then
the build. A plain `snakemake` also picks up added files, through the corpus folders'
modification times.
"""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE_CORPUS, REPO, absolute_config, run_snakemake

pytestmark = pytest.mark.slow
GATHERS = {"gather_papers", "gather_genes", "gather_organisms", "fingerprint_corpus", "write_gene_sets",
           "compute_table_metrics", "summarize", "write_datapackage", "write_release_manifest", "all"}
SHARD_JOBS = {"parse_shard", "annotate_shard"}


def snakemake(workdir: Path, *args: str, check: bool = True, config: tuple[str, ...] = ()):
    return run_snakemake(*args, "--snakefile", str(REPO / "Snakefile"), "--configfile", str(workdir / "config.yaml"),
                         "--directory", str(workdir), "--cores", "2", "--config",
                         "input_dir=corpus", "output_dir=out", "shard_width=1000", *config, check=check)


def planned_jobs(workdir: Path, *args: str, config: tuple[str, ...] = ()) -> dict[str, int]:
    """Job counts of a dry run (after the manifest refresh): {rule: count}."""
    proc = snakemake(workdir, "-n", *args, config=config)
    text = proc.stdout + proc.stderr
    if "Nothing to be done" in text:
        return {}
    table = text.split("Job stats:", 1)[1].split("total", 1)[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", table, re.MULTILINE)}


def refresh_manifest(workdir: Path, *args: str) -> None:
    snakemake(workdir, "--forcerun", "build_manifest", "--until", "build_manifest", *args)


@pytest.fixture(scope="module")
def base_build(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("base")
    shutil.copytree(EXAMPLE_CORPUS, workdir / "corpus")
    relative_config(workdir)
    snakemake(workdir)
    return workdir


@pytest.fixture
def workdir(base_build, tmp_path):
    """A copy of the built base (corpus, outputs and Snakemake metadata, mtimes kept)."""
    target = tmp_path / "w"
    shutil.copytree(base_build, target, symlinks=True)
    return target


def relative_config(workdir: Path) -> None:
    """Config whose outputs (and references dir) are relative, so a copied workdir stays up to date."""
    import yaml

    config = absolute_config(workdir / "config.yaml")
    data = yaml.safe_load(config.read_text())
    data["references"]["dir"] = "references"
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def parquet_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "tables").rglob("*.parquet"))


def assert_same_tables(built: Path, fresh: Path) -> None:
    files = parquet_files(built)
    assert files == parquet_files(fresh)
    _, mismatch, errors = filecmp.cmpfiles(built, fresh, files, shallow=False)
    assert mismatch == [] and errors == []


def add_figure(corpus: Path, figid: str, template: str = "PMC2000001__example-inline-g1") -> None:
    text = (corpus / "_figures" / f"{template}.md").read_text(encoding="utf-8")
    pmcid = figid.split("__")[0]
    text = text.replace(template, figid).replace(template.split("__")[0], pmcid)
    (corpus / "_figures" / f"{figid}.md").write_text(text, encoding="utf-8")


def test_a_new_figure_reruns_only_its_shard_and_equals_a_fresh_build(workdir, tmp_path):
    add_figure(workdir / "corpus", "PMC2000002__example-new-g1")
    refresh_manifest(workdir)
    jobs = planned_jobs(workdir)
    assert {rule: n for rule, n in jobs.items() if rule in SHARD_JOBS} == {rule: 1 for rule in SHARD_JOBS}
    assert set(jobs) <= SHARD_JOBS | GATHERS
    snakemake(workdir)
    assert planned_jobs(workdir) == {}
    # The shard's other figures came from the annotate job's cache (pfocr_etl.shard_cache).
    newest_log = max((workdir / "out" / "logs" / "annotate_shard").glob("*.log"), key=lambda p: p.stat().st_mtime)
    assert re.search(r"figures: 1 annotated, [1-9]\d* unchanged since the cached run", newest_log.read_text())

    fresh = tmp_path / "fresh"
    shutil.copytree(workdir / "corpus", fresh / "corpus")
    relative_config(fresh)
    snakemake(fresh)
    assert_same_tables(workdir / "out", fresh / "out")


def test_a_plain_run_picks_up_new_files_without_a_manual_step(workdir):
    add_figure(workdir / "corpus", "PMC9000004__example-new-g2", template="PMC9000002__example-g1")
    snakemake(workdir)
    import pyarrow.dataset as ds

    figids = ds.dataset(workdir / "out" / "tables" / "figures").to_table()["figid"].to_pylist()
    assert "PMC9000004__example-new-g2" in figids


def test_an_edited_figure_reruns_only_its_shard(workdir):
    path = workdir / "corpus" / "_figures" / "PMC9000002__example-g1.md"
    path.write_text(path.read_text(encoding="utf-8").replace("mouse hepatocytes", "murine hepatocytes"),
                    encoding="utf-8")
    refresh_manifest(workdir)
    jobs = planned_jobs(workdir)
    assert {rule: n for rule, n in jobs.items() if rule in SHARD_JOBS} == {rule: 1 for rule in SHARD_JOBS}


def test_touching_files_without_changing_them_reruns_nothing(workdir):
    for path in (workdir / "corpus").rglob("*"):
        path.touch()
    refresh_manifest(workdir)
    assert planned_jobs(workdir) == {}


def test_a_reference_change_reruns_exactly_what_depends_on_it(workdir):
    config = (workdir / "config.yaml").read_text()
    mouse = Path(re.search(r"10090: (\S+)", config).group(1))
    edited = workdir / "Mus_musculus.gene_info"
    shutil.copyfile(mouse, edited)
    with open(edited, "a", encoding="utf-8") as handle:  # one more mouse gene
        handle.write("10090\t99999999\tTestg1\t-\t-\t-\t-\t-\ttest gene\tprotein-coding\tTestg1\ttest gene\tO\t-\t-\t-\n")
    (workdir / "config.yaml").write_text(config.replace(str(mouse), str(edited)))
    jobs = planned_jobs(workdir)
    assert "parse_shard" not in jobs and "build_taxonomy" not in jobs and "build_manifest" not in jobs
    assert jobs["build_gene_reference"] == 1
    assert jobs["annotate_shard"] == 2


def test_a_changed_setting_reruns_exactly_the_rules_that_use_it(workdir):
    """Rule params reach the jobs as JSON (job_settings in common.smk); Snakemake's params trigger
    must still see a change."""
    assert planned_jobs(workdir, config=("gmt_min_genes=5",)) == {
        "write_gene_sets": 1, "summarize": 1, "write_release_manifest": 1, "all": 1}
    assert planned_jobs(workdir, config=("strict=True",))["parse_shard"] == 2


def test_unchanged_shards_stay_done_when_their_lists_are_too_large_to_checksum(workdir):
    """Lists of large shards exceed Snakemake's checksum size limit (up to 2.2 MB at 100k figures).

    The default profile sets the limit to 128 KiB.

    Here no file is small enough to be checksummed: an unchanged shard's list, linked from the
    manifest's cache, keeps its modification time, so only the new figure's shard re-runs.
    """
    no_checksums = ("--max-checksum-file-size", "1")
    for path in (workdir / "corpus").rglob("*"):
        path.touch()
    add_figure(workdir / "corpus", "PMC2000002__example-new-g1")
    refresh_manifest(workdir, *no_checksums)
    jobs = planned_jobs(workdir, *no_checksums)
    assert {rule: n for rule, n in jobs.items() if rule in SHARD_JOBS} == {rule: 1 for rule in SHARD_JOBS}
    snakemake(workdir, *no_checksums)
    assert planned_jobs(workdir, *no_checksums) == {}


def test_a_merged_shard_that_outgrows_shard_max_figures_splits_and_equals_a_fresh_build(tmp_path):
    """PMC9000001-3 (3 figures) share one merged shard at shard_max_figures=3; a 4th figure splits it."""
    limit = ("shard_max_figures=3",)
    workdir = tmp_path / "w"
    shutil.copytree(EXAMPLE_CORPUS, workdir / "corpus")
    relative_config(workdir)
    snakemake(workdir, config=limit)
    shards = workdir / "out" / "manifest" / "shards"
    assert "pmc08960000-09023999.tsv" in {p.name for p in shards.glob("*.tsv")}

    add_figure(workdir / "corpus", "PMC9000004__example-new-g3", template="PMC9000002__example-g1")
    snakemake(workdir, "--forcerun", "build_manifest", "--until", "build_manifest", config=limit)
    names = {p.name for p in shards.glob("*.tsv")}
    assert "pmc09000000.tsv" in names and "pmc08960000-09023999.tsv" not in names
    snakemake(workdir, config=limit)
    parts = {p.name for p in (workdir / "out" / "tables" / "figures").glob("*.parquet")}
    assert "part-pmc09000000.parquet" in parts and "part-pmc08960000-09023999.parquet" not in parts

    fresh = tmp_path / "fresh"
    shutil.copytree(workdir / "corpus", fresh / "corpus")
    relative_config(fresh)
    snakemake(fresh, config=limit)
    assert_same_tables(workdir / "out", fresh / "out")
