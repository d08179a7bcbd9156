"""Papers: candidate rows from figure records and article pages merged into one row per paper."""

from __future__ import annotations

from pfocr_etl.papers import merge_paper_table
from pfocr_etl.parquet_io import to_table


def candidate(path: str, source: str = "figure_records", **values) -> dict:
    row = {"pmcid": None, "pmid": None, "doi": None, "title": None, "journal": None, "year": None,
           "citation": None, "abstract": None, "authors": [], "keywords": [], "figure_captions": [],
           "source": source, "source_paths": [path]}
    row.update(values)
    return row


def merged(*rows: dict) -> list[dict]:
    return merge_paper_table(to_table(list(rows), "papers")).to_pylist()


def test_article_page_values_win_and_figure_records_fill_the_gaps():
    papers = merged(
        candidate("_figures/PMC7__b-g2.md", pmcid="PMC7", title="From figure g2", year=2020, keywords=["k1"]),
        candidate("_figures/PMC7__b-g1.md", pmcid="PMC7", title="From figure g1", journal="J Fig"),
        candidate("papers/PMC7.txt", source="article_page", pmcid="pmc7", doi="10.1/x", title="From the page",
                  authors=["A B"]),
    )
    assert len(papers) == 1
    paper = papers[0]
    assert paper["title"] == "From the page" and paper["pmcid"] == "pmc7"
    assert paper["journal"] == "J Fig"  # the first figure record (by path) that has one
    assert paper["year"] == 2020 and paper["keywords"] == ["k1"] and paper["authors"] == ["A B"]
    assert paper["figure_captions"] == []  # nobody lists any: empty, not null
    assert paper["source"] == "article_page+figure_records"
    assert paper["source_paths"] == ["_figures/PMC7__b-g1.md", "_figures/PMC7__b-g2.md", "papers/PMC7.txt"]


def test_rows_join_transitively_and_keyless_rows_stay_apart():
    papers = merged(
        candidate("_figures/PMC1__a-g1.md", pmcid="PMC1", doi="10.1/A"),
        candidate("papers/p.txt", source="article_page", doi="10.1/a", pmid="55"),
        candidate("papers/q.txt", source="article_page", pmid="55", abstract="Shared PMID"),
        candidate("papers/none-1.txt", source="article_page", title="No identifiers"),
        candidate("papers/none-2.txt", source="article_page", title="No identifiers"),
        candidate("_figures/PMC2__c-g1.md", pmcid="PMC2"),
    )
    assert [p["pmcid"] for p in papers] == ["PMC1", "PMC2", None, None]
    assert papers[0]["abstract"] == "Shared PMID" and papers[0]["pmid"] == "55"
    assert papers[0]["source_paths"] == ["_figures/PMC1__a-g1.md", "papers/p.txt", "papers/q.txt"]
    assert [p["source_paths"] for p in papers[2:]] == [["papers/none-1.txt"], ["papers/none-2.txt"]]


def test_no_candidates_no_papers():
    assert merged() == []
