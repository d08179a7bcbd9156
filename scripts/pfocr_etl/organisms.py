"""Per-figure organism harmonization: which organisms a figure shows, and its primary one.

Evidence sources (column ``source`` of ``figure_organisms``)
    ``metadata``      the record's ``organisms`` list (paper metadata);
    ``ner``           the record's ``organisms_ner`` list;
    ``genes_tsv``     ``organism_id`` of PFOCR's genes TSV rows (in the gene
                      mapper's output: ``match_tier == 'pfocr_recorded'`` and
                      ``evidence == 'genes_tsv'``; in the parser's: rows
                      without a tier and ``evidence == 'genes_tsv'``);
    ``gene_symbols``  the taxon the gene mapper chose (from symbol case) for
                      its confident matches (``confident`` true, or without
                      that column ``ambiguous`` not true; optionally limited
                      to ``confident_tiers`` of ``match_tier``).
    Gene rows count only with a taxon and a gene ID (see
    :func:`confident_gene_rows`).

Rows of ``figure_organisms`` (one per figure, source and organism)
    Names are resolved once per distinct string with
    :class:`pfocr_etl.taxonomy.TaxonResolver`; homonyms left open are retried
    with the figure's other organisms as context. Gene taxon IDs go through
    :meth:`~pfocr_etl.taxonomy.TaxonResolver.resolve_id` (merged IDs followed).
    ``status`` is:

    ``resolved``        a taxon was found (and, when the figure has gene
                        evidence, genes back it);
    ``unresolved``      no single taxon: ``candidates`` lists them (flags say why);
    ``missing``         the source gave no organism (empty list or only
                        ``NA``/``.na.character``): one row, name and taxon null;
    ``mentioned_only``  a name with no gene evidence for it or a related taxon
                        while the figure has gene evidence for other taxa
                        (seed 003's herbs: compound sources, not the figure's
                        organism); an unknown name keeps its ``not_found`` flag.

    Related taxa are the same taxon or an ancestor/descendant (metadata
    ``Escherichia coli`` is backed by genes of strain K-12 MG1655). ``n_genes``
    counts distinct NCBI Gene IDs: for gene sources those of the row's taxon,
    for name sources those of related gene taxa. Sentinel entries next to real
    names are dropped; duplicate names resolving to one taxon keep the first.

Primary organism (``figure_primary_organisms``)
    Candidates are the resolved taxa of the figure (``mentioned_only`` excluded).
    1. With gene evidence, only gene-backed taxa compete; if some of them are
       also named by metadata or NER, only those (a mouse paper whose figure
       uses upper-case symbols stays mouse when its genes TSV has mouse rows).
    2. Order: most distinct genes, then most supporting sources, then most
       name sources, then named by metadata, then species or below, then the
       earliest position in the organism lists, then the smallest tax ID.
    ``primary_evidence`` lists the supporting sources (related taxa count)
    joined by ``+``. ``conflicting`` is true when some source names only
    organisms unrelated to the primary one. ``primary_confidence``:

    ``high``    gene and name support, no conflict;
    ``medium``  gene support only without conflict, gene and name support
                with a conflict, or metadata and NER agree without genes and
                without conflict;
    ``low``     anything else: one name source alone, a conflict without
                genes, or a tie on every criterion above except list position
                and tax ID.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pfocr_etl.nulls import is_null
from pfocr_etl.partials import ORGANISM_COUNT_COLUMNS
from pfocr_etl.schemas import schema
from pfocr_etl.taxonomy import (STATUS_MISSING, STATUS_RESOLVED, STATUS_UNRESOLVED, Resolution, Taxonomy,
                                TaxonResolver)

SOURCE_METADATA = "metadata"
SOURCE_NER = "ner"
SOURCE_GENES_TSV = "genes_tsv"
SOURCE_GENE_SYMBOLS = "gene_symbols"
SOURCE_ORDER = (SOURCE_GENES_TSV, SOURCE_GENE_SYMBOLS, SOURCE_METADATA, SOURCE_NER)
NAME_SOURCE_COLUMNS = {SOURCE_METADATA: "organisms_metadata", SOURCE_NER: "organisms_ner"}
GENES_TSV_EVIDENCE = "genes_tsv"
RECORDED_TIER = "pfocr_recorded"  # pfocr_etl.genes' match_tier of PFOCR's own rows

STATUS_MENTIONED_ONLY = "mentioned_only"
CONFIDENCE_HIGH, CONFIDENCE_MEDIUM, CONFIDENCE_LOW = "high", "medium", "low"

_ORGANISM_COLUMNS = ["figid", "source", "taxon_id", "name_as_given", "status", "matched_name_class",
                     "candidates", "flags", "n_genes"]
_SORT_KEYS = ["figid", "source", "taxon_id", "name_as_given", "status"]


@dataclass(frozen=True)
class OrganismHarmonization:
    """Result of :func:`harmonize_organisms` for one shard."""

    figure_organisms: pa.Table  # schema figure_organisms
    primary: pa.Table  # schema figure_primary_organisms


def _frame(data: pa.Table | pd.DataFrame) -> pd.DataFrame:
    return data.to_pandas() if isinstance(data, pa.Table) else data.reset_index(drop=True)


def _arrow(data: pa.Table | pd.DataFrame) -> pa.Table:
    return data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)


# =============================================================================
# Name evidence
# =============================================================================

def name_mentions(figures: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """One row per organism name in the records: figid, source, position, name_as_given.

    A source whose list is empty (or holds only null sentinels) yields one row
    with ``name_as_given`` null, later reported as ``missing``.
    """
    table = _arrow(figures)
    parts = []
    for source, column in NAME_SOURCE_COLUMNS.items():
        lists = table.column(column).combine_chunks() if column in table.column_names else \
            pa.array([[]] * table.num_rows, pa.list_(pa.string()))
        flat = pc.list_flatten(lists)
        owners = pc.list_parent_indices(lists)
        named = pd.DataFrame({
            "figid": table.column("figid").take(owners).to_pylist(),
            "name_as_given": flat.to_pylist(),
        })
        named["position"] = named.groupby("figid").cumcount()
        named = named[~named["name_as_given"].map(is_null).astype(bool)]
        without = sorted(set(table.column("figid").to_pylist()) - set(named["figid"]))
        empty = pd.DataFrame({"figid": without, "name_as_given": None, "position": 0})
        parts.append(pd.concat([named, empty], ignore_index=True).assign(source=source))
    mentions = pd.concat(parts, ignore_index=True)
    return mentions[["figid", "source", "position", "name_as_given"]]


def _resolution_frame(resolutions: Mapping[object, Resolution], key: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{key: query, "status": r.status, "taxon_id": r.taxon_id, "matched_name_class": r.matched_class,
          "candidates": list(r.candidates), "flags": list(r.flags)} for query, r in resolutions.items()],
        columns=[key, "status", "taxon_id", "matched_name_class", "candidates", "flags"],
    )


def _resolve_names(mentions: pd.DataFrame, resolver: TaxonResolver) -> pd.DataFrame:
    """Attach the context-free resolution of each distinct name."""
    names = mentions["name_as_given"].dropna().unique().tolist()
    resolved = _resolution_frame(resolver.resolve_many(names), "name_as_given")
    out = mentions.merge(resolved, on="name_as_given", how="left")
    missing = out["name_as_given"].isna()
    out.loc[missing, "status"] = STATUS_MISSING
    out["candidates"] = [c if isinstance(c, list) else [] for c in out["candidates"]]
    out["flags"] = [f if isinstance(f, list) else [] for f in out["flags"]]
    out["taxon_id"] = out["taxon_id"].astype("Int64")
    return out


def resolve_name_mentions(figures: pa.Table | pd.DataFrame, resolver: TaxonResolver) -> pd.DataFrame:
    """The figures' organism name mentions with their context-free resolution (``names=`` below)."""
    return _resolve_names(name_mentions(figures), resolver)


def figure_context_taxa(figures: pa.Table | pd.DataFrame, resolver: TaxonResolver,
                        names: pd.DataFrame | None = None) -> dict[str, list[int]]:
    """Taxa each figure names in its metadata or NER lists (resolved names only), for the gene mapper.

    ``names``: :func:`resolve_name_mentions` of ``figures``, when the caller has it already.
    """
    names = resolve_name_mentions(figures, resolver) if names is None else names
    resolved = names[(names["status"] == STATUS_RESOLVED) & names["taxon_id"].notna()]
    ordered = resolved.sort_values(["figid", "source", "position"])
    context: dict[str, list[int]] = {}
    # A plain loop: iterating a pandas groupby cost 26 us per figure, this 10 us.
    for figid, taxon in zip(ordered["figid"].tolist(), ordered["taxon_id"].tolist()):
        taxa = context.setdefault(figid, [])
        if int(taxon) not in taxa:
            taxa.append(int(taxon))
    return context


# =============================================================================
# Gene evidence
# =============================================================================

def _evidence_gene_rows(figure_genes: pa.Table | pd.DataFrame,
                        confident_tiers: Collection[str] | None) -> pd.DataFrame:
    """Rows of figure_genes that count as organism evidence, with their source; word kept."""
    table = _arrow(figure_genes)
    wanted = ["figid", "word", "evidence", "taxon_id", "ncbigene_id", "input_ncbigene_id", "match_tier",
              "ambiguous", "confident"]
    genes = _frame(table.select([c for c in wanted if c in table.column_names]))
    if "input_ncbigene_id" in genes:  # a recorded ID that gene_history retired still names a gene
        genes["ncbigene_id"] = genes["ncbigene_id"].fillna(genes["input_ncbigene_id"])
    genes = genes[genes["taxon_id"].notna() & genes["ncbigene_id"].notna()]
    tier = genes["match_tier"] if "match_tier" in genes else pd.Series(None, index=genes.index, dtype=object)
    from_tsv_file = genes["evidence"] == GENES_TSV_EVIDENCE
    recorded = (tier == RECORDED_TIER) | (tier.isna() & from_tsv_file)
    ours = ~recorded
    if "confident" in genes:
        ours &= genes["confident"].fillna(False).astype(bool)
    elif "ambiguous" in genes:
        ours &= ~genes["ambiguous"].fillna(False).astype(bool)
    if confident_tiers is not None:
        ours &= tier.isin(list(confident_tiers))
    genes = genes[(recorded & from_tsv_file) | ours]
    return pd.DataFrame({
        "figid": genes["figid"],
        "word": genes["word"] if "word" in genes else None,
        "source": np.where(recorded[genes.index], SOURCE_GENES_TSV, SOURCE_GENE_SYMBOLS),
        "raw_taxon_id": genes["taxon_id"].astype("int64"),
        "ncbigene_id": genes["ncbigene_id"].astype("int64"),
    }).reset_index(drop=True)


def confident_gene_rows(figure_genes: pa.Table | pd.DataFrame,
                        confident_tiers: Collection[str] | None = None) -> pd.DataFrame:
    """Gene rows that count as organism evidence: figid, source, raw_taxon_id, ncbigene_id (distinct).

    Works on the parser's ``figure_genes`` and on the gene mapper's
    ``figure_genes_mapped``. PFOCR's own rows (``match_tier ==
    'pfocr_recorded'``, or no tier and ``evidence == 'genes_tsv'``) count as
    ``genes_tsv`` when they come from a genes TSV. The mapper's rows count as
    ``gene_symbols`` when ``confident`` (or, without that column, not
    ``ambiguous``) and, if ``confident_tiers`` is given, their ``match_tier``
    is in it. Every row needs a taxon and a gene ID.
    """
    rows = _evidence_gene_rows(figure_genes, confident_tiers).drop(columns="word")
    return rows.drop_duplicates(ignore_index=True)


def _gene_organisms(gene_rows: pd.DataFrame, resolver: TaxonResolver) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figure_organisms rows of gene sources, distinct resolved (figid, source, taxon_id, ncbigene_id))."""
    ids = _resolution_frame(resolver.resolve_ids(gene_rows["raw_taxon_id"].unique().tolist()), "raw_taxon_id")
    ids["raw_taxon_id"] = ids["raw_taxon_id"].astype("int64")
    rows = gene_rows.merge(ids, on="raw_taxon_id", how="left")
    resolved = rows["status"] == STATUS_RESOLVED
    # Merged IDs collapse onto their current taxon; unresolved IDs stay apart.
    rows["group_id"] = np.where(resolved, rows["taxon_id"].fillna(-1), rows["raw_taxon_id"]).astype("int64")
    organisms = (rows.groupby(["figid", "source", "group_id"], sort=True)
                 .agg(n_genes=("ncbigene_id", "nunique"), status=("status", "first"),
                      taxon_id=("taxon_id", "first"), flags=("flags", "first"),
                      candidates=("candidates", "first"))
                 .reset_index().drop(columns="group_id"))
    organisms["name_as_given"] = None
    organisms["matched_name_class"] = None
    organisms["taxon_id"] = organisms["taxon_id"].astype("Int64")
    gene_ids = rows.loc[resolved, ["figid", "source", "taxon_id", "ncbigene_id"]].astype({"taxon_id": "int64"})
    return organisms, gene_ids.drop_duplicates(ignore_index=True)


# =============================================================================
# Harmonization
# =============================================================================

def _retry_homonyms(names: pd.DataFrame, gene_ids: pd.DataFrame, resolver: TaxonResolver) -> pd.DataFrame:
    """Re-resolve open homonyms with the figure's other resolved taxa as context."""
    open_rows = names.index[(names["status"] == STATUS_UNRESOLVED)
                            & names["flags"].map(lambda flags: "homonym" in flags)]
    if len(open_rows) == 0:
        return names
    context = pd.concat([names.loc[names["status"] == STATUS_RESOLVED, ["figid", "taxon_id"]].astype({"taxon_id": "int64"}),
                         gene_ids[["figid", "taxon_id"]]])
    # Only the figures with an open homonym need their context: skip the per-figure lambda for the rest.
    context = context[context["figid"].isin(names.loc[open_rows, "figid"].unique())]
    context_by_figure = context.groupby("figid")["taxon_id"].agg(lambda s: sorted(set(s))).to_dict()
    names = names.copy()
    for row in open_rows:
        figure_context = context_by_figure.get(names.at[row, "figid"], [])
        if not figure_context:
            continue
        result = resolver.resolve(names.at[row, "name_as_given"], context=figure_context)
        names.at[row, "status"] = result.status
        names.at[row, "taxon_id"] = result.taxon_id if result.taxon_id is not None else pd.NA
        names.at[row, "matched_name_class"] = result.matched_class
        names.at[row, "candidates"] = list(result.candidates)
        names.at[row, "flags"] = list(result.flags)
    return names


def _support_genes(named: pd.DataFrame, gene_ids: pd.DataFrame, related: pd.DataFrame) -> pd.Series:
    """Distinct gene IDs of taxa related to each (figid, taxon_id) of ``named``."""
    keys = named[["figid", "taxon_id"]].drop_duplicates()
    linked = keys.merge(related, on="taxon_id")
    genes = gene_ids[["figid", "taxon_id", "ncbigene_id"]].rename(columns={"taxon_id": "related_taxon_id"})
    linked = linked.merge(genes, on=["figid", "related_taxon_id"])
    return linked.groupby(["figid", "taxon_id"])["ncbigene_id"].nunique()


def _dedupe_names(names: pd.DataFrame) -> pd.DataFrame:
    """One row per (figure, source, taxon) for resolved names, per name otherwise; first kept."""
    names = names.sort_values(["figid", "source", "position"], kind="stable")
    key = names["taxon_id"].astype("string").fillna("name:" + names["name_as_given"].fillna(""))
    return names.loc[~pd.DataFrame({"f": names["figid"], "s": names["source"], "k": key}).duplicated()]


def harmonize_organisms(figures: pa.Table | pd.DataFrame, figure_genes: pa.Table | pd.DataFrame,
                        resolver: TaxonResolver,
                        confident_tiers: Collection[str] | None = None,
                        names: pd.DataFrame | None = None) -> OrganismHarmonization:
    """Build ``figure_organisms`` and ``figure_primary_organisms`` for one shard.

    ``figures`` needs figid, organisms_metadata, organisms_ner. ``figure_genes``
    (the parser's table or the gene mapper's ``figure_genes_mapped``) needs
    figid, evidence, taxon_id, ncbigene_id; match_tier, confident, ambiguous
    and input_ncbigene_id are used when present (see :func:`confident_gene_rows`).
    ``names``: :func:`resolve_name_mentions` of ``figures``, when the caller has it already.
    """
    figure_ids = sorted(set(_arrow(figures).column("figid").to_pylist()))
    if not figure_ids:
        return OrganismHarmonization(schema("figure_organisms").empty_table(),
                                     schema("figure_primary_organisms").empty_table())
    names = resolve_name_mentions(figures, resolver) if names is None else names
    gene_organisms, gene_ids = _gene_organisms(confident_gene_rows(figure_genes, confident_tiers), resolver)
    names = _retry_homonyms(names, gene_ids, resolver)

    taxonomy = resolver.taxonomy
    all_taxa = pd.concat([names["taxon_id"].dropna(), gene_ids["taxon_id"]]).astype("int64").unique()
    related = taxonomy.related_pairs(all_taxa)

    resolved_names = names[names["status"] == STATUS_RESOLVED].astype({"taxon_id": "int64"})
    support = _support_genes(resolved_names, gene_ids, related).rename("n_genes").reset_index()
    names = names.merge(support.astype({"taxon_id": "Int64"}), on=["figid", "taxon_id"], how="left")
    names["n_genes"] = names["n_genes"].fillna(0).astype("int64")
    figures_with_genes = gene_ids["figid"].unique()
    # A name with no gene evidence in a figure whose genes point elsewhere is only mentioned
    # (seed 003's herbs, compound sources), whether or not our taxonomy knows the name:
    # an unresolved name keeps its flags and candidates, but never competes for primary.
    unbacked = (names["status"].isin([STATUS_RESOLVED, STATUS_UNRESOLVED]) & (names["n_genes"] == 0)
                & names["figid"].isin(figures_with_genes))
    names.loc[unbacked, "status"] = STATUS_MENTIONED_ONLY

    organisms = pd.concat([_dedupe_names(names).drop(columns="position"), gene_organisms], ignore_index=True)
    organisms = organisms[_ORGANISM_COLUMNS].sort_values(_SORT_KEYS, na_position="last", ignore_index=True)
    organisms["n_genes"] = organisms["n_genes"].astype("int32")
    organisms_table = pa.Table.from_pandas(organisms, schema=schema("figure_organisms"), preserve_index=False)

    primary = _primary_organisms(figure_ids, names, gene_ids, related, taxonomy)
    return OrganismHarmonization(organisms_table, primary)


# =============================================================================
# Primary organism
# =============================================================================

def _primary_organisms(figure_ids: list[str], names: pd.DataFrame, gene_ids: pd.DataFrame,
                       related: pd.DataFrame, taxonomy: Taxonomy) -> pa.Table:
    name_evidence = names.loc[names["status"].isin([STATUS_RESOLVED, STATUS_MENTIONED_ONLY])
                              & names["taxon_id"].notna(),
                              ["figid", "source", "taxon_id", "position", "status"]]
    name_evidence = name_evidence.astype({"taxon_id": "int64"})
    gene_evidence = gene_ids[["figid", "source", "taxon_id"]].drop_duplicates()
    evidence = pd.concat([name_evidence[["figid", "source", "taxon_id"]], gene_evidence], ignore_index=True)

    candidates = pd.concat([name_evidence.loc[name_evidence["status"] == STATUS_RESOLVED, ["figid", "taxon_id"]],
                            gene_evidence[["figid", "taxon_id"]]]).drop_duplicates()
    score = _candidate_scores(candidates, evidence, name_evidence, gene_ids, related, taxonomy)

    # With gene evidence only gene-backed taxa compete, and named ones first.
    figure_has_genes = score.groupby("figid")["has_genes"].transform("any")
    figure_has_named_genes = (score["has_genes"] & score["named"]).groupby(score["figid"]).transform("any")
    eligible = ~figure_has_genes | (score["has_genes"] & (score["named"] | ~figure_has_named_genes))
    score = score[eligible]

    rank_keys = ["gene_count", "n_sources", "n_name_sources", SOURCE_METADATA, "species_level"]
    score = score.sort_values(["figid", *rank_keys, "first_position", "taxon_id"],
                              ascending=[True, False, False, False, False, False, True, True], kind="stable")
    best = score.drop_duplicates("figid").set_index("figid")
    runner_up = score[score.duplicated("figid")].drop_duplicates("figid").set_index("figid")
    tied = pd.Series(False, index=best.index)
    if len(runner_up):
        same = runner_up[rank_keys].eq(best.loc[runner_up.index, rank_keys]).all(axis=1)
        tied.loc[same.index] = same

    conflicting = _conflicts(best["taxon_id"], evidence, related)
    gene_support = best[SOURCE_GENES_TSV] | best[SOURCE_GENE_SYMBOLS]
    name_support = best[SOURCE_METADATA] | best[SOURCE_NER]
    confidence = np.select(
        [tied.to_numpy(),
         (gene_support & name_support & ~conflicting).to_numpy(),
         (gene_support & ~conflicting).to_numpy(),
         (gene_support & name_support).to_numpy(),
         (~gene_support & best[SOURCE_METADATA] & best[SOURCE_NER] & ~conflicting).to_numpy()],
        [CONFIDENCE_LOW, CONFIDENCE_HIGH, CONFIDENCE_MEDIUM, CONFIDENCE_MEDIUM, CONFIDENCE_MEDIUM],
        default=CONFIDENCE_LOW)
    support = best[list(SOURCE_ORDER)].to_numpy()
    chosen = pd.DataFrame({
        "primary_taxon_id": best["taxon_id"].astype("int64"),
        "primary_evidence": ["+".join(s for s, on in zip(SOURCE_ORDER, row) if on) for row in support],
        "primary_confidence": confidence,
        "conflicting": conflicting.to_numpy(dtype=bool),
    }, index=best.index)
    out = chosen.reindex(pd.Index(figure_ids, name="figid")).reset_index()
    out["conflicting"] = out["conflicting"].fillna(False).astype(bool)
    out["primary_taxon_id"] = out["primary_taxon_id"].astype("Int64")
    # Every figure says explicitly why it has no primary organism: names nobody could
    # resolve (unresolved) or no organism evidence at all (missing).
    named = set(names.loc[names["name_as_given"].notna(), "figid"])
    out["primary_status"] = np.where(out["primary_taxon_id"].notna(), STATUS_RESOLVED,
                                     np.where(out["figid"].isin(named), STATUS_UNRESOLVED, STATUS_MISSING))
    return pa.Table.from_pandas(out, schema=schema("figure_primary_organisms"), preserve_index=False)


def _candidate_scores(candidates: pd.DataFrame, evidence: pd.DataFrame, name_evidence: pd.DataFrame,
                      gene_ids: pd.DataFrame, related: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Per (figid, taxon_id) candidate: supporting sources, gene count and tie-breakers."""
    supported = candidates.merge(related, on="taxon_id").merge(
        evidence.rename(columns={"taxon_id": "related_taxon_id"}), on=["figid", "related_taxon_id"])
    index = pd.MultiIndex.from_frame(candidates)
    seen = supported[["figid", "taxon_id", "source"]].drop_duplicates().assign(seen=True)
    flags = seen.set_index(["figid", "taxon_id", "source"])["seen"].unstack(fill_value=False)
    flags = flags.reindex(index=index, columns=list(SOURCE_ORDER), fill_value=False).fillna(False).astype(bool)
    gene_count = gene_ids.groupby(["figid", "taxon_id"])["ncbigene_id"].nunique()
    first_position = name_evidence.groupby(["figid", "taxon_id"])["position"].min()
    score = flags.assign(
        gene_count=gene_count.reindex(index, fill_value=0).to_numpy(),
        first_position=first_position.reindex(index).fillna(np.inf).to_numpy(),
    ).reset_index()
    score["n_sources"] = score[list(SOURCE_ORDER)].sum(axis=1)
    score["n_name_sources"] = score[[SOURCE_METADATA, SOURCE_NER]].sum(axis=1)
    score["has_genes"] = score["gene_count"] > 0
    score["named"] = score[SOURCE_METADATA] | score[SOURCE_NER]
    species_level = {t: taxonomy.is_species_or_below(int(t)) for t in score["taxon_id"].unique()}
    score["species_level"] = score["taxon_id"].map(species_level).astype(bool)
    return score


def _conflicts(primary_taxa: pd.Series, evidence: pd.DataFrame, related: pd.DataFrame) -> pd.Series:
    """Per figure: does some source name organisms none of which relates to the primary one?"""
    rows = evidence[["figid", "source", "taxon_id"]].merge(
        primary_taxa.rename("primary").reset_index(), on="figid")
    pair_set = set(zip(related["taxon_id"], related["related_taxon_id"]))
    rows["agrees"] = [(t, p) in pair_set for t, p in zip(rows["taxon_id"], rows["primary"])]
    source_agrees = rows.groupby(["figid", "source"])["agrees"].any()
    figure_conflict = (~source_agrees).groupby("figid").any()
    return figure_conflict.reindex(primary_taxa.index, fill_value=False)


# =============================================================================
# Outputs built on the harmonization
# =============================================================================

def with_primary_taxon(figures: pa.Table, primary: pa.Table | pd.DataFrame) -> pa.Table:
    """``figures`` with ``primary_taxon_id`` filled from ``figure_primary_organisms`` (order kept)."""
    lookup = _frame(primary).set_index("figid")["primary_taxon_id"]
    values = lookup.reindex(figures.column("figid").to_pylist()).astype("Int64")
    column = pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.int64())
    position = figures.schema.get_field_index("primary_taxon_id")
    field = figures.schema.field("primary_taxon_id")
    if position < 0:
        return figures.append_column(pa.field("primary_taxon_id", pa.int64()), column)
    return figures.set_column(position, field, column)


def organism_figure_counts(figure_organisms: pa.Table | pd.DataFrame,
                           primary: pa.Table | pd.DataFrame) -> pa.Table:
    """Figures per taxon in one shard (schema ``organism_figure_counts``).

    Summed over the shards by :func:`pfocr_etl.partials.build_organisms_table`.
    """
    organisms = _frame(figure_organisms)
    primaries = _frame(primary)

    def figures_per_taxon(rows: pd.DataFrame, taxon_column: str = "taxon_id") -> pd.Series:
        rows = rows[rows[taxon_column].notna()]
        return rows.groupby(rows[taxon_column].astype("int64"))["figid"].nunique()

    counts = pd.DataFrame({
        "n_figures": figures_per_taxon(organisms[organisms["status"] == STATUS_RESOLVED]),
        "n_figures_primary": figures_per_taxon(primaries, "primary_taxon_id"),
        "n_figures_mentioned_only": figures_per_taxon(organisms[organisms["status"] == STATUS_MENTIONED_ONLY]),
    }, columns=list(ORGANISM_COUNT_COLUMNS)).fillna(0).astype("int64").sort_index()
    counts = counts.rename_axis("taxon_id").reset_index()
    return pa.Table.from_pandas(counts, schema=schema("organism_figure_counts"), preserve_index=False)


def unresolved_names(figure_organisms: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """Every organism name without a taxon (unresolved, or mentioned only and unknown to the
    taxonomy) with its figure count, flags and candidates (for the report)."""
    organisms = _frame(figure_organisms)
    rows = organisms[organisms["status"].isin([STATUS_UNRESOLVED, STATUS_MENTIONED_ONLY])
                     & organisms["taxon_id"].isna() & organisms["name_as_given"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["name_as_given", "n_figures", "flags", "candidates"])
    grouped = rows.groupby("name_as_given").agg(
        n_figures=("figid", "nunique"),
        flags=("flags", lambda v: sorted({f for flags in v for f in flags})),
        candidates=("candidates", lambda v: sorted({int(c) for cands in v for c in cands})),
    ).reset_index()
    return grouped.sort_values(["n_figures", "name_as_given"], ascending=[False, True], ignore_index=True)


def organism_metrics(figure_organisms: pa.Table | pd.DataFrame, primary: pa.Table | pd.DataFrame,
                     taxonomy: Taxonomy | None = None) -> dict:
    """JSON-ready metrics: figures per primary organism, shares unresolved / missing / conflicting."""
    organisms = _frame(figure_organisms)
    primaries = _frame(primary)
    name_rows = organisms[organisms["source"].isin(list(NAME_SOURCE_COLUMNS))]
    given = name_rows[name_rows["status"] != STATUS_MISSING]
    with_primary = primaries[primaries["primary_taxon_id"].notna()]
    n_figures = int(primaries["figid"].nunique())

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 6) if whole else None

    per_organism = (with_primary.groupby(with_primary["primary_taxon_id"].astype("int64"))["figid"].nunique()
                    .rename("n_figures").reset_index()
                    .sort_values(["n_figures", "primary_taxon_id"], ascending=[False, True]))
    return {
        "n_figures": n_figures,
        "n_figures_with_primary": int(len(with_primary)),
        "share_figures_without_primary": share(n_figures - len(with_primary), n_figures),
        "share_conflicting": share(int(with_primary["conflicting"].sum()), len(with_primary)),
        "primary_confidence": {level: int((with_primary["primary_confidence"] == level).sum())
                               for level in (CONFIDENCE_HIGH, CONFIDENCE_MEDIUM, CONFIDENCE_LOW)},
        "name_rows_by_status": {status: int((name_rows["status"] == status).sum()) for status in
                                (STATUS_RESOLVED, STATUS_MENTIONED_ONLY, STATUS_UNRESOLVED, STATUS_MISSING)},
        "share_names_unresolved": share(int((given["status"] == STATUS_UNRESOLVED).sum()), len(given)),
        "share_sources_missing": share(int((name_rows["status"] == STATUS_MISSING).sum()), len(name_rows)),
        "figures_per_primary_organism": [
            {"taxon_id": int(row.primary_taxon_id),
             "scientific_name": taxonomy.scientific_name(int(row.primary_taxon_id)) if taxonomy else None,
             "n_figures": int(row.n_figures)}
            for row in per_organism.itertuples(index=False)
        ],
    }


def genes_tsv_disagreements(figure_genes: pa.Table | pd.DataFrame, primary: pa.Table | pd.DataFrame,
                            resolver: TaxonResolver,
                            confident_tiers: Collection[str] | None = None) -> pd.DataFrame:
    """Genes TSV rows whose ``organism_id`` differs from the harmonized organism (nothing hidden).

    The harmonized organism of a TSV row is its own organism ID after merged IDs
    are followed, unless the gene mapper confidently gave the same word in the same
    figure another taxon. ``reason``:

    ``merged_id`` / ``deleted_id`` / ``unknown_id``  the TSV ID itself is outdated or unknown;
    ``gene_symbols``  the mapper placed the word in another taxon.

    A row of another organism that the mapper made no call on is not listed: PFOCR
    matches every word against each organism's lexicon, so such rows are its
    per-organism hits, not a claim about the figure's organism (figure-level
    disagreement is ``figure_primary_organisms.conflicting``).

    Columns: figid, word, tsv_taxon_id, harmonized_taxon_id, reason, n_rows.
    """
    columns = ["figid", "word", "tsv_taxon_id", "harmonized_taxon_id", "reason", "n_rows"]
    table = _arrow(figure_genes)
    needed = ["figid", "word", "evidence", "match_tier", "taxon_id", "n_source_rows"]
    genes = _frame(table.select([c for c in needed if c in table.column_names]))
    recorded = genes["match_tier"].isna() | (genes["match_tier"] == RECORDED_TIER) if "match_tier" in genes \
        else pd.Series(True, index=genes.index)
    tsv = genes[(genes["evidence"] == GENES_TSV_EVIDENCE) & recorded & genes["taxon_id"].notna()].copy()
    if tsv.empty:
        return pd.DataFrame(columns=columns)
    tsv["n_rows"] = tsv["n_source_rows"] if "n_source_rows" in tsv else 1
    tsv = (tsv.groupby(["figid", "word", tsv["taxon_id"].astype("int64").rename("tsv_taxon_id")])["n_rows"]
           .sum().reset_index())

    ids = resolver.resolve_ids(tsv["tsv_taxon_id"].unique().tolist())
    tsv["current_id"] = tsv["tsv_taxon_id"].map({t: r.taxon_id for t, r in ids.items()}).astype("Int64")
    issue_of = {t: next((f for f in r.flags if f.endswith("_id")), None) for t, r in ids.items()}
    tsv["id_issue"] = tsv["tsv_taxon_id"].map(issue_of)
    id_issues = tsv[tsv["id_issue"].notna()].rename(columns={"id_issue": "reason"})
    id_issues["harmonized_taxon_id"] = id_issues["current_id"]

    mapped = _evidence_gene_rows(figure_genes, confident_tiers)
    word_taxa = (mapped.loc[mapped["source"] == SOURCE_GENE_SYMBOLS, ["figid", "word", "raw_taxon_id"]]
                 .drop_duplicates().rename(columns={"raw_taxon_id": "harmonized_taxon_id"}))

    with_calls = tsv.merge(word_taxa, on=["figid", "word"])
    agreeing = with_calls[with_calls["current_id"] == with_calls["harmonized_taxon_id"]][["figid", "word", "tsv_taxon_id"]]
    called = with_calls.merge(agreeing.assign(agrees=True), on=["figid", "word", "tsv_taxon_id"], how="left")
    symbol_issues = called[called["agrees"].isna()].copy()
    symbol_issues["reason"] = SOURCE_GENE_SYMBOLS

    out = pd.concat([frame[columns] for frame in (id_issues, symbol_issues) if not frame.empty]
                    or [pd.DataFrame(columns=columns)], ignore_index=True)
    out["harmonized_taxon_id"] = out["harmonized_taxon_id"].astype("Int64")
    out["tsv_taxon_id"] = out["tsv_taxon_id"].astype("int64")
    out["n_rows"] = out["n_rows"].astype("int64")
    return out.sort_values(["figid", "word", "tsv_taxon_id", "reason", "harmonized_taxon_id"],
                           na_position="last", ignore_index=True)
