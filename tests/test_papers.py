"""Papers: candidate rows from figure records and article pages merged into one row per paper."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from pfocr_etl.jobs import gather_papers
from pfocr_etl.papers import LIST_FIELDS, SCALAR_FIELDS, SOURCE_PRIORITY, merge_paper_table
from pfocr_etl.parquet_io import read_table, sort_table, to_table, write_table
from pfocr_etl.schemas import SORT_KEYS


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


# --- the Arrow merge against a plain-Python one, row by row ----------------------------------

def python_merge(rows: list[dict]) -> list[dict]:
    """The merge as the module describes it, one dict per row: the reference for the Arrow code."""
    def priority(source: str) -> tuple:
        return SOURCE_PRIORITY.get(source, len(SOURCE_PRIORITY)), source

    order = sorted(range(len(rows)), key=lambda i: (priority(rows[i]["source"])[0], rows[i]["source_paths"]))
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    def keys(row: dict, index: int) -> list[str]:
        found = [f"{kind}:{case(row[kind])}" for kind, case in
                 (("pmcid", str.upper), ("doi", str.lower), ("pmid", str)) if row[kind]]
        if not found:
            found = [f"path:{row['source_paths'][0]}" if row["source_paths"] else f"row:{index}"]
        return found

    for index in order:
        first, *others = keys(rows[index], index)
        for other in others:
            a, b = find(first), find(other)
            if a != b:
                parent[b] = a
    papers: dict[str, list[dict]] = {}
    for index in order:
        papers.setdefault(find(keys(rows[index], index)[0]), []).append(rows[index])

    merged = []
    for members in papers.values():
        paper = {}
        for name in SCALAR_FIELDS:
            paper[name] = next((m[name] for m in members if m[name] is not None), None)
        for name in LIST_FIELDS:
            paper[name] = next((m[name] for m in members if m[name]), [])
        paper["source"] = "+".join(sorted({m["source"] for m in members}, key=priority))
        paper["source_paths"] = sorted({p for m in members for p in m["source_paths"]})
        merged.append(paper)
    return sorted(merged, key=lambda p: (p["pmcid"] or "~", p["doi"] or "~", p["source_paths"]))


def random_candidates(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    pick = lambda *choices: rng.choice(choices)  # noqa: E731
    rows = []
    for index in range(n):
        pmc = rng.randrange(12)
        rows.append(candidate(
            pick(f"_figures/PMC{pmc}__g{index}.md", f"papers/p{rng.randrange(n)}.txt", f"papers/é{index % 5}.txt"),
            source=pick("figure_records", "figure_records", "article_page", "preprint_page"),
            pmcid=pick(None, "", f"PMC{pmc}", f"pmc{pmc}", f"PMC{pmc}"),
            doi=pick(None, None, "", f"10.1/D{rng.randrange(8)}", f"10.1/d{rng.randrange(8)}", "10.1/İx", "10.1/i̇x"),
            pmid=pick(None, None, "", str(rng.randrange(6))),
            title=pick(None, "", f"T{index}"),
            year=pick(None, 2000 + index),
            authors=pick([], [f"A{index}"]),
            figure_captions=pick([], [f"C{index}", "c"]),
        ))
        if rng.random() < 0.2:  # an article page found under two names
            rows[-1]["source_paths"] = sorted({rows[-1]["source_paths"][0], f"papers/p{rng.randrange(n)}.txt"})
        if rng.random() < 0.03:
            rows[-1]["source_paths"] = []
    return rows


@pytest.mark.parametrize("seed", range(40))
def test_the_arrow_merge_equals_the_python_one(seed):
    rows = random_candidates(seed, n=1 + seed * 3)
    assert merged(*rows) == python_merge(rows)


def test_the_arrow_merge_equals_the_python_one_on_many_chunks():
    rows = random_candidates(7, n=300)
    chunked = pa.concat_tables([to_table(rows[start:start + 37], "papers") for start in range(0, 300, 37)])
    assert merge_paper_table(chunked).to_pylist() == python_merge(rows)


def test_a_long_chain_of_shared_keys_is_one_paper():
    # Row i shares its DOI with row i-1 and its PMID with row i+1: one paper, joined end to end.
    rows = [candidate(f"papers/{i:04d}.txt", doi=f"10.1/{i // 2}", pmid=str((i + 1) // 2)) for i in range(1000)]
    papers = merged(*reversed(rows))
    assert len(papers) == 1 and len(papers[0]["source_paths"]) == 1000


def test_the_gather_job_reads_columns_one_at_a_time_to_the_same_table(tmp_path):
    rows = random_candidates(3, n=120)
    parts = []
    for number, start in enumerate(range(0, 120, 50)):
        parts.append(tmp_path / f"shard{number}" / "papers.parquet")
        write_table(rows[start:start + 50], parts[-1], "papers")
    assert gather_papers(parts, tmp_path / "papers.parquet") == len(python_merge(rows))
    gathered = read_table(tmp_path / "papers.parquet", "papers")
    assert gathered.equals(sort_table(merge_paper_table(to_table(rows, "papers")), SORT_KEYS["papers"]))
    assert gather_papers([], tmp_path / "none.parquet") == 0
