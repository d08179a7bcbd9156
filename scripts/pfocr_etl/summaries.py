"""Per-shard summaries for the whole-corpus jobs that end every build: gene sets and report.

Each rebuild, however few figures it adds, ends with the gene sets and the report's table
metrics over the whole corpus. Reading every gene row (7M at 100k figures) and cleaning every
figure's label made them the slowest jobs after the last shard's. The annotate jobs write
these small tables per shard instead; each figure is in one shard, so the shards' summaries
together are the corpus's:

``confident_figure_genes``
    The figure_genes rows that may enter a gene set (:func:`confident_rows`; 3 % of the rows of the
    synthetic 100k corpus with the example references).
``gene_set_labels``
    Each figure's alias and title on one line (:func:`gene_set_labels`).
``gene_mapping_counts``
    The report's gene-mapping counts per (match_tier, id_status) (:func:`gene_mapping_counts`).

They compute in Arrow what :mod:`pfocr_etl.genesets` and :mod:`pfocr_etl.report` compute in
SQL when given only the published tables; tests check that both give the same output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# Arrow is imported by the functions that use it: the gene-set and report modules import this one
# for its names and clean_text, and the summary and release jobs, which import those, need no Arrow.
CONFIDENT_GENES = "confident_figure_genes"
LABELS = "gene_set_labels"
MAPPING_COUNTS = "gene_mapping_counts"
# Read in place of figure_genes and figures; never counted as tables of a release.
SUMMARY_TABLES = (CONFIDENT_GENES, LABELS, MAPPING_COUNTS)


def clean_text(value: str | None) -> str:
    """One line, single spaces: tabs and line breaks cannot appear inside a GMT field."""
    # str.split() splits on exactly the characters \s matches, and is ~3x faster than re.sub.
    return " ".join(value.split()) if value else ""


def confident_mask(figure_genes: pa.Table) -> pa.ChunkedArray:
    """True, never null, for the rows :func:`pfocr_etl.genesets.confident_condition` admits."""
    import pyarrow.compute as pc

    columns = figure_genes.column_names
    keep = pc.is_valid(figure_genes["ncbigene_id"])
    if "confident" in columns:
        keep = pc.and_(keep, pc.fill_null(figure_genes["confident"], False))
    if "ambiguous" in columns:
        keep = pc.and_(keep, pc.invert(pc.fill_null(figure_genes["ambiguous"], False)))
    return keep


def confident_rows(figure_genes: pa.Table) -> pa.Table:
    """Table ``confident_figure_genes``: the confident rows of ``figure_genes``, in its order."""
    return figure_genes.filter(confident_mask(figure_genes))


def gene_set_labels(figures: pa.Table) -> pa.Table:
    """Table ``gene_set_labels``: each figure's ``figid_alias`` and ``figtitle`` after :func:`clean_text`."""
    import pyarrow as pa

    from pfocr_etl.schemas import schema

    def cleaned(column: str) -> list[str]:
        if column not in figures.column_names:
            return [""] * figures.num_rows
        return [clean_text(value) for value in figures[column].to_pylist()]

    return pa.table({"figid": figures["figid"], "alias": cleaned("figid_alias"), "title": cleaned("figtitle")},
                    schema=schema(LABELS))


def gene_mapping_counts(figure_genes: pa.Table) -> pa.Table:
    """Table ``gene_mapping_counts``: rows per (match_tier, id_status) of a shard's figure_genes,
    and in each group the rows each count of :func:`pfocr_etl.report._mapping` counts."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from pfocr_etl.schemas import schema

    def flag(mask) -> pa.ChunkedArray:
        return pc.cast(pc.fill_null(mask, False), pa.int64())

    gene_id, input_id = figure_genes["ncbigene_id"], figure_genes["input_ncbigene_id"]
    flags = {
        "rows": pa.repeat(pa.scalar(1, pa.int64()), figure_genes.num_rows),
        "with_gene_id": flag(pc.is_valid(gene_id)),
        "confident": flag(confident_mask(figure_genes)),
        "ambiguous": flag(figure_genes["ambiguous"]),
        "ids_discontinued": flag(pc.equal(figure_genes["id_status"], "discontinued")),
        "ids_refreshed": flag(pc.not_equal(gene_id, input_id)),
        "ids_given": flag(pc.is_valid(input_id)),
    }
    rows = pa.table({"match_tier": figure_genes["match_tier"], "id_status": figure_genes["id_status"], **flags})
    summed = rows.group_by(["match_tier", "id_status"], use_threads=False).aggregate(
        [(name, "sum") for name in flags])
    return pa.table({"match_tier": summed["match_tier"], "id_status": summed["id_status"],
                     **{name: summed[f"{name}_sum"] for name in flags}}, schema=schema(MAPPING_COUNTS))
