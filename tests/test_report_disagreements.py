"""Report: the genes-TSV organism disagreements (organism_disagreements table) and organism status, on small tables.

The real-output checks are in test_release_products.py; these cover the edge cases: no
disagreements, no table, older tables without some columns, the cap with its "more" note,
and figure_primary_organisms.primary_status deciding the organism status.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pfocr_etl.release import stable_sha256
from pfocr_etl.report import compute_metrics, render_html
from pfocr_etl.schemas import SCHEMAS
from test_report import check_displayed, parse_html

DISAGREEMENTS = [
    # figid, word, tsv_taxon_id, harmonized_taxon_id, reason, n_rows
    ("PMC1__F1", "IL-6", 7955, 9606, "gene_symbols", 1),
    ("PMC1__F1", "PGF", 10090, 9606, "gene_symbols", 2),
    ("PMC2__F1", "p-Smad3", 9606, 10090, "gene_symbols", 1),
    ("PMC2__F1", "Stat3", 10095, 10090, "merged_id", 3),
]


def _write(path, table: str, rows: list[dict]):
    """Only the columns given (types inferred), like a table of an older pipeline; empty: the declared schema."""
    pq.write_table(pa.Table.from_pylist(rows) if rows else SCHEMAS[table].empty_table(), path)
    return [str(path)]


@pytest.fixture
def tables(tmp_path) -> dict:
    figures = [{"figid": f, "primary_taxon_id": t, "source_path": f"_figures/{f}.md"}
               for f, t in (("PMC1__F1", 9606), ("PMC2__F1", 10090), ("PMC3__F1", None), ("PMC4__F1", None))]
    primary = [{"figid": "PMC1__F1", "primary_taxon_id": 9606, "primary_status": "resolved", "conflicting": True},
               {"figid": "PMC2__F1", "primary_taxon_id": 10090, "primary_status": "resolved", "conflicting": False},
               {"figid": "PMC3__F1", "primary_taxon_id": None, "primary_status": "unresolved", "conflicting": False},
               {"figid": "PMC4__F1", "primary_taxon_id": None, "primary_status": "missing", "conflicting": False}]
    organisms = [{"taxon_id": t, "scientific_name": n, "group": "g", "n_figures": 1, "n_figures_primary": 1,
                  "n_figures_mentioned_only": 0}
                 for t, n in ((9606, "Homo sapiens"), (10090, "Mus musculus"), (7955, "Danio rerio"))]
    genes = [{"figid": f, "word": w, "taxon_id": t, "match_tier": "pfocr_recorded", "evidence": "genes_tsv",
              "n_source_rows": n, "source_path": f"_data/{f}-genes.tsv", "source_line": i + 2, "ambiguous": False,
              "confident": False}
             for i, (f, w, t, _, _, n) in enumerate(DISAGREEMENTS)]
    genes += [{"figid": "PMC1__F1", "word": "STAT3", "taxon_id": 9606, "match_tier": "pfocr_recorded",
               "evidence": "genes_tsv", "n_source_rows": 5, "source_path": "_data/PMC1__F1-genes.tsv",
               "source_line": 9, "ambiguous": False, "confident": False}]
    dis = [dict(zip(("figid", "word", "tsv_taxon_id", "harmonized_taxon_id", "reason", "n_rows"), r))
           for r in DISAGREEMENTS]
    return {"figures": _write(tmp_path / "figures.parquet", "figures", figures),
            "figure_primary_organisms": _write(tmp_path / "fpo.parquet", "figure_primary_organisms", primary),
            "organisms": _write(tmp_path / "organisms.parquet", "organisms", organisms),
            "figure_genes": _write(tmp_path / "genes.parquet", "figure_genes", genes),
            "organism_disagreements": _write(tmp_path / "od.parquet", "organism_disagreements", dis)}


def _check_page(metrics: dict) -> tuple[str, dict]:
    html = render_html(metrics)
    page = parse_html(html)
    for attrs, text in page.metrics:
        check_displayed(metrics, attrs["data-kind"], attrs["data-metric"], text, attrs["data-value"])
    return html, {a["data-metric"] for a, _ in page.metrics}


def test_counts_by_reason_and_pair_and_the_capped_list(tables):
    m = compute_metrics(tables, disagreements_listed=3)
    d = m["organism_disagreements"]
    assert (d["rows"], d["tsv_rows"], d["figures"]) == (4, 7, 2)
    assert (d["compared_tsv_rows"], d["compared_figures"]) == (12, 2)
    assert d["tsv_rows_share"] == pytest.approx(7 / 12, abs=1e-6) and d["figures_share"] == 1.0
    assert [(r["reason"], r["rows"], r["tsv_rows"], r["figures"]) for r in d["by_reason"]] == [
        ("gene_symbols", 3, 4, 2), ("merged_id", 1, 3, 1)]
    assert d["by_taxa"][0] == {"tsv_taxon_id": 10095, "tsv_organism": "taxon 10095", "harmonized_taxon_id": 10090,
                               "harmonized_organism": "Mus musculus", "rows": 1, "tsv_rows": 3, "figures": 1}
    assert [(r["figid"], r["word"]) for r in d["listed"]] == [("PMC1__F1", "IL-6"), ("PMC1__F1", "PGF"),
                                                              ("PMC2__F1", "Stat3")]
    assert d["listed"][0]["tsv_organism"] == "Danio rerio" and d["not_listed"] == 1
    html, shown = _check_page(m)
    assert 'id="organism-disagreements"' in html and 'href="#organism-disagreements"' in html
    assert "organism_disagreements.not_listed" in shown and "more are in the" in html
    assert html.count('data-plot="organism-disagreements"') == 1
    # All rows listed: no "more" note.
    html, shown = _check_page(compute_metrics(tables))
    assert "organism_disagreements.not_listed" not in shown and "more are in the" not in html


def test_no_disagreements_and_no_table(tables, tmp_path):
    tables["organism_disagreements"] = _write(tmp_path / "none.parquet", "organism_disagreements", [])
    m = compute_metrics(tables)
    assert m["organism_disagreements"]["rows"] == 0 and m["organism_disagreements"]["listed"] == []
    html, _ = _check_page(m)
    assert "Every genes-TSV organism ID agrees with the harmonized organism" in html
    assert 'data-plot="organism-disagreements"' not in html
    tables["organism_disagreements"] = None
    m = compute_metrics(tables)
    assert m["organism_disagreements"] == {"available": False, "reason": "table organism_disagreements was not "
                                                                          "provided"}
    html, _ = _check_page(m)
    assert "Genes-TSV organism IDs not compared: table organism_disagreements was not provided." in html


def test_older_table_without_optional_columns(tmp_path):
    pq.write_table(pa.table({"figid": ["F1", "F2"], "tsv_taxon_id": pa.array([7227, 9606], pa.int64())}),
                   tmp_path / "od.parquet")
    m = compute_metrics({"organism_disagreements": [str(tmp_path / "od.parquet")]})
    d = m["organism_disagreements"]
    assert d["rows"] == d["tsv_rows"] == 2 and d["by_reason"][0]["reason"] == "(none)"
    assert any("no column harmonized_taxon_id" in n for n in d["notes"])
    _check_page(m)


def test_organism_status_comes_from_primary_status(tables):
    o = compute_metrics(tables)["organisms"]
    assert o["status_source"] == "figure_primary_organisms.primary_status"
    assert {s["status"]: s["figures"] for s in o["status"]} == {"resolved": 1, "conflicting": 1, "unresolved": 1,
                                                                "none": 1}
    assert (o["figures_without_primary"], o["without_primary_share"]) == (2, 0.5)
    assert (o["figures_conflicting"], o["conflicting_share"]) == (1, 0.25)
    _, shown = _check_page(compute_metrics(tables))
    assert {"organisms.status.2.figures", "organisms.without_primary_share", "organisms.conflicting_share"} <= shown


def test_stable_sha256_leaves_out_only_the_run_times(tmp_path):
    page = tmp_path / "summary.html"
    page.write_text('<main><section id="a">A</section><section id="runtime" data-section="runtime">1.5 s'
                    '</section><footer>x</footer></main>')
    before = stable_sha256(page)
    page.write_text(page.read_text().replace("1.5 s", "2.25 s"))
    assert stable_sha256(page) == before
    page.write_text(page.read_text().replace(">A<", ">B<"))
    assert stable_sha256(page) != before
    metrics = tmp_path / "metrics.json"
    metrics.write_text('{"runtime": {"total_s": 1.5}, "rows": {"figures": 3}}')
    before = stable_sha256(metrics)
    metrics.write_text('{"rows": {"figures": 3}, "runtime": {"total_s": 9}}')
    assert stable_sha256(metrics) == before
    metrics.write_text('{"rows": {"figures": 4}, "runtime": {"total_s": 9}}')
    assert stable_sha256(metrics) != before
    plain = tmp_path / "datapackage.json"
    plain.write_text('{"resources": []}')
    assert stable_sha256(plain) is None
