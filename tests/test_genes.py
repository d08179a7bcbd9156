"""The gene mapper: normalisation, tiers, organisms, ambiguity, families, stop list, history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

from pfocr_etl.genes import (DEFAULT_STOPLIST, gene_mention_counts, load_stoplist, map_figure_genes, ocr_variants,
                             part_forms, word_parts)
from pfocr_etl.partials import build_genes_table, combine_gene_mention_counts
from pfocr_etl.lexicon import build_famplex_members, build_gene_catalog, build_lexicon
from pfocr_etl.references import (read_famplex, read_gene_history, read_gene_info, read_hgnc, read_hgnc_withdrawn,
                                  resolve_gene_history)
from pfocr_etl.schemas import schema

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference"
SEEDS = SHARED / "seeds"
EXAMPLE = REPO / "resources" / "example" / "reference"
HUMAN, MOUSE, ZEBRAFISH = 9606, 10090, 7955
SPECIES = {"Homo sapiens": HUMAN, "Mus musculus": MOUSE, "Danio rerio": ZEBRAFISH}


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is missing (shared test data sits beside the repository)")
    return path


@dataclass
class Reference:
    lexicon: pa.Table
    members: pa.Table | None
    history: pd.DataFrame | None
    catalog: pa.Table
    organisms: list[int]


@pytest.fixture(scope="module")
def human() -> Reference:
    """Full-size human gene_info stand-in, real FamPlex, HGNC JSON excerpt, gene_history excerpt."""
    genes = read_gene_info(shared(REFERENCE / "ncbi-gene-human-2022" / "Homo_sapiens.gene_info.orgdb-2022-09-12.gz"))
    famplex = read_famplex(shared(REFERENCE / "famplex"))
    hgnc = read_hgnc(shared(REFERENCE / "hgnc" / "hgnc_20260424.json"))
    history = resolve_gene_history(read_gene_history(shared(REFERENCE / "ncbi-gene" / "ncbi_history_20260421.tsv")))
    return Reference(build_lexicon(genes, hgnc, famplex=famplex), build_famplex_members(famplex, genes, hgnc),
                     history, build_gene_catalog(genes, hgnc), [HUMAN])


@pytest.fixture(scope="module")
def example() -> Reference:
    """The bundled human/mouse/zebrafish example reference."""
    genes = pd.concat([read_gene_info(EXAMPLE / "ncbi-gene" / name) for name in
                       ("Homo_sapiens.gene_info", "Mus_musculus.gene_info", "Danio_rerio.gene_info")],
                      ignore_index=True)
    hgnc = read_hgnc(EXAMPLE / "hgnc" / "hgnc_complete_set.txt")
    famplex = read_famplex(EXAMPLE / "famplex")
    lexicon = build_lexicon(genes, hgnc, read_hgnc_withdrawn(EXAMPLE / "hgnc" / "withdrawn.txt"), famplex)
    return Reference(lexicon, build_famplex_members(famplex, genes, hgnc),
                     read_gene_history(EXAMPLE / "ncbi-gene" / "gene_history"), build_gene_catalog(genes, hgnc),
                     [HUMAN, MOUSE, ZEBRAFISH])


def mention(figid: str, word: str, evidence: str = "genes_tsv", **recorded) -> dict:
    return {"figid": figid, "word": word, "lexicon_term": recorded.get("lexicon_term"),
            "lexicon_source": recorded.get("lexicon_source"), "ncbigene_id": recorded.get("ncbigene_id"),
            "symbol": recorded.get("symbol"), "taxon_id": recorded.get("taxon_id"), "evidence": evidence,
            "source_path": f"_data/{figid}-genes.tsv" if evidence == "genes_tsv" else f"_figures/{figid}.md",
            "source_line": recorded.get("source_line"), "n_source_rows": recorded.get("n_source_rows", 1)}


def run(reference: Reference, rows: list[dict], context: dict | None = None, organisms=None, **options):
    raw = pa.Table.from_pylist(rows, schema=schema("figure_genes_raw"))
    return map_figure_genes(raw, reference.lexicon, organisms=organisms or reference.organisms,
                            context_taxa=context, gene_history=reference.history,
                            famplex_members=reference.members, **options)


def mapped(reference: Reference, words: list[str], context=(HUMAN,), **options) -> pd.DataFrame:
    result = run(reference, [mention("F1", w, source_line=i + 2) for i, w in enumerate(words)],
                 {"F1": list(context)}, **options)
    return result.figure_genes.to_pandas()


def of(frame: pd.DataFrame, word: str) -> pd.DataFrame:
    return frame[(frame["word"] == word) & (frame["match_tier"] != "pfocr_recorded")]


def ids(frame: pd.DataFrame) -> set[int]:
    return set(frame["ncbigene_id"].dropna().astype(int))


# --- seeds ---------------------------------------------------------------------------------------

def seed(prefix: str) -> tuple[list[dict], dict]:
    """Raw rows and context taxa of a seed record, as the parser will build them."""
    path = next(shared(SEEDS).glob(f"{prefix}_*.txt"))
    record = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    figid = record["figid"]
    if record.get("genes"):
        items = Counter((g["word"], g["symbol"], g["source"], int(g["entrez"]), g["hgnc_symbol"])
                        for g in record["genes"])
        rows = [mention(figid, word, "inline_list", lexicon_term=term, lexicon_source=source, ncbigene_id=entrez,
                        symbol=symbol, n_source_rows=n) for (word, term, source, entrez, symbol), n in items.items()]
    else:
        keywords = Counter(record["schema-jsonld"]["keywords"])
        rows = [mention(figid, word, "keywords", n_source_rows=n) for word, n in keywords.items()]
    named = [record.get("organisms") or [], record.get("organisms_ner") or []]
    named = [[names] if isinstance(names, str) else names for names in named]
    taxa = sorted({SPECIES[name] for names in named for name in names if name in SPECIES})
    return rows, {figid: taxa}


# --- normalisation (no reference needed) ----------------------------------------------------------

@pytest.mark.parametrize(("word", "whole", "parts"), [
    ("(VEGF)", ["VEGF"], []),
    ("PLC,", ["PLC"], []),
    ("↑Atf6", ["Atf6"], []),
    ("MSTN↓↓", ["MSTN"], []),
    ("IFNY!", ["IFNY"], []),
    ("IL-2->>", ["IL-2"], []),
    ("LRP5/6", ["LRP5/6"], ["LRP5", "LRP6"]),
    ("TarS/M/P", ["TarS/M/P"], ["TarS", "TarM", "TarP"]),
    ("MMP-2/-9", ["MMP-2/-9"], ["MMP-2", "MMP-9"]),
    ("OCN,LCN2,SOST,DKK1,", ["OCN,LCN2,SOST,DKK1"], ["OCN", "LCN2", "SOST", "DKK1"]),
    ("|TH|T", ["TH|T"], ["TH", "T"]),
    ("TRAF4/6Ub)Rho", ["TRAF4/6Ub)Rho"], ["TRAF4", "6Ub", "Rho"]),
])
def test_word_parts(word, whole, parts):
    assert word_parts(word) == (whole, parts)


def test_keywords_are_not_split_at_spaces():
    assert word_parts("Breast cancer", split=False) == (["Breast cancer"], [])
    assert word_parts("Breast cancer") == (["Breast cancer"], ["Breast", "cancer"])


def test_part_forms_greek_phospho_and_ocr():
    assert {key.upper() for _, key, _ in part_forms("NF-κB")} == {"NFKB", "NFKAPPAB"}
    assert [(key, level) for _, key, level in part_forms("p-Smad3")] == [("pSmad3", 0), ("Smad3", 1)]
    assert [(key, level) for _, key, level in part_forms("MMPs")] == [("MMPs", 0), ("MMP", 1)]
    assert part_forms("T") == ()
    assert "IL1" in ocr_variants("ILL") and "C1S" in ocr_variants("CLS") and "EIF2A" in ocr_variants("ELF2A")
    assert "IFNG" in ocr_variants("IFNY") and "C3" in ocr_variants("CIII")
    assert ocr_variants("STAT3") == []


def test_stoplist_file_is_documented_data():
    stoplist = load_stoplist(DEFAULT_STOPLIST)
    assert list(stoplist.columns[:2]) == ["term", "reason"] and stoplist["reason"].str.len().gt(0).all()
    assert {"ATP", "LPS", "ROS", "CO2", "HR", "CAMP", "MICE"} <= set(stoplist["term_key"])
    assert stoplist["term_key"].is_unique


# --- acceptance: ambiguity, official symbols, history --------------------------------------------

def test_p150_and_P150_are_distinct_flagged_candidate_sets():
    genes = read_gene_info(shared(REFERENCE / "ncbi-gene" / "ncbi_info_20260421.tsv"))
    hgnc = read_hgnc(shared(REFERENCE / "hgnc" / "hgnc_20260424.json"))
    for with_hgnc, lower, upper in ((False, {25, 9646, 25782, 30849}, {290, 10036}),
                                    # HGNC lists p150 for ANPEP too; both sources are one alias class
                                    (True, {25, 290, 9646, 25782, 30849}, {290, 10036})):
        reference = Reference(build_lexicon(genes, hgnc if with_hgnc else None), None, None,
                              build_gene_catalog(genes), [HUMAN])
        out = mapped(reference, ["p150", "P150"])
        for word, expected in (("p150", lower), ("P150", upper)):
            rows = of(out, word)
            assert ids(rows) == expected
            assert rows["ambiguous"].all() and not rows["confident"].any()
            assert set(rows["n_candidates"]) == {len(expected)} and rows["case_exact"].all()
        assert ids(of(out, "p150")) != ids(of(out, "P150"))


def test_pdp1_resolves_only_to_its_official_symbol(human):
    rows = of(mapped(human, ["PDP1"]), "PDP1")
    assert ids(rows) == {54704}
    assert rows.iloc[0]["match_tier"] == "official_symbol" and bool(rows.iloc[0]["confident"])


def test_official_symbol_wins_over_aliases_of_other_genes(human):
    out = mapped(human, ["PIM1", "OSM", "gp130"])
    assert ids(of(out, "PIM1")) == {5292}       # not LONP1
    assert ids(of(out, "OSM")) == {5008}        # not CCM2
    gp130 = of(out, "gp130")                     # a real alias clash stays ambiguous
    assert {3572, 10128} <= ids(gp130) and gp130["ambiguous"].all() and not gp130["case_exact"].any()


def test_recorded_ids_follow_gene_history(human):
    chain = pd.concat([human.history, pd.DataFrame({
        "taxon_id": [HUMAN, HUMAN], "discontinued_ncbigene_id": [900000001, 900000002],
        "discontinued_symbol": ["OLD1", "OLD2"], "current_ncbigene_id": pd.array([900000002, 4625], dtype="Int64"),
        "chain_length": [1, 1], "status": ["replaced", "replaced"]})], ignore_index=True)
    reference = Reference(human.lexicon, human.members, resolve_gene_history(pd.DataFrame({
        "taxon_id": chain["taxon_id"], "ncbigene_id": chain["current_ncbigene_id"],
        "discontinued_ncbigene_id": chain["discontinued_ncbigene_id"],
        "discontinued_symbol": chain["discontinued_symbol"], "discontinue_date": "20240101"})),
        human.catalog, [HUMAN])
    rows = [mention("F1", word, "inline_list", ncbigene_id=gene_id, symbol=symbol, lexicon_source="hgnc_symbol")
            for word, gene_id, symbol in (("CMH1", 1226, "CMH1"), ("OLD1", 900000001, "OLD1"),
                                          ("AASTH23", 544580, "AASTH23"), ("HOTS", 103344718, "HOTS"),
                                          ("Stat3", 20848, "Stat3"))]
    result = run(reference, rows, {"F1": [HUMAN]})
    recorded = result.figure_genes.to_pandas()
    recorded = recorded[recorded["match_tier"] == "pfocr_recorded"].set_index("input_ncbigene_id")
    assert (recorded.loc[1226, "ncbigene_id"], recorded.loc[1226, "id_status"], recorded.loc[1226, "symbol"]) == \
        (4625, "replaced", "MYH7")
    assert (recorded.loc[900000001, "ncbigene_id"], recorded.loc[900000001, "id_status"]) == (4625, "replaced")
    for withdrawn in (544580, 103344718):
        assert pd.isna(recorded.loc[withdrawn, "ncbigene_id"])
        assert recorded.loc[withdrawn, "id_status"] == "discontinued"
    assert recorded.loc[20848, "id_status"] == "unknown"  # a mouse ID with only human references loaded
    assert not recorded["confident"].any()
    counts = result.metrics["recorded_ids"]
    assert (counts["replaced"], counts["discontinued"], counts["unknown"]) == (2, 2, 1)
    assert (counts["distinct_before"], counts["distinct_after"]) == (5, 2)


# --- families ---------------------------------------------------------------------------------------

def test_vegf_is_kept_as_a_family_with_five_members(human):
    result = run(human, [mention("F1", "(VEGF)")], {"F1": [HUMAN]})
    rows = result.figure_genes.to_pandas()
    recorded = rows[rows["match_tier"] == "pfocr_recorded"]  # the TSV row itself, which had no ID
    assert len(recorded) == 1 and recorded["ncbigene_id"].isna().all()
    assert recorded["pfocr_agreement"].isna().all()
    rows = rows[rows["match_tier"] != "pfocr_recorded"]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["famplex_id"], row["match_tier"], row["normalized_word"]) == ("FPLX:VEGF", "famplex_entity", "VEGF")
    assert pd.isna(row["ncbigene_id"]) and not row["confident"]
    families = result.figure_gene_families.to_pandas()
    assert set(zip(families["symbol"], families["ncbigene_id"])) == {
        ("VEGFA", 7422), ("VEGFB", 7423), ("VEGFC", 7424), ("VEGFD", 2277), ("PGF", 5228)}


def test_seed_002_nfkb_is_a_family_entity(human):
    rows, context = seed("002")
    result = run(human, rows, context)
    out = result.figure_genes.to_pandas()
    ours = of(out, "NFKB")
    assert list(ours["famplex_id"]) == ["FPLX:NFkappaB"] and ours["ncbigene_id"].isna().all()
    assert ours.iloc[0]["pfocr_agreement"] == "agree"
    recorded = out[(out["word"] == "NFKB") & (out["match_tier"] == "pfocr_recorded")]
    assert set(recorded["symbol"]) == {"REL", "RELA", "RELB", "NFKB1", "NFKB2"}
    assert set(recorded["pfocr_agreement"]) == {"family_member"} and not recorded["confident"].any()
    assert list(of(out, "JAK")["famplex_id"]) == ["FPLX:JAK"]
    for word, gene_id in (("IL6R", 3570), ("STAT3", 6774), ("IL6", 3569)):
        row = of(out, word).iloc[0]
        assert (row["ncbigene_id"], bool(row["confident"]), row["pfocr_agreement"]) == (gene_id, True, "agree")
    families = result.figure_gene_families.to_pandas()
    nfkb = families[families["famplex_id"] == "FPLX:NFkappaB"]
    assert set(nfkb["symbol"]) == {"REL", "RELA", "RELB", "NFKB1", "NFKB2"} and set(nfkb["membership"]) == {"partof"}


def test_seed_000_alias_spelling_gets_the_same_family(human):
    rows, context = seed("000")
    out = run(human, rows, context).figure_genes.to_pandas()
    assert list(of(out, "NF-KB")["famplex_id"]) == ["FPLX:NFkappaB"]  # PFOCR: NFKB1 only, via an alias
    assert list(of(out, "(VEGF)")["famplex_id"]) == ["FPLX:VEGF"]
    assert ids(of(out, "(IL-6)")) == {3569}
    vegf_recorded = out[(out["word"] == "(VEGF)") & (out["match_tier"] == "pfocr_recorded")]
    assert len(vegf_recorded) == 5 and set(vegf_recorded["pfocr_agreement"]) == {"family_member"}


# --- organisms and case ------------------------------------------------------------------------------

def test_stat3_in_a_mouse_figure_is_the_mouse_gene(example):
    out = mapped(example, ["Stat3", "STAT3"], context=(MOUSE,))
    for word, case_exact in (("Stat3", True), ("STAT3", False)):
        row = of(out, word).iloc[0]
        assert (row["ncbigene_id"], row["taxon_id"], bool(row["case_exact"])) == (20848, MOUSE, case_exact)
        assert bool(row["confident"]) and not row["ambiguous"]


def test_letter_case_picks_the_species_when_context_allows_several(example):
    for context in ((), (HUMAN, MOUSE, ZEBRAFISH)):
        out = mapped(example, ["STAT3", "Stat3", "stat3"], context=context)
        assert [of(out, w).iloc[0]["taxon_id"] for w in ("STAT3", "Stat3", "stat3")] == [HUMAN, MOUSE, ZEBRAFISH]
        assert out["case_exact"].all() and not out["ambiguous"].any()


def test_case_insensitive_ties_across_species_are_ambiguous(example):
    rows = of(mapped(example, ["pim1"], context=(HUMAN, MOUSE)), "pim1")
    assert set(rows["taxon_id"]) == {HUMAN, MOUSE} and rows["ambiguous"].all() and not rows["case_exact"].any()


def test_seed_003_keywords_split_into_species_and_non_genes(example):
    rows, context = seed("003")
    assert [set(taxa) for taxa in context.values()] == [{HUMAN, MOUSE, ZEBRAFISH}]  # plants are not configured
    out = run(example, rows, context).figure_genes.to_pandas()
    assert len(out) >= len(rows) and (out["evidence"] == "keywords").all()
    confident = out[out["confident"]]
    taxon_of = dict(zip(confident["word"], confident["taxon_id"]))
    for words, taxon in ((("STAT3", "IL6", "OSM", "PIM1", "SMAD3", "TWIST1", "JAK2"), HUMAN),
                         (("Stat3", "Il6", "Osm", "Pim1", "Smad3", "Twist1", "Mmp9"), MOUSE),
                         (("stat3", "il6"), ZEBRAFISH)):
        assert {taxon_of[w] for w in words} == {taxon}
    assert {HUMAN, MOUSE, ZEBRAFISH} == set(confident["taxon_id"])
    breast = out[out["word"] == "Breast cancer"]
    assert len(breast) == 1 and breast.iloc[0]["match_tier"] == "no_match" and pd.isna(breast.iloc[0]["ncbigene_id"])
    # lower-case symbols of genes missing from zebrafish match human and mouse case-insensitively: ambiguous
    assert of(out, "mmp9")["ambiguous"].all() and not of(out, "mmp9")["confident"].any()


def test_seed_004_keywords_non_gene_and_family(human):
    rows, context = seed("004")
    assert list(context.values()) == [[HUMAN]]  # organisms [NA], NER human
    out = run(human, rows, context).figure_genes.to_pandas()
    tyrosine = of(out, "Tyrosine residue")
    assert len(tyrosine) == 1 and tyrosine.iloc[0]["match_tier"] == "no_match"
    assert list(of(out, "MMP")["famplex_id"]) == ["FPLX:MMP"]
    assert ids(of(out, "STAT5B")) == {6777}


# --- normalised words, OCR confusions, stop list --------------------------------------------------------

@pytest.mark.parametrize(("word", "tier", "expected"), [
    ("ΜΑΡΚ", "famplex_entity", "FPLX:MAPK"),
    ("IL-1β", "official_symbol", 3553),
    ("TGF-β", "famplex_entity", "FPLX:TGFB"),
    ("NF-κB", "famplex_entity", "FPLX:NFkappaB"),
    ("PLC,", "famplex_entity", "FPLX:PLC"),
    ("↑Atf6", "official_symbol", 22926),
    ("MSTN↓↓", "official_symbol", 2660),
    ("NRG-1", "official_symbol", 3084),
    ("Ca/D", "official_symbol", 790),
    ("p-Smad3", "official_symbol", 4088),
    ("MMPs", "famplex_entity", "FPLX:MMP"),
    ("TNF-α", "ncbi_synonym", 7124),
    ("Ill", "ocr_confusion", "FPLX:IL1"),
    ("IFNY!", "ocr_confusion", 3458),
    ("elF2a", "ocr_confusion", 83939),
    ("CIII", "ocr_confusion", 718),
])
def test_noisy_words(human, word, tier, expected):
    rows = of(mapped(human, [word]), word)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["match_tier"] == tier
    found = row["famplex_id"] if isinstance(expected, str) else row["ncbigene_id"]
    assert found == expected
    if tier == "ocr_confusion":
        assert not row["confident"] and not row["case_exact"]


def test_compound_words_yield_one_row_per_part(human):
    out = mapped(human, ["LRP5/6", "PI3K/Akt/mTOR"])
    assert set(zip(of(out, "LRP5/6")["normalized_word"], of(out, "LRP5/6")["ncbigene_id"])) == {
        ("LRP5", 4041), ("LRP6", 4040)}
    pathway = of(out, "PI3K/Akt/mTOR")
    assert set(pathway["famplex_id"].dropna()) == {"FPLX:PI3K", "FPLX:AKT"} and ids(pathway) == {2475}


def test_stop_list_spares_exact_official_symbols(human):
    out = mapped(human, ["ATP", "cAMP", "CAMP", "HR", "EMT", "Ca2+"])
    for word in ("ATP", "cAMP", "EMT", "Ca2+"):
        rows = of(out, word)
        assert list(rows["match_tier"]) == ["stop_list"] and rows["ncbigene_id"].isna().all()
    assert ids(of(out, "CAMP")) == {820} and bool(of(out, "CAMP").iloc[0]["confident"])
    assert ids(of(out, "HR")) == {55806}
    assert ids(of(mapped(human, ["EMT"], stoplist=None), "EMT")) >= {3702}  # ITK alias without the stop list


def test_ambiguous_word_settled_by_the_figures_unambiguous_genes(human):
    rows = [mention("F1", "p150"), mention("F1", "ABL1"), mention("F2", "p150")]
    out = run(human, rows, {"F1": [HUMAN], "F2": [HUMAN]}).figure_genes.to_pandas()
    out = out[out["match_tier"] != "pfocr_recorded"]
    f1 = out[(out["figid"] == "F1") & (out["word"] == "p150")].set_index("ncbigene_id")
    assert f1.loc[25, "resolved_by"] == "figure_genes" and bool(f1.loc[25, "confident"])
    assert not f1.drop(index=25)["confident"].any() and f1["ambiguous"].all()
    f2 = out[(out["figid"] == "F2") & (out["word"] == "p150")]
    assert not f2["confident"].any() and f2["resolved_by"].isna().all()


# --- outputs ---------------------------------------------------------------------------------------------

def test_output_schema_order_and_determinism(human):
    rows = []
    for prefix in ("000", "002", "004"):
        seed_rows, _ = seed(prefix)
        rows += seed_rows
    context = {row["figid"]: [HUMAN] for row in rows}
    first = run(human, rows, context)
    second = run(human, list(reversed(rows)), context)
    assert first.figure_genes.schema == schema("figure_genes_mapped")
    assert first.figure_gene_families.schema == schema("figure_gene_families")
    assert first.figure_genes.equals(second.figure_genes)
    assert first.figure_gene_families.equals(second.figure_gene_families)
    assert first.metrics == second.metrics


def test_genes_table_and_metrics(human):
    rows, context = [], {}
    for prefix in ("000", "002"):
        seed_rows, seed_context = seed(prefix)
        rows, context = rows + seed_rows, {**context, **seed_context}
    result = run(human, rows, context)
    genes = build_genes_table([gene_mention_counts(result.figure_genes)], human.catalog)
    assert genes.schema == schema("genes")
    table = genes.to_pandas().set_index("ncbigene_id")
    assert table.loc[6774, "n_figures"] == 2 and table.loc[6774, "symbol"] == "STAT3"  # STAT3 in both figures
    assert table.loc[6774, "description"] == "signal transducer and activator of transcription 3"
    assert table.loc[7424, "n_figures"] == 0  # VEGFC only as a PFOCR-recorded family member
    # Shards hold disjoint figures: summing their partials equals counting all mentions at once.
    mapped = result.figure_genes
    first_shard = pc.is_in(mapped["figid"], value_set=pa.array(sorted(set(mapped["figid"].to_pylist()))[:1]))
    partials = [gene_mention_counts(mapped.filter(first_shard)), gene_mention_counts(mapped.filter(pc.invert(first_shard)))]
    assert combine_gene_mention_counts(partials).equals(gene_mention_counts(mapped))
    assert build_genes_table(partials, human.catalog).equals(genes)
    metrics = result.metrics
    assert abs(sum(metrics["tier_share"].values()) - 1) < 1e-6
    assert metrics["tier_share"]["famplex_entity"] > 0 and 0 <= metrics["ambiguous_share"] < 1
    assert metrics["recorded_ids"]["rows"] == len(rows)


def test_bulk_word_path_agrees_with_the_python_path():
    """The Arrow fast path must produce exactly the rows word_parts/part_forms produce."""
    words = ["STAT3", "(VEGF)", "PLC,", "↑Atf6", "MSTN↓↓", "IFNY!", "IL-2->>", "-IL-17A.", "sgtB...", "Col1a1,",
             "NRG-1", "Nkx2.5", "p-Smad3", "pSTAT3", "pH", "p53", "T", "-", "NA", "LRP5/6", "IL-1β", "ΜΑΡΚ",
             "X™", "Ca2+", "CD4+", "MMPs", "(JAKs)", "Cells", "Breast cancer", "A_B", "a..b", "__x__", "(p-ERK)",
             "«STAT3»", "STAT3 ", "´Akt"]
    frame = pd.DataFrame({"word": words * 2, "split": [True] * len(words) + [False] * len(words)})
    from pfocr_etl.genes import _parse_words

    def normalised(table: pd.DataFrame) -> pd.DataFrame:
        table = table.astype({"part_index": "int64", "level": "int64"}).astype(object)
        return table.where(table.notna(), None).sort_values(list(table.columns), key=lambda c: c.astype(str)) \
            .reset_index(drop=True)

    pd.testing.assert_frame_equal(normalised(_parse_words(frame, bulk=True)),
                                  normalised(_parse_words(frame, bulk=False)))
