"""Snakemake job entry points: read a job's input files, call the stage modules, write its outputs.

The stage modules (:mod:`parse`, :mod:`lexicon`, :mod:`genes`, :mod:`taxonomy`,
:mod:`organisms`, :mod:`orthologs`, …) work on tables; this module is the only
place that knows which files a job reads and writes. Each function here is called
by one thin script in ``scripts/`` with the paths Snakemake passes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import pyarrow as pa

from pfocr_etl.atomic import write_text
from pfocr_etl.parquet_io import read_parts, read_table, write_arrow, write_table
from pfocr_etl.schemas import SORT_KEYS
from pfocr_etl.schemas import schema as table_schema

PathLike = str | os.PathLike


def _write(data, path: PathLike, table: str) -> pa.Table:
    return write_table(data, path, table, SORT_KEYS[table])


# --- references -----------------------------------------------------------------

def build_gene_reference(gene_info: Sequence[PathLike], outputs: Mapping[str, PathLike], *,
                         organisms: Sequence[int], gene_history: PathLike | None = None,
                         gene_orthologs: PathLike | None = None, hgnc: PathLike | None = None,
                         hgnc_withdrawn: PathLike | None = None,
                         famplex: Mapping[str, PathLike] | None = None) -> dict[str, int]:
    """Lexicon, FamPlex members, resolved gene history, gene catalog and ortholog pairs."""
    import pandas as pd

    from pfocr_etl import lexicon, orthologs, references

    taxa = [int(t) for t in organisms]
    info = pd.concat([references.read_gene_info(path, taxa) for path in gene_info], ignore_index=True)
    hgnc_table = references.read_hgnc(hgnc) if hgnc else None
    withdrawn = references.read_hgnc_withdrawn(hgnc_withdrawn) if hgnc_withdrawn else None
    famplex_data = references.FamPlex(
        relations=references.read_famplex_relations(famplex["relations"]),
        entities=references.read_famplex_entities(famplex["entities"]),
        equivalences=references.read_famplex_equivalences(famplex["equivalences"]),
        grounding_map=references.read_famplex_grounding_map(famplex["grounding_map"]),
        hgnc_symbol_map=references.read_famplex_hgnc_symbol_map(famplex["hgnc_symbol_map"]),
    ) if famplex else None
    built = {
        "lexicon": lexicon.build_lexicon(info, hgnc_table, withdrawn, famplex_data),
        "famplex_members": (lexicon.build_famplex_members(famplex_data, info, hgnc_table) if famplex_data
                            else None),
        "gene_catalog": lexicon.build_gene_catalog(info, hgnc_table),
        "gene_history": (references.build_gene_id_history(references.read_gene_history(gene_history, taxa))
                         if gene_history else None),
        # Pairs between the configured taxa only: human projection needs nothing else.
        "orthologs": (orthologs.read_gene_orthologs(gene_orthologs, set(taxa) | {orthologs.HUMAN_TAXON_ID})
                      if gene_orthologs else None),
    }
    schema_of = {"lexicon": "lexicon", "famplex_members": "famplex_members", "gene_catalog": "gene_catalog",
                 "gene_history": "gene_id_history", "orthologs": "gene_orthologs"}
    counts = {}
    for name, path in outputs.items():
        table = schema_of[name]
        data = built[name]
        written = _write(data if data is not None else [], path, table)
        counts[name] = written.num_rows
    return counts


def build_taxonomy(dump_dir: PathLike, outputs: Mapping[str, PathLike]) -> dict[str, int]:
    from pfocr_etl.taxonomy import build_taxonomy_tables

    tables = build_taxonomy_tables(dump_dir)
    counts = {}
    for name, path in outputs.items():
        table = f"taxonomy_{name}"
        write_arrow(tables[table], path)
        counts[name] = tables[table].num_rows
    return counts


def _resolver(taxonomy: Mapping[str, PathLike]):
    from pfocr_etl.taxonomy import TaxonResolver

    return TaxonResolver.from_parquet(taxonomy["names"], taxonomy["nodes"], taxonomy.get("merged"),
                                      taxonomy.get("deleted"))


# --- per-shard stages -------------------------------------------------------------

def parse_shard(input_dir: PathLike, shard_list: PathLike, outputs: Mapping[str, PathLike],
                strict: bool) -> dict[str, int]:
    from pfocr_etl.parse import write_shard

    tables = write_shard(input_dir, shard_list, outputs, strict)
    return {name: tables.count(name) for name in outputs}


def annotate_shard(figures: PathLike, raw_genes: PathLike, reference: Mapping[str, PathLike],
                   taxonomy: Mapping[str, PathLike], outputs: Mapping[str, PathLike], *,
                   organisms: Sequence[int], stoplist: PathLike) -> dict:
    """Map one shard's gene mentions, then harmonize its organisms and project its genes to human.

    One job, not two: the mapper reads each figure's named organisms and the harmonizer reads the
    mapped genes, so both need the shard's figures and the taxonomy. As separate jobs, start-up
    and loading cost ~0.9 s per job and shard, and the mapped genes took a round trip through disk.
    """
    from pfocr_etl.organisms import resolve_name_mentions

    figure_table = read_table(figures, "figures")
    resolver = _resolver(taxonomy)
    names = resolve_name_mentions(figure_table, resolver)  # both stages read the figures' organism names
    mapped, metrics = _map_genes(figure_table, read_table(raw_genes, "figure_genes_raw"), reference, resolver,
                                 outputs, organisms=organisms, stoplist=stoplist, names=names)
    counts = _harmonize_organisms(figure_table, mapped, read_table(reference["orthologs"], "gene_orthologs"),
                                  resolver, outputs, names=names)
    return {"genes": metrics, "organisms": counts}


def _map_genes(figure_table: pa.Table, raw_genes: pa.Table, reference: Mapping[str, PathLike], resolver,
               outputs: Mapping[str, PathLike], *, organisms: Sequence[int],
               stoplist: PathLike, names) -> tuple[pa.Table, dict]:
    """Gene mentions mapped in the context of each figure's named organisms (``figure_genes_mapped``)."""
    from pfocr_etl.genes import gene_mention_counts, load_stoplist, map_figure_genes, tier_counts
    from pfocr_etl.organisms import figure_context_taxa

    mapping = map_figure_genes(
        raw_genes, read_table(reference["lexicon"]), organisms=organisms,
        context_taxa=figure_context_taxa(figure_table, resolver, names),
        gene_history=read_table(reference["gene_history"]),
        famplex_members=read_table(reference["famplex_members"]),
        stoplist=load_stoplist(stoplist))
    # Already in SORT_KEYS order (frame_to_arrow), the order the harmonizer's first-seen choices depend on.
    mapped = mapping.figure_genes
    _write(mapping.figure_gene_families, outputs["figure_gene_families"], "figure_gene_families")
    _write(gene_mention_counts(mapped), outputs["gene_counts"], "gene_mention_counts")
    return mapped, tier_counts(mapped)


def _harmonize_organisms(figure_table: pa.Table, genes: pa.Table, orthologs: pa.Table, resolver,
                         outputs: Mapping[str, PathLike], names) -> dict:
    """Organisms per figure, the primary organism into ``figures``, human orthologs into ``figure_genes``."""
    from pfocr_etl.organisms import (genes_tsv_disagreements, harmonize_organisms, organism_figure_counts,
                                     with_primary_taxon)
    from pfocr_etl.orthologs import OrthologIndex, figure_gene_orthologs, with_human_orthologs

    result = harmonize_organisms(figure_table, genes, resolver, names=names)
    pairs = figure_gene_orthologs(genes, OrthologIndex(orthologs))
    _write(with_primary_taxon(figure_table, result.primary), outputs["figures"], "figures")
    # Rows keep the mapped genes' order, already SORT_KEYS["figure_genes"]: sorting again cost ~4 % of the job.
    figure_genes = write_table(with_human_orthologs(genes, pairs), outputs["figure_genes"], "figure_genes")
    _write_summaries(figure_table, figure_genes, outputs)
    _write(result.figure_organisms, outputs["figure_organisms"], "figure_organisms")
    _write(result.primary, outputs["figure_primary_organisms"], "figure_primary_organisms")
    _write(organism_figure_counts(result.figure_organisms, result.primary), outputs["organism_counts"],
           "organism_figure_counts")
    _write(pairs, outputs["figure_gene_orthologs"], "figure_gene_orthologs")
    disagreements = genes_tsv_disagreements(genes, result.primary, resolver)
    _write(pa.Table.from_pandas(disagreements, schema=table_schema("organism_disagreements"), preserve_index=False),
           outputs["organism_disagreements"], "organism_disagreements")
    return {"figures": figure_table.num_rows, "figure_organisms": result.figure_organisms.num_rows}


def _write_summaries(figure_table: pa.Table, figure_genes: pa.Table, outputs: Mapping[str, PathLike]) -> None:
    """The shard's summaries for the gene sets and the report: they read these, not every gene row."""
    from pfocr_etl.summaries import confident_rows, gene_mapping_counts, gene_set_labels

    write_table(confident_rows(figure_genes), outputs["confident_genes"], "confident_figure_genes")
    _write(gene_set_labels(figure_table), outputs["gene_set_labels"], "gene_set_labels")
    _write(gene_mapping_counts(figure_genes), outputs["mapping_counts"], "gene_mapping_counts")


# --- gathers ----------------------------------------------------------------------

def gather_genes(gene_count_parts: Sequence[PathLike], gene_catalog: PathLike, output: PathLike) -> int:
    """The genes table from the shards' per-gene partials (memory grows with genes, not mentions)."""
    from pfocr_etl.partials import build_genes_table

    counts = read_parts(gene_count_parts, "gene_mention_counts")
    return _write(build_genes_table(counts, read_table(gene_catalog)), output, "genes").num_rows


def gather_organisms(count_parts: Sequence[PathLike], taxonomy: Mapping[str, PathLike], output: PathLike) -> int:
    """The organisms table from the shards' per-taxon figure counts (memory grows with taxa, not figures)."""
    from pfocr_etl.partials import build_organisms_table
    from pfocr_etl.taxonomy import Taxonomy

    def optional(key: str) -> pa.Table | None:
        return read_table(taxonomy[key]) if taxonomy.get(key) else None

    # The tree alone: the resolver's name index (every name of NCBI Taxonomy) is for the annotate jobs.
    tree = Taxonomy(read_table(taxonomy["nodes"]), read_table(taxonomy["names"]), optional("merged"),
                    optional("deleted"))
    table = build_organisms_table(read_parts(count_parts, "organism_figure_counts"), tree)
    return _write(table, output, "organisms").num_rows


def fingerprint_corpus(parts: Sequence[PathLike], output: PathLike) -> dict:
    """``corpus.json`` from the parse jobs' ``corpus_files``: counts, bytes, one sha256 over all files.

    The rows stay in Arrow (~0.16 KB per file) and reach Python a slice at a time, in path
    order: as Python objects they took ~1.1 KB per file (900 MB at 300k figures).
    """
    import json

    import pyarrow.compute as pc

    from pfocr_etl.manifest import corpus_fingerprint

    files = read_parts(parts, "corpus_files")
    order = pc.sort_indices(files, sort_keys=[("path", "ascending")])
    summary = corpus_fingerprint(_rows_in_order(files, order), n_shards=len(parts))
    write_text(output, json.dumps(summary, indent=1, sort_keys=True) + "\n")
    return summary


def _rows_in_order(table: pa.Table, order: pa.Array, slice_rows: int = 65_536):
    """(path, kind, size, sha256) tuples of ``table`` in ``order``, converted a slice at a time."""
    for start in range(0, len(order), slice_rows):
        chunk = table.take(order[start:start + slice_rows])
        yield from zip(*(chunk[name].to_pylist() for name in ("path", "kind", "size", "sha256")))


def gather_papers(candidate_parts: Sequence[PathLike], output: PathLike) -> int:
    """One row per paper; the candidates' value columns are read one at a time (peak memory)."""
    from pfocr_etl.papers import KEY_COLUMNS, merge_papers

    def read_column(name: str) -> pa.ChunkedArray:
        return read_parts(candidate_parts, "papers", columns=[name])[name]

    keys = read_parts(candidate_parts, "papers", columns=KEY_COLUMNS)
    return _write(merge_papers(keys, table_schema("papers"), read_column), output, "papers").num_rows
