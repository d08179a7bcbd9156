"""NCBI ``gene_orthologs`` -> symmetric ortholog index -> projection to human genes.

Reading (:func:`read_gene_orthologs`)
    The TSV (plain or ``.gz``) is parsed by header name
    (``#tax_id GeneID relationship Other_tax_id Other_GeneID``); ``-`` is null
    and rows without both gene IDs are dropped. ``taxa`` keeps only the rows
    touching those taxa (pass ``{9606}`` for a human projection), which keeps
    the full file small in memory. Rows are stored as given (directionally).

Index (:class:`OrthologIndex`)
    NCBI anchors pairs on one species, so the index adds the reverse of every
    pair and looks genes up from either side. Each pair carries its
    cardinality seen from ``gene_id`` towards ``other_tax_id``:

    ``one_to_one``    the gene has one partner there, which has one back;
    ``one_to_many``   the gene has several partners in that taxon;
    ``many_to_one``   one partner, which also pairs with other genes of the
                      gene's taxon (zebrafish paralogs smad3a/smad3b -> SMAD3);
    ``many_to_many``  both.

Projection (:func:`project_to_human`)
    Adds ``human_ncbigene_id`` and ``ortholog_kind`` to a figure_genes table and
    never touches the original ``ncbigene_id``/``taxon_id``. Kinds: ``self``
    (a human gene), the four cardinalities above, ``none`` (no human
    ortholog), or null when the row has no gene ID. A gene with several human
    orthologs yields **one row per human ortholog** (long format), so a GMT
    writer only has to group ``human_ncbigene_id`` by figure; it can drop
    ``one_to_many``/``many_to_many`` rows when it wants only unambiguous
    projections.
"""

from __future__ import annotations

import gzip
from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pfocr_etl.parquet_io import group_rows
from pfocr_etl.schemas import schema

HUMAN_TAXON_ID = 9606

# header name (lower case, '#' removed) -> our column name
HEADER_COLUMNS = {
    "tax_id": "tax_id",
    "geneid": "gene_id",
    "relationship": "relationship",
    "other_tax_id": "other_tax_id",
    "other_geneid": "other_gene_id",
}
ID_COLUMNS = ("tax_id", "gene_id", "other_tax_id", "other_gene_id")

KIND_SELF = "self"
KIND_NONE = "none"
KIND_ONE_TO_ONE = "one_to_one"
KIND_ONE_TO_MANY = "one_to_many"
KIND_MANY_TO_ONE = "many_to_one"
KIND_MANY_TO_MANY = "many_to_many"
PROJECTION_KINDS = (KIND_SELF, KIND_ONE_TO_ONE, KIND_MANY_TO_ONE, KIND_ONE_TO_MANY, KIND_MANY_TO_MANY, KIND_NONE)


def _header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n").split("\t")


def read_gene_orthologs(path: str | Path, taxa: Collection[int] | None = None) -> pa.Table:
    """Read ``gene_orthologs`` into table ``gene_orthologs`` (directional rows, sorted, distinct)."""
    path = Path(path)
    header = _header(path)
    normalized = {name.lstrip("#").strip().lower(): name for name in header}
    missing = [h for h in HEADER_COLUMNS if h not in normalized]
    if missing:
        raise ValueError(f"{path}: gene_orthologs header lacks {missing} (got {header})")
    source_names = {ours: normalized[key] for key, ours in HEADER_COLUMNS.items()}
    table = pacsv.read_csv(
        pa.input_stream(str(path), compression="detect"),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(source_names.values()),
            column_types={source_names[c]: pa.int64() for c in ID_COLUMNS} | {source_names["relationship"]: pa.string()},
            null_values=["-", ""], strings_can_be_null=True),
    )
    table = table.rename_columns([next(o for o, s in source_names.items() if s == name)
                                  for name in table.column_names])
    table = table.select(["tax_id", "gene_id", "relationship", "other_tax_id", "other_gene_id"])
    keep = pc.and_(pc.is_valid(table["gene_id"]), pc.is_valid(table["other_gene_id"]))
    if taxa is not None:
        wanted = pa.array(sorted(int(t) for t in taxa), pa.int64())
        keep = pc.and_(keep, pc.or_(pc.is_in(table["tax_id"], value_set=wanted),
                                    pc.is_in(table["other_tax_id"], value_set=wanted)))
    table = table.filter(keep)
    table = table.set_column(2, "relationship", pc.fill_null(table["relationship"], "Ortholog"))
    frame = table.to_pandas().drop_duplicates()
    frame = frame.sort_values(["tax_id", "gene_id", "other_tax_id", "other_gene_id"], ignore_index=True)
    return pa.Table.from_pandas(frame, schema=schema("gene_orthologs"), preserve_index=False)


def _cardinality(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    many_forward, many_backward = forward > 1, backward > 1
    return np.select(
        [~many_forward & ~many_backward, many_forward & ~many_backward, ~many_forward & many_backward],
        [KIND_ONE_TO_ONE, KIND_ONE_TO_MANY, KIND_MANY_TO_ONE],
        default=KIND_MANY_TO_MANY,
    )


class OrthologIndex:
    """Ortholog pairs indexed from both sides, each pair labelled with its cardinality."""

    def __init__(self, orthologs: pa.Table | pd.DataFrame):
        frame = orthologs.to_pandas() if isinstance(orthologs, pa.Table) else orthologs.copy()
        forward = frame[list(ID_COLUMNS)]
        reverse = forward.rename(columns={"tax_id": "other_tax_id", "gene_id": "other_gene_id",
                                          "other_tax_id": "tax_id", "other_gene_id": "gene_id"})
        pairs = pd.concat([forward, reverse[list(ID_COLUMNS)]], ignore_index=True)
        pairs = pairs.astype("int64").drop_duplicates()
        pairs = pairs[pairs["gene_id"] != pairs["other_gene_id"]]
        n_forward = pairs.groupby(["gene_id", "other_tax_id"])["other_gene_id"].transform("size")
        # partners of the other gene back in this gene's taxon
        back_counts = (pairs.groupby(["gene_id", "other_tax_id"]).size()
                       .rename("n_backward").reset_index()
                       .rename(columns={"gene_id": "other_gene_id", "other_tax_id": "tax_id"}))
        pairs = pairs.assign(n_forward=n_forward.to_numpy())
        pairs = pairs.merge(back_counts, on=["other_gene_id", "tax_id"], how="left")
        pairs["kind"] = _cardinality(pairs["n_forward"].to_numpy(), pairs["n_backward"].to_numpy())
        self.pairs = pairs.sort_values(list(ID_COLUMNS), ignore_index=True)
        gene_taxa = self.pairs[["gene_id", "tax_id"]].drop_duplicates("gene_id")
        self._taxon_of_gene = gene_taxa.set_index("gene_id")["tax_id"]

    @classmethod
    def from_file(cls, path: str | Path, taxa: Collection[int] | None = None) -> "OrthologIndex":
        return cls(read_gene_orthologs(path, taxa))

    def orthologs(self, gene_id: int, other_tax_id: int | None = None) -> pd.DataFrame:
        """Partners of one gene (either direction of the source file), with ``kind``."""
        rows = self.pairs[self.pairs["gene_id"] == gene_id]
        if other_tax_id is not None:
            rows = rows[rows["other_tax_id"] == other_tax_id]
        return rows.reset_index(drop=True)

    def taxon_of(self, gene_ids: Iterable[int]) -> pd.Series:
        """Taxon of each gene as the ortholog file records it (NaN when absent)."""
        return self._taxon_of_gene.reindex(pd.Index(list(gene_ids), dtype="int64"))


def project_to_human(figure_genes: pa.Table | pd.DataFrame, index: OrthologIndex,
                     human_taxon_id: int = HUMAN_TAXON_ID) -> pd.DataFrame:
    """figure_genes plus ``human_ncbigene_id`` and ``ortholog_kind`` (one row per human ortholog).

    Input rows keep their order; a row expands in place into one row per human
    ortholog, sorted by human gene ID.
    """
    genes = figure_genes.to_pandas() if isinstance(figure_genes, pa.Table) else figure_genes.copy()
    genes = genes.reset_index(drop=True)
    genes["_row"] = np.arange(len(genes))
    gene_id = genes["ncbigene_id"].astype("Int64")
    recorded_taxon = genes["taxon_id"].astype("Int64") if "taxon_id" in genes else pd.Series(pd.NA, index=genes.index, dtype="Int64")
    # A row without a taxon takes the taxon the ortholog file records for its gene.
    known_taxon = index.taxon_of(gene_id.fillna(-1).astype("int64")).to_numpy()
    taxon = recorded_taxon.fillna(pd.Series(known_taxon, index=genes.index).astype("Int64"))
    is_self = (taxon == human_taxon_id).fillna(False) & gene_id.notna()

    to_human = index.pairs.loc[index.pairs["other_tax_id"] == human_taxon_id, ["gene_id", "other_gene_id", "kind"]]
    needs_lookup = genes.loc[gene_id.notna() & ~is_self, ["_row"]].assign(gene_id=gene_id[gene_id.notna() & ~is_self].astype("int64"))
    matched = needs_lookup.merge(to_human, on="gene_id", how="left")
    matched["ortholog_kind"] = matched["kind"].fillna(KIND_NONE)
    matched = matched.rename(columns={"other_gene_id": "human_ncbigene_id"})[["_row", "human_ncbigene_id", "ortholog_kind"]]

    selves = pd.DataFrame({"_row": genes.loc[is_self, "_row"], "human_ncbigene_id": gene_id[is_self],
                           "ortholog_kind": KIND_SELF})
    no_gene = pd.DataFrame({"_row": genes.loc[gene_id.isna(), "_row"], "human_ncbigene_id": pd.NA,
                            "ortholog_kind": None})
    projection = pd.concat([selves, matched, no_gene], ignore_index=True)
    projection["human_ncbigene_id"] = projection["human_ncbigene_id"].astype("Int64")
    projected = genes.merge(projection, on="_row", how="left")
    projected = projected.sort_values(["_row", "human_ncbigene_id"], na_position="last", kind="stable")
    return projected.drop(columns="_row").reset_index(drop=True)


def figure_gene_orthologs(figure_genes: pa.Table | pd.DataFrame, index: OrthologIndex,
                          human_taxon_id: int = HUMAN_TAXON_ID) -> pa.Table:
    """Distinct (figid, taxon_id, ncbigene_id, human_ncbigene_id, ortholog_kind): table ``figure_gene_orthologs``."""
    columns = ["figid", "taxon_id", "ncbigene_id"]
    table = figure_genes if isinstance(figure_genes, pa.Table) else pa.Table.from_pandas(
        figure_genes[columns], preserve_index=False)
    # Project each distinct gene of a figure once: a shard has far fewer than it has mentions.
    genes = table.select(columns).filter(pc.is_valid(table["ncbigene_id"]))
    distinct = group_rows(genes, columns, []).to_pandas()
    projected = project_to_human(distinct, index, human_taxon_id)
    narrow = projected[[*columns, "human_ncbigene_id", "ortholog_kind"]].drop_duplicates()
    narrow = narrow.sort_values(["figid", "ncbigene_id", "taxon_id", "human_ncbigene_id"],
                                na_position="last", ignore_index=True)
    return pa.Table.from_pandas(narrow, schema=schema("figure_gene_orthologs"), preserve_index=False)


def figure_human_genes(projection: pa.Table | pd.DataFrame,
                       kinds: Collection[str] = PROJECTION_KINDS) -> pd.DataFrame:
    """Distinct (figid, human_ncbigene_id) for the given ortholog kinds, e.g. for GMT gene sets."""
    frame = projection.to_pandas() if isinstance(projection, pa.Table) else projection
    rows = frame[frame["ortholog_kind"].isin(list(kinds)) & frame["human_ncbigene_id"].notna()]
    out = rows[["figid", "human_ncbigene_id"]].drop_duplicates()
    out = out.astype({"human_ncbigene_id": "int64"})
    return out.sort_values(["figid", "human_ncbigene_id"], ignore_index=True)


def with_human_orthologs(figure_genes: pa.Table, pairs: pa.Table) -> pa.Table:
    """``figure_genes`` plus ``human_ncbigene_id`` and ``ortholog_kind``, one row per mention.

    ``pairs`` is :func:`figure_gene_orthologs` output. A gene with several human
    orthologs keeps its kind but no single human ID (all pairs stay in ``pairs``).

    A row's projection depends on its gene and its recorded taxon (a human gene ID recorded
    under another taxon has no human ortholog), so the lookup is by both: keyed by the gene
    alone, a row took the answer for the gene's other rows in the shard, and its values changed
    with the figures it was sharded with.
    """
    frame = pairs.to_pandas()[["ncbigene_id", "taxon_id", "human_ncbigene_id", "ortholog_kind"]].drop_duplicates()
    gene = ["ncbigene_id", "taxon_id"]
    per_gene = frame.groupby(gene, dropna=False).agg(ortholog_kind=("ortholog_kind", "first"))
    # Counted, not listed per gene (a Python call per gene); a missing human ID counts as one value.
    human_ids = frame.drop_duplicates([*gene, "human_ncbigene_id"]).groupby(gene, dropna=False)["human_ncbigene_id"]
    single = human_ids.first().where(human_ids.size() == 1)
    per_gene = per_gene.assign(human_ncbigene_id=single.astype("Int64")).reset_index()
    keys = pa.Table.from_pandas(per_gene, schema=pa.schema([("ncbigene_id", pa.int64()), ("taxon_id", pa.int64()),
                                                             ("human_ncbigene_id", pa.int64()),
                                                             ("ortholog_kind", pa.string())]),
                                preserve_index=False)
    # A lookup, not a join: rows keep their order without re-sorting a million-row table.
    position = pc.index_in(_gene_taxon_key(figure_genes), value_set=_gene_taxon_key(keys))
    joined = figure_genes.append_column("human_ncbigene_id", keys["human_ncbigene_id"].take(position))
    joined = joined.append_column("ortholog_kind", keys["ortholog_kind"].take(position))
    return joined.select(schema("figure_genes").names).cast(schema("figure_genes"))


def _gene_taxon_key(table: pa.Table) -> pa.ChunkedArray:
    """``<gene>:<taxon>`` per row, an empty part for a null (null when the gene is)."""
    taxon = pc.fill_null(pc.cast(table["taxon_id"], pa.string()), "")
    return pc.binary_join_element_wise(pc.cast(table["ncbigene_id"], pa.string()), taxon, ":")
