"""Evaluation against PFOCR's published human gene IDs (the real sample, full-size human reference)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pfocr_etl.evaluate import PFOCR_SOURCES, evaluate, format_report, main, read_pfocr_gene_tables

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "pfocr-sample"
GENE_INFO = SHARED / "reference" / "ncbi-gene-human-2022" / "Homo_sapiens.gene_info.orgdb-2022-09-12.gz"
FAMPLEX = SHARED / "reference" / "famplex"
HISTORY = SHARED / "reference" / "ncbi-gene" / "ncbi_history_20260421.tsv"


@pytest.fixture(scope="module")
def result() -> dict:
    for path in (SAMPLE, GENE_INFO, FAMPLEX):
        if not path.exists():
            pytest.skip(f"{path} is missing (shared test data sits beside the repository)")
    return evaluate(SAMPLE, GENE_INFO, famplex_dir=FAMPLEX, gene_history=HISTORY)


def test_reads_human_rows_keeping_literal_na_words():
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is missing")
    rows = read_pfocr_gene_tables(SAMPLE)
    assert len(rows) > 1000 and rows["figid"].str.startswith("PMC").all()
    assert set(rows["source"]) == set(PFOCR_SOURCES)
    assert rows["word"].notna().all()


def test_direct_symbol_matches_are_recalled(result):
    symbol = result["by_source"]["ncbigene_symbol"]
    assert symbol["pairs"] > 150
    assert symbol["recall_all"] >= 0.95  # family members count through figure_gene_families
    assert symbol["recall_confident"] >= 0.9


def test_numbers_and_disagreement_classes(result):
    assert set(result["by_source"]) == set(PFOCR_SOURCES)
    for view in ("all", "confident"):
        numbers = result[view]
        assert 0 < numbers["precision"] <= 1 and 0 < numbers["recall"] <= 1
    assert result["confident"]["pairs"] <= result["all"]["pairs"]
    # synonyms PFOCR added next to an official symbol or a family are our documented disagreements
    assert {"symbol_precedence", "family_precedence", "stop_list", "ambiguous_only"} <= set(result["misses"])
    for info in result["misses"].values():
        assert info["count"] >= len(info["examples"]) > 0
    assert result["extras"].get("family_member", 0) > 0


def test_report_and_command_line(result, capsys):
    report = format_report(result)
    assert "ncbigene_symbol" in report and "precision" in report
    assert main(["--pfocr-dir", str(SAMPLE), "--gene-info", str(GENE_INFO), "--famplex-dir", str(FAMPLEX)]) == 0
    assert "recall by PFOCR source" in capsys.readouterr().out
