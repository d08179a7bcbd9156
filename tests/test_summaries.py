"""Per-shard summaries: gene sets and report metrics from them equal those from the published tables."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pfocr_etl.genesets import confident_condition, write_gmt_sets
from pfocr_etl.report import table_metrics
from pfocr_etl.summaries import (CONFIDENT_GENES, LABELS, MAPPING_COUNTS, confident_rows, gene_mapping_counts,
                                 gene_set_labels)
from pfocr_etl.tableview import TableSet
from release_fixtures import SCHEMAS, build_release


def write_summaries(tables: dict[str, list[str]], folder: Path) -> dict[str, list[str]]:
    """Each shard's summaries, as the annotate jobs write them, named as the tables they stand for."""
    folder.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, list[str]] = {CONFIDENT_GENES: [], LABELS: [], MAPPING_COUNTS: []}
    for genes_part, figures_part in zip(tables["figure_genes"], tables["figures"], strict=True):
        genes, figures = pq.read_table(genes_part), pq.read_table(figures_part)
        for name, summary in ((CONFIDENT_GENES, confident_rows(genes)), (LABELS, gene_set_labels(figures)),
                              (MAPPING_COUNTS, gene_mapping_counts(genes))):
            path = folder / f"{name}-{Path(genes_part).stem}.parquet"
            pq.write_table(summary, path)
            summaries[name].append(str(path))
    return summaries


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("summaries")
    build_release(root / "previous", "base")
    tables = build_release(root / "out", "next")
    return root, tables, write_summaries(tables, root / "summaries")


@pytest.mark.parametrize("options", [{}, {"family_members": True}, {"figure_gene_orthologs_parts": None},
                                     {"min_genes": 1}])
def test_gene_sets_from_the_summaries_are_the_same_files(release, tmp_path, options):
    root, tables, summaries = release
    options = {"figure_gene_orthologs_parts": tables["figure_gene_orthologs"], **options}
    plain = write_gmt_sets(tables["figure_genes"], tables["figures"], tables["organisms"], tmp_path / "plain",
                           **options)
    summarized = write_gmt_sets(tables["figure_genes"], tables["figures"], tables["organisms"], tmp_path / "sums",
                                confident_genes_parts=summaries[CONFIDENT_GENES], labels_parts=summaries[LABELS],
                                **options)
    names = [Path(p).name for p in plain]
    assert names == [Path(p).name for p in summarized] and names
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "plain", tmp_path / "sums", names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_table_metrics_from_the_summaries_are_the_same(release):
    root, tables, summaries = release
    given = dict(manifest_dir=root / "out" / "manifest", references_json=root / "out" / "references.json",
                 previous_release=root / "previous")
    plain = table_metrics(tables, **given)
    summarized = table_metrics({**tables, CONFIDENT_GENES: summaries[CONFIDENT_GENES],
                                MAPPING_COUNTS: summaries[MAPPING_COUNTS]}, **given)
    assert summarized == plain
    assert plain["gene_mapping"]["available"] and plain["genes"]["top_genes"]


def _gene_rows() -> pa.Table:
    """Every combination of the nullable flags the counts and the confident filter look at."""
    rows = []
    line = 0
    for gene_id in (None, 7157):
        for input_id in (None, 7157, 1111):
            for confident in (None, False, True):
                for ambiguous in (None, False, True):
                    for status in (None, "current", "discontinued"):
                        for tier in (None, "official_symbol", "pfocr_recorded"):
                            line += 1
                            rows.append(dict(figid=f"PMC1__F{line % 7}", word="TP53", ncbigene_id=gene_id,
                                             symbol="TP53", taxon_id=9606, match_tier=tier, ambiguous=ambiguous,
                                             n_candidates=1, id_status=status, input_ncbigene_id=input_id,
                                             famplex_id=None, confident=confident, human_ncbigene_id=gene_id,
                                             ortholog_kind=None, evidence="genes_tsv", source_path="x",
                                             source_line=line, n_source_rows=1))
    return pa.Table.from_pylist(rows, schema=SCHEMAS["figure_genes"])


def test_confident_rows_are_the_rows_the_sql_condition_admits(tmp_path):
    genes = _gene_rows()
    pq.write_table(genes, tmp_path / "genes.parquet")
    with TableSet({"figure_genes": [str(tmp_path / "genes.parquet")]}) as ts:
        wanted = ts.query(f"SELECT source_line FROM figure_genes WHERE {confident_condition(ts.columns['figure_genes'])}"
                          " ORDER BY source_line")
    assert confident_rows(genes)["source_line"].to_pylist() == [line for (line,) in wanted]
    assert 0 < len(wanted) < genes.num_rows


def test_mapping_counts_add_up_to_the_report_counts_with_nulls_everywhere(tmp_path):
    genes = _gene_rows()
    halves = [genes.slice(0, 200), genes.slice(200)]  # two shards
    parts, counts = [], []
    for index, half in enumerate(halves):
        parts.append(str(tmp_path / f"genes-{index}.parquet"))
        counts.append(str(tmp_path / f"counts-{index}.parquet"))
        pq.write_table(half, parts[-1])
        pq.write_table(gene_mapping_counts(half), counts[-1])
    plain = table_metrics({"figure_genes": parts})
    summarized = table_metrics({"figure_genes": parts, MAPPING_COUNTS: counts})
    assert summarized["gene_mapping"] == plain["gene_mapping"]
    assert summarized["rows"] == plain["rows"] == {"figure_genes": genes.num_rows}  # summaries are not tables
    mapping = plain["gene_mapping"]
    assert min(mapping[key] for key in ("confident", "ambiguous", "ids_refreshed", "ids_given", "ids_discontinued")) > 0


def test_labels_are_one_line_and_empty_when_absent():
    figures = pa.table({"figid": ["a", "b"], "figid_alias": ["A\t1", None], "figtitle": [" Wnt\n signalling ", None]})
    assert gene_set_labels(figures).to_pylist() == [
        {"figid": "a", "alias": "A 1", "title": "Wnt signalling"}, {"figid": "b", "alias": "", "title": ""}]
    assert gene_set_labels(pa.table({"figid": ["c"]})).to_pylist() == [{"figid": "c", "alias": "", "title": ""}]
