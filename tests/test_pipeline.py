"""Integration tests: Snakemake end to end on the bundled example, the PFOCR sample, the seeds and bad input."""

from __future__ import annotations

import filecmp
import importlib.util
import json
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from conftest import (EXAMPLE_CORPUS, REPO, absolute_config, build_bad_corpus, copy_sample, place_seeds,
                      run_snakemake, seed_figid)
from pfocr_etl.nulls import int_or_none, null_if_sentinel
from pfocr_etl.parse import read_tsv

pytestmark = pytest.mark.slow
TABLES = ("figures", "papers", "paper_references", "figure_genes", "figure_chemicals", "figure_diseases",
          "rejected")


def build(input_dir: Path, output_dir: Path, *extra: str, check: bool = True, cores: str = "2",
          env: dict[str, str] | None = None):
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    config = absolute_config(output_dir.parent / "config.yaml")
    return run_snakemake("--snakefile", str(REPO / "Snakefile"), "--configfile", str(config),
                         "--directory", str(output_dir.parent), "--cores", cores,
                         "--config", f"input_dir={input_dir}", f"output_dir={output_dir}", *extra, check=check,
                         env=env)


def table(output_dir: Path, name: str):
    return ds.dataset(output_dir / "tables" / name, format="parquet").to_table()


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    corpus = copy_sample(root / "corpus")
    out = root / "out"
    build(corpus, out, "shard_width=1000000")
    return corpus, out


def test_bundled_example_builds_and_second_run_does_nothing(tmp_path):
    out = tmp_path / "out"
    build(EXAMPLE_CORPUS, out)
    for name in TABLES:
        assert list((out / "tables" / name).glob("*.parquet")), name
    figures = table(out, "figures")
    assert figures.num_rows == len(list((EXAMPLE_CORPUS / "_figures").glob("*.md")))
    metrics = json.loads((out / "report" / "metrics.json").read_text())
    assert metrics["rows"]["figures"] == figures.num_rows
    assert "PFOCR" in (out / "report" / "summary.html").read_text()
    # The run wrote the package's bytecode (PYTHONDONTWRITEBYTECODE or not), so its jobs did not compile it.
    for module in (REPO / "scripts" / "pfocr_etl").glob("*.py"):
        cached = Path(importlib.util.cache_from_source(str(module)))
        assert cached.exists() and cached.stat().st_mtime >= module.stat().st_mtime, module.name
    again = build(EXAMPLE_CORPUS, out)
    assert "Nothing to be done" in again.stderr + again.stdout, again.stderr[-3000:]


def test_sample_gives_one_figure_row_per_record(sample_build):
    corpus, out = sample_build
    figures = table(out, "figures")
    md = sorted(p.stem for p in (corpus / "_figures").glob("*.md"))
    assert sorted(figures["figid"].to_pylist()) == md
    assert table(out, "rejected").num_rows == 0


@pytest.mark.parametrize("kind", ["genes", "chemicals", "diseases"])
def test_sample_mention_rows_match_the_tsv_rows(sample_build, kind):
    """Row by row: every TSV row is one table row or collapsed into an identical one (n_source_rows)."""
    corpus, out = sample_build
    rows = table(out, f"figure_{kind}").to_pylist()
    # figure_genes also holds our own mapping of each word; the rows as recorded are pfocr_recorded.
    from_tsv = [r for r in rows if r["evidence"] == f"{kind}_tsv" and r.get("match_tier", "pfocr_recorded")
                == "pfocr_recorded"]
    by_file = Counter()
    for r in from_tsv:
        by_file[r["source_path"]] += r["n_source_rows"]
    expected = {}
    for path in sorted((corpus / "_data").glob(f"*-{kind}.tsv")):
        _, numbers, columns = read_tsv(path.read_bytes(), kind)
        tsv_rows = [(line, {name: values[i] for name, values in columns.items()}) for i, line in enumerate(numbers)]
        expected[f"_data/{path.name}"] = len(tsv_rows)
        lines = {r["source_line"]: r for r in from_tsv if r["source_path"] == f"_data/{path.name}"}
        for line, cells in tsv_rows:
            if line in lines:  # the first of a collapsed run carries the row's values
                row = lines[line]
                assert row["word"] == cells["word"]
                if kind == "genes":
                    assert row["input_ncbigene_id"] == int_or_none(cells["ncbigene_id"])
                    assert row["lexicon_source"] == null_if_sentinel(cells["source"])
    assert dict(by_file) == expected


def test_sample_tables_read_with_duckdb(sample_build):
    _, out = sample_build
    con = duckdb.connect()
    n = con.execute(f"select count(*) from read_parquet('{out}/tables/figure_genes/*.parquet')").fetchone()[0]
    assert n == table(out, "figure_genes").num_rows
    na_words = con.execute(f"select count(*) from read_parquet('{out}/tables/figure_genes/*.parquet') "
                           "where word = 'NA'").fetchone()[0]
    assert na_words > 0  # sodium survives
    assert con.execute(f"select count(*) from read_parquet('{out}/tables/figure_genes/*.parquet') "
                       "where symbol = 'NA'").fetchone()[0] == 0


def test_seeds_parse_end_to_end(tmp_path):
    corpus = place_seeds(tmp_path / "corpus")
    out = tmp_path / "out"
    build(corpus, out)
    genes = table(out, "figure_genes").to_pylist()
    assert sum(1 for g in genes if g["figid"] == seed_figid("000") and g["match_tier"] == "pfocr_recorded") == 9
    papers = [p for p in table(out, "papers").to_pylist() if p["doi"] == "10.4161/jkst.23828"]
    assert len(papers) == 1
    paper = papers[0]
    assert paper["year"] == 2013 and paper["journal"] == "JAKSTAT" and len(paper["keywords"]) == 4
    assert paper["title"] == "Targeting the tumor microenvironment: JAK-STAT3 signaling" and paper["abstract"]
    refs = [r for r in table(out, "paper_references").to_pylist() if r["citing_doi"] == "10.4161/jkst.23828"]
    assert len(refs) == 5
    assert table(out, "figures").num_rows == 4 and table(out, "rejected").num_rows == 0


def test_bad_corpus_completes_and_lists_exactly_the_bad_files(tmp_path):
    expected = build_bad_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    build(tmp_path / "corpus", out)
    rejected = table(out, "rejected").to_pylist()
    assert {r["source_path"] for r in rejected} == set(expected)
    assert {r["source_path"]: r["reason"] for r in rejected} == expected
    assert {"PMC7000100__good-1", "PMC7000101__good-2"} <= set(table(out, "figures")["figid"].to_pylist())
    metrics = json.loads((out / "report" / "metrics.json").read_text())
    assert metrics["rejected"]["files"] == len(expected)
    assert sorted({row["source_path"] for row in metrics["rejected"]["listed"]}) == sorted(expected)


def test_strict_mode_fails_naming_the_first_bad_file(tmp_path):
    build_bad_corpus(tmp_path / "corpus")
    proc = build(tmp_path / "corpus", tmp_path / "out", "strict=True", check=False, cores="1")
    assert proc.returncode != 0
    assert "_data/PMC7000100__good-1-chemicals.tsv" in proc.stderr
    assert "tsv_ragged_row" in proc.stderr


def test_two_runs_give_byte_identical_parquet(tmp_path, sample_build):
    corpus, first = sample_build
    second = tmp_path / "out"
    build(corpus, second, "shard_width=1000000")
    parts = sorted(p.relative_to(first) for p in (first / "tables").rglob("*.parquet"))
    assert parts and parts == sorted(p.relative_to(second) for p in (second / "tables").rglob("*.parquet"))
    _, mismatch, errors = filecmp.cmpfiles(first, second, [str(p) for p in parts], shallow=False)
    assert mismatch == [] and errors == []


def test_gene_sets_and_report_from_the_shard_summaries_equal_those_from_the_tables(tmp_path, sample_build):
    """The gene-set and metrics jobs read the annotate jobs' summaries (pfocr_etl.summaries);
    from the published tables alone, the same code gives the same files and numbers."""
    from pfocr_etl.genesets import write_gmt_sets
    from pfocr_etl.report import table_metrics

    _, out = sample_build
    tables = {folder.name: sorted(map(str, folder.glob("*.parquet"))) for folder in (out / "tables").iterdir()}
    written = write_gmt_sets(tables["figure_genes"], tables["figures"], tables["organisms"], tmp_path / "gmt",
                             figure_gene_orthologs_parts=tables["figure_gene_orthologs"],
                             figure_gene_families_parts=tables["figure_gene_families"])
    names = sorted(Path(path).name for path in written)
    assert names and names == sorted(path.name for path in (out / "gmt").glob("*.gmt"))
    _, mismatch, errors = filecmp.cmpfiles(out / "gmt", tmp_path / "gmt", names, shallow=False)
    assert mismatch == [] and errors == []
    pipeline = json.loads((out / "work" / "table_metrics.json").read_text())
    from_tables = table_metrics(tables)
    for section in ("rows", "genes", "gene_mapping"):
        assert pipeline[section] == json.loads(json.dumps(from_tables[section])), section
    assert pipeline["gene_mapping"]["confident"] > 0


# Loaded by every job of the build below (PYTHONPATH): at exit, the package modules the job imported
# and those its command lists as inputs (the job_code(...) files whose change re-runs it).
RECORD_MODULES = """
import atexit, json, os, sys

def _record():
    if not sys.argv[0].endswith(".py"):
        return
    package = os.sep + "pfocr_etl" + os.sep
    listed = sorted(os.path.basename(a)[:-3] for a in sys.argv[1:] if package in a and a.endswith(".py"))
    imported = sorted(m.split(".")[1] for m in sys.modules if m.startswith("pfocr_etl.") and m.count(".") == 1)
    path = os.path.join(os.environ["PFOCR_TEST_MODULES"], f"{os.getpid()}.json")
    with open(path, "w") as handle:
        json.dump({"job": os.path.basename(sys.argv[0]), "listed": listed, "imported": imported}, handle)

atexit.register(_record)
"""


def test_every_job_lists_the_package_modules_it_imports(tmp_path):
    """A job re-runs when a module in its ``code`` input changes, so it must list every one it runs."""
    hook, records = tmp_path / "hook", tmp_path / "records"
    hook.mkdir()
    records.mkdir()
    (hook / "sitecustomize.py").write_text(RECORD_MODULES)
    build(EXAMPLE_CORPUS, tmp_path / "out", env={"PYTHONPATH": str(hook), "PFOCR_TEST_MODULES": str(records)})
    jobs = [json.loads(path.read_text()) for path in records.glob("*.json")]
    assert {"parse_shard.py", "annotate_shard.py", "write_gene_sets.py", "summarize.py"} <= {j["job"] for j in jobs}
    unlisted = {(j["job"], module) for j in jobs for module in j["imported"] if module not in j["listed"]}
    assert unlisted == set()


def test_lint_and_snakefmt_are_clean():
    lint = run_snakemake("--lint", check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "Lints for" not in lint.stdout + lint.stderr, lint.stdout + lint.stderr
    import subprocess
    import sys
    fmt = subprocess.run([str(Path(sys.executable).with_name("snakefmt")), "--check", "."], cwd=REPO,
                         capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_sample_every_figure_has_a_primary_organism_or_an_explicit_status(sample_build):
    _, out = sample_build
    primary = table(out, "figure_primary_organisms").to_pylist()
    figids = set(table(out, "figures")["figid"].to_pylist())
    assert {p["figid"] for p in primary} == figids
    for row in primary:
        assert (row["primary_taxon_id"] is not None) == (row["primary_status"] == "resolved"), row
        assert row["primary_status"] in ("resolved", "unresolved", "missing")
    resolved = sum(p["primary_status"] == "resolved" for p in primary)
    assert resolved / len(primary) > 0.9


def test_sample_genes_tsv_organisms_agree_or_are_listed(sample_build):
    """Each recorded genes-TSV row keeps its organism (merged IDs followed); differences are listed."""
    _, out = sample_build
    genes = table(out, "figure_genes").to_pylist()
    listed = {(d["figid"], d["word"], d["tsv_taxon_id"]) for d in table(out, "organism_disagreements").to_pylist()}
    corpus_rows = 0
    for row in genes:
        if row["evidence"] == "genes_tsv" and row["match_tier"] == "pfocr_recorded" and row["taxon_id"]:
            corpus_rows += 1
            tsv_taxon = row["taxon_id"]
            mapped = {g["taxon_id"] for g in genes if g["figid"] == row["figid"] and g["word"] == row["word"]
                      and g["match_tier"] != "pfocr_recorded" and g["confident"]}
            agrees = not mapped or tsv_taxon in mapped
            assert agrees or (row["figid"], row["word"], tsv_taxon) in listed, row
    assert corpus_rows > 1000
