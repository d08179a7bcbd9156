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
    "figure_genes_raw": [
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
    # Every file a parse job read (an intermediate, not published): the corpus fingerprint's rows.
    "corpus_files": [
        Column("path", STR, False, "Input file, relative to input_dir."),
        Column("kind", STR, False, "figure, genes_tsv, chemicals_tsv, diseases_tsv, article or unrecognized."),
        Column("size", I64, False, "Bytes read (the manifest's size when the file could not be read)."),
        Column("sha256", STR, True, "sha256 of the bytes parsed; null when the file could not be read."),
    ],
    # Per accepted figure, a digest of all its parse rows depend on (an intermediate, not published):
    # the annotate job reuses a figure's earlier results while it is unchanged (pfocr_etl.shard_cache).
    "figure_inputs": [
        Column("figid", STR, False, "Figure identifier."),
        Column("input_sha256", STR, False, "sha256 over the parse job's code and settings and the path and "
                                           "sha256 of every file of the figure (its records and _data tables)."),
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
        Column("primary_status", STR, False, "resolved (a primary organism), unresolved (organism names given, none "
                                             "resolved) or missing (no organism evidence at all)."),
        Column("primary_evidence", STR, True, "Sources supporting the primary organism, joined by '+' (genes_tsv+gene_symbols+metadata+ner order)."),
        Column("primary_confidence", STR, True, "high, medium or low (see pfocr_etl.organisms); null without a primary organism."),
        Column("conflicting", BOOL, False, "True when a source names organisms none of which is (or is related to) the primary one."),
    ],
    # Per-shard partial of ``organisms``: gathering sums these (a figure belongs to one shard).
    "organism_figure_counts": [
        Column("taxon_id", I64, False, "NCBI Taxonomy ID."),
        Column("n_figures", I64, False, "Figures of the shard with this organism resolved (mentioned_only excluded)."),
        Column("n_figures_primary", I64, False, "Figures of the shard whose primary organism this is."),
        Column("n_figures_mentioned_only", I64, False, "Figures of the shard naming it without gene evidence."),
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

TABLE_COLUMNS["organism_disagreements"] = [
    Column("figid", STR, False, "Figure identifier."),
    Column("word", STR, False, "OCR word of the genes TSV rows."),
    Column("tsv_taxon_id", I64, False, "organism_id the genes TSV gives."),
    Column("harmonized_taxon_id", I64, True, "Taxon the organism stage settled on for these rows."),
    Column("reason", STR, False, "merged_id, deleted_id, unknown_id (the TSV ID is outdated or unknown), gene_symbols "
                                 "(our mapper confidently placed the same word of the figure in another taxon)."),
    Column("n_rows", I64, False, "Genes TSV rows concerned."),
]

# --- gene stage (pfocr_etl.references, lexicon, genes) -----------------------------
TABLE_COLUMNS.update({
    "lexicon": [
        Column("term", STR, False, "Name as written by its source (symbol, alias, FamPlex ID or grounding text)."),
        Column("term_key", STR, False, "Lookup key: NFKC, homoglyphs and Greek letters folded to Latin, inner separators removed, upper case."),
        Column("term_case_key", STR, False, "term_key before upper-casing (for case-exact matching)."),
        Column("taxon_id", I64, True, "Taxon of the gene; null for FamPlex families/complexes (entities, not genes)."),
        Column("ncbigene_id", I64, True, "NCBI Gene ID the term names; null for FamPlex entities."),
        Column("hgnc_id", STR, True, "HGNC ID of the gene (HGNC:n), when human."),
        Column("symbol", STR, True, "Current official symbol of the gene, or the FamPlex ID of an entity."),
        Column("tier", STR, False, "Naming source: official_symbol, authority_symbol, hgnc_symbol, hgnc_prev_symbol, hgnc_withdrawn, hgnc_alias, ncbi_synonym, famplex_entity, famplex_grounding."),
        Column("tier_rank", I32, False, "Position of the tier in that list (1 = official_symbol)."),
        Column("gene_type", STR, True, "NCBI type_of_gene (protein-coding, pseudo, ncRNA, unknown, …)."),
        Column("n_genes_in_tier", I32, False, "Distinct genes (or FamPlex entities) sharing this term_key in this tier and taxon."),
        Column("famplex_id", STR, True, "FamPlex entity (FPLX:<id>) for famplex_entity rows."),
    ],
    "famplex_members": [
        Column("famplex_id", STR, False, "FamPlex family or complex (FPLX:<id>)."),
        Column("member_ref", STR, False, "Member as FamPlex names it (HGNC:<symbol> or UP:<accession>)."),
        Column("member_ncbigene_id", I64, True, "NCBI Gene ID of the member (via HGNC ID, so renamed members resolve); null when unresolved."),
        Column("member_symbol", STR, True, "Current official symbol of the member (FamPlex's symbol when unresolved)."),
        Column("member_hgnc_id", STR, True, "HGNC ID of the member."),
        Column("membership", STR, False, "isa (one kind of the family) or partof (component of a complex, possibly through nested entities)."),
        Column("depth", I32, False, "Edges on the shortest FamPlex path from the member to the entity (1 = direct member)."),
    ],
    "gene_catalog": [
        Column("ncbigene_id", I64, False, "NCBI Gene ID."),
        Column("taxon_id", I64, False, "NCBI Taxonomy ID of the gene."),
        Column("symbol", STR, False, "Official symbol (gene_info Symbol)."),
        Column("description", STR, True, "gene_info description."),
        Column("gene_type", STR, True, "gene_info type_of_gene."),
        Column("hgnc_id", STR, True, "HGNC ID (from dbXrefs or the HGNC complete set)."),
    ],
    "gene_id_history": [
        Column("taxon_id", I64, False, "Taxon of the discontinued gene."),
        Column("discontinued_ncbigene_id", I64, False, "Discontinued NCBI Gene ID."),
        Column("discontinued_symbol", STR, True, "Symbol the discontinued ID had."),
        Column("current_ncbigene_id", I64, True, "Current ID after following replacement chains; null when withdrawn."),
        Column("chain_length", I32, False, "Replacement steps followed."),
        Column("status", STR, False, "replaced or discontinued."),
    ],
    "figure_genes_mapped": [
        Column("figid", STR, False, "Figure identifier."),
        Column("word", STR, False, "OCR word or keyword as recorded (never null)."),
        Column("normalized_word", STR, True, "The part of the word that was looked up, after normalisation (NFKC, homoglyphs, Greek, punctuation, compound split)."),
        Column("lexicon_term", STR, True, "Recorded rows: PFOCR's term. Mapped rows: the lexicon term we matched."),
        Column("lexicon_source", STR, True, "PFOCR's lexicon source tag (recorded rows only)."),
        Column("input_ncbigene_id", I64, True, "Gene ID before gene_history: as recorded by PFOCR, or as found in our lexicon."),
        Column("ncbigene_id", I64, True, "Current NCBI Gene ID (gene_history chains followed); null when discontinued, unmatched or a FamPlex entity."),
        Column("id_status", STR, True, "current, replaced, discontinued or unknown (not in the loaded references); null without an ID."),
        Column("symbol", STR, True, "Current official symbol (FamPlex ID for an entity row)."),
        Column("taxon_id", I64, True, "Taxon the evidence supports (the gene's taxon); null for FamPlex entities and no_match rows."),
        Column("famplex_id", STR, True, "FamPlex family/complex (FPLX:<id>) when the word names one; members are in figure_gene_families."),
        Column("match_tier", STR, False, "pfocr_recorded (PFOCR's own row), a lexicon tier, ocr_confusion, stop_list or no_match."),
        Column("case_exact", BOOL, True, "Letter case of the word equals the matched term (null for pfocr_recorded/no_match)."),
        Column("ambiguous", BOOL, False, "Several candidates tied at the winning tier (one row per candidate)."),
        Column("n_candidates", I32, True, "Candidates tied at the winning tier (suppressed candidates for stop_list rows)."),
        Column("resolved_by", STR, True, "figure_genes when the figure's unambiguous genes settled an ambiguous word to this candidate."),
        Column("confident", BOOL, False, "Usable for gene sets: our match, an NCBI Gene ID, not ambiguous (or settled), not stop-listed, not an OCR-confusion guess."),
        Column("pfocr_agreement", STR, True, "Recorded rows: agree, family_member or disagree with our mapping of the word. Mapped rows: agree, new, or disagree (our no_match/stop_list row). Null when PFOCR recorded no ID for the word."),
        *_PROVENANCE,
    ],
    "figure_gene_families": [
        Column("figid", STR, False, "Figure identifier."),
        Column("word", STR, False, "OCR word or keyword naming the family/complex."),
        Column("famplex_id", STR, False, "FamPlex family or complex (FPLX:<id>)."),
        Column("ncbigene_id", I64, False, "NCBI Gene ID of a member."),
        Column("symbol", STR, True, "Current official symbol of the member."),
        Column("membership", STR, False, "isa (one of the family) or partof (component of the complex)."),
        Column("depth", I32, False, "FamPlex path length from the member to the entity."),
    ],
    # Per-shard partial of ``genes``: gathering sums these instead of re-reading every mention.
    "gene_mention_counts": [
        Column("ncbigene_id", I64, False, "NCBI Gene ID."),
        Column("symbol", STR, True, "Smallest symbol the shard's mentions give the gene (fallback for the catalog)."),
        Column("taxon_id", I64, True, "Taxon given with that symbol (smallest, if several)."),
        Column("n_figures", I32, False, "Figures of the shard with a confident mention of the gene."),
    ],
    "genes": [
        Column("ncbigene_id", I64, False, "NCBI Gene ID."),
        Column("taxon_id", I64, True, "NCBI Taxonomy ID of the gene."),
        Column("symbol", STR, True, "Current official symbol."),
        Column("description", STR, True, "gene_info description."),
        Column("gene_type", STR, True, "gene_info type_of_gene."),
        Column("hgnc_id", STR, True, "HGNC ID, when human."),
        Column("n_figures", I32, False, "Figures with a confident mention of the gene."),
    ],
})

# The published gene mentions: the gene stage's mapped rows plus the organism stage's
# projection onto human genes (all pairs of a one-to-many ortholog are in figure_gene_orthologs).
TABLE_COLUMNS["figure_genes"] = [
    *TABLE_COLUMNS["figure_genes_mapped"],
    Column("human_ncbigene_id", I64, True, "Human NCBI Gene ID of the gene (itself for human genes); null when the "
                                           "gene has no human ortholog or several (see figure_gene_orthologs)."),
    Column("ortholog_kind", STR, True, "self, one_to_one, one_to_many, many_to_one, many_to_many or none; null "
                                       "without a gene ID."),
]

# --- per-shard summaries for the gene sets and the report (pfocr_etl.summaries) ---------------
TABLE_COLUMNS.update({
    # The figure_genes rows that may enter a gene set (genesets.confident_condition).
    "confident_figure_genes": TABLE_COLUMNS["figure_genes"],
    "gene_set_labels": [
        Column("figid", STR, False, "Figure identifier."),
        Column("alias", STR, False, "figid_alias on one line (summaries.clean_text); empty when absent."),
        Column("title", STR, False, "figtitle on one line; empty when absent."),
    ],
    "gene_mapping_counts": [
        Column("match_tier", STR, True, "Match tier of the rows."),
        Column("id_status", STR, True, "ID status of the rows."),
        Column("rows", I64, False, "Rows."),
        Column("with_gene_id", I64, False, "Rows with an NCBI Gene ID."),
        Column("confident", I64, False, "Rows that may enter a gene set (genesets.confident_condition)."),
        Column("ambiguous", I64, False, "Ambiguous rows."),
        Column("ids_discontinued", I64, False, "Rows whose ID status is discontinued."),
        Column("ids_refreshed", I64, False, "Rows whose gene ID differs from the input gene ID."),
        Column("ids_given", I64, False, "Rows with an input gene ID."),
    ],
})

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
    "figure_genes_raw": [*_MENTION_ORDER, "ncbigene_id", "symbol"],
    "figure_chemicals": [*_MENTION_ORDER, "mesh_id", "chebi_id"],
    "figure_diseases": [*_MENTION_ORDER, "mesh_id", "doid"],
    "rejected": ["source_path", "reason", "detail"],
    "corpus_files": ["path"],
    "figure_inputs": ["figid"],
    # gene stage
    "lexicon": ["term_key", "taxon_id", "tier_rank", "ncbigene_id", "famplex_id", "term"],
    "famplex_members": ["famplex_id", "member_ncbigene_id", "member_ref"],
    "gene_catalog": ["ncbigene_id"],
    "gene_id_history": ["discontinued_ncbigene_id"],
    "figure_genes_mapped": [*_MENTION_ORDER, "normalized_word", "match_tier", "taxon_id", "ncbigene_id",
                            "famplex_id", "input_ncbigene_id", "symbol", "lexicon_term"],
    "figure_gene_families": ["figid", "word", "famplex_id", "ncbigene_id"],
    "gene_mention_counts": ["ncbigene_id"],
    "genes": ["ncbigene_id"],
    # organism stage
    "figure_organisms": ["figid", "source", "taxon_id", "name_as_given", "status"],
    "figure_primary_organisms": ["figid"],
    "organism_figure_counts": ["taxon_id"],
    "organisms": ["taxon_id"],
    "taxonomy_names": ["tax_id", "name_class", "name_txt"],
    "taxonomy_nodes": ["tax_id"],
    "taxonomy_merged": ["old_tax_id"],
    "taxonomy_deleted": ["tax_id"],
    "gene_orthologs": ["tax_id", "gene_id", "other_tax_id", "other_gene_id"],
    "figure_gene_orthologs": ["figid", "ncbigene_id", "taxon_id", "human_ncbigene_id"],
    "organism_disagreements": ["figid", "word", "tsv_taxon_id", "reason"],
}
SORT_KEYS["figure_genes"] = SORT_KEYS["confident_figure_genes"] = SORT_KEYS["figure_genes_mapped"]
SORT_KEYS["gene_set_labels"] = ["figid"]
SORT_KEYS["gene_mapping_counts"] = ["match_tier", "id_status"]
