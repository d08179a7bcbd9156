"""Unit tests of pfocr_etl.orthologs: gene_orthologs reading, the symmetric index, human projection.

No gene_orthologs excerpt is available offline, so the file is written here. Human and
mouse gene IDs are real (STAT3 6774 / Stat3 20848, SMAD3 4088 / Smad3 17127, VASP 7408);
the zebrafish IDs 900001-900006 are test-only stand-ins for the smad3a/smad3b and
vaspa/vaspb paralogs of seed 003 and for a gene with two human orthologs.
"""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from pfocr_etl.orthologs import (OrthologIndex, figure_gene_orthologs, figure_human_genes, project_to_human,
                                 read_gene_orthologs)
from pfocr_etl.schemas import schema

HEADER = "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID\n"
ROWS = [
    (9606, 6774, 10090, 20848),   # STAT3 - Stat3: 1:1
    (10090, 17127, 9606, 4088),   # Smad3 - SMAD3, stored mouse-first
    (9606, 4088, 7955, 900001),   # SMAD3 - smad3a
    (9606, 4088, 7955, 900002),   # SMAD3 - smad3b  -> zebrafish side many_to_one
    (9606, 7408, 7955, 900003),   # VASP - vaspa
    (9606, 7408, 7955, 900004),   # VASP - vaspb
    (9606, 6774, 7955, 900005),   # STAT3 - gene with two human orthologs ...
    (9606, 6772, 7955, 900005),   # STAT1 - ... -> one_to_many from zebrafish
]
SMAD3A, SMAD3B, VASPA, TWO_HUMAN = 900001, 900002, 900003, 900005


def write_orthologs(path, rows=ROWS, extra: str = "") -> None:
    text = HEADER + "".join(f"{a}\t{b}\tOrtholog\t{c}\t{d}\n" for a, b, c, d in rows) + extra
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as out:
            out.write(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.fixture()
def orthologs_file(tmp_path):
    path = tmp_path / "gene_orthologs"
    write_orthologs(path, extra="9606\t-\tOrtholog\t10116\t24516\n")  # no GeneID: dropped
    return path


@pytest.fixture()
def index(orthologs_file) -> OrthologIndex:
    return OrthologIndex.from_file(orthologs_file)


def test_reader_keeps_rows_directional_and_drops_rows_without_ids(orthologs_file):
    table = read_gene_orthologs(orthologs_file)
    assert table.schema == schema("gene_orthologs")
    assert table.num_rows == len(ROWS)
    first = table.slice(0, 1).to_pylist()[0]
    assert first == {"tax_id": 9606, "gene_id": 4088, "relationship": "Ortholog", "other_tax_id": 7955,
                     "other_gene_id": SMAD3A}
    assert {"tax_id": 10090, "gene_id": 17127, "relationship": "Ortholog", "other_tax_id": 9606,
            "other_gene_id": 4088} in table.to_pylist()


def test_reader_goes_by_header_name_and_reads_gzip(tmp_path, orthologs_file):
    plain = read_gene_orthologs(orthologs_file)
    gz = tmp_path / "gene_orthologs.gz"
    write_orthologs(gz)
    assert read_gene_orthologs(gz).equals(plain)
    shuffled = tmp_path / "shuffled"
    shuffled.write_text("Other_GeneID\t#tax_id\tOther_tax_id\trelationship\tGeneID\n"
                        + "".join(f"{d}\t{a}\t{c}\tOrtholog\t{b}\n" for a, b, c, d in ROWS), encoding="utf-8")
    assert read_gene_orthologs(shuffled).equals(plain)


def test_reader_rejects_a_file_without_the_expected_header(tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("a\tb\n1\t2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_gene_orthologs(bad)


def test_taxa_filter_keeps_rows_touching_the_taxa(orthologs_file):
    table = read_gene_orthologs(orthologs_file, taxa={10090})
    assert sorted(table.column("gene_id").to_pylist()) == [6774, 17127]


def test_index_answers_from_both_sides(index):
    assert index.orthologs(20848)[["other_gene_id", "other_tax_id"]].values.tolist() == [[6774, 9606]]
    assert index.orthologs(6774, other_tax_id=10090)["other_gene_id"].tolist() == [20848]
    assert index.orthologs(4088, other_tax_id=10090)["other_gene_id"].tolist() == [17127]  # stored mouse-first


def test_index_marks_cardinality(index):
    def kind(gene, other_taxon):
        return set(index.orthologs(gene, other_taxon)["kind"])

    assert kind(20848, 9606) == {"one_to_one"}
    assert kind(SMAD3A, 9606) == kind(SMAD3B, 9606) == {"many_to_one"}  # smad3a and smad3b share SMAD3
    assert kind(4088, 7955) == {"one_to_many"}         # SMAD3 has two zebrafish partners
    assert kind(TWO_HUMAN, 9606) == {"one_to_many"}
    assert kind(6774, 7955) == {"many_to_one"}         # the zebrafish gene has two human partners


def figure_genes() -> pd.DataFrame:
    return pd.DataFrame({
        "figid": ["F1"] * 7,
        "word": ["STAT3", "Stat3", "smad3a", "vaspa", "stat1/3", "foo", "NA"],
        "ncbigene_id": pd.array([6774, 20848, SMAD3A, VASPA, TWO_HUMAN, 123, None], dtype="Int64"),
        "taxon_id": pd.array([9606, 10090, 7955, 7955, None, 7955, None], dtype="Int64"),
    })


def test_projection_adds_human_ids_without_touching_the_originals(index):
    projected = project_to_human(figure_genes(), index)
    rows = list(zip(projected["word"], projected["human_ncbigene_id"].astype("object").where(
        projected["human_ncbigene_id"].notna(), None), projected["ortholog_kind"]))
    assert rows == [
        ("STAT3", 6774, "self"),
        ("Stat3", 6774, "one_to_one"),
        ("smad3a", 4088, "many_to_one"),
        ("vaspa", 7408, "many_to_one"),
        ("stat1/3", 6772, "one_to_many"),   # one row per human ortholog, in ID order
        ("stat1/3", 6774, "one_to_many"),
        ("foo", None, "none"),
        ("NA", None, None),                 # no gene, nothing to project
    ]
    assert projected["ncbigene_id"].tolist()[:2] == [6774, 20848]
    assert projected["taxon_id"].astype("object").tolist()[:2] == [9606, 10090]


def test_figure_gene_orthologs_table_and_gene_sets(index):
    table = figure_gene_orthologs(figure_genes(), index)
    assert table.schema == schema("figure_gene_orthologs")
    assert table.num_rows == 7  # the row without a gene ID is left out
    sets = figure_human_genes(project_to_human(figure_genes(), index))
    assert sets["human_ncbigene_id"].tolist() == [4088, 6772, 6774, 7408]
    strict = figure_human_genes(project_to_human(figure_genes(), index), kinds=("self", "one_to_one"))
    assert strict["human_ncbigene_id"].tolist() == [6774]


def mapped_rows(rows: list[tuple[str, int, int | None]]):
    """A ``figure_genes_mapped`` table of (figid, ncbigene_id, taxon_id) rows, other columns filled."""
    import pyarrow as pa

    target = schema("figure_genes_mapped")
    filler = {pa.string(): "x", pa.bool_(): False, pa.int32(): 1, pa.int64(): 1}
    columns = {field.name: [None if field.nullable else filler[field.type]] * len(rows) for field in target}
    columns["figid"], columns["ncbigene_id"], columns["taxon_id"] = (list(column) for column in zip(*rows))
    return pa.table(columns, schema=target)


def test_a_rows_human_ortholog_does_not_depend_on_the_other_figures_of_its_shard(index):
    from pfocr_etl.orthologs import with_human_orthologs

    def projected(rows):
        genes = mapped_rows(rows)
        table = with_human_orthologs(genes, figure_gene_orthologs(genes, index))
        return list(zip(table["figid"].to_pylist(), table["human_ncbigene_id"].to_pylist(),
                        table["ortholog_kind"].to_pylist()))

    alone = projected([("F1", 6774, 9606), ("F1", TWO_HUMAN, None)])
    # STAT3's ID recorded under mouse in another figure: no human ortholog there, but F1 keeps its own.
    shared = projected([("F1", 6774, 9606), ("F1", TWO_HUMAN, None), ("F2", 6774, 10090)])
    assert alone == [("F1", 6774, "self"), ("F1", None, "one_to_many")]
    assert shared == [*alone, ("F2", None, "none")]
