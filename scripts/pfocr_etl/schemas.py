"""Every Arrow schema the pipeline writes, in one place.

Each table is declared once as a list of :class:`Column` (name, type,
nullability, one-line description). The descriptions feed the release's
``datapackage.json``; the Arrow schemas are what every writer must use, so
readers (DuckDB, pandas, pyarrow.dataset) see one stable contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    description: str


def _schema(columns: list[Column]) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in columns])


STR = pa.string()
I64 = pa.int64()
I32 = pa.int32()
F64 = pa.float64()
BOOL = pa.bool_()
STR_LIST = pa.list_(pa.string())

# --- provenance columns shared by the mention tables -------------------------
_PROVENANCE = [
    Column("evidence", STR, False, "Where the row came from: inline_list, genes_tsv, chemicals_tsv, diseases_tsv, keywords."),
    Column("source_path", STR, False, "Input file of the row, relative to input_dir."),
    Column("source_line", I32, True, "1-based line of the first source row in a TSV (null for YAML lists)."),
    Column("n_source_rows", I32, False, "How many identical source rows were collapsed into this row."),
]

TABLE_COLUMNS: dict[str, list[Column]] = {
    "figures": [
        Column("figid", STR, False, "PFOCR figure identifier, unique (e.g. PMC3670266__jkst-2-e22996-g1)."),
        Column("pmcid", STR, True, "PubMed Central ID of the paper (PMC…)."),
        Column("number", STR, True, "Figure number as printed (F1, Figure 9, SF1)."),
        Column("figtitle", STR, True, "Figure title."),
        Column("caption", STR, True, "Figure caption."),
        Column("filename", STR, True, "Image file name at PMC."),
        Column("figlink", STR, True, "Link to the figure page at PMC."),
        Column("papertitle", STR, True, "Title of the paper."),
        Column("reftext", STR, True, "Citation text of the paper."),
        Column("year", I32, True, "Publication year; null when absent or not a valid year."),
        Column("doi", STR, True, "DOI of the paper."),
        Column("journal_title", STR, True, "Journal title."),
        Column("keywords", STR_LIST, False, "Figure keywords (schema-jsonld keywords), null sentinels removed."),
        Column("pathway_score", F64, True, "Pathway classifier score (pathway_score or automl_pathway)."),
        Column("figid_alias", STR, True, "Short alias of the figure (PMCxxxx__Fn)."),
        Column("figtype", STR, True, "Figure type (Figure, Supplemental figure)."),
        Column("organisms_metadata", STR_LIST, False, "Organisms as given in the record's paper metadata (organisms)."),
        Column("organisms_ner", STR_LIST, False, "Organisms found in the text by NER (organisms_ner)."),
        Column("primary_taxon_id", I64, True, "NCBI Taxonomy ID of the figure's primary organism (organism stage)."),
        Column("source_path", STR, False, "Input file of the record, relative to input_dir."),
        Column("source_sha256", STR, False, "SHA-256 of the record file's bytes."),
        Column("record_format", STR, False, "Record generation: inline_lists (older pages) or data_tables (current pages)."),
    ],
    "papers": [
        Column("pmcid", STR, True, "PubMed Central ID."),
        Column("pmid", STR, True, "PubMed ID."),
        Column("doi", STR, True, "DOI, lower-cased."),
        Column("title", STR, True, "Paper title."),
        Column("journal", STR, True, "Journal title or abbreviation."),
        Column("year", I32, True, "Publication year."),
        Column("citation", STR, True, "Citation line (volume, issue, pages)."),
        Column("authors", STR_LIST, False, "Authors as listed (may be abbreviated, e.g. 'X et al.')."),
        Column("abstract", STR, True, "Abstract text."),
        Column("keywords", STR_LIST, False, "Paper keywords."),
        Column("figure_captions", STR_LIST, False, "Figure captions listed on the article page."),
        Column("source", STR, False, "Which inputs describe the paper: figure_records, article_page, or both joined by '+'."),
        Column("source_paths", STR_LIST, False, "Input files that contributed, relative to input_dir."),
    ],
    "paper_references": [
        Column("citing_pmcid", STR, True, "PMCID of the citing paper, when known."),
        Column("citing_doi", STR, True, "DOI of the citing paper, when known."),
        Column("position", I32, False, "1-based position in the reference list."),
        Column("reference_text", STR, False, "Reference as printed."),
        Column("doi", STR, True, "DOI of the cited work, when given."),
        Column("pmid", STR, True, "PMID of the cited work, when given."),
        Column("pmcid", STR, True, "PMCID of the cited work, when given."),
        Column("source_path", STR, False, "Article page the reference came from."),
    ],
    "figure_genes": [
        Column("figid", STR, False, "Figure identifier."),
        Column("word", STR, False, "OCR word as recorded (never null; 'NA' is a real token)."),
        Column("lexicon_term", STR, True, "Lexicon term PFOCR matched (inline symbol / TSV match)."),
        Column("lexicon_source", STR, True, "PFOCR's lexicon source tag (hgnc_symbol, ncbigene_synonym, famplex_relations, …)."),
        Column("ncbigene_id", I64, True, "NCBI Gene ID as recorded."),
        Column("symbol", STR, True, "Gene symbol as recorded."),
        Column("taxon_id", I64, True, "NCBI Taxonomy ID the record gives for the gene; null when it does not say."),
        *_PROVENANCE,
    ],
    "figure_chemicals": [
        Column("figid", STR, False, "Figure identifier."),
        Column("word", STR, False, "OCR word as recorded."),
        Column("name", STR, True, "Chemical name."),
        Column("mesh_id", STR, True, "MeSH identifier (bare accession, e.g. D001920)."),
        Column("chebi_id", STR, True, "ChEBI identifier (CHEBI:nnn)."),
        *_PROVENANCE,
    ],
    "figure_diseases": [
        Column("figid", STR, False, "Figure identifier."),
        Column("word", STR, False, "OCR word as recorded."),
        Column("name", STR, True, "Disease name."),
        Column("mesh_id", STR, True, "MeSH identifier (bare accession)."),
        Column("doid", STR, True, "Disease Ontology ID (DOID:nnn)."),
        *_PROVENANCE,
    ],
    "rejected": [
        Column("source_path", STR, False, "Input file that could not be used (fully or in part), relative to input_dir."),
        Column("reason", STR, False, "Short stable reason code (see docs/rejections.md)."),
        Column("detail", STR, False, "What is wrong and how to fix it."),
        Column("action", STR, False, "What the pipeline did: file_skipped, record_skipped or field_nulled."),
    ],
    # --- organism stage (pfocr_etl.taxonomy, organisms, orthologs) -------------
    "taxonomy_names": [
        Column("tax_id", I64, False, "NCBI Taxonomy ID (names.dmp)."),
        Column("name_txt", STR, False, "Name as in names.dmp."),
        Column("unique_name", STR, True, "Unique variant of a shared name (e.g. 'mouse <Mus musculus>'); null when not needed."),
        Column("name_class", STR, False, "NCBI name class (scientific name, synonym, genbank common name, authority, …)."),
        Column("name_key", STR, False, "Lookup key: whitespace collapsed, quotes trimmed, lower case."),
    ],
    "taxonomy_nodes": [
        Column("tax_id", I64, False, "NCBI Taxonomy ID (nodes.dmp)."),
        Column("parent_tax_id", I64, False, "Parent tax ID (the root is its own parent)."),
        Column("rank", STR, False, "Rank exactly as in nodes.dmp (species, genus, clade, domain, acellular root, …)."),
    ],
    "taxonomy_merged": [
        Column("old_tax_id", I64, False, "Tax ID that was merged (merged.dmp)."),
        Column("new_tax_id", I64, False, "Tax ID it was merged into."),
    ],
    "taxonomy_deleted": [
        Column("tax_id", I64, False, "Deleted tax ID (delnodes.dmp)."),
    ],
    "figure_organisms": [
        Column("figid", STR, False, "Figure identifier."),
        Column("source", STR, False, "Evidence source: metadata (organisms), ner (organisms_ner), genes_tsv (TSV organism_id) or gene_symbols (taxa of confident gene matches)."),
        Column("taxon_id", I64, True, "Harmonized NCBI Taxonomy ID (merged IDs followed); null unless status is resolved or mentioned_only."),
        Column("name_as_given", STR, True, "Organism name as written in the record (null for gene sources and empty lists)."),
        Column("status", STR, False, "resolved, unresolved, missing (source gave no organism) or mentioned_only (named, but no gene evidence while other taxa have some)."),
        Column("matched_name_class", STR, True, "names.dmp class that matched (scientific name, genbank common name, …)."),
        Column("candidates", pa.list_(I64), False, "Candidate tax IDs: all of them when unresolved, the competitors when a homonym was settled."),
        Column("flags", STR_LIST, False, "Resolution notes: author_stripped, unique_name, fallback_class, homonym, homonym_rank, homonym_context, merged_id, deleted_id, unknown_id, not_found."),
        Column("n_genes", I32, False, "Distinct NCBI Gene IDs backing this organism in the figure (for name sources: genes of related taxa)."),
    ],
    "figure_primary_organisms": [
        Column("figid", STR, False, "Figure identifier."),
        Column("primary_taxon_id", I64, True, "NCBI Taxonomy ID of the figure's primary organism; null when no source names one."),
        Column("primary_evidence", STR, True, "Sources supporting the primary organism, joined by '+' (genes_tsv+gene_symbols+metadata+ner order)."),
        Column("primary_confidence", STR, True, "high, medium or low (see pfocr_etl.organisms); null without a primary organism."),
        Column("conflicting", BOOL, False, "True when a source names organisms none of which is (or is related to) the primary one."),
    ],
    "organisms": [
        Column("taxon_id", I64, False, "NCBI Taxonomy ID."),
        Column("scientific_name", STR, True, "Scientific name."),
        Column("rank", STR, True, "Rank as in nodes.dmp."),
        Column("group", STR, False, "Readable group from the taxonomy (primates, rodents, bony fishes, insects, bacteria, …)."),
        Column("lineage", STR, True, "Scientific names from the root to the taxon, joined by '; '."),
        Column("n_figures", I64, False, "Figures with this organism resolved from any source (mentioned_only excluded)."),
        Column("n_figures_primary", I64, False, "Figures whose primary organism this is."),
        Column("n_figures_mentioned_only", I64, False, "Figures naming this organism without gene evidence for it."),
    ],
    "gene_orthologs": [
        Column("tax_id", I64, False, "Taxon of the first gene (gene_orthologs '#tax_id')."),
        Column("gene_id", I64, False, "NCBI Gene ID of the first gene."),
        Column("relationship", STR, False, "Relationship as given (Ortholog)."),
        Column("other_tax_id", I64, False, "Taxon of the second gene."),
        Column("other_gene_id", I64, False, "NCBI Gene ID of the second gene."),
    ],
    "figure_gene_orthologs": [
        Column("figid", STR, False, "Figure identifier."),
        Column("taxon_id", I64, True, "Taxon of the figure gene."),
        Column("ncbigene_id", I64, False, "NCBI Gene ID of the figure gene."),
        Column("human_ncbigene_id", I64, True, "Human NCBI Gene ID (the gene itself for human genes); one row per human ortholog."),
        Column("ortholog_kind", STR, False, "self, one_to_one, one_to_many, many_to_one, many_to_many or none (no human ortholog)."),
    ],
}

SCHEMAS: dict[str, pa.Schema] = {name: _schema(cols) for name, cols in TABLE_COLUMNS.items()}


def schema(table: str) -> pa.Schema:
    return SCHEMAS[table]


def empty_table(table: str) -> pa.Table:
    return SCHEMAS[table].empty_table()

# Row order of every table (deterministic output): the natural key first.
_MENTION_ORDER = ["figid", "evidence", "source_path", "source_line", "word"]
SORT_KEYS: dict[str, list[str]] = {
    "figures": ["figid"],
    "papers": ["pmcid", "doi", "title"],
    "paper_references": ["source_path", "position"],
    "figure_genes": [*_MENTION_ORDER, "ncbigene_id", "symbol"],
    "figure_chemicals": [*_MENTION_ORDER, "mesh_id", "chebi_id"],
    "figure_diseases": [*_MENTION_ORDER, "mesh_id", "doid"],
    "rejected": ["source_path", "reason", "detail"],
}
