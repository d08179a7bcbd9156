"""GMT gene sets: variants, filters, names, determinism, and the strict parser."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pfocr_etl.genesets import GmtError, build_gene_sets, organism_slug, parse_gmt, write_gmt_sets
from release_fixtures import FISH, GENES, HUMAN, MOUSE, build_release

HUMAN_FILES = ("pfocr-homo-sapiens-confident.gmt", "pfocr-homo-sapiens-direct.gmt")
ALL_FILES = sorted([*HUMAN_FILES, "pfocr-mus-musculus-confident.gmt", "pfocr-mus-musculus-direct.gmt",
                    "pfocr-danio-rerio-confident.gmt", "pfocr-danio-rerio-direct.gmt", "pfocr-human-projected.gmt"])


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("genesets")
    return root, build_release(root / "out")


def _write(release, out: Path, **kwargs) -> dict[str, list]:
    root, t = release
    paths = write_gmt_sets(t["figure_genes"], t["figures"], t["organisms"], out,
                           figure_gene_orthologs_parts=kwargs.pop("orthologs", t["figure_gene_orthologs"]), **kwargs)
    return {Path(p).name: parse_gmt(p, require_sorted=True, min_genes=kwargs.get("min_genes", 3)) for p in paths}


def _rows(release) -> list[dict]:
    _, t = release
    return [r for part in t["figure_genes"] for r in pq.read_table(part).to_pylist()]


def _by_name(sets) -> dict[str, set[int]]:
    return {s.name: set(s.genes) for s in sets}


def test_files_named_per_organism_and_variant(release, tmp_path):
    files = _write(release, tmp_path / "gmt")
    assert sorted(files) == ALL_FILES
    assert sorted(p.name for p in (tmp_path / "gmt").iterdir()) == ALL_FILES


def test_sets_equal_an_independent_computation(release, tmp_path):
    """Every file holds exactly the sets computed here from the raw rows (min 3 genes)."""
    files = _write(release, tmp_path / "gmt")
    rows = _rows(release)
    slug = {HUMAN: "homo-sapiens", MOUSE: "mus-musculus", FISH: "danio-rerio"}
    expected: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    aliases = {r["figid"]: r["figid_alias"] or r["figid"]
               for part in release[1]["figures"] for r in pq.read_table(part).to_pylist()}
    for r in rows:
        if r["ncbigene_id"] is None or not r["confident"] or r["ambiguous"]:
            continue
        name = aliases[r["figid"]]
        expected[f"pfocr-{slug[r['taxon_id']]}-confident.gmt"][name].add(r["ncbigene_id"])
        if r["match_tier"] == "official_symbol" and r["famplex_id"] is None:
            expected[f"pfocr-{slug[r['taxon_id']]}-direct.gmt"][name].add(r["ncbigene_id"])
        expected["pfocr-human-projected.gmt"][name].add(r["human_ncbigene_id"])
    for fname, sets in files.items():
        want = {n: g for n, g in expected[fname].items() if len(g) >= 3}
        assert _by_name(sets) == want, fname


def test_direct_sets_exclude_alias_family_and_ambiguous_matches(release, tmp_path):
    files = _write(release, tmp_path / "gmt")
    direct = _by_name(files["pfocr-homo-sapiens-direct.gmt"])
    confident = _by_name(files["pfocr-homo-sapiens-confident.gmt"])
    # F1: the PKB alias (AKT1) is confident but not direct; p21 is an alias of CDKN1A (also named directly).
    assert confident["PMC1000001__F1"] == {7157, 4193, 1026, 207}
    assert direct["PMC1000001__F1"] == {7157, 4193, 1026}
    # F2 has two direct genes and one alias (its ERK family has no gene ID): no direct set.
    assert confident["PMC1000002__F2"] == {1956, 3845, 5595}
    assert "PMC1000002__F2" not in direct
    mouse_direct = _by_name(files["pfocr-mus-musculus-direct.gmt"])
    assert mouse_direct["PMC1000004__F3"] == {22059, 17246, 13649}  # Kras came from an alias
    # Every gene of every direct set is backed by a direct row of that figure (set names are figids here).
    direct_rows = {(r["figid"], r["ncbigene_id"]) for r in _rows(release)
                   if r["match_tier"] == "official_symbol" and not r["famplex_id"] and not r["ambiguous"]}
    for fname in ("pfocr-homo-sapiens-direct.gmt", "pfocr-mus-musculus-direct.gmt", "pfocr-danio-rerio-direct.gmt"):
        for s in files[fname]:
            assert all((s.name, gene) in direct_rows for gene in s.genes), (fname, s.name)


def test_ambiguous_and_recorded_rows_never_enter_a_set(release, tmp_path):
    files = _write(release, tmp_path / "gmt", family_members=True)
    assert all(847 not in s.genes for sets in files.values() for s in sets)  # CAT is only ever ambiguous
    # F7: PFOCR's recorded ERK2 row (5595) is kept for audit only.
    assert 5595 not in _by_name(files["pfocr-homo-sapiens-confident.gmt"])["PMC1000007__F1"]
    assert 5595 not in _by_name(files["pfocr-human-projected.gmt"])["PMC1000007__F1"]


def test_family_members_are_opt_in_and_never_direct(release, tmp_path):
    root, t = release
    default = _write(release, tmp_path / "a")
    paths = write_gmt_sets(t["figure_genes"], t["figures"], t["organisms"], tmp_path / "b",
                           figure_gene_orthologs_parts=t["figure_gene_orthologs"],
                           figure_gene_families_parts=t["figure_gene_families"], family_members=True)
    with_families = {Path(p).name: _by_name(parse_gmt(p, require_sorted=True)) for p in paths}
    assert with_families["pfocr-homo-sapiens-confident.gmt"]["PMC1000001__F1"] == {7157, 4193, 1026, 207, 208, 10000}
    assert with_families["pfocr-homo-sapiens-confident.gmt"]["PMC1000002__F2"] == {1956, 3845, 5595, 5594}
    assert with_families["pfocr-human-projected.gmt"]["PMC1000002__F2"] == {1956, 3845, 5595, 5594}
    assert with_families["pfocr-homo-sapiens-direct.gmt"] == _by_name(default["pfocr-homo-sapiens-direct.gmt"])
    assert _by_name(default["pfocr-homo-sapiens-confident.gmt"])["PMC1000001__F1"] == {7157, 4193, 1026, 207}
    # Without the families table the option only leaves a note.
    build = build_gene_sets({"figure_genes": t["figure_genes"], "figures": t["figures"]}, family_members=True)
    assert any(n.startswith("family members not added") for n in build.notes)


def test_organism_files_hold_only_their_organism(release, tmp_path):
    files = _write(release, tmp_path / "gmt")
    for fname, taxon in (("pfocr-homo-sapiens-confident.gmt", HUMAN), ("pfocr-mus-musculus-confident.gmt", MOUSE),
                         ("pfocr-danio-rerio-confident.gmt", FISH)):
        assert all(GENES[g][1] == taxon for s in files[fname] for g in s.genes), fname
    # A figure with human and mouse genes has a line in both files.
    assert "PMC1000011__F4" in _by_name(files["pfocr-homo-sapiens-confident.gmt"])
    assert "PMC1000011__F4" in _by_name(files["pfocr-mus-musculus-confident.gmt"])


def test_human_projection_counts_mouse_and_fish_figures(release, tmp_path):
    files = _write(release, tmp_path / "gmt")
    projected = _by_name(files["pfocr-human-projected.gmt"])
    assert projected["PMC1000004__F3"] == {7157, 4193, 1956, 3845}  # mouse
    assert projected["PMC1000006__F2"] == {7157, 1956, 3845, 6774}  # zebrafish
    assert projected["PMC1000011__F4"] == {7157, 4193, 1956, 6774, 3569, 3845}  # human + mouse genes
    assert all(GENES[g][1] == HUMAN for s in files["pfocr-human-projected.gmt"] for g in s.genes)


def test_projection_falls_back_to_figure_genes_column_then_is_skipped(release, tmp_path):
    with_table = _write(release, tmp_path / "a")
    from_column = _write(release, tmp_path / "b", orthologs=None)
    assert from_column == with_table
    root, t = release
    stripped = tmp_path / "fg.parquet"
    fg = pa.concat_tables([pq.read_table(p) for p in t["figure_genes"]])
    pq.write_table(fg.drop_columns(["human_ncbigene_id"]), stripped)
    paths = write_gmt_sets([stripped], t["figures"], t["organisms"], tmp_path / "c")
    assert "pfocr-human-projected.gmt" not in {Path(p).name for p in paths}
    assert "pfocr-homo-sapiens-confident.gmt" in {Path(p).name for p in paths}


def test_min_and_max_gene_counts(release, tmp_path):
    default = _by_name(_write(release, tmp_path / "a")["pfocr-homo-sapiens-confident.gmt"])
    assert "PMC1000008__F1" not in default  # two genes only
    bounded = _by_name(_write(release, tmp_path / "b", min_genes=2, max_genes=3)["pfocr-homo-sapiens-confident.gmt"])
    assert "PMC1000008__F1" in bounded
    assert "PMC1000001__F1" not in bounded  # four genes: over the maximum, dropped (not truncated)
    assert all(2 <= len(g) <= 3 for g in bounded.values())
    with pytest.raises(ValueError):
        _write(release, tmp_path / "c", min_genes=0)
    with pytest.raises(ValueError):
        _write(release, tmp_path / "d", min_genes=5, max_genes=4)


def test_names_descriptions_and_order(release, tmp_path):
    files = _write(release, tmp_path / "gmt")
    human = {s.name: s for s in files["pfocr-homo-sapiens-confident.gmt"]}
    assert human["PMC1000001__F1"].description == "p53 signalling and the cell cycle"  # tab in the title cleaned
    assert human["PMC1000003__F1"].description == "IL-6 / JAK / STAT3 <signalling> & more"
    assert "PMC1000012__F1" in human  # no alias: the figid
    names = [s.name for s in files["pfocr-homo-sapiens-confident.gmt"]]
    assert names == sorted(names)


def test_shared_alias_falls_back_to_figid(tmp_path):
    figures = pa.table({"figid": ["PMC1__a", "PMC2__b", "PMC3__c"], "figid_alias": ["PMC1__F1", "PMC1__F1", None],
                        "figtitle": ["t1", None, "t3"]})
    genes = pa.table({"figid": ["PMC1__a"] * 3 + ["PMC2__b"] * 3 + ["PMC3__c"] * 3,
                      "ncbigene_id": pa.array([1, 2, 3] * 3, pa.int64()),
                      "taxon_id": pa.array([9606] * 9, pa.int64())})
    pq.write_table(figures, tmp_path / "figures.parquet")
    pq.write_table(genes, tmp_path / "figure_genes.parquet")
    paths = write_gmt_sets([tmp_path / "figure_genes.parquet"], [tmp_path / "figures.parquet"], None, tmp_path / "gmt")
    # No organisms table: slug from the taxon ID. No mapping columns: no direct variant.
    assert [Path(p).name for p in paths] == ["pfocr-taxon-9606-confident.gmt"]
    sets = parse_gmt(paths[0])
    assert [(s.name, s.description) for s in sets] == [("PMC1__a", "t1"), ("PMC2__b", "PMC2__b"), ("PMC3__c", "t3")]


def test_output_is_deterministic_and_stale_files_go(release, tmp_path):
    out = tmp_path / "gmt"
    _write(release, out)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "pfocr-old-organism-confident.gmt").write_text("x\ty\t1\n")
    (out / "notes.txt").write_text("kept")
    _write(release, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.suffix == ".gmt"} == first
    assert (out / "notes.txt").exists()


def test_fixed_taxa_give_predictable_files(release, tmp_path):
    build = build_gene_sets({"figure_genes": release[1]["figure_genes"], "figures": release[1]["figures"],
                             "organisms": release[1]["organisms"]}, taxa=[HUMAN, 7227], human_projected=False)
    assert sorted(build.files) == ["pfocr-drosophila-melanogaster-confident.gmt",
                                   "pfocr-drosophila-melanogaster-direct.gmt", *HUMAN_FILES]
    assert build.files["pfocr-drosophila-melanogaster-confident.gmt"] == []


def test_organism_slug():
    assert organism_slug("Homo sapiens", 9606) == "homo-sapiens"
    assert organism_slug("Escherichia coli str. K-12", 83333) == "escherichia-coli-str-k-12"
    assert organism_slug(None, 9606) == "taxon-9606"


@pytest.mark.parametrize("text, message", [
    (b"a\tdesc\t1\t2\r\n", "CR"),
    (b"a\tdesc\t1\t2", "no newline"),
    (b"a\tdesc\t1\n\nb\tdesc\t2\n", "blank line"),
    (b"a\tdesc\n", "need name, description"),
    (b"a\tdesc\t1\t\n", "empty gene field"),
    (b"a\tdesc\t1\na\tother\t2\n", "duplicate set name"),
    (b"a\tdesc\t1\t1\n", "duplicate gene"),
    (b"a\tdesc\tTP53\n", "not an NCBI Gene ID"),
    (b"a\tdesc\t0\n", "not an NCBI Gene ID"),
    (b" a\tdesc\t1\n", "whitespace"),
    (b"\tdesc\t1\n", "empty set name"),
    (b"a\tdesc\t\xff\n", "UTF-8"),
])
def test_strict_parser_rejects_broken_files(text, message):
    with pytest.raises(GmtError, match=message):
        parse_gmt(text)


def test_strict_parser_order_and_size_checks():
    assert parse_gmt(b"") == []
    assert parse_gmt(b"b\td\t2\t1\na\td\t1\n")[0].genes == (2, 1)
    with pytest.raises(GmtError, match="ascending"):
        parse_gmt(b"b\td\t2\t1\n", require_sorted=True)
    with pytest.raises(GmtError, match="out of order"):
        parse_gmt(b"b\td\t1\na\td\t1\n", require_sorted=True)
    with pytest.raises(GmtError, match="fewer than 3"):
        parse_gmt(b"a\td\t1\t2\n", min_genes=3)
    assert parse_gmt(b"a\td\tTP53\n", numeric_ids=False)[0].genes == ("TP53",)


def test_corpus_wide_queries_run_under_a_memory_limit_and_spill_to_the_temp_folder(tmp_path, monkeypatch):
    """DuckDB's default limit (80% of RAM) let gene sets grow with the corpus (1.1 GB at 300k figures)."""
    import tempfile

    from pfocr_etl.tableview import DUCKDB_MEMORY_LIMIT, TableSet

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with TableSet({}) as ts:
        limit, spill = ts.con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert DUCKDB_MEMORY_LIMIT == "256MB" and limit == "244.1 MiB"  # DuckDB reports MiB
    assert spill == str(tmp_path)


def test_organism_names_from_the_taxonomy_give_the_same_files(release, tmp_path):
    """The pipeline names the files from the taxonomy, so the gene sets need not wait for the organisms gather."""
    root, t = release
    names = pa.table({"tax_id": pa.array([HUMAN, MOUSE, FISH, MOUSE], pa.int64()),
                      "name_txt": ["Homo sapiens", "Mus musculus", "Danio rerio", "house mouse"],
                      "name_class": ["scientific name", "scientific name", "scientific name", "genbank common name"]})
    pq.write_table(names, tmp_path / "names.parquet")
    from_organisms = write_gmt_sets(t["figure_genes"], t["figures"], t["organisms"], tmp_path / "a",
                                    figure_gene_orthologs_parts=t["figure_gene_orthologs"])
    from_taxonomy = write_gmt_sets(t["figure_genes"], t["figures"], None, tmp_path / "b",
                                   figure_gene_orthologs_parts=t["figure_gene_orthologs"],
                                   taxonomy_names_parts=[tmp_path / "names.parquet"])
    assert [Path(p).name for p in from_taxonomy] == [Path(p).name for p in from_organisms] == ALL_FILES
    for a, b in zip(from_organisms, from_taxonomy):
        assert Path(a).read_bytes() == Path(b).read_bytes()


def test_streamed_files_match_the_sets_in_memory_and_labels_follow_python_whitespace(tmp_path, monkeypatch):
    import pfocr_etl.genesets as genesets

    figures = pa.table({"figid": ["PMC1__a", "PMC2__b", "PMC3__c", "PMC4__d"],
                        "figid_alias": ["PMC1__F1\u2003x", None, "PMC1__a", "PMC4__F\x1c1"],
                        "figtitle": ["t\u00a0one\n", " \t", "three", None]})
    genes = pa.table({"figid": ["PMC1__a"] * 3 + ["PMC2__b"] * 3 + ["PMC3__c"] * 3 + ["PMC4__d"] * 2,
                      "ncbigene_id": pa.array([3, 2, 1] * 3 + [1, 2], pa.int64()),
                      "taxon_id": pa.array([9606] * 11, pa.int64())})
    pq.write_table(figures, tmp_path / "figures.parquet")
    pq.write_table(genes, tmp_path / "figure_genes.parquet")
    tables = {"figure_genes": [tmp_path / "figure_genes.parquet"], "figures": [tmp_path / "figures.parquet"]}
    build = build_gene_sets(tables)
    sets = build.files["pfocr-taxon-9606-confident.gmt"]
    # PMC3's alias is another figure's figid: not used. Whitespace as str.split() sees it.
    assert [(s.name, s.description, s.genes) for s in sets] == [
        ("PMC1__F1 x", "t one", (1, 2, 3)), ("PMC2__b", "PMC2__b", (1, 2, 3)), ("PMC3__c", "three", (1, 2, 3))]
    assert build.dropped["pfocr-taxon-9606-confident.gmt"] == {"too_small": 1, "too_large": 0}
    monkeypatch.setattr(genesets, "FETCH_ROWS", 2)  # several batches per file
    [path] = write_gmt_sets(tables["figure_genes"], tables["figures"], None, tmp_path / "gmt")
    assert Path(path).read_text(encoding="utf-8") == genesets.format_gmt(sets)


def test_genes_without_a_taxon_are_projected_to_human_but_in_no_organism_file(tmp_path):
    """The projection reads the confident genes from the sets table, which keeps genes without a taxon."""
    figures = pa.table({"figid": ["PMC1__a", "PMC2__b"], "figid_alias": [None, None], "figtitle": ["one", "two"]})
    genes = pa.table({"figid": ["PMC1__a"] * 3 + ["PMC2__b"] * 3,
                      "ncbigene_id": pa.array([1, 2, 3, 11, 12, 13], pa.int64()),
                      "taxon_id": pa.array([9606, 9606, 9606, 10090, 10090, None], pa.int64())})
    orthologs = pa.table({"figid": ["PMC2__b"] * 3, "ncbigene_id": pa.array([11, 12, 13], pa.int64()),
                          "human_ncbigene_id": pa.array([21, 22, 23], pa.int64())})
    for name, table in (("figures", figures), ("figure_genes", genes), ("orthologs", orthologs)):
        pq.write_table(table, tmp_path / f"{name}.parquet")
    paths = write_gmt_sets([tmp_path / "figure_genes.parquet"], [tmp_path / "figures.parquet"], None, tmp_path / "gmt",
                           min_genes=2, figure_gene_orthologs_parts=[tmp_path / "orthologs.parquet"])
    files = {Path(p).name: _by_name(parse_gmt(p, min_genes=2)) for p in paths}
    assert files["pfocr-human-projected.gmt"] == {"PMC2__b": {21, 22, 23}}
    assert files["pfocr-taxon-10090-confident.gmt"] == {"PMC2__b": {11, 12}}
    assert files["pfocr-taxon-9606-confident.gmt"] == {"PMC1__a": {1, 2, 3}}
