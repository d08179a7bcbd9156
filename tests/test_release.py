"""release.json, datapackage.json, the release diff, report captions and the queries in docs/querying.md."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from pfocr_etl import __version__
from pfocr_etl.genesets import write_gmt_sets
from pfocr_etl.release import (content_sha256, corpus_fingerprint, diff_releases, pipeline_version,
                               validate_datapackage, verify_release, write_datapackage, write_release_manifest)
from pfocr_etl.report import write_report
from pfocr_etl.schemas import TABLE_COLUMNS
from release_fixtures import REFERENCES, build_release, corpus_file_rows, figures_spec

BUILT_AT = "2025-01-31T12:00:00Z"


def build_output(out: Path, variant: str = "base") -> dict:
    """A complete output folder: tables, gmt, report, datapackage.json."""
    tables = build_release(out, variant)
    write_gmt_sets(tables["figure_genes"], tables["figures"], tables["organisms"], out / "gmt",
                   figure_gene_orthologs_parts=tables["figure_gene_orthologs"])
    write_report(tables, out / "report" / "metrics.json", out / "report" / "summary.html",
                 references_json=out / "references.json", manifest_dir=out / "manifest", gmt_dir=out / "gmt")
    write_datapackage(out / "tables", out / "datapackage.json")
    return tables


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "out"
    build_output(out)
    return out


# =============================================================================
# release.json
# =============================================================================

def test_release_manifest_lists_every_output_with_verified_checksums(output, tmp_path):
    manifest = write_release_manifest(output, output / "manifest", output / "references.json",
                                      out_path=tmp_path / "release.json", built_at=BUILT_AT)
    assert json.loads((tmp_path / "release.json").read_text()) == manifest
    listed = {e["path"]: e for e in manifest["outputs"]}
    expected = sorted([p.relative_to(output).as_posix() for p in output.glob("tables/*/*.parquet")]
                      + [p.relative_to(output).as_posix() for p in output.glob("gmt/*.gmt")]
                      + ["report/summary.html", "report/metrics.json", "datapackage.json"])
    assert sorted(listed) == expected
    for rel, entry in listed.items():
        data = (output / rel).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), rel
        assert entry["bytes"] == len(data)
        if rel.endswith(".parquet"):
            assert entry["rows"] == pq.read_table(output / rel).num_rows
            assert entry["table"] == rel.split("/")[1]
        elif rel.endswith(".gmt"):
            assert entry["rows"] == data.count(b"\n") and entry["rows"] > 0
    assert manifest["tables"]["figures"] == {"rows": 12, "parts": 2}
    shutil.copy(tmp_path / "release.json", output / "release.json")
    try:
        assert verify_release(output) == []
    finally:
        (output / "release.json").unlink()


def test_release_manifest_provenance(output):
    manifest = write_release_manifest(output, output / "manifest", output / "references.json",
                                      out_path=output / "r.json", built_at=BUILT_AT)
    (output / "r.json").unlink()
    assert manifest["built_at"] == BUILT_AT
    assert manifest["references"]["release"] == REFERENCES["release"]
    assert [f["name"] for f in manifest["references"]["files"]] == ["famplex", "ncbi_gene_info"]
    assert {f["sha256"] for f in manifest["references"]["files"]} == {"a" * 64, "b" * 64}
    assert manifest["pipeline"]["version"]
    assert manifest["pipeline"]["package_version"] == __version__
    assert manifest["packages"]["pyarrow"] == pa.__version__
    assert manifest["packages"]["duckdb"] == duckdb.__version__
    # Corpus fingerprint, recomputed here from the parse jobs' per-file rows.
    lines = ["\t".join(map(str, row)) for row in corpus_file_rows(figures_spec())]
    corpus = manifest["corpus"]
    assert corpus["files"] == len(lines) == 22  # 12 records, 10 genes TSVs
    assert corpus["bytes"] == sum(int(line.split("\t")[2]) for line in lines)
    assert corpus["sha256"] == hashlib.sha256("".join(f"{line}\n" for line in lines).encode()).hexdigest()
    assert corpus == corpus_fingerprint(output / "manifest")


def test_release_manifest_is_deterministic_apart_from_built_at(output, tmp_path, monkeypatch):
    first = write_release_manifest(output, output / "manifest", output / "references.json",
                                   out_path=tmp_path / "a.json", built_at=BUILT_AT)
    monkeypatch.setenv("PFOCR_BUILT_AT", "2030-06-01T00:00:00Z")
    second = write_release_manifest(output, output / "manifest", output / "references.json",
                                    out_path=tmp_path / "b.json")
    assert second["built_at"] == "2030-06-01T00:00:00Z"
    assert first["content_sha256"] == second["content_sha256"] == content_sha256(second)
    assert {k: v for k, v in first.items() if k != "built_at"} == {k: v for k, v in second.items() if k != "built_at"}
    monkeypatch.delenv("PFOCR_BUILT_AT")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    third = write_release_manifest(output, output / "manifest", None, out_path=tmp_path / "c.json")
    assert third["built_at"] == "1970-01-01T00:00:00Z"
    assert third["references"] is None


def test_verify_release_reports_tampering(tmp_path):
    out = tmp_path / "out"
    build_output(out)
    write_release_manifest(out, out / "manifest", out / "references.json", built_at=BUILT_AT)
    assert verify_release(out) == []
    gmt = out / "gmt" / "pfocr-homo-sapiens-confident.gmt"
    gmt.write_text(gmt.read_text() + "extra\tset\t1\n")
    (out / "report" / "metrics.json").unlink()
    problems = verify_release(out)
    assert any(p.startswith("gmt/pfocr-homo-sapiens-confident.gmt: bytes") for p in problems)
    assert any(p.startswith("gmt/pfocr-homo-sapiens-confident.gmt: rows") for p in problems)
    assert "report/metrics.json: missing" in problems
    data = json.loads((out / "release.json").read_text())
    data["corpus"]["files"] += 1
    (out / "release.json").write_text(json.dumps(data))
    assert "content_sha256 does not match the manifest content" in verify_release(out)


def test_pipeline_version_falls_back_to_package_version(tmp_path):
    assert pipeline_version(tmp_path) == __version__
    assert pipeline_version()  # this checkout (git describe) or the package version


# =============================================================================
# datapackage.json
# =============================================================================

def test_datapackage_describes_every_table_and_column(output):
    package = json.loads((output / "datapackage.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    assert sorted(resources) == sorted(p.name for p in (output / "tables").iterdir())
    for name, res in resources.items():
        files = sorted((output / "tables" / name).glob("*.parquet"))
        assert res["path"] == [f.relative_to(output).as_posix() for f in files]
        assert res["format"] == "parquet" and res["description"]
        actual = pq.read_schema(files[0])
        assert [f["name"] for f in res["schema"]["fields"]] == actual.names
        declared = {c.name: c for c in TABLE_COLUMNS.get(name, [])}
        for field in res["schema"]["fields"]:
            assert field["description"]
            if field["name"] in declared:
                assert field["description"] == declared[field["name"]].description
                assert field.get("constraints", {}).get("required", False) == (not declared[field["name"]].nullable)
    types = {f["name"]: f["type"] for f in resources["figures"]["schema"]["fields"]}
    assert types["figid"] == "string" and types["year"] == "integer" and types["keywords"] == "array"
    assert {f["name"]: f["type"] for f in resources["figure_genes"]["schema"]["fields"]}["confident"] == "boolean"
    assert resources["figures"]["schema"]["primaryKey"] == ["figid"]


def test_datapackage_validates_against_the_tables(output):
    result = validate_datapackage(output / "datapackage.json")
    assert result["valid"], result["errors"]
    assert result["rows"]["figures"] == 12
    assert result["rows"]["figure_genes"] == sum(pq.read_table(p).num_rows
                                                 for p in (output / "tables" / "figure_genes").glob("*.parquet"))


def test_datapackage_validation_catches_bad_tables(tmp_path):
    out = tmp_path / "out"
    build_output(out)
    figures = out / "tables" / "figures" / "part-pmc0100000b.parquet"
    table = pq.read_table(figures)
    # A duplicated figid breaks the primary key, a null figid breaks "required".
    bad = pa.concat_tables([table, table.slice(0, 1)])
    figid = bad.column("figid").to_pylist()
    figid[1] = None
    pq.write_table(bad.set_column(0, "figid", pa.array(figid, pa.string())), figures)
    result = validate_datapackage(out / "datapackage.json")
    assert not result["valid"]
    assert any("field figid: constraint-error" in e for e in result["errors"]), result["errors"]
    assert any("primary-key" in e for e in result["errors"]), result["errors"]
    # A part file whose columns differ from the descriptor.
    pq.write_table(table.drop_columns(["year"]), figures)
    assert any("has columns" in e for e in validate_datapackage(out / "datapackage.json")["errors"])
    # A broken descriptor.
    descriptor = json.loads((out / "datapackage.json").read_text())
    descriptor["resources"][0]["schema"]["fields"][0]["type"] = "strng"
    (out / "datapackage.json").write_text(json.dumps(descriptor))
    assert validate_datapackage(out / "datapackage.json")["errors"][0].startswith("descriptor:")


def test_datapackage_paths_must_stay_inside(tmp_path, output):
    with pytest.raises(ValueError, match="outside"):
        write_datapackage(output / "tables", tmp_path / "elsewhere" / "datapackage.json")


# =============================================================================
# Release diff
# =============================================================================

def test_release_diff_reports_exactly_the_changes(tmp_path):
    previous, current = tmp_path / "previous", tmp_path / "current"
    build_release(previous, "base")
    tables = build_release(current, "next")
    diff = diff_releases(current, previous)
    assert diff["available"]
    assert diff["added"] == {"count": 3, "figids": ["PMC1000013__F1", "PMC1000014__F1", "PMC1000015__F2"]}
    assert diff["removed"] == {"count": 1, "figids": ["PMC1000010__F1"]}
    assert diff["changed"] == {"count": 1, "figids": ["PMC1000005__F1"], "record_changed": 1, "genes_changed": 1}
    assert diff["unchanged"] == 10
    assert diff["figures"] == {"previous": 12, "current": 14}
    assert diff["gene_counts"]["changes"] == [{"figid": "PMC1000005__F1", "previous": 3, "current": 4, "delta": 1}]
    assert diff["gene_counts"]["figures_gained"] == 1 and diff["gene_counts"]["figures_lost"] == 0
    # Same answer from {table: parts} and from the tables folder; nothing changed against itself.
    assert diff_releases(tables, previous / "tables")["changed"] == diff["changed"]
    same = diff_releases(current, current)
    assert (same["added"]["count"], same["removed"]["count"], same["changed"]["count"]) == (0, 0, 0)
    # The report carries the same numbers (metrics.json and HTML).
    metrics = write_report(tables, tmp_path / "m.json", tmp_path / "s.html", previous_release=previous)
    assert metrics["release_diff"] == {**diff, "previous_release": str(previous)}
    html = (tmp_path / "s.html").read_text()
    assert 'data-metric="release_diff.added.count" data-kind="int" data-value="3"' in html
    assert 'data-metric="release_diff.removed.count" data-kind="int" data-value="1"' in html
    assert 'data-metric="release_diff.changed.count" data-kind="int" data-value="1"' in html


def test_release_diff_counts_gene_only_and_record_only_changes(tmp_path):
    previous, current = tmp_path / "previous", tmp_path / "current"
    build_release(previous, "base")
    build_release(current, "base")
    genes = current / "tables" / "figure_genes" / "part-pmc0100000a.parquet"
    table = pq.read_table(genes)
    keep = [i for i, (f, w) in enumerate(zip(table["figid"].to_pylist(), table["word"].to_pylist()))
            if not (f == "PMC1000002__F2" and w == "KRAS")]
    pq.write_table(table.take(keep), genes)  # gene set changes, record bytes do not
    figures = current / "tables" / "figures" / "part-pmc0100000b.parquet"
    ft = pq.read_table(figures)
    sha = ["0" * 64 if f == "PMC1000012__F1" else s for f, s in zip(ft["figid"].to_pylist(),
                                                                       ft["source_sha256"].to_pylist())]
    pq.write_table(ft.set_column(ft.schema.get_field_index("source_sha256"), "source_sha256", pa.array(sha)), figures)
    diff = diff_releases(current, previous)
    assert diff["changed"] == {"count": 2, "figids": ["PMC1000002__F2", "PMC1000012__F1"], "record_changed": 1,
                               "genes_changed": 1}
    assert diff["gene_counts"]["changes"] == [{"figid": "PMC1000002__F2", "previous": 3, "current": 2, "delta": -1}]


def test_release_diff_without_previous_tables(tmp_path):
    build_release(tmp_path / "current")
    (tmp_path / "empty").mkdir()
    diff = diff_releases(tmp_path / "current", tmp_path / "empty")
    assert diff["available"] is False and "no figures table" in diff["reason"]


# =============================================================================
# Snakemake report captions
# =============================================================================

def test_report_captions_render_as_restructured_text():
    from docutils.core import publish_parts
    from jinja2 import Environment

    captions = sorted((REPO / "workflow" / "report").glob("*.rst"))
    names = {p.name for p in captions}
    assert {"summary.rst", "metrics.rst", "gmt_confident.rst", "gmt_direct.rst", "gmt_human_projected.rst",
            "release.rst"} <= names
    for path in captions:
        text = Environment().from_string(path.read_text()).render(snakemake=None, categories={}, files={})
        body = publish_parts(text, writer="html",
                             settings_overrides={"halt_level": 2, "report_level": 2})["body"]
        assert len(body) > 100, path.name


# =============================================================================
# docs/querying.md: every query runs
# =============================================================================

def _blocks(language: str) -> list[str]:
    text = (REPO / "docs" / "querying.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


@pytest.fixture(scope="module")
def example_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("querying")
    out = root / "results" / "example"
    tables = build_release(out)
    write_gmt_sets(tables["figure_genes"], tables["figures"], tables["organisms"], out / "gmt")
    return root


def test_querying_doc_has_queries():
    assert len(_blocks("sql")) >= 8 and len(_blocks("python")) >= 4


@pytest.mark.parametrize("index", range(len(_blocks("sql"))))
def test_querying_doc_sql_runs(example_dir, monkeypatch, index):
    monkeypatch.chdir(example_dir)
    sql = _blocks("sql")[index]
    result = duckdb.connect().execute(sql).fetchall()  # several statements: the last one's rows
    assert result, f"query returned no rows:\n{sql}"


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_querying_doc_python_runs(example_dir, monkeypatch, index):
    monkeypatch.chdir(example_dir)
    code = _blocks("python")[index]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"querying.md python block {index}", "exec"), {})
    assert out.getvalue().strip()
    assert "Empty DataFrame" not in out.getvalue() and not re.search(r"^0 [a-z]", out.getvalue(), flags=re.M)
