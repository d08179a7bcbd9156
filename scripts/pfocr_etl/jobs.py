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
                strict: bool, code: Sequence[PathLike] = ()) -> dict[str, int]:
    from pfocr_etl.parse import write_shard

    tables = write_shard(input_dir, shard_list, outputs, strict, code)
    return {name: tables.count(name) for name in outputs}


# annotate_shard outputs with rows per figure, each sorted with figid first (the figure cache's tables).
ANNOTATED_TABLES = ("figures", "figure_genes", "figure_gene_families", "figure_organisms",
                    "figure_primary_organisms", "figure_gene_orthologs", "organism_disagreements")


def annotate_shard(figures: PathLike, raw_genes: PathLike, figure_inputs: PathLike,
                   reference: Mapping[str, PathLike], taxonomy: Mapping[str, PathLike],
                   outputs: Mapping[str, PathLike], *, organisms: Sequence[int], stoplist: PathLike,
                   code: Sequence[PathLike] = (), cache_dir: PathLike | None = None) -> dict:
    """Map one shard's gene mentions, then harmonize its organisms and project its genes to human.

    One job, not two: the mapper reads each figure's named organisms and the harmonizer reads the
    mapped genes, so both need the shard's figures and the taxonomy. As separate jobs, start-up
    and loading cost ~0.9 s per job and shard, and the mapped genes took a round trip through disk.

    With ``cache_dir``, figures whose inputs (``figure_inputs`` digests), code, references and
    settings are unchanged since the cached run get their rows from it (:mod:`pfocr_etl.shard_cache`).
    """
    import pandas
    import pyarrow.compute as pc

    from pfocr_etl.genes import tier_counts
    from pfocr_etl.organisms import organism_figure_counts
    from pfocr_etl.shard_cache import FigureCache, dependency_key

    figure_table = read_table(figures, "figures")
    cache, reused, cached_rows = None, pa.array([], pa.string()), {}
    if cache_dir:
        key = dependency_key(content=[stoplist, *code], stat=[*reference.values(), *taxonomy.values()],
                             settings={"organisms": [int(t) for t in organisms], "pandas": pandas.__version__})
        cache = FigureCache(cache_dir, key)
        reused, cached_rows = cache.reuse(read_table(figure_inputs, "figure_inputs"), ANNOTATED_TABLES)
    new = figure_table.filter(pc.invert(pc.is_in(figure_table["figid"], value_set=reused)))
    if new.num_rows:
        raw = read_table(raw_genes, "figure_genes_raw")
        if len(reused):
            raw = raw.filter(pc.is_in(raw["figid"], value_set=new["figid"]))
        tables = _annotate_figures(new, raw, reference, taxonomy, organisms=organisms, stoplist=stoplist)
    else:
        tables = {name: table_schema(name).empty_table() for name in ANNOTATED_TABLES}
    if len(reused):
        tables = {name: pa.concat_tables([cached_rows[name], table]) for name, table in tables.items()}
    for name in ANNOTATED_TABLES:
        # figure_genes comes in SORT_KEYS order; sorting it again cost ~4 % of the job. Cached and
        # new rows need only a stable sort by figid, which keeps each figure's rows in their order.
        keys = SORT_KEYS[name] if name != "figure_genes" else (["figid"] if len(reused) else [])
        tables[name] = write_table(tables[name], outputs[name], name, keys)
    figure_genes = tables["figure_genes"]
    _write_summaries(figure_table, figure_genes, outputs)
    _write(organism_figure_counts(tables["figure_organisms"], tables["figure_primary_organisms"]),
           outputs["organism_counts"], "organism_figure_counts")
    if cache:
        cache.store({name: outputs[name] for name in ANNOTATED_TABLES}, figure_inputs)
    return {"genes": tier_counts(figure_genes),
            "organisms": {"figures": figure_table.num_rows, "figure_organisms": tables["figure_organisms"].num_rows},
            "figures_reused": len(reused), "figures_annotated": new.num_rows,
            "cache_ignored": cache.problem if cache else None}


def _annotate_figures(figure_table: pa.Table, raw_genes: pa.Table, reference: Mapping[str, PathLike],
                      taxonomy: Mapping[str, PathLike], *, organisms: Sequence[int],
                      stoplist: PathLike) -> dict[str, pa.Table]:
    """The per-figure tables (``ANNOTATED_TABLES``) of some figures and their raw gene mentions."""
    from pfocr_etl.genes import load_stoplist, map_figure_genes
    from pfocr_etl.organisms import (figure_context_taxa, genes_tsv_disagreements, harmonize_organisms,
                                     resolve_name_mentions, with_primary_taxon)
    from pfocr_etl.orthologs import OrthologIndex, figure_gene_orthologs, with_human_orthologs
    from pfocr_etl.parquet_io import to_table

    resolver = _resolver(taxonomy)
    names = resolve_name_mentions(figure_table, resolver)  # both stages read the figures' organism names
    mapping = map_figure_genes(
        raw_genes, read_table(reference["lexicon"]), organisms=organisms,
        context_taxa=figure_context_taxa(figure_table, resolver, names),
        gene_history=read_table(reference["gene_history"]),
        famplex_members=read_table(reference["famplex_members"]),
        stoplist=load_stoplist(stoplist))
    # In SORT_KEYS order (frame_to_arrow), the order the harmonizer's first-seen choices depend on.
    mapped = mapping.figure_genes
    result = harmonize_organisms(figure_table, mapped, resolver, names=names)
    pairs = figure_gene_orthologs(mapped, OrthologIndex(read_table(reference["orthologs"], "gene_orthologs")))
    disagreements = genes_tsv_disagreements(mapped, result.primary, resolver)
    tables = {
        "figures": with_primary_taxon(figure_table, result.primary),
        "figure_genes": with_human_orthologs(mapped, pairs),
        "figure_gene_families": mapping.figure_gene_families,
        "figure_organisms": result.figure_organisms,
        "figure_primary_organisms": result.primary,
        "figure_gene_orthologs": pairs,
        "organism_disagreements": pa.Table.from_pandas(disagreements, schema=table_schema("organism_disagreements"),
                                                       preserve_index=False),
    }
    return {name: to_table(table, name) for name, table in tables.items()}


def _write_summaries(figure_table: pa.Table, figure_genes: pa.Table, outputs: Mapping[str, PathLike]) -> None:
    """The shard's summaries for the gatherers, the gene sets and the report: they read these, not
    every gene row."""
    from pfocr_etl.genes import gene_mention_counts
    from pfocr_etl.summaries import confident_rows, gene_mapping_counts, gene_set_labels

    _write(gene_mention_counts(figure_genes), outputs["gene_counts"], "gene_mention_counts")
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
