"""The annotate job's figure cache: reused rows give byte-identical outputs, and only valid ones are reused.

A figure's annotate rows must depend only on its own inputs. The differential test annotates a
corpus from scratch and again after a run on an older version of it (some figures missing, some
edited, one since removed) whose rows it reuses, and compares every output file byte by byte. The
corpus mixes the bundled example, the seeds, the PFOCR sample and a generated corpus.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import EXAMPLE_CORPUS, REPO, SAMPLE, place_seeds, require_shared
from pfocr_etl import jobs, synthetic
from pfocr_etl.manifest import build_manifest, read_shard_list
from pfocr_etl.parquet_io import read_table, write_table
from pfocr_etl.parse import parse_shard
from pfocr_etl.schemas import SORT_KEYS
from pfocr_etl.shard_cache import FigureCache

EXAMPLE_REFERENCE = REPO / "resources" / "example" / "reference"
ORGANISMS = [9606, 10090, 7955]
ANNOTATE_OUTPUTS = ("figure_gene_families", "gene_counts", "figures", "figure_genes", "figure_organisms",
                    "figure_primary_organisms", "figure_gene_orthologs", "organism_disagreements",
                    "organism_counts", "confident_genes", "gene_set_labels", "mapping_counts")
PARSE_INPUTS = {"figures": "figures", "figure_genes": "figure_genes_raw", "figure_inputs": "figure_inputs"}


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict:
    built = tmp_path_factory.mktemp("references")
    famplex = {name: EXAMPLE_REFERENCE / "famplex" / f"{name}.csv"
               for name in ("relations", "entities", "equivalences", "grounding_map", "hgnc_symbol_map")}
    gene_outputs = {name: built / f"{name}.parquet"
                    for name in ("lexicon", "famplex_members", "gene_catalog", "gene_history", "orthologs")}
    ncbi = EXAMPLE_REFERENCE / "ncbi-gene"
    jobs.build_gene_reference(
        [ncbi / f"{name}.gene_info" for name in ("Homo_sapiens", "Mus_musculus", "Danio_rerio")], gene_outputs,
        organisms=ORGANISMS, gene_history=ncbi / "gene_history", gene_orthologs=ncbi / "gene_orthologs",
        hgnc=EXAMPLE_REFERENCE / "hgnc" / "hgnc_complete_set.txt",
        hgnc_withdrawn=EXAMPLE_REFERENCE / "hgnc" / "withdrawn.txt", famplex=famplex)
    taxonomy = {name: built / "taxonomy" / f"{name}.parquet" for name in ("names", "nodes", "merged", "deleted")}
    jobs.build_taxonomy(EXAMPLE_REFERENCE / "taxonomy", taxonomy)
    return {"reference": {name: gene_outputs[name] for name in ("lexicon", "gene_history", "famplex_members",
                                                                  "orthologs")},
            "taxonomy": taxonomy}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Every record kind we have, in one folder."""
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(EXAMPLE_CORPUS, root, dirs_exist_ok=True)
    require_shared(SAMPLE)
    for sub in ("_figures", "_data"):
        shutil.copytree(SAMPLE / sub, root / sub, dirs_exist_ok=True)
    place_seeds(root)
    synthetic.generate_corpus(root, 300, seed=5)
    return root


def shard_entries(root: Path, work: Path) -> list[dict]:
    """All files of ``root`` as one shard list."""
    shards = build_manifest(root, work / "shards", shard_width=10**9)
    return [entry for shard in shards for entry in read_shard_list(work / "shards" / f"{shard}.tsv")]


def annotate(root: Path, work: Path, references: dict, cache_dir: Path | None, organisms: list[int] = ORGANISMS,
             stoplist: Path = REPO / "resources" / "gene_stoplist.tsv") -> tuple[dict[str, bytes], dict]:
    """Parse ``root`` as one shard and annotate it; the output files' bytes and the job's counts."""
    work.mkdir(parents=True)
    tables = parse_shard(root, shard_entries(root, work), code_key="parse code")
    inputs = {name: work / f"{name}.parquet" for name in PARSE_INPUTS}
    for name, table in PARSE_INPUTS.items():
        write_table(getattr(tables, name), inputs[name], table, SORT_KEYS[table])
    outputs = {name: work / "out" / f"{name}.parquet" for name in ANNOTATE_OUTPUTS}
    counts = jobs.annotate_shard(inputs["figures"], inputs["figure_genes"], inputs["figure_inputs"],
                                 references["reference"], references["taxonomy"], outputs, organisms=organisms,
                                 stoplist=stoplist, code=[REPO / "scripts" / "pfocr_etl" / "jobs.py"],
                                 cache_dir=cache_dir)
    return {name: path.read_bytes() for name, path in outputs.items()}, counts


def older_version(corpus: Path, target: Path, seed: int) -> tuple[Path, int]:
    """A copy of ``corpus`` with ~40 % of its figures missing, a few edited and one extra figure.

    Returns the copy and how many of its figures are unchanged in ``corpus``.
    """
    rng = random.Random(seed)
    shutil.copytree(corpus, target)
    records = sorted((target / "_figures").glob("*.md"))
    unchanged = 0
    for record in records:
        figid = record.stem
        tables = sorted((target / "_data").glob(f"{figid}-*.tsv"))
        draw = rng.random()
        if draw < 0.4:
            for path in [record, *tables]:
                path.unlink()
        elif draw < 0.5 and tables:  # a gene word changed in one of its tables
            table = tables[0]
            lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
            table.write_text("".join([*lines, *lines[1:2]]) if len(lines) > 1 else lines[0] + "\n",
                             encoding="utf-8")
        elif draw < 0.55:  # its caption edited
            record.write_text(record.read_text(encoding="utf-8").replace("---\n", "---\nfigtype: edited\n", 1),
                              encoding="utf-8")
        else:
            unchanged += 1
    template = next(record for record in reversed(records) if record.exists())
    extra = template.with_name("PMC99999999__removed-since-g1.md")
    extra.write_text(template.read_text(encoding="utf-8").replace(template.stem, extra.stem), encoding="utf-8")
    return target, unchanged


@pytest.mark.parametrize("seed", [1, 2])
def test_reused_rows_give_the_outputs_of_a_build_from_scratch(corpus, references, tmp_path, seed):
    older, unchanged = older_version(corpus, tmp_path / "older", seed)
    cache = tmp_path / "cache" / "shard"
    _, first = annotate(older, tmp_path / "run1", references, cache)
    assert first["figures_reused"] == 0 and first["cache_ignored"] is None
    assert "PMC99999999__removed-since-g1" in read_table(cache / "figures.parquet")["figid"].to_pylist()
    again, second = annotate(corpus, tmp_path / "run2", references, cache)
    scratch, third = annotate(corpus, tmp_path / "scratch", references, None)
    assert unchanged > 100 and second["figures_reused"] == unchanged
    assert second["figures_annotated"] == third["figures_annotated"] - unchanged
    for name in ANNOTATE_OUTPUTS:
        assert again[name] == scratch[name], f"{name} differs from a build from scratch"
    assert second["genes"] == third["genes"] and second["organisms"] == third["organisms"]


def test_a_run_with_every_figure_cached_annotates_none(corpus, references, tmp_path, monkeypatch):
    cache = tmp_path / "cache" / "shard"
    first, _ = annotate(corpus, tmp_path / "run1", references, cache)

    def not_expected(*args, **kwargs):
        raise AssertionError("no figure should be annotated again")

    monkeypatch.setattr(jobs, "_annotate_figures", not_expected)  # nor the references loaded
    again, counts = annotate(corpus, tmp_path / "run2", references, cache)
    assert counts["figures_annotated"] == 0 and again == first


def test_changed_settings_code_or_references_ignore_the_cache(corpus, references, tmp_path):
    cache = tmp_path / "cache" / "shard"
    first, _ = annotate(corpus, tmp_path / "run1", references, cache)
    _, counts = annotate(corpus, tmp_path / "run2", references, cache, organisms=[9606, 10090])
    assert counts["figures_reused"] == 0 and "differ" in counts["cache_ignored"]
    # A rebuilt reference file (new modification time) invalidates it as well.
    lexicon = references["reference"]["lexicon"]
    stat = os.stat(lexicon)
    os.utime(lexicon, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    _, counts = annotate(corpus, tmp_path / "run3", references, cache)
    assert counts["figures_reused"] == 0
    again, counts = annotate(corpus, tmp_path / "run4", references, cache)
    assert counts["figures_annotated"] == 0 and again == first


def test_a_resource_handed_over_from_another_folder_keeps_the_cache(corpus, references, tmp_path):
    """Snakemake passes workflow.source_path files from a new folder each run: content counts, not path."""
    cache = tmp_path / "cache" / "shard"
    first, _ = annotate(corpus, tmp_path / "run1", references, cache)
    moved = tmp_path / "source-cache" / "gene_stoplist.tsv"
    moved.parent.mkdir()
    shutil.copyfile(REPO / "resources" / "gene_stoplist.tsv", moved)
    again, counts = annotate(corpus, tmp_path / "run2", references, cache, stoplist=moved)
    assert counts["figures_annotated"] == 0 and again == first
    moved.write_text(moved.read_text(encoding="utf-8") + "WORD\tadded\n", encoding="utf-8")
    _, counts = annotate(corpus, tmp_path / "run3", references, cache, stoplist=moved)
    assert counts["figures_reused"] == 0


def test_a_damaged_or_half_stored_cache_is_ignored_or_rebuilt(corpus, references, tmp_path):
    cache = tmp_path / "cache" / "shard"
    first, _ = annotate(corpus, tmp_path / "run1", references, cache)
    (cache / "figure_inputs.parquet").write_bytes(b"not parquet")
    again, counts = annotate(corpus, tmp_path / "run2", references, cache)
    assert counts["figures_reused"] == 0 and "unreadable" in counts["cache_ignored"] and again == first
    (cache / "figure_organisms.parquet").unlink()
    again, counts = annotate(corpus, tmp_path / "run2b", references, cache)
    assert counts["figures_reused"] == 0 and "unreadable" in counts["cache_ignored"] and again == first
    # A job killed between retiring the old folder and renaming the new one: no cache, leftovers.
    os.rename(cache, cache.with_name(".shard.123.new"))
    (cache.parent / ".shard.456.old").mkdir()
    again, counts = annotate(corpus, tmp_path / "run3", references, cache)
    assert counts["figures_reused"] == 0 and counts["cache_ignored"] is None and again == first
    assert sorted(p.name for p in cache.parent.iterdir()) == ["shard"]
    again, counts = annotate(corpus, tmp_path / "run4", references, cache)
    assert counts["figures_annotated"] == 0 and again == first


def test_cached_files_are_links_that_survive_their_outputs_being_replaced(tmp_path):
    table = pa.table({"figid": ["a", "b"], "input_sha256": ["1", "2"]})
    labels = pa.table({"figid": ["a", "b"], "alias": ["A", "B"], "title": ["T", "T"]})
    inputs, output = tmp_path / "inputs.parquet", tmp_path / "gene_set_labels.parquet"
    write_table(table, inputs, "figure_inputs")
    write_table(labels, output, "gene_set_labels")
    FigureCache(tmp_path / "cache", "key").store({"gene_set_labels": output}, inputs)
    cached = tmp_path / "cache" / "gene_set_labels.parquet"
    assert os.stat(output).st_ino == os.stat(cached).st_ino
    write_table(labels.slice(0, 1), output, "gene_set_labels")  # a re-run replaces the file
    assert read_table(cached).num_rows == 2

    def reuse(inputs: pa.Table, key: str = "key") -> tuple[list[str], list[str]]:
        figids, rows = FigureCache(tmp_path / "cache", key).reuse(inputs, ["gene_set_labels"])
        return figids.to_pylist(), rows["gene_set_labels"]["figid"].to_pylist() if rows else []

    assert reuse(table) == (["a", "b"], ["a", "b"])
    assert reuse(pa.table({"figid": ["a", "b"], "input_sha256": ["1", "3"]})) == (["a"], ["a"])
    assert reuse(table, key="other") == ([], [])


def test_a_figures_input_digest_follows_its_own_files_and_the_parse_code(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(EXAMPLE_CORPUS, root)

    def digests(code_key: str = "code") -> dict[str, str]:
        work = tmp_path / f"work-{len(list(tmp_path.iterdir()))}"
        tables = parse_shard(root, shard_entries(root, work), code_key=code_key)
        return {row["figid"]: row["input_sha256"] for row in tables.figure_inputs}

    before = digests()
    assert len(before) == len(list((root / "_figures").glob("*.md")))
    table = sorted((root / "_data").glob("*-genes.tsv"))[0]
    figid = table.name[: -len("-genes.tsv")]
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after = digests()
    assert {f for f in before if before[f] != after[f]} == {figid}
    assert not set(digests("other code").values()) & set(after.values())
