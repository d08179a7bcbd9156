"""Text folding, the long lexicon and the FamPlex expansion table."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from pfocr_etl.lexicon import (TIER_RANK, build_famplex_members, build_gene_catalog, build_lexicon, case_key, fold_text,
                               term_key)
from pfocr_etl.references import FamPlex, read_famplex, read_gene_info, read_hgnc, read_hgnc_withdrawn
from pfocr_etl.schemas import schema

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
EXAMPLE = REPO / "resources" / "example" / "reference"
FULL_HUMAN = REFERENCE / "ncbi-gene-human-2022" / "Homo_sapiens.gene_info.orgdb-2022-09-12.gz"


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is missing (shared reference fixtures sit beside the repository)")
    return path


@pytest.fixture(scope="module")
def example():
    genes = pd.concat([read_gene_info(EXAMPLE / "ncbi-gene" / name) for name in
                       ("Homo_sapiens.gene_info", "Mus_musculus.gene_info", "Danio_rerio.gene_info")],
                      ignore_index=True)
    hgnc = read_hgnc(EXAMPLE / "hgnc" / "hgnc_complete_set.txt")
    withdrawn = read_hgnc_withdrawn(EXAMPLE / "hgnc" / "withdrawn.txt")
    famplex = read_famplex(EXAMPLE / "famplex")
    return genes, hgnc, withdrawn, famplex, build_lexicon(genes, hgnc, withdrawn, famplex).to_pandas()


@pytest.fixture(scope="module")
def full_human():
    genes = read_gene_info(shared(FULL_HUMAN))
    famplex = read_famplex(shared(REFERENCE / "famplex"))
    return genes, famplex


def rows(lexicon: pd.DataFrame, key: str) -> pd.DataFrame:
    return lexicon[lexicon["term_key"] == key]


# --- folding ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "letter", "name"), [
    ("ΜΑΡΚ", "MAPK", "MAPK"),                 # Greek capitals that look Latin
    ("NF-κB", "NF-KB", "NF-kappaB"),
    ("IL-1β", "IL-1B", "IL-1beta"),
    ("Il-1β", "Il-1b", "Il-1beta"),            # case follows the preceding Latin letter
    ("TGF–β", "TGF-B", "TGF-beta"),            # en dash folded too
    ("ΡΚCθ", "PKCQ", "PKCtheta"),
    ("ＳＴＡＴ３", "STAT3", "STAT3"),            # full-width (NFKC)
])
def test_fold_text(raw, letter, name):
    assert fold_text(raw) == letter
    assert fold_text(raw, greek="name") == name


def test_keys_remove_inner_separators_and_keep_case_separately():
    assert case_key("NF-kB") == "NFkB" and term_key("NF-kB") == "NFKB"
    assert term_key("ANT 2") == "ANT2" and term_key("IL-1β") == "IL1B"
    assert term_key("p49/p100") == "P49P100" and case_key("Nkx2.5") == "Nkx25"


# --- lexicon ---------------------------------------------------------------------------------

def test_lexicon_schema_tiers_and_order(example):
    _, _, _, _, lexicon = example
    assert list(lexicon.columns) == schema("lexicon").names
    # hgnc_symbol/authority_symbol rows equal to the NCBI symbol collapse into official_symbol
    assert set(lexicon["tier"]) == set(TIER_RANK) - {"hgnc_symbol", "authority_symbol"}
    order = ["term_key", "taxon_id", "tier_rank", "ncbigene_id", "famplex_id", "term"]
    assert lexicon.equals(lexicon.sort_values(order, na_position="last", kind="stable").reset_index(drop=True))
    assert (lexicon["tier_rank"] == lexicon["tier"].map(TIER_RANK)).all()


def test_lexicon_is_deterministic(example):
    genes, hgnc, withdrawn, famplex, lexicon = example
    shuffled = genes.sample(frac=1, random_state=7).reset_index(drop=True)
    again = build_lexicon(shuffled, hgnc, withdrawn, famplex).to_pandas()
    pd.testing.assert_frame_equal(again, lexicon)


def test_official_symbols_per_taxon_and_case_keys(example):
    lexicon = example[4]
    stat3 = rows(lexicon, "STAT3")
    official = stat3[stat3["tier"] == "official_symbol"]
    assert dict(zip(official["taxon_id"], official["term_case_key"])) == {9606: "STAT3", 10090: "Stat3", 7955: "stat3"}
    assert dict(zip(official["taxon_id"], official["ncbigene_id"])) == {9606: 6774, 10090: 20848, 7955: 30767}


def test_authority_symbol_tier_when_it_differs(example):
    genes = example[0]
    cox1 = genes.iloc[:1].assign(ncbigene_id=4512, symbol="COX1", synonyms="COI|MTCO1", authority_symbol="MT-CO1")
    lexicon = build_lexicon(cox1).to_pandas().set_index("term")
    assert lexicon.loc["MT-CO1", "tier"] == "authority_symbol" and lexicon.loc["MT-CO1", "symbol"] == "COX1"
    assert lexicon.loc["COX1", "tier"] == "official_symbol"


def test_hgnc_tiers_previous_withdrawn_and_grounding(example):
    lexicon = example[4]
    figf = rows(lexicon, "FIGF").set_index(["taxon_id", "tier"])
    assert figf.loc[(9606, "hgnc_prev_symbol"), "ncbigene_id"] == 2277   # renamed to VEGFD
    assert figf.loc[(9606, "hgnc_prev_symbol"), "symbol"] == "VEGFD"
    aih2 = rows(lexicon, "AIH2").iloc[0]
    assert (aih2["tier"], aih2["ncbigene_id"], aih2["symbol"]) == ("hgnc_withdrawn", 10117, "ENAM")
    vegf_a = rows(lexicon, "VEGFA")
    grounding = vegf_a[vegf_a["tier"] == "famplex_grounding"].iloc[0]  # 'VEGF-A' -> UP:P15692 -> HGNC -> 7422
    assert grounding["ncbigene_id"] == 7422 and grounding["term"] == "VEGF-A"


def test_famplex_entity_terms_have_no_gene(example):
    lexicon = example[4]
    vegf = rows(lexicon, "VEGF")
    family = vegf[vegf["tier"] == "famplex_entity"]
    assert set(family["famplex_id"]) == {"FPLX:VEGF"} and family["ncbigene_id"].isna().all()
    assert family["taxon_id"].isna().all() and set(family["symbol"]) == {"VEGF"}
    nfkb_texts = set(lexicon.loc[lexicon["famplex_id"] == "FPLX:NFkappaB", "term"])
    assert {"NFkappaB", "NF-kB", "NF-κB", "Nfkb Complex", "Nfkb"} <= nfkb_texts


def test_ambiguous_aliases_counted_per_tier(full_human):
    genes, famplex = full_human
    lexicon = build_lexicon(genes, famplex=famplex).to_pandas()
    p150 = rows(lexicon, "P150")
    assert set(zip(p150["term"], p150["symbol"])) == {
        ("p150", "ABL1"), ("p150", "CTR9"), ("p150", "RAB3GAP2"), ("p150", "PIK3R4"), ("P150", "ANPEP"),
        ("P150", "CHAF1A")}
    assert set(p150["n_genes_in_tier"]) == {6}
    pdp1 = rows(lexicon, "PDP1").set_index("tier")
    assert pdp1.loc["official_symbol", "ncbigene_id"] == 54704 and pdp1.loc["ncbi_synonym", "ncbigene_id"] == 403313


# --- FamPlex expansion -------------------------------------------------------------------------

def members_of(table, famplex_id: str) -> pd.DataFrame:
    frame = table.to_pandas()
    return frame[frame["famplex_id"] == famplex_id]


def test_vegf_family_has_five_members(full_human):
    genes, famplex = full_human
    members = build_famplex_members(famplex, genes)
    vegf = members_of(members, "FPLX:VEGF")
    assert set(zip(vegf["member_symbol"], vegf["member_ncbigene_id"])) == {
        ("VEGFA", 7422), ("VEGFB", 7423), ("VEGFC", 7424), ("VEGFD", 2277), ("PGF", 5228)}
    assert set(vegf["membership"]) == {"isa"} and set(vegf["depth"]) == {1}


def test_complexes_and_nested_families_are_followed(full_human):
    genes, famplex = full_human
    members = build_famplex_members(famplex, genes)
    nfkb = members_of(members, "FPLX:NFkappaB")
    assert set(nfkb["member_symbol"]) == {"NFKB1", "NFKB2", "REL", "RELA", "RELB"}
    assert set(nfkb["membership"]) == {"partof"} and set(nfkb["depth"]) == {2}
    stat = members_of(members, "FPLX:STAT").set_index("member_symbol")
    assert stat.loc["STAT5A", "depth"] == 2 and stat.loc["STAT3", "depth"] == 1
    assert set(stat["membership"]) == {"isa"}


def test_renamed_member_resolves_through_hgnc_id(example):
    """A FamPlex row still naming FIGF reaches VEGFD through hgnc_symbol_map -> HGNC:3708."""
    genes, hgnc, _, famplex, _ = example
    old = FamPlex(
        relations=pd.DataFrame({"ns1": ["HGNC"], "id1": ["FIGF"], "rel": ["isa"], "ns2": ["FPLX"], "id2": ["VEGF"]}),
        entities=pd.DataFrame({"famplex_id": ["VEGF"]}),
        equivalences=famplex.equivalences.iloc[:0],
        grounding_map=famplex.grounding_map.iloc[:0],
        hgnc_symbol_map=pd.DataFrame({"symbol": ["FIGF"], "hgnc_id": ["HGNC:3708"]}),
    )
    member = build_famplex_members(old, genes, hgnc).to_pylist()[0]
    assert (member["member_ref"], member["member_ncbigene_id"], member["member_symbol"]) == ("HGNC:FIGF", 2277, "VEGFD")
    symbols_only = dataclasses.replace(old, hgnc_symbol_map=old.hgnc_symbol_map.iloc[:0])
    lost = build_famplex_members(symbols_only, genes, hgnc).to_pylist()[0]
    assert lost["member_ncbigene_id"] is None  # matching FamPlex symbols to NCBI symbols loses the renamed gene


def test_gene_catalog(example):
    genes, hgnc = example[0], example[1]
    catalog = build_gene_catalog(genes, hgnc).to_pandas().set_index("ncbigene_id")
    assert catalog.loc[6774, "hgnc_id"] == "HGNC:11364" and catalog.loc[20848, "symbol"] == "Stat3"
    assert pd.isna(catalog.loc[20848, "hgnc_id"]) and catalog.loc[30767, "taxon_id"] == 7955
