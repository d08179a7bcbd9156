"""Unit tests of pfocr_etl.taxonomy: dump reading (both nodes layouts), name resolution, lineage.

Uses the real Mammalia subset in ../shared/reference/ncbi-taxonomy (read in place,
skipped when absent) and the bundled example subset for non-mammals.
"""

from __future__ import annotations

import gzip
import math
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pfocr_etl.schemas import schema
from pfocr_etl.taxonomy import (Taxonomy, TaxonResolver, build_taxonomy_tables, nodes_layout, read_nodes,
                                strip_author)

REPO = Path(__file__).resolve().parents[1]
SHARED_TAXONOMY = REPO.parent / "shared" / "reference" / "ncbi-taxonomy"
EXAMPLE_TAXONOMY = REPO / "resources" / "example" / "reference" / "taxonomy"
SEP = "\t|\t"


def shared_taxonomy() -> Path:
    if not (SHARED_TAXONOMY / "names.dmp").exists():
        pytest.skip(f"{SHARED_TAXONOMY} is not present (the shared test data sits beside the repository)")
    return SHARED_TAXONOMY


@pytest.fixture(scope="module")
def mammal_tables():
    return build_taxonomy_tables(shared_taxonomy())


@pytest.fixture(scope="module")
def mammals(mammal_tables) -> TaxonResolver:
    return TaxonResolver.from_tables(mammal_tables)


@pytest.fixture(scope="module")
def example() -> TaxonResolver:
    return TaxonResolver.from_taxdump(EXAMPLE_TAXONOMY)


def dmp_line(*fields: object) -> str:
    return SEP.join(str(f) for f in fields) + "\t|\n"


def copy_dump(target: Path, *names: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(shared_taxonomy() / name, target / name)
    return target


# --- reading ------------------------------------------------------------------------

def test_shared_names_dmp_reads_despite_its_run_of_nul_bytes(mammal_tables):
    names = mammal_tables["taxonomy_names"]
    nodes = mammal_tables["taxonomy_nodes"]
    assert names.num_rows == 24848 and nodes.num_rows == 12099
    scientific = set(names.filter(names.column("name_class").to_numpy(zero_copy_only=False) == "scientific name")
                     .column("tax_id").to_pylist())
    assert set(nodes.column("tax_id").to_pylist()) <= scientific
    assert not any("\x00" in n for n in names.column("name_txt").to_pylist())


def test_tables_match_their_declared_schemas(mammal_tables):
    for name, table in mammal_tables.items():
        assert table.cast(schema(name)).schema == schema(name), name


def test_name_keys_and_unique_names(mammal_tables):
    names = mammal_tables["taxonomy_names"].to_pandas()
    mouse = names[(names.tax_id == 10090) & (names.name_txt == "mouse")].iloc[0]
    assert mouse.unique_name == "mouse <Mus musculus>" and mouse.name_key == "mouse"
    assert names[(names.tax_id == 9606) & (names.name_class == "scientific name")].name_key.tolist() == ["homo sapiens"]
    assert names.unique_name.isna().sum() > 20000  # empty unique_name is null, not ''


def test_legacy_and_new_taxdump_nodes_layouts_give_the_same_tree(tmp_path, mammals):
    legacy = shared_taxonomy() / "nodes.dmp"
    new_dir = copy_dump(tmp_path / "new", "names.dmp")
    renamed = {2759: "domain", 131567: "cellular root"}
    with legacy.open(encoding="utf-8") as src, (new_dir / "nodes.dmp").open("w", encoding="utf-8") as out:
        for line in src:
            fields = line.rstrip("\n")[: -len("\t|")].split(SEP)
            assert len(fields) == 13
            if int(fields[0]) in renamed:
                fields[2] = renamed[int(fields[0])]
            out.write(dmp_line(*fields, "0", "1", "", "0", "1"))  # 5 new_taxdump columns
        out.write(dmp_line(10239, 1, "acellular root", "", 9, 0, 1, 0, 0, 0, 0, 0, "", "0", "1", "", "0", "1"))
        out.write(dmp_line(2559587, 10239, "realm", "", 9, 1, 1, 1, 0, 1, 0, 0, "", "0", "1", "", "0", "1"))
    with (new_dir / "names.dmp").open("a", encoding="utf-8") as out:
        out.write(dmp_line(10239, "Viruses", "", "scientific name"))
        out.write(dmp_line(2559587, "Riboviria", "", "scientific name"))

    assert nodes_layout(legacy) == "legacy"
    assert nodes_layout(new_dir / "nodes.dmp") == "new_taxdump"
    new_nodes = read_nodes(new_dir / "nodes.dmp").to_pandas().set_index("tax_id")
    old_nodes = read_nodes(legacy).to_pandas().set_index("tax_id")
    assert (new_nodes.loc[old_nodes.index, "parent_tax_id"] == old_nodes.parent_tax_id).all()

    resolver = TaxonResolver.from_taxdump(new_dir)
    taxonomy = resolver.taxonomy
    assert taxonomy.rank(10239) == "acellular root" and taxonomy.rank(2559587) == "realm"
    assert (2759, "domain", "Eukaryota") in taxonomy.lineage(9606)
    assert taxonomy.lineage(9606)[1] == (131567, "cellular root", "cellular organisms")
    assert taxonomy.group(9606) == "primates" and taxonomy.group(2559587) == "viruses"
    assert resolver.resolve("mouse").taxon_id == 10090


def test_gzipped_dump_files_read_like_plain_ones(tmp_path, mammal_tables):
    for name in ("names.dmp", "nodes.dmp"):
        with (shared_taxonomy() / name).open("rb") as src, gzip.open(tmp_path / f"{name}.gz", "wb") as out:
            shutil.copyfileobj(src, out)
    tables = build_taxonomy_tables(tmp_path)
    assert tables["taxonomy_names"].equals(mammal_tables["taxonomy_names"])
    assert tables["taxonomy_nodes"].equals(mammal_tables["taxonomy_nodes"])


def test_ragged_dump_file_is_an_error_naming_the_file(tmp_path):
    bad = tmp_path / "nodes.dmp"
    bad.write_text(dmp_line(1, 1, "no rank", *[""] * 10) + dmp_line(2, 1, "superkingdom"), encoding="utf-8")
    with pytest.raises(ValueError, match="nodes.dmp"):
        read_nodes(bad)


def test_parquet_round_trip_resolves_the_same(tmp_path, mammal_tables):
    paths = {}
    for name, table in mammal_tables.items():
        paths[name] = tmp_path / f"{name}.parquet"
        pq.write_table(table.cast(schema(name)), paths[name])
    resolver = TaxonResolver.from_parquet(paths["taxonomy_names"], paths["taxonomy_nodes"],
                                          paths["taxonomy_merged"], paths["taxonomy_deleted"])
    assert resolver.resolve("human").taxon_id == 9606


# --- name resolution -----------------------------------------------------------------

def test_human_resolves_through_its_genbank_common_name(mammals):
    result = mammals.resolve("human")
    assert (result.status, result.taxon_id, result.matched_class) == ("resolved", 9606, "genbank common name")


def test_mouse_is_the_species_not_the_genus(mammals):
    result = mammals.resolve("mouse")
    assert result.status == "resolved" and result.taxon_id == 10090
    assert result.candidates == (10088, 10090) and "homonym_rank" in result.flags


def test_rat_is_the_species_not_the_genus(mammals):
    assert mammals.resolve("rat").taxon_id == 10116


def test_unique_name_picks_the_homonym_it_names(mammals):
    assert mammals.resolve("mouse <Mus>").taxon_id == 10088
    assert mammals.resolve("mouse <Mus musculus>").taxon_id == 10090
    assert "unique_name" in mammals.resolve("mouse <Mus>").flags


@pytest.mark.parametrize("name, taxon", [
    ("Homo sapiens Linnaeus, 1758", 9606),
    ("Mus musculus (Linnaeus, 1758)", 10090),
    ("Mus musculus Linnaeus 1758", 10090),
])
def test_trailing_author_strings_are_stripped(mammals, name, taxon):
    result = mammals.resolve(name)
    assert (result.status, result.taxon_id, result.matched_class) == ("resolved", taxon, "scientific name")
    assert "author_stripped" in result.flags


@pytest.mark.parametrize("name, expected", [
    ("Homo sapiens Linnaeus, 1758", "Homo sapiens"),
    ("Rattus norvegicus (Berkenhout, 1769)", "Rattus norvegicus"),
    ("Escherichia coli (Migula 1895) Castellani and Chalmers 1919", "Escherichia coli"),
    ("Escherichia coli str. K-12 substr. MG1655", None),
    ("Severe acute respiratory syndrome coronavirus 2", None),
    ("Homo sapiens", None),
])
def test_strip_author(name, expected):
    assert strip_author(name) == expected


@pytest.mark.parametrize("value", ["NA", ".na.character", "", "   ", None, math.nan, "NaN", "-"])
def test_null_sentinels_are_missing(mammals, value):
    result = mammals.resolve(value)
    assert result.status == "missing" and result.taxon_id is None


def test_matching_ignores_case_spacing_and_quotes(mammals):
    assert mammals.resolve("  HOMO   sapiens ").taxon_id == 9606
    assert mammals.resolve("'Mus musculus'").taxon_id == 10090


def test_other_name_classes_only_as_flagged_fallbacks(mammals, example):
    nude = mammals.resolve("nude mice")
    assert (nude.taxon_id, nude.matched_class) == (10090, "includes") and "fallback_class" in nude.flags
    misspelt = example.resolve("Saccaromyces cerevisiae")
    assert (misspelt.taxon_id, misspelt.matched_class) == (4932, "misspelling")
    assert "fallback_class" in misspelt.flags
    assert "fallback_class" not in mammals.resolve("Homo sapiens").flags


def test_same_rank_homonym_stays_unresolved_with_all_candidates(mammals):
    result = mammals.resolve("camel")
    assert result.status == "unresolved" and result.taxon_id is None
    assert result.candidates == (9837, 9838) and "homonym" in result.flags


def test_homonym_settled_by_the_figures_other_organisms(mammals):
    result = mammals.resolve("camel", context=[9838])
    assert result.status == "resolved" and result.taxon_id == 9838 and "homonym_context" in result.flags
    assert mammals.resolve("camel").status == "unresolved"  # the context-free answer is not overwritten


def test_unknown_name_is_unresolved_without_candidates(mammals):
    result = mammals.resolve("Inula helenium")
    assert (result.status, result.candidates, result.flags) == ("unresolved", (), ("not_found",))


def test_resolve_many_matches_resolve(mammals):
    names = ["human", "mouse", "NA", "camel", "Homo sapiens Linnaeus, 1758"]
    batch = mammals.resolve_many(names)
    assert set(batch) == {"human", "mouse", "camel", "Homo sapiens Linnaeus, 1758"}  # sentinels skipped
    assert all(batch[n] == mammals.resolve(n) for n in batch)


# --- identifiers: merged and deleted ------------------------------------------------------

def test_merged_ids_are_followed_and_deleted_ids_flagged(tmp_path):
    dump = copy_dump(tmp_path, "names.dmp", "nodes.dmp")
    # Test-only IDs (not real NCBI records): 990001 was merged into 990002, which was merged into mouse.
    (dump / "merged.dmp").write_text(dmp_line(990001, 990002) + dmp_line(990002, 10090), encoding="utf-8")
    (dump / "delnodes.dmp").write_text("990003\t|\n", encoding="utf-8")
    resolver = TaxonResolver.from_taxdump(dump)
    merged = resolver.resolve_id(990001)
    assert (merged.status, merged.taxon_id, merged.flags) == ("resolved", 10090, ("merged_id",))
    deleted = resolver.resolve_id(990003)
    assert (deleted.status, deleted.taxon_id, deleted.candidates, deleted.flags) == \
        ("unresolved", None, (990003,), ("deleted_id",))
    unknown = resolver.resolve_id(7227)  # the fly is not in the Mammalia subset
    assert (unknown.status, unknown.flags) == ("unresolved", ("unknown_id",))
    assert resolver.resolve_id(9606).flags == () and resolver.resolve_id(None).status == "missing"


def test_missing_merged_and_delnodes_files_are_fine(mammal_tables):
    assert mammal_tables["taxonomy_merged"].num_rows == 0
    assert mammal_tables["taxonomy_deleted"].num_rows == 0


# --- lineage and groups -------------------------------------------------------------------

def test_lineage_runs_from_the_root_to_the_taxon(mammals):
    lineage = mammals.taxonomy.lineage(9606)
    assert lineage[0] == (1, "no rank", "root")
    assert lineage[-1] == (9606, "species", "Homo sapiens")
    assert (9443, "order", "Primates") in lineage
    assert mammals.taxonomy.lineage_text(9606).startswith("root; cellular organisms; Eukaryota; ")
    assert mammals.taxonomy.lineage(123456789) == [] and mammals.taxonomy.lineage_text(123456789) is None


def test_readable_groups_come_from_curated_clade_ids(mammals, example):
    assert [mammals.taxonomy.group(t) for t in (9606, 10090, 10116, 9986)] == \
        ["primates", "rodents", "rodents", "mammals"]
    groups = {t: example.taxonomy.group(t) for t in (7955, 7227, 6239, 4932, 559292, 3702, 511145, 2697049)}
    assert groups == {7955: "bony fishes", 7227: "insects", 6239: "nematodes", 4932: "fungi", 559292: "fungi",
                      3702: "flowering plants", 511145: "bacteria", 2697049: "viruses"}
    assert mammals.taxonomy.group(1) == "other" and mammals.taxonomy.group(123456789) == "unknown"


def test_related_pairs_cover_ancestors_both_ways(mammals):
    pairs = set(map(tuple, mammals.taxonomy.related_pairs([10090, 10088, 9606]).to_numpy().tolist()))
    assert {(10090, 10090), (10090, 10088), (10088, 10090)} <= pairs
    assert (10090, 9606) not in pairs


# --- the bundled example subset -------------------------------------------------------------

def test_example_subset_is_small_consistent_and_covers_the_model_organisms(example):
    for name in ("names.dmp", "nodes.dmp"):
        assert sum(1 for _ in (EXAMPLE_TAXONOMY / name).open(encoding="utf-8")) < 400
    taxonomy: Taxonomy = example.taxonomy
    for taxon in (9606, 10090, 10088, 10116, 7955, 7227, 6239, 4932, 559292, 3702):
        assert taxonomy.lineage(taxon)[0][0] == 1, taxon  # every lineage reaches the root
    assert example.resolve("zebrafish").taxon_id == 7955
    assert example.resolve("Drosophila melanogaster").taxon_id == 7227
    assert example.resolve("nematode").taxon_id == 6239  # species preferred over the phylum
    assert example.resolve("Arabidopsis thaliana").taxon_id == 3702
    assert example.resolve("mouse").taxon_id == 10090
    assert example.resolve_id(45250).taxon_id == 3701  # real merged.dmp row (Arabidopsis)
