"""Corpus-wide tables summed from per-shard partials: what the gather jobs compute.

Each figure is in exactly one shard, so per-shard figure counts add up. The annotate jobs write
the partials (:func:`pfocr_etl.genes.gene_mention_counts`,
:func:`pfocr_etl.organisms.organism_figure_counts`); the gathers sum them. The gathers run on
every rebuild's path from the last shard to the report, so this module needs Arrow alone: with
the stage modules (and pandas) each gather took ~0.3 s, most of it imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from pfocr_etl.schemas import SORT_KEYS, schema

if TYPE_CHECKING:
    from pfocr_etl.taxonomy import Taxonomy

# Columns of an ``organism_figure_counts`` partial that add up across shards.
ORGANISM_COUNT_COLUMNS = ("n_figures", "n_figures_primary", "n_figures_mentioned_only")


def _concat(parts: pa.Table | Iterable[pa.Table], table: str) -> pa.Table:
    return parts if isinstance(parts, pa.Table) else pa.concat_tables(list(parts) or [schema(table).empty_table()])


def smallest_names(named: pa.Table, figures: pa.Table) -> pa.Table:
    """One row per gene of ``named``: its smallest (symbol, taxon_id), and n_figures from ``figures``."""
    ordered = named.sort_by([(column, "ascending", "at_end") for column in ("ncbigene_id", "symbol", "taxon_id")])
    first = (ordered.group_by("ncbigene_id", use_threads=False)
             .aggregate([("symbol", "first", pc.ScalarAggregateOptions(skip_nulls=False)),
                         ("taxon_id", "first", pc.ScalarAggregateOptions(skip_nulls=False))])
             .rename_columns(["ncbigene_id", "symbol", "taxon_id"]))
    joined = first.join(figures, "ncbigene_id", join_type="left outer", use_threads=False)
    counts = pc.cast(pc.fill_null(joined["n_figures"], 0), pa.int32())
    return pa.table({"ncbigene_id": joined["ncbigene_id"], "symbol": joined["symbol"],
                     "taxon_id": joined["taxon_id"], "n_figures": counts}, schema=schema("gene_mention_counts")
                    ).sort_by("ncbigene_id")


def combine_gene_mention_counts(parts: pa.Table | Iterable[pa.Table]) -> pa.Table:
    """Sum per-shard ``gene_mention_counts`` partials into one row per gene."""
    table = _concat(parts, "gene_mention_counts")
    figures = (table.group_by("ncbigene_id", use_threads=False).aggregate([("n_figures", "sum")])
               .rename_columns(["ncbigene_id", "n_figures"]))
    return smallest_names(table.select(["ncbigene_id", "symbol", "taxon_id"]), figures)


def build_genes_table(counts: pa.Table | Iterable[pa.Table], gene_catalog: pa.Table) -> pa.Table:
    """One row per gene ID seen in any shard (schema ``genes``), from ``gene_mention_counts`` partials.

    ``n_figures`` counts figures with a confident mention. Genes missing from the
    catalog (e.g. PFOCR-recorded genes of taxa we did not load) keep the symbol and
    taxon given in the mentions.
    """
    seen = combine_gene_mention_counts(counts)
    catalog = gene_catalog.select(["ncbigene_id", "taxon_id", "symbol", "description", "gene_type", "hgnc_id"])
    joined = seen.join(catalog, "ncbigene_id", join_type="left outer", left_suffix="_mentioned",
                       use_threads=False)
    genes = pa.table({
        "ncbigene_id": joined["ncbigene_id"],
        "taxon_id": pc.coalesce(joined["taxon_id"], joined["taxon_id_mentioned"]),
        "symbol": pc.coalesce(joined["symbol"], joined["symbol_mentioned"]),
        "description": joined["description"],
        "gene_type": joined["gene_type"],
        "hgnc_id": joined["hgnc_id"],
        "n_figures": joined["n_figures"],
    }).cast(schema("genes"))
    # Sorted by the key, then every other column: the order never depends on the join's.
    keys = [*SORT_KEYS["genes"], *(name for name in genes.column_names if name not in SORT_KEYS["genes"])]
    return genes.sort_by([(key, "ascending", "at_end") for key in keys])


def build_organisms_table(counts: pa.Table | Iterable[pa.Table], taxonomy: Taxonomy) -> pa.Table:
    """Table ``organisms``: one row per taxon seen in any figure, with names, group, lineage, counts.

    ``counts`` are ``organism_figure_counts`` partials, e.g. one per shard: each
    figure is in one shard, so their sums count every figure once.
    """
    parts = _concat(counts, "organism_figure_counts")
    summed = (parts.group_by("taxon_id", use_threads=False)
              .aggregate([(column, "sum") for column in ORGANISM_COUNT_COLUMNS])
              .rename_columns(["taxon_id", *ORGANISM_COUNT_COLUMNS]).sort_by("taxon_id"))
    taxa = summed["taxon_id"].to_pylist()
    table = pa.table({
        "taxon_id": summed["taxon_id"],
        "scientific_name": pa.array([taxonomy.scientific_name(t) for t in taxa], pa.string()),
        "rank": pa.array([taxonomy.rank(t) for t in taxa], pa.string()),
        "group": pa.array([taxonomy.group(t) for t in taxa], pa.string()),
        "lineage": pa.array([taxonomy.lineage_text(t) for t in taxa], pa.string()),
        **{column: summed[column] for column in ORGANISM_COUNT_COLUMNS},
    })
    return table.cast(schema("organisms"))
