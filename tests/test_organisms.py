"""Unit tests of pfocr_etl.organisms on the seed records.

figures / figure_genes rows are built here from the seeds' YAML. The gene mapper's
output is simulated from the schema-jsonld keywords by symbol case (HUMAN upper case
-> 9606, Mouse title case -> 10090, zebrafish lower case -> 7955); the gene IDs of
those simulated rows are test-only numbers. Non-mammal cases use the bundled example
taxonomy (resources/example/reference/taxonomy).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import yaml

from pfocr_etl.organisms import (figure_context_taxa, genes_tsv_disagreements,
                                 harmonize_organisms, name_mentions, organism_figure_counts, organism_metrics,
                                 resolve_name_mentions, unresolved_names, with_primary_taxon)
from pfocr_etl.partials import build_organisms_table
from pfocr_etl.schemas import schema
from pfocr_etl.taxonomy import TaxonResolver

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
EXAMPLE_TAXONOMY = REPO / "resources" / "example" / "reference" / "taxonomy"
HERBS = ("Inula helenium", "Eupatorium lindleyanum", "Phytolacca acinosa")
HUMAN, MOUSE, ZEBRAFISH = 9606, 10090, 7955


@pytest.fixture(scope="module")
def resolver() -> TaxonResolver:
    return TaxonResolver.from_taxdump(EXAMPLE_TAXONOMY)


def seed(prefix: str) -> dict:
    if not SEEDS.exists():
        pytest.skip(f"{SEEDS} is not present (the shared test data sits beside the repository)")
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])


def as_list(value) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def figure_row(meta: dict, extra_metadata: tuple[str, ...] = ()) -> dict:
    # Raw lists, sentinels included: the harmonizer must cope with 'NA' itself.
    return {"figid": meta["figid"],
            "organisms_metadata": [str(o) for o in as_list(meta.get("organisms"))] + list(extra_metadata),
            "organisms_ner": [str(o) for o in as_list(meta.get("organisms_ner"))]}


def taxon_by_case(word: str) -> int | None:
    letters = "".join(c for c in word if c.isalpha())
    if not letters or " " in word:
        return None
    if letters.isupper():
        return HUMAN
    if letters[0].isupper() and letters[1:].islower():
        return MOUSE
    if letters.islower():
        return ZEBRAFISH
    return None


def mapper_rows(meta: dict) -> list[dict]:
    rows = []
    for position, word in enumerate(meta["schema-jsonld"].get("keywords") or []):
        taxon = taxon_by_case(word)
        if taxon is not None:
            rows.append({"figid": meta["figid"], "word": word, "evidence": "keywords", "taxon_id": taxon,
                         "ncbigene_id": 500000 + position, "match_tier": "symbol", "ambiguous": False})
    return rows


def genes_frame(*row_lists: list[dict]) -> pd.DataFrame:
    columns = ["figid", "word", "evidence", "taxon_id", "ncbigene_id", "match_tier", "ambiguous", "n_source_rows"]
    rows = [row for rows in row_lists for row in rows]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"taxon_id": "Int64", "ncbigene_id": "Int64", "n_source_rows": "Int64"})


def tsv_rows(figid: str, *rows: tuple[str, int, int]) -> list[dict]:
    """PFOCR's genes TSV rows as the gene mapper passes them on (tier pfocr_recorded)."""
    return [{"figid": figid, "word": w, "evidence": "genes_tsv", "taxon_id": t, "ncbigene_id": g,
             "match_tier": "pfocr_recorded", "ambiguous": False, "n_source_rows": 1} for w, t, g in rows]


def harmonize(resolver, figures: list[dict], genes: pd.DataFrame | None = None):
    genes = genes_frame() if genes is None else genes
    result = harmonize_organisms(pd.DataFrame(figures), genes, resolver)
    return result.figure_organisms.to_pandas(), result.primary.to_pandas().set_index("figid")


def rows_of(organisms: pd.DataFrame, figid: str, source: str | None = None) -> pd.DataFrame:
    rows = organisms[organisms.figid == figid]
    return rows if source is None else rows[rows.source == source]


# --- seeds ----------------------------------------------------------------------------

def test_seed_000_primary_is_human(resolver):
    meta = seed("000")
    _, primary = harmonize(resolver, [figure_row(meta)], genes_frame(mapper_rows(meta)))
    row = primary.loc[meta["figid"]]
    assert (row.primary_taxon_id, row.primary_evidence, row.primary_confidence, row.conflicting) == \
        (HUMAN, "gene_symbols+metadata", "high", False)


def test_seed_000_without_gene_evidence_still_human_from_metadata(resolver):
    meta = seed("000")
    _, primary = harmonize(resolver, [figure_row(meta)])
    row = primary.loc[meta["figid"]]
    assert (row.primary_taxon_id, row.primary_evidence, row.primary_confidence) == (HUMAN, "metadata", "low")


def test_seed_004_metadata_na_is_missing_and_primary_comes_from_ner(resolver):
    meta = seed("004")
    assert as_list(meta["organisms"]) == ["NA"] and meta["organisms_ner"] == ["Homo sapiens"]
    organisms, primary = harmonize(resolver, [figure_row(meta)])
    metadata = rows_of(organisms, meta["figid"], "metadata")
    assert metadata.status.tolist() == ["missing"]
    assert metadata.name_as_given.isna().all() and metadata.taxon_id.isna().all()
    row = primary.loc[meta["figid"]]
    assert (row.primary_taxon_id, row.primary_evidence) == (HUMAN, "ner")

    _, primary = harmonize(resolver, [figure_row(meta)], genes_frame(mapper_rows(meta)))
    row = primary.loc[meta["figid"]]
    assert (row.primary_taxon_id, row.primary_evidence, row.primary_confidence) == \
        (HUMAN, "gene_symbols+ner", "high")


def test_seed_003_three_species_have_gene_evidence_and_the_herbs_are_not_the_organism(resolver):
    meta = seed("003")
    assert set(HERBS) <= set(meta["organisms"])
    organisms, primary = harmonize(resolver, [figure_row(meta)], genes_frame(mapper_rows(meta)))
    figid = meta["figid"]

    genes = rows_of(organisms, figid, "gene_symbols").set_index("taxon_id")
    assert set(genes.index) == {HUMAN, MOUSE, ZEBRAFISH}
    assert (genes.status == "resolved").all()
    assert genes.loc[HUMAN, "n_genes"] > genes.loc[MOUSE, "n_genes"] > 0 and genes.loc[ZEBRAFISH, "n_genes"] > 0
    for source, expected in (("metadata", {HUMAN, MOUSE}), ("ner", {HUMAN, MOUSE, ZEBRAFISH})):
        named = rows_of(organisms, figid, source)
        backed = named[named.status == "resolved"]
        assert set(backed.taxon_id) == expected and (backed.n_genes > 0).all()

    # The bundled subset holds no tax IDs for the herbs (see resources/README.md), so they
    # stay unresolved here; either way they are never the figure's organism.
    herbs = rows_of(organisms, figid, "metadata").set_index("name_as_given").loc[list(HERBS)]
    assert (herbs.status == "mentioned_only").all() and (herbs.n_genes == 0).all()
    assert all("not_found" in list(flags) for flags in herbs["flags"].tolist())  # unknown to the small example taxonomy
    assert all(flags.tolist() == ["not_found"] for flags in herbs["flags"])

    row = primary.loc[figid]
    assert (row.primary_taxon_id, row.primary_evidence, row.primary_confidence, row.conflicting) == \
        (HUMAN, "gene_symbols+metadata+ner", "high", False)


def test_species_named_only_in_metadata_without_genes_is_mentioned_only(resolver):
    meta = seed("003")
    organisms, primary = harmonize(resolver, [figure_row(meta, extra_metadata=("Arabidopsis thaliana",))],
                                   genes_frame(mapper_rows(meta)))
    plant = rows_of(organisms, meta["figid"], "metadata").set_index("name_as_given").loc["Arabidopsis thaliana"]
    assert (plant.status, plant.taxon_id, plant.n_genes) == ("mentioned_only", 3702, 0)
    row = primary.loc[meta["figid"]]
    assert row.primary_taxon_id == HUMAN and not row.conflicting  # metadata also names human


# --- rules ----------------------------------------------------------------------------------

def test_metadata_contradicting_the_genes_is_flagged_conflicting(resolver):
    figure = {"figid": "F1", "organisms_metadata": ["Mus musculus"], "organisms_ner": []}
    genes = genes_frame(tsv_rows("F1", ("STAT3", HUMAN, 6774), ("IL6", HUMAN, 3569)))
    organisms, primary = harmonize(resolver, [figure], genes)
    assert rows_of(organisms, "F1", "metadata").status.tolist() == ["mentioned_only"]
    row = primary.loc["F1"]
    assert (row.primary_taxon_id, row.conflicting, row.primary_confidence, row.primary_evidence) == \
        (HUMAN, True, "low", "genes_tsv")  # genes alone against the metadata

    figure["organisms_ner"] = ["Homo sapiens"]  # a name source backing the genes lifts it to medium
    _, primary = harmonize(resolver, [figure], genes)
    assert (primary.loc["F1", "conflicting"], primary.loc["F1", "primary_confidence"]) == (True, "medium")


def test_named_gene_taxon_beats_a_larger_unnamed_one(resolver):
    # A mouse paper whose genes TSV matched more human than mouse symbols.
    figure = {"figid": "F1", "organisms_metadata": ["mouse"], "organisms_ner": []}
    genes = genes_frame(tsv_rows("F1", *[(f"G{i}", HUMAN, 1000 + i) for i in range(5)],
                                 ("Stat3", MOUSE, 20848), ("Il6", MOUSE, 16193)))
    _, primary = harmonize(resolver, [figure], genes)
    row = primary.loc["F1"]
    assert (row.primary_taxon_id, row.primary_evidence, row.primary_confidence) == \
        (MOUSE, "genes_tsv+metadata", "high")


def test_gene_taxa_are_harmonized_merged_followed_unknown_kept_apart(resolver):
    figure = {"figid": "F1", "organisms_metadata": [], "organisms_ner": []}
    genes = genes_frame(tsv_rows("F1", ("AT1", 45250, 1), ("AT2", 3701, 2), ("X", 99999999, 3)))
    organisms, _ = harmonize(resolver, [figure], genes)
    tsv = rows_of(organisms, "F1", "genes_tsv")
    resolved = tsv[tsv.status == "resolved"]
    assert resolved.taxon_id.tolist() == [3701] and resolved.n_genes.tolist() == [2]
    assert "merged_id" in resolved["flags"].iloc[0]
    unknown = tsv[tsv.status == "unresolved"].iloc[0]
    assert pd.isna(unknown.taxon_id) and unknown.candidates.tolist() == [99999999]
    assert unknown["flags"].tolist() == ["unknown_id"]


def test_ambiguous_or_untiered_mapper_matches_are_not_evidence(resolver):
    figure = {"figid": "F1", "organisms_metadata": [], "organisms_ner": []}
    rows = [{"figid": "F1", "word": "Stat3", "evidence": "keywords", "taxon_id": MOUSE, "ncbigene_id": 20848,
             "match_tier": "symbol", "ambiguous": True},
            {"figid": "F1", "word": "STAT3", "evidence": "keywords", "taxon_id": HUMAN, "ncbigene_id": 6774,
             "match_tier": "alias", "ambiguous": False}]
    result = harmonize_organisms(pd.DataFrame([figure]), genes_frame(rows), resolver, confident_tiers={"symbol"})
    assert rows_of(result.figure_organisms.to_pandas(), "F1", "gene_symbols").empty
    assert result.primary.to_pylist()[0]["primary_taxon_id"] is None


def test_homonym_left_open_is_settled_by_the_figures_genes():
    shared_taxonomy = SHARED / "reference" / "ncbi-taxonomy"
    if not shared_taxonomy.exists():
        pytest.skip(f"{shared_taxonomy} is not present")
    mammals = TaxonResolver.from_taxdump(shared_taxonomy)
    figures = [{"figid": "F1", "organisms_metadata": ["camel"], "organisms_ner": []},
               {"figid": "F2", "organisms_metadata": ["camel"], "organisms_ner": []}]
    genes = genes_frame(tsv_rows("F1", ("G1", 9838, 1)))  # Camelus dromedarius genes in F1 only
    organisms, primary = harmonize(mammals, figures, genes)
    settled = rows_of(organisms, "F1", "metadata").iloc[0]
    assert (settled.status, settled.taxon_id) == ("resolved", 9838) and "homonym_context" in settled["flags"]
    open_ = rows_of(organisms, "F2", "metadata").iloc[0]
    assert open_.status == "unresolved" and open_.candidates.tolist() == [9837, 9838]
    assert pd.isna(primary.loc["F2", "primary_taxon_id"]) and not primary.loc["F2", "conflicting"]


def test_tied_name_only_candidates_give_low_confidence(resolver):
    figure = {"figid": "F1", "organisms_metadata": ["Mus musculus", "Homo sapiens"], "organisms_ner": []}
    _, primary = harmonize(resolver, [figure])
    row = primary.loc["F1"]
    assert (row.primary_taxon_id, row.primary_confidence) == (MOUSE, "low")  # first listed wins the tie


def test_metadata_and_ner_agreeing_without_genes_is_medium(resolver):
    figure = {"figid": "F1", "organisms_metadata": ["Danio rerio"], "organisms_ner": ["zebrafish"]}
    _, primary = harmonize(resolver, [figure])
    assert primary.loc["F1", "primary_confidence"] == "medium"


def test_name_mentions_drop_sentinels_and_mark_empty_sources():
    figures = pd.DataFrame([{"figid": "F1", "organisms_metadata": ["NA", "Homo sapiens", ".na.character"],
                             "organisms_ner": []}])
    mentions = name_mentions(figures)
    assert mentions.values.tolist() == [["F1", "metadata", 1, "Homo sapiens"], ["F1", "ner", 0, None]]


def test_duplicate_names_of_one_taxon_give_one_row(resolver):
    figure = {"figid": "F1", "organisms_metadata": ["Homo sapiens", "human"], "organisms_ner": []}
    organisms, _ = harmonize(resolver, [figure])
    assert rows_of(organisms, "F1", "metadata").name_as_given.tolist() == ["Homo sapiens"]


# --- outputs --------------------------------------------------------------------------------

@pytest.fixture()
def seed_shard(resolver):
    metas = [seed(p) for p in ("000", "002", "003", "004")]
    figures = pd.DataFrame([figure_row(m) for m in metas])
    genes = genes_frame(*[mapper_rows(m) for m in metas],
                        tsv_rows(metas[2]["figid"], ("Stat3", HUMAN, 6774), ("Stat3", MOUSE, 20848),
                                 ("Dpp", 7227, 33432)))
    return figures, genes, harmonize_organisms(figures, genes, resolver)


def test_outputs_follow_their_schemas_sorted_and_deterministic(seed_shard, resolver):
    figures, genes, result = seed_shard
    assert result.figure_organisms.schema == schema("figure_organisms")
    assert result.primary.schema == schema("figure_primary_organisms")
    keys = result.figure_organisms.select(["figid", "source"]).to_pylist()
    assert keys == sorted(keys, key=lambda k: (k["figid"], k["source"]))
    assert result.primary.column("figid").to_pylist() == sorted(figures.figid)
    again = harmonize_organisms(figures.iloc[::-1], genes.iloc[::-1], resolver)
    assert again.figure_organisms.equals(result.figure_organisms) and again.primary.equals(result.primary)
    # The annotate job resolves the names once for the gene mapper and the harmonizer.
    names = resolve_name_mentions(figures, resolver)
    shared = harmonize_organisms(figures, genes, resolver, names=names)
    assert shared.figure_organisms.equals(result.figure_organisms) and shared.primary.equals(result.primary)
    assert figure_context_taxa(figures, resolver, names) == figure_context_taxa(figures, resolver)


def test_organisms_table_and_metrics(seed_shard, resolver):
    _, _, result = seed_shard
    table = build_organisms_table([organism_figure_counts(result.figure_organisms, result.primary)],
                                  resolver.taxonomy)
    assert table.schema == schema("organisms")
    # Shards hold disjoint figures: summing their partial counts equals counting all figures at once.
    figids = sorted(set(result.primary["figid"].to_pylist()))

    def shard(table: pa.Table, part: list[str]) -> pa.Table:
        return table.filter(pc.is_in(table["figid"], value_set=pa.array(part)))

    partials = [organism_figure_counts(shard(result.figure_organisms, part), shard(result.primary, part))
                for part in (figids[:2], figids[2:])]
    assert build_organisms_table(partials, resolver.taxonomy).equals(table)
    by_taxon = {row["taxon_id"]: row for row in table.to_pylist()}
    assert by_taxon[HUMAN]["group"] == "primates" and by_taxon[HUMAN]["n_figures_primary"] == 4
    assert by_taxon[ZEBRAFISH]["group"] == "bony fishes" and by_taxon[ZEBRAFISH]["n_figures_primary"] == 0
    assert by_taxon[MOUSE]["lineage"].startswith("root; cellular organisms; Eukaryota;")
    assert by_taxon[7227]["scientific_name"] == "Drosophila melanogaster"

    metrics = organism_metrics(result.figure_organisms, result.primary, resolver.taxonomy)
    assert metrics["n_figures"] == 4 and metrics["n_figures_with_primary"] == 4
    assert metrics["figures_per_primary_organism"] == [{"taxon_id": HUMAN, "scientific_name": "Homo sapiens",
                                                        "n_figures": 4}]
    assert metrics["share_conflicting"] == 0.0
    assert metrics["share_names_unresolved"] == 0.0  # the herbs are mentioned_only, not unresolved
    assert set(unresolved_names(result.figure_organisms).name_as_given) == set(HERBS)


def test_genes_tsv_disagreements_are_listed(seed_shard, resolver):
    _, genes, result = seed_shard
    figid = seed("003")["figid"]
    listed = genes_tsv_disagreements(genes, result.primary, resolver)
    # Dpp (fly, no mapper call) is PFOCR's per-organism hit, not a disagreement.
    assert listed.values.tolist() == [[figid, "Stat3", HUMAN, MOUSE, "gene_symbols", 1]]  # mapper: mouse


def test_primary_taxon_goes_into_the_figures_table(seed_shard):
    figures, _, result = seed_shard
    table = pa.table({"figid": figures.figid.tolist(), "primary_taxon_id": pa.nulls(len(figures), pa.int64())})
    filled = with_primary_taxon(table, result.primary)
    assert filled.column("primary_taxon_id").to_pylist() == [HUMAN] * 4
    assert filled.column("figid").to_pylist() == figures.figid.tolist()


def test_figure_without_any_organism_has_no_primary(resolver):
    figure = {"figid": "F1", "organisms_metadata": ["NA"], "organisms_ner": []}
    organisms, primary = harmonize(resolver, [figure])
    assert sorted(rows_of(organisms, "F1").status) == ["missing", "missing"]
    row = primary.loc["F1"]
    assert pd.isna(row.primary_taxon_id) and pd.isna(row.primary_confidence) and not row.conflicting
    assert row.primary_status == "missing"


def test_parser_shaped_inputs_and_empty_shards(resolver):
    from pfocr_etl.schemas import empty_table

    genes = pa.Table.from_pylist([{"figid": "F1", "word": "STAT3", "ncbigene_id": 6774, "symbol": "STAT3",
                                   "taxon_id": HUMAN, "evidence": "genes_tsv", "source_path": "_data/F1-genes.tsv",
                                   "source_line": 2, "n_source_rows": 1}], schema=schema("figure_genes_raw"))
    figures = pa.table({"figid": ["F1"], "organisms_metadata": pa.array([[]], pa.list_(pa.string())),
                        "organisms_ner": pa.array([["Homo sapiens"]], pa.list_(pa.string()))})
    result = harmonize_organisms(figures, genes, resolver)  # no ambiguous/match_tier columns: fine
    assert result.primary.to_pylist()[0]["primary_taxon_id"] == HUMAN
    empty = harmonize_organisms(figures.slice(0, 0), empty_table("figure_genes_raw"), resolver)
    assert empty.figure_organisms.num_rows == 0 and empty.primary.num_rows == 0
    assert genes_tsv_disagreements(empty_table("figure_genes_raw"), empty.primary, resolver).empty
    assert build_organisms_table([organism_figure_counts(empty.figure_organisms, empty.primary)],
                                 resolver.taxonomy).num_rows == 0


def test_gene_mapper_output_shape_recorded_rows_vs_our_confident_rows(resolver):
    # figure_genes_mapped: PFOCR's TSV rows and our mapping of the same TSV words both
    # have evidence genes_tsv; match_tier and confident tell them apart.
    def row(word, taxon, gene, tier, confident, input_gene=None):
        return {"figid": "F1", "word": word, "evidence": "genes_tsv", "taxon_id": taxon, "ncbigene_id": gene,
                "input_ncbigene_id": input_gene if input_gene is not None else gene, "match_tier": tier,
                "ambiguous": False, "confident": confident, "n_source_rows": 1}

    genes = pd.DataFrame([
        row("Stat3", HUMAN, 6774, "pfocr_recorded", False),
        row("Stat3", MOUSE, 20848, "pfocr_recorded", False),
        row("Stat3", MOUSE, 20848, "official_symbol", True),
        row("Il6", MOUSE, 16193, "ncbi_synonym", False),       # ours but not confident: no evidence
        row("OLD1", HUMAN, None, "pfocr_recorded", False, input_gene=999001),  # retired ID still counts
    ]).astype({"ncbigene_id": "Int64", "input_ncbigene_id": "Int64"})
    figure = {"figid": "F1", "organisms_metadata": ["Mus musculus"], "organisms_ner": []}
    result = harmonize_organisms(pd.DataFrame([figure]), genes, resolver)
    organisms = result.figure_organisms.to_pandas()
    genes_rows = organisms[organisms.source.isin(["genes_tsv", "gene_symbols"])]
    counts = {(r.source, r.taxon_id): r.n_genes for r in genes_rows.itertuples()}
    assert counts == {("genes_tsv", HUMAN): 2, ("genes_tsv", MOUSE): 1, ("gene_symbols", MOUSE): 1}
    primary = result.primary.to_pylist()[0]
    assert (primary["primary_taxon_id"], primary["primary_evidence"]) == (MOUSE, "genes_tsv+gene_symbols+metadata")
    listed = genes_tsv_disagreements(genes, result.primary, resolver)
    assert listed[["word", "tsv_taxon_id", "harmonized_taxon_id", "reason"]].values.tolist() == [
        ["Stat3", HUMAN, MOUSE, "gene_symbols"]]
