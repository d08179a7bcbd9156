"""Map figure words to genes: normalisation, tiered organism-aware matching, ambiguity.

Input is the raw ``figure_genes`` table (schema ``figure_genes``) of one or more
shards, the lexicon (:func:`pfocr_etl.lexicon.build_lexicon`), the FamPlex
expansion table, the gene history and, per figure, the taxa named by its metadata
and NER (``context_taxa``). Output (:func:`map_figure_genes`) is the
``figure_genes_mapped`` table, the ``figure_gene_families`` table and metrics.

Word normalisation (once per distinct word; the raw word is always kept)
    NFKC; homoglyphs to Latin (Greek capitals ``ΜΑΡΚ`` -> MAPK, Cyrillic, dashes);
    arrows and decorations dropped (``↑Atf6``, ``MSTN↓↓``, ``IFNY!``, ``IL-2->>``);
    surrounding punctuation stripped (``(VEGF)``, ``PLC,``, ``-IL-17A.``); Greek
    letters looked up both as a Latin letter (``IL-1β`` -> IL1B, ``TGF-β`` -> TGFB,
    ``NF-κB`` -> NFKB) and spelled (``NF-kappaB``); separators inside a symbol ignored
    (``NRG-1`` = NRG1). Compound words are looked up whole first (``Ca/D`` -> CAD)
    and only when that fails split on ``/ , ; | ( ) + :`` and spaces, expanding short
    suffixes (``LRP5/6`` -> LRP5, LRP6; ``TarS/M/P`` -> TarS, TarM, TarP). Keywords
    (evidence ``keywords``) are never split: ``Breast cancer`` is one term. Each part
    is one row of output (``normalized_word``).

Match order for a part (first level with any hit wins)
    0. the normalised forms above;
    1. without a phospho prefix or a plural ``s`` (``p-Smad3``, ``pSTAT3`` -> Smad3,
       STAT3; ``MMPs``, ``PBPs`` -> MMP, PBP);
    2. OCR confusions, tier ``ocr_confusion`` (flagged, never confident): I/l/1 and
       O/0 swaps (``Ill`` -> IL1, ``elF2a`` -> EIF2A), γ read as Y (``IFNY`` -> IFNG)
       and Roman numerals (``CIII`` -> C3), against official symbols and FamPlex
       entities only; fewer changed characters win.

Ranking within a level, per figure (lexicographic, best first)
    1. tier class: symbol (official_symbol, authority_symbol, hgnc_symbol) >
       FamPlex entity > previous (hgnc_prev_symbol, hgnc_withdrawn) > alias
       (hgnc_alias, ncbi_synonym, famplex_grounding). An official symbol therefore
       is never expanded to genes that carry it as an alias (``PDP1`` -> 54704 only,
       not PLPP6; ``PIM1`` -> PIM1, not LONP1). *Decision:* a FamPlex name outranks
       previous symbols and aliases although the lexicon lists those tiers first:
       aliases that equal a family name are the classic over-specific matches
       (``VEGF`` -> VEGFA alias, ``NF-kB`` -> NFKB1, ``PKC`` -> PRRT2, ``Raf`` -> ZHX2),
       while FamPlex's grounding map is curated for exactly these texts.
       HGNC aliases and NCBI synonyms form one class, so two sources disagreeing
       about an alias make it ambiguous rather than picking one (``P150``).
    2. organism: a candidate in the figure's context taxa (metadata/NER, limited to
       the configured organisms) beats one outside; without context all configured
       organisms compete. FamPlex entities have no taxon and always compete.
    3. letter case: a case-exact hit beats a case-insensitive one, which is how
       ``STAT3``/``Stat3``/``stat3`` pick human/mouse/zebrafish when the context
       allows several; case-insensitive winners have ``case_exact=false``.
    All candidates tied on these three are kept, one row each, with
    ``ambiguous=true`` and ``n_candidates``. An ambiguous part is settled when exactly
    one of its candidates is matched unambiguously elsewhere in the same figure
    (``resolved_by='figure_genes'``; that row becomes confident, the others stay not
    confident).

Stop list (``resources/gene_stoplist.tsv``)
    Terms that are not genes in figures (ATP, LPS, ROS, CO2, cAMP, MICE, units…). A
    stop-listed key removes every hit except a case-exact official symbol (``HR`` and
    ``CAMP`` as written stay genes; ``cAMP`` does not). A part whose hits are all
    removed yields one ``match_tier='stop_list'`` row without ID (``n_candidates`` =
    suppressed candidates). Parts with no hit at all yield one ``no_match`` row; this
    is where non-gene keywords (``Breast cancer``, ``Tyrosine residue``) end up.

FamPlex
    A family/complex match is one row with ``famplex_id`` and no ``ncbigene_id``;
    members (transitively, with ``isa``/``partof`` and depth) go to
    ``figure_gene_families``. Families are not flattened into gene rows and are
    therefore not in confident gene sets.

Recorded PFOCR rows vs our mapping (how disagreements are represented)
    Every input row that carries an ``ncbigene_id`` is kept as one row with
    ``match_tier='pfocr_recorded'``: ``input_ncbigene_id`` is the recorded ID,
    ``ncbigene_id`` the ID after ``gene_history`` (chains followed; withdrawn ->
    null, ``id_status='discontinued'``), ``symbol`` the current symbol. These rows
    are PFOCR's claims, kept for audit and comparison, and are never ``confident``.
    Independently every distinct (figure, word, evidence, file) is mapped with the
    rules above into rows carrying our tier; those are the only rows that can be
    confident. ``pfocr_agreement`` links the two views: on recorded rows ``agree``
    (we found the same gene for the word), ``family_member`` (we found a family
    containing it) or ``disagree``; on our rows ``agree`` (PFOCR recorded this gene,
    or for a family at least one member), ``new`` (a gene or family PFOCR did not
    record) or ``disagree`` (our no_match/stop_list row for a word PFOCR mapped); null
    where PFOCR recorded no ID for the word (keywords, bare OCR words).

Gene IDs of our rows come from the lexicon and are passed through gene_history too
(``id_status`` ``current`` unless the history says otherwise); an ID found in
neither the lexicon nor the history is ``unknown``.

Speed: words that are one ASCII token inside optional punctuation/arrows (most of
them) get their lookup key from Arrow string kernels; the rest run through Python
once per distinct word (``word_parts``/``part_forms``, cached), as do OCR variants of
unmatched parts. Matching, ranking, settling and history are pandas merges and
group-bys over whole columns.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pfocr_etl.lexicon import (HOMOGLYPHS, KEY_SEPARATORS, TIERS, ascii_case_keys, fold_text, has_greek,
                               lexicon_frame, term_key)
from pfocr_etl.parquet_io import group_rows
from pfocr_etl.partials import smallest_names
from pfocr_etl.references import frame_to_arrow, resolve_gene_history
from pfocr_etl.schemas import schema

DEFAULT_STOPLIST = Path(__file__).resolve().parents[2] / "resources" / "gene_stoplist.tsv"

RECORDED = "pfocr_recorded"
OCR = "ocr_confusion"
STOPPED = "stop_list"
NO_MATCH = "no_match"
KEYWORD_EVIDENCE = "keywords"

# Precedence classes of the lexicon tiers (lower wins); see "Ranking" in the docstring.
SYMBOL_CLASS, FAMILY_CLASS, PREVIOUS_CLASS, ALIAS_CLASS = range(4)
TIER_CLASS = {
    "official_symbol": SYMBOL_CLASS, "authority_symbol": SYMBOL_CLASS, "hgnc_symbol": SYMBOL_CLASS,
    "famplex_entity": FAMILY_CLASS,
    "hgnc_prev_symbol": PREVIOUS_CLASS, "hgnc_withdrawn": PREVIOUS_CLASS,
    "hgnc_alias": ALIAS_CLASS, "ncbi_synonym": ALIAS_CLASS, "famplex_grounding": ALIAS_CLASS,
}

LEVEL_DIRECT, LEVEL_VARIANT, LEVEL_OCR = 0, 1, 2

UNIT_KEYS = ["figid", "word", "evidence", "source_path"]

# --- word normalisation ----------------------------------------------------------------------

# Arrows, stars, exclamation marks and other decorations OCR attaches to gene names.
DECORATION = re.compile(r"[\u2190-\u21ff\u2794-\u27bf\u27f0-\u27ff\u2900-\u297f\u2b00-\u2bff"
                        r"*!?#†‡§°®™©•·\"<>^~=@$%]")
EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
COMPOUND_SEPARATORS = re.compile(r"[\s,;|()\[\]{}\\:+&]+")  # and "/" within a chunk
KEYWORD_SEPARATORS = re.compile(r"[,;|]+")
PHOSPHO_PREFIX = re.compile(r"^p-?(?=[A-Z])")
PLURAL_SUFFIX = re.compile(r"(?<=[A-Z0-9])s$")  # MMPs, JAKs, PBPs (upper-case stem + 's')
MIN_KEY_LENGTH = 2

# OCR confusions: each listed character may have been read for any of its group.
OCR_CONFUSIONS = {"I": "IL1", "L": "IL1", "1": "IL1", "O": "O0", "0": "O0", "Y": "YG"}
OCR_MAX_POSITIONS = 3
ROMAN_SUFFIX = re.compile(r"^(.*?[A-Z])(VIII|VII|III|XII|II|IV|VI|IX|XI)$")
ROMAN_VALUES = {"II": 2, "III": 3, "IV": 4, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12}


def _clean(text: str) -> str:
    return EDGE_PUNCTUATION.sub("", text)


def _is_suffix(piece: str) -> bool:
    """``6`` in ``LRP5/6`` or ``M`` in ``TarS/M/P``: a tail meant to reuse the previous stem."""
    return (piece.isdigit() and len(piece) <= 2) or (len(piece) == 1 and piece.isalpha())


def _with_stem(previous: str, suffix: str) -> str | None:
    if suffix.isdigit():
        stem = previous.rstrip("0123456789")
        return stem + suffix if stem and stem != previous else None
    return previous[:-1] + suffix if len(previous) >= 2 and previous[-1].isalpha() else None


def word_parts(word: str, split: bool = True) -> tuple[list[str], list[str]]:
    """The whole-word candidate and the compound parts of a raw word (texts before folding).

    Short tails after a slash reuse the stem before it (``LRP5/6``, ``TarS/M/P``).
    ``split=False`` (keywords) keeps the word whole except at ``, ; |``. The split list
    is empty when it would equal the whole word.
    """
    cleaned = DECORATION.sub("", unicodedata.normalize("NFKC", word).translate(HOMOGLYPHS))
    whole = _clean(cleaned)
    if split:
        parts = []
        for chunk in COMPOUND_SEPARATORS.split(cleaned):
            alternatives: list[str] = []
            for piece in filter(None, (_clean(p) for p in chunk.split("/"))):
                if alternatives and _is_suffix(piece):
                    piece = _with_stem(alternatives[-1], piece) or piece
                alternatives.append(piece)
            parts.extend(alternatives)
    else:
        parts = [piece for piece in (_clean(p) for p in KEYWORD_SEPARATORS.split(cleaned)) if piece]
    if parts == [whole]:
        parts = []
    return ([whole] if whole else []), parts


def _key(folded: str) -> str:
    return KEY_SEPARATORS.sub("", folded)


@functools.lru_cache(maxsize=1 << 20)
def part_forms(part: str) -> tuple[tuple[str, str, int], ...]:
    """(display text, case key, level) lookup forms of one part; keys shorter than 2 dropped."""
    letter = fold_text(part, "letter")
    forms = [(letter, _key(letter), LEVEL_DIRECT)]
    if has_greek(part):
        spelled = fold_text(part, "name")
        forms.append((spelled, _key(spelled), LEVEL_DIRECT))
    for display, _, _ in list(forms):
        dephospho = PHOSPHO_PREFIX.sub("", display)
        for variant in (dephospho, PLURAL_SUFFIX.sub("", display), PLURAL_SUFFIX.sub("", dephospho)):
            if variant != display:
                forms.append((variant, _key(variant), LEVEL_VARIANT))
    return tuple(form for form in dict.fromkeys(forms) if len(form[1]) >= MIN_KEY_LENGTH)


def ocr_variants(key: str) -> list[str]:
    """Upper-case keys the OCR may have misread as ``key`` (never ``key`` itself)."""
    return [variant for variant, _ in _ocr_candidates(key)]


@functools.lru_cache(maxsize=1 << 18)
def _ocr_candidates(key: str) -> tuple[tuple[str, int], ...]:
    """(variant, characters changed) pairs; a Roman-numeral rewrite counts as one change."""
    variants: set[str] = set()
    positions = [i for i, char in enumerate(key) if char in OCR_CONFUSIONS]
    if positions and len(positions) <= OCR_MAX_POSITIONS and 2 <= len(key) <= 16:
        choices = [OCR_CONFUSIONS.get(char, char) for char in key]
        variants.update("".join(combo) for combo in itertools.product(*choices))
    roman = ROMAN_SUFFIX.match(key)
    if roman:
        variants.add(roman.group(1) + str(ROMAN_VALUES[roman.group(2)]))
    variants.discard(key)
    return tuple((variant, sum(a != b for a, b in zip(key, variant)) if len(variant) == len(key) else 1)
                 for variant in sorted(variants))


# Bulk path: once the arrows and ASCII decorations are removed, most words are one ASCII
# token (letters/digits with inner - _ .) inside optional punctuation, with no phospho
# prefix or plural 's'. For those word_parts() gives just that token and part_forms() one form, its
# separator-free key, so Arrow kernels compute the same rows without Python per word.
_BULK_DECORATION = (r"[\x{2190}-\x{21ff}\x{2794}-\x{27bf}\x{27f0}-\x{27ff}\x{2900}-\x{297f}"
                    r"\x{2b00}-\x{2bff}*!?#\"<>^~=@$%]")
_BULK_WORD = r"^[^A-Za-z0-9]*(?P<core>[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*)[^A-Za-z0-9]*$"
_VARIANT_LIKE = r"^p-?[A-Z]|[A-Z0-9]s$"  # words with level-1 variants take the Python path
FORM_COLUMNS = ["word", "split", "parse", "part_index", "part_display", "form_case_key", "form_key", "level",
                "form_display"]


def _bulk_forms(words: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Forms of the words the bulk path handles, and the mask of those words."""
    texts = pc.replace_substring_regex(pa.array(words["word"], pa.string()), _BULK_DECORATION, "")
    core = pc.struct_field(pc.extract_regex(texts, _BULK_WORD), "core")  # null where no match
    handled = pc.and_(pc.and_(pc.string_is_ascii(texts), pc.is_valid(core)),
                      pc.invert(pc.match_substring_regex(core, _VARIANT_LIKE)))
    handled = pc.fill_null(handled, False).to_numpy(zero_copy_only=False)
    core = core.filter(handled)
    case_keys = ascii_case_keys(core)
    case_keys = pc.if_else(pc.greater_equal(pc.utf8_length(case_keys), MIN_KEY_LENGTH), case_keys, None)
    picked = words[handled]
    display = core.to_pandas()
    forms = pd.DataFrame({
        "word": picked["word"].to_numpy(), "split": picked["split"].to_numpy(), "parse": "whole", "part_index": 0,
        "part_display": display, "form_case_key": case_keys.to_pandas(),
        "form_key": pc.utf8_upper(case_keys).to_pandas(),
        "level": LEVEL_DIRECT, "form_display": display})
    return forms, handled


def _parse_words(words: pd.DataFrame, bulk: bool = True) -> pd.DataFrame:
    """Lookup forms of distinct (word, split) pairs, one row per (parse, part, form).

    Most words go through the bulk path (``bulk=False`` disables it, for checking that
    both paths agree); the others through :func:`word_parts` and :func:`part_forms`
    once per distinct word.
    """
    if bulk:
        bulk_forms, handled = _bulk_forms(words)
    else:
        bulk_forms, handled = pd.DataFrame(columns=FORM_COLUMNS), np.zeros(len(words), dtype=bool)
    rows = []
    for word, split in words[~handled].itertuples(index=False, name=None):
        whole, parts = word_parts(word, split)
        for parse, texts_ in (("whole", whole), ("split", parts)):
            looked_up = [(text, part_forms(text)) for text in texts_]
            usable = [(text, forms) for text, forms in looked_up if forms]
            # Parts too short to look up ('T' in '|TH|T') are dropped, unless nothing else is left:
            # then the first one stays so the word still yields a no_match row.
            for index, (text, forms) in enumerate(usable or looked_up[:1]):
                display = forms[0][0] if forms else fold_text(text)
                if not forms:
                    rows.append((word, split, parse, index, display, None, None, LEVEL_DIRECT, display))
                for form_display, key, level in forms:
                    rows.append((word, split, parse, index, display, key, key.upper(), level, form_display))
    frame = pd.concat([bulk_forms, pd.DataFrame(rows, columns=FORM_COLUMNS)], ignore_index=True)
    return frame.astype({"part_index": "Int64", "level": "int8", "split": bool})


# --- reference helpers -----------------------------------------------------------------------

def load_stoplist(path: str | Path = DEFAULT_STOPLIST) -> pd.DataFrame:
    """The stop list TSV (``term``, ``reason``) with its lookup ``term_key``."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment="#")
    frame["term_key"] = frame["term"].map(term_key)
    return frame


def _history_map(gene_history: pd.DataFrame | pa.Table | None) -> pd.DataFrame:
    """Accept raw (read_gene_history) or resolved (resolve_gene_history) history."""
    if gene_history is None:
        return pd.DataFrame({"discontinued_ncbigene_id": pd.Series(dtype="int64"),
                             "current_ncbigene_id": pd.Series(dtype="Int64"),
                             "status": pd.Series(dtype="str")})
    frame = gene_history.to_pandas() if isinstance(gene_history, pa.Table) else gene_history
    if "current_ncbigene_id" not in frame:
        frame = resolve_gene_history(frame)
    frame = frame[["discontinued_ncbigene_id", "current_ncbigene_id", "status"]].copy()
    frame["current_ncbigene_id"] = frame["current_ncbigene_id"].astype("Int64")
    return frame.drop_duplicates("discontinued_ncbigene_id")


@dataclass
class GeneMapping:
    """Result of :func:`map_figure_genes`."""

    figure_genes: pa.Table
    figure_gene_families: pa.Table

    @functools.cached_property
    def metrics(self) -> dict:
        """:func:`mapping_metrics`, computed when first asked for (~10 % of a shard's annotate job)."""
        return mapping_metrics(self.figure_genes)


# --- the mapper ----------------------------------------------------------------------------

def map_figure_genes(raw: pa.Table, lexicon: pa.Table | pd.DataFrame, *,
                     organisms: Sequence[int],
                     context_taxa: Mapping[str, Iterable[int]] | None = None,
                     gene_history: pd.DataFrame | pa.Table | None = None,
                     famplex_members: pa.Table | pd.DataFrame | None = None,
                     stoplist: pd.DataFrame | str | Path | None = DEFAULT_STOPLIST) -> GeneMapping:
    """Map a raw ``figure_genes`` table; see the module docstring for the rules.

    ``organisms``: configured taxa (lexicon rows of other taxa are ignored).
    ``context_taxa``: figid -> taxa from metadata/NER (missing or empty: no context).
    ``gene_history``: :func:`read_gene_history` or :func:`resolve_gene_history` output.
    ``famplex_members``: :func:`build_famplex_members` output (families get no members
    without it). ``stoplist``: a TSV path, a frame from :func:`load_stoplist`, or None.
    """
    organisms = [int(t) for t in organisms]
    lex = lexicon_frame(lexicon, organisms)
    stop_keys = _stop_keys(stoplist)
    history = _history_map(gene_history)
    members = _members_frame(famplex_members)

    mentions = raw.to_pandas()
    for column in ("ncbigene_id", "taxon_id", "source_line"):
        mentions[column] = mentions[column].astype("Int64")
    units = _mention_units(raw, context_taxa, organisms)
    mapped = _map_units(units, lex, stop_keys)
    mapped = _settle_by_figure(mapped)
    recorded = _recorded_rows(mentions)

    catalog = _lexicon_genes(lex)
    rows = pd.concat([recorded, mapped], ignore_index=True)
    rows = _refresh_ids(rows, history, catalog)
    rows = _agreement(rows, members)
    rows = _confidence(rows)
    families = frame_to_arrow(_families(rows, members), "figure_gene_families")
    figure_genes = frame_to_arrow(rows, "figure_genes_mapped")
    del rows, mapped, mentions  # the Arrow tables are all that is returned; free the frames first
    return GeneMapping(figure_genes, families)


def _stop_keys(stoplist) -> frozenset[str]:
    if stoplist is None:
        return frozenset()
    frame = stoplist if isinstance(stoplist, pd.DataFrame) else load_stoplist(stoplist)
    return frozenset(frame["term_key"])


def _members_frame(famplex_members) -> pd.DataFrame:
    columns = ["famplex_id", "member_ncbigene_id", "member_symbol", "membership", "depth"]
    if famplex_members is None:
        return pd.DataFrame(columns=columns)
    frame = famplex_members.to_pandas() if isinstance(famplex_members, pa.Table) else famplex_members
    return frame.dropna(subset=["member_ncbigene_id"])[columns]


def _mention_units(raw: pa.Table, context_taxa, organisms: list[int]) -> pd.DataFrame:
    """Distinct (figid, word, evidence, source_path) with provenance and a context id."""
    grouped = group_rows(raw, UNIT_KEYS, [("source_line", "min"), ("n_source_rows", "sum")])
    units = grouped.rename_columns([{"source_line_min": "source_line", "n_source_rows_sum": "n_source_rows"}.get(
        name, name) for name in grouped.column_names]).to_pandas()
    units["source_line"] = units["source_line"].astype("Int64")
    units["split"] = units["evidence"] != KEYWORD_EVIDENCE
    configured = set(organisms)
    signature = {figid: "+".join(str(t) for t in sorted(configured.intersection(int(t) for t in taxa or ())))
                 for figid, taxa in (context_taxa or {}).items()}
    units["context"] = units["figid"].map(signature).fillna("").astype("str")
    return units


def _context_taxa(contexts: pd.Series) -> pd.DataFrame:
    """(context, taxon_id) pairs for the context signatures in use."""
    pairs = [(context, int(taxon)) for context in contexts.unique() if context for taxon in context.split("+")]
    return pd.DataFrame(pairs, columns=["context", "taxon_id"]).astype({"taxon_id": "Int64"})


def _map_units(units: pd.DataFrame, lex: pd.DataFrame, stop_keys: frozenset[str]) -> pd.DataFrame:
    """Our rows: one per (unit, part, winning candidate), or one no_match/stop_list row per part."""
    forms = _parse_words(units[["word", "split"]].drop_duplicates())
    hits = _lookup(forms.dropna(subset=["form_key"]), lex)
    forms, hits = _choose_parse(forms, hits)
    hits = _first_level(hits)
    hits = _add_ocr_hits(forms, hits, lex)
    hits, stopped = _apply_stoplist(hits, stop_keys)

    parts = forms.drop_duplicates(["word", "split", "part_index"])[["word", "split", "part_index", "part_display"]]
    contexts = units[["word", "split", "context"]].drop_duplicates()
    winners = _rank(contexts.merge(hits, on=["word", "split"]), _context_taxa(contexts["context"]))
    winners = winners[["word", "split", "context", "part_index", "form_display", "term", "taxon_id", "ncbigene_id",
                       "famplex_id", "symbol", "tier", "level", "case_exact", "n_candidates"]]

    per_part = units.merge(parts, on=["word", "split"], how="left")
    rows = per_part.merge(winners, on=["word", "split", "context", "part_index"], how="left")
    no_hit = rows["tier"].isna()
    rows = rows.merge(stopped, on=["word", "split", "part_index"], how="left")
    rows["match_tier"] = np.where(~no_hit, rows["tier"],
                                  np.where(rows["n_stopped"].notna(), STOPPED, NO_MATCH))
    rows["match_tier"] = np.where(~no_hit & (rows["level"] == LEVEL_OCR), OCR, rows["match_tier"])
    rows["n_candidates"] = rows["n_candidates"].fillna(rows["n_stopped"]).astype("Int32")
    rows["ambiguous"] = (rows["n_candidates"].fillna(0) > 1) & ~no_hit
    rows["normalized_word"] = rows["form_display"].fillna(rows["part_display"])
    rows["input_ncbigene_id"] = rows["ncbigene_id"]
    rows["lexicon_term"] = rows["term"]
    rows["lexicon_source"] = None
    rows["case_exact"] = rows["case_exact"].astype("boolean")
    return rows.drop(columns=["split", "context", "part_display", "form_display", "term", "tier", "level",
                              "n_stopped"])


def _lookup(forms: pd.DataFrame, lex: pd.DataFrame) -> pd.DataFrame:
    columns = ["term_key", "term", "term_case_key", "taxon_id", "ncbigene_id", "famplex_id", "symbol", "tier",
               "tier_rank"]
    hits = forms.merge(lex[columns], left_on="form_key", right_on="term_key")
    hits["tier_class"] = hits["tier"].map(TIER_CLASS).astype("int8")
    hits["case_exact"] = hits["form_case_key"] == hits["term_case_key"]
    return hits


def _choose_parse(forms: pd.DataFrame, hits: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Whole word when it hits anything, else its compound parts."""
    word = ["word", "split"]
    whole_hit = hits.loc[hits["parse"] == "whole", word].drop_duplicates().assign(_whole_hit=True)
    has_split = forms.loc[forms["parse"] == "split", word].drop_duplicates().assign(_has_split=True)

    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        flagged = frame.merge(whole_hit, on=word, how="left").merge(has_split, on=word, how="left")
        whole_hit_ = flagged["_whole_hit"].fillna(False).astype(bool)
        has_split_ = flagged["_has_split"].fillna(False).astype(bool)
        is_whole = flagged["parse"] == "whole"
        chosen = np.where(is_whole, whole_hit_ | ~has_split_, ~whole_hit_)
        return flagged[chosen].drop(columns=["_whole_hit", "_has_split"])

    return keep(forms), keep(hits)


def _first_level(hits: pd.DataFrame) -> pd.DataFrame:
    """Per part keep the hits of the first lookup level that has any."""
    best = hits.groupby(["word", "split", "part_index"])["level"].transform("min")
    return hits[hits["level"] == best]


def _add_ocr_hits(forms: pd.DataFrame, hits: pd.DataFrame, lex: pd.DataFrame) -> pd.DataFrame:
    """Level-2 OCR-confusion hits (symbols and FamPlex entities) for parts without any hit."""
    direct = forms[(forms["level"] == LEVEL_DIRECT) & forms["form_key"].notna()]
    direct = direct.drop_duplicates(["word", "split", "part_index"])
    found = hits[["word", "split", "part_index"]].drop_duplicates().assign(_found=True)
    missing = direct.merge(found, on=["word", "split", "part_index"], how="left")
    missing = missing[missing["_found"].isna()]
    variants = [(row.word, row.split, row.parse, row.part_index, row.part_display, key, edits)
                for row in missing.itertuples(index=False) for key, edits in _ocr_candidates(row.form_key)]
    if not variants:
        return hits
    ocr = pd.DataFrame(variants, columns=["word", "split", "parse", "part_index", "part_display", "form_key", "edits"])
    ocr = ocr.assign(form_case_key=ocr["form_key"], level=np.int8(LEVEL_OCR), form_display=ocr["form_key"])
    ocr["part_index"] = ocr["part_index"].astype("Int64")
    ocr_hits = _lookup(ocr, lex)
    ocr_hits = ocr_hits[ocr_hits["tier_class"] <= FAMILY_CLASS].assign(case_exact=False)
    return pd.concat([hits, ocr_hits], ignore_index=True)


def _apply_stoplist(hits: pd.DataFrame, stop_keys: frozenset[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop stop-listed hits (exact-case official symbols survive); report fully stopped parts."""
    part = ["word", "split", "part_index"]
    exempt = (hits["tier_class"] == SYMBOL_CLASS) & hits["case_exact"] & (hits["level"] != LEVEL_OCR)
    stop = hits["form_key"].isin(stop_keys) & ~exempt
    kept = hits[~stop]
    removed = hits[stop].assign(_entity=_entity(hits[stop]))
    stopped = removed.groupby(part)["_entity"].nunique().rename("n_stopped").reset_index()
    stopped = stopped.merge(kept[part].drop_duplicates().assign(_kept=True), on=part, how="left")
    stopped = stopped[stopped["_kept"].isna()].drop(columns="_kept")
    return kept, stopped


def _entity(frame: pd.DataFrame) -> pd.Series:
    return frame["ncbigene_id"].astype("string").fillna(frame["famplex_id"])


def _rank(hits: pd.DataFrame, context_taxa: pd.DataFrame) -> pd.DataFrame:
    """Winning candidates per (word, context, part): class, then context, then case."""
    if hits.empty:
        return hits.assign(n_candidates=pd.Series(dtype="Int32"))
    listed = hits[["context", "taxon_id"]].merge(context_taxa.assign(_listed=True), how="left")["_listed"]
    in_context = listed.notna().to_numpy() | hits["taxon_id"].isna().to_numpy() | (hits["context"] == "").to_numpy()
    # One integer per hit, compared lexicographically: class, context, case, OCR edits.
    edits = hits["edits"].fillna(0).clip(upper=15).astype("int16") if "edits" in hits else 0
    hits = hits.assign(_rank=hits["tier_class"].astype("int16") * 64 + np.where(in_context, 0, 32)
                       + np.where(hits["case_exact"], 0, 16) + edits)
    group = ["word", "split", "context", "part_index"]
    winners = hits[hits["_rank"] == hits.groupby(group)["_rank"].transform("min")]
    winners = winners.assign(_entity=_entity(winners))
    # One row per candidate entity: its best tier and the term that gave it.
    winners = winners.sort_values([*group, "_entity", "tier_rank", "term"]).drop_duplicates([*group, "_entity"])
    winners["n_candidates"] = winners.groupby(group)["_entity"].transform("size").astype("Int32")
    return winners.drop(columns=["_rank", "_entity", "edits"], errors="ignore")


def _settle_by_figure(rows: pd.DataFrame) -> pd.DataFrame:
    """An ambiguous part is settled when exactly one candidate is matched unambiguously in the figure."""
    rows = rows.assign(resolved_by=None)
    gene_tier = ~rows["match_tier"].isin([OCR, STOPPED, NO_MATCH])
    sure = rows[gene_tier & ~rows["ambiguous"] & rows["ncbigene_id"].notna()][["figid", "ncbigene_id"]]
    sure = sure.drop_duplicates().assign(_sure=True)
    candidates = rows[gene_tier & rows["ambiguous"]]
    if candidates.empty or sure.empty:
        return rows
    flagged = candidates.merge(sure, on=["figid", "ncbigene_id"], how="left")
    flagged.index = candidates.index
    part = [*UNIT_KEYS, "part_index"]
    n_sure = flagged.groupby(part, dropna=False)["_sure"].transform("count")
    settled = flagged.index[flagged["_sure"].notna() & (n_sure == 1)]
    rows.loc[settled, "resolved_by"] = "figure_genes"
    return rows


def _recorded_rows(mentions: pd.DataFrame) -> pd.DataFrame:
    """PFOCR's rows as recorded (inline lists, genes TSVs), with or without an ID: every source
    row stays visible. Keyword rows are our input only, not a PFOCR mapping."""
    recorded = mentions[mentions["evidence"] != KEYWORD_EVIDENCE].copy()
    recorded["input_ncbigene_id"] = recorded["ncbigene_id"]
    recorded["match_tier"] = RECORDED
    recorded["ambiguous"] = False
    recorded["normalized_word"] = None
    return recorded


def _lexicon_genes(lex: pd.DataFrame) -> pd.DataFrame:
    """Gene ID -> current symbol and taxon, from the lexicon's official symbols."""
    genes = lex[lex["tier"] == "official_symbol"][["ncbigene_id", "symbol", "taxon_id"]]
    known = lex["ncbigene_id"].dropna().unique()
    genes = genes.drop_duplicates("ncbigene_id").set_index("ncbigene_id")
    return genes.reindex(pd.Index(known, dtype="Int64", name="ncbigene_id"))


def _refresh_ids(rows: pd.DataFrame, history: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Follow gene_history for every ID; set id_status and the current symbol/taxon."""
    rows = rows.merge(history, left_on="input_ncbigene_id", right_on="discontinued_ncbigene_id", how="left")
    in_history = rows["status"].notna()
    rows["ncbigene_id"] = rows["input_ncbigene_id"].where(~in_history, rows["current_ncbigene_id"]).astype("Int64")
    known = rows["input_ncbigene_id"].isin(catalog.index)
    rows["id_status"] = np.select(
        [rows["input_ncbigene_id"].isna(), in_history, known],
        [None, rows["status"], "current"], default="unknown")
    current = rows["ncbigene_id"].map(catalog["symbol"])
    rows["symbol"] = current.astype("str").fillna(rows["symbol"])
    rows["taxon_id"] = rows["taxon_id"].astype("Int64").fillna(rows["ncbigene_id"].map(catalog["taxon_id"]))
    return rows.drop(columns=["discontinued_ncbigene_id", "current_ncbigene_id", "status"])


def _agreement(rows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """pfocr_agreement between recorded rows and our rows of the same (figure, word)."""
    is_recorded = (rows["match_tier"] == RECORDED).to_numpy()
    if not is_recorded.any():  # nothing recorded by PFOCR: nothing to agree with
        return rows.assign(pfocr_agreement=None)
    # Integer codes instead of merges on (figid, word) strings: a shard has ~10^6 rows.
    word = rows.groupby(["figid", "word"], sort=False, dropna=False).ngroup().to_numpy(np.int64)
    has_gene = rows["ncbigene_id"].notna().to_numpy()
    gene = rows["ncbigene_id"].fillna(-1).to_numpy(np.int64)
    family, family_ids = pd.factorize(rows["famplex_id"])
    ours = ~is_recorded

    def pairs(words: np.ndarray, values: np.ndarray) -> np.ndarray:
        return words * (1 << 34) + (values + 1)  # gene IDs and family codes stay below 2^34

    def _isin(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        return pd.Series(values, copy=False).isin(wanted).to_numpy()  # hashing, not np.isin's sort

    word_gene = pairs(word, gene)
    # Our families of each word, expanded to their member genes.
    our_families = pd.DataFrame({"word": word[ours & (family >= 0)], "family": family[ours & (family >= 0)]})
    our_families = our_families.drop_duplicates()
    member_family = pd.Index(family_ids).get_indexer(members["famplex_id"])
    member_genes = pd.DataFrame({"family": member_family,
                                 "gene": members["member_ncbigene_id"].to_numpy(np.int64)})
    our_members = our_families.merge(member_genes[member_genes["family"] >= 0], on="family")
    member_pairs = pairs(our_members["word"].to_numpy(), our_members["gene"].to_numpy())
    recorded_pairs = word_gene[is_recorded & has_gene]

    same_gene = _isin(word_gene, word_gene[ours & has_gene])
    in_family = _isin(word_gene, member_pairs)
    pfocr_has_gene = _isin(word_gene, recorded_pairs)
    hit = _isin(member_pairs, recorded_pairs)
    hit_families = pairs(our_members["word"].to_numpy()[hit], our_members["family"].to_numpy()[hit])
    pfocr_family_hit = (family >= 0) & _isin(pairs(word, family), hit_families)
    word_recorded = _isin(word, word[is_recorded])
    no_entity = ~has_gene & (family < 0)
    recorded_without_id = is_recorded & ~has_gene
    rows["pfocr_agreement"] = np.select(
        [recorded_without_id, is_recorded & same_gene, is_recorded & in_family, is_recorded,
         ~word_recorded, pfocr_has_gene | pfocr_family_hit, no_entity],
        [None, "agree", "family_member", "disagree", None, "agree", "disagree"], default="new")
    return rows


def _confidence(rows: pd.DataFrame) -> pd.DataFrame:
    ours = ~rows["match_tier"].isin([RECORDED, OCR, STOPPED, NO_MATCH])
    usable_id = rows["ncbigene_id"].notna() & rows["id_status"].isin(["current", "replaced"])
    unambiguous = ~rows["ambiguous"].astype(bool) | rows["resolved_by"].notna()
    rows["confident"] = ours & usable_id & unambiguous
    return rows


def _families(rows: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    ours = rows["famplex_id"].notna() & (rows["match_tier"] != RECORDED)
    family_rows = rows.loc[ours, ["figid", "word", "famplex_id"]]
    expanded = family_rows.drop_duplicates().merge(members, on="famplex_id")
    return expanded.rename(columns={"member_ncbigene_id": "ncbigene_id", "member_symbol": "symbol"})


# --- summaries ---------------------------------------------------------------------------------

def mapping_metrics(figure_genes: pa.Table) -> dict:
    """Shares per tier, ambiguity and ID refresh counts of a ``figure_genes_mapped`` table.

    Mention-level shares count each looked-up part once (figid, evidence, file,
    word, normalized_word) under the best tier among its candidate rows.
    """
    is_recorded = pc.equal(figure_genes["match_tier"], RECORDED)
    recorded = figure_genes.filter(is_recorded).select(["input_ncbigene_id", "ncbigene_id", "id_status"]).to_pandas()
    ours = figure_genes.filter(pc.invert(is_recorded))
    tier_order = pa.array([*TIERS, OCR, STOPPED, NO_MATCH])
    ours = ours.append_column("family", pc.is_valid(ours["famplex_id"]))
    ours = ours.append_column("tier_rank", pc.index_in(ours["match_tier"], value_set=tier_order))
    mention = ["figid", "evidence", "source_path", "word", "normalized_word"]
    per_mention = ours.group_by(mention).aggregate(
        [("tier_rank", "min"), ("ambiguous", "any"), ("confident", "any"), ("family", "any")]).to_pandas()
    per_mention = per_mention.rename(columns={"ambiguous_any": "ambiguous", "confident_any": "confident",
                                              "family_any": "family"})
    per_mention["tier"] = tier_order.to_numpy(zero_copy_only=False)[per_mention["tier_rank_min"].to_numpy()]
    n_mentions = len(per_mention)

    def share(mask) -> float:
        return round(float(mask.sum()) / n_mentions, 6) if n_mentions else 0.0

    status = recorded["id_status"].value_counts()
    return {
        "rows": int(figure_genes.num_rows),
        "mentions": int(n_mentions),
        "tier_share": {tier: share(per_mention["tier"] == tier) for tier in sorted(per_mention["tier"].unique())},
        "ambiguous_share": share(per_mention["ambiguous"]),
        "confident_share": share(per_mention["confident"]),
        "family_share": share(per_mention["family"]),
        "recorded_ids": {
            "rows": int(len(recorded)),
            "distinct_before": int(recorded["input_ncbigene_id"].nunique()),
            "distinct_after": int(recorded["ncbigene_id"].nunique()),
            **{name: int(status.get(name, 0)) for name in ("current", "replaced", "discontinued", "unknown")},
        },
        "pfocr_agreement": {str(row["values"]): int(row["counts"]) for row in sorted(
            pc.value_counts(figure_genes["pfocr_agreement"].drop_null()).to_pylist(), key=lambda r: r["values"])},
    }


def tier_counts(figure_genes: pa.Table) -> dict:
    """Rows per ``match_tier``: the job log's summary (shares per mention are in the report)."""
    counts = pc.value_counts(figure_genes["match_tier"]).to_pylist()
    return {"rows": figure_genes.num_rows,
            "rows_by_tier": {row["values"]: row["counts"] for row in sorted(counts, key=lambda r: str(r["values"]))}}


def gene_mention_counts(mapped: pa.Table) -> pa.Table:
    """Per-gene summary of one shard's mapped mentions (schema ``gene_mention_counts``).

    A figure belongs to exactly one shard, so summing ``n_figures`` over shards
    counts each figure once; the fallback symbol and taxon are the smallest
    (symbol, taxon) pair, which is also what combining partials picks.
    """
    rows = mapped.select(["figid", "ncbigene_id", "symbol", "taxon_id", "confident"])
    rows = rows.filter(pc.is_valid(rows["ncbigene_id"]))
    confident = rows.filter(pc.fill_null(rows["confident"], False)).select(["ncbigene_id", "figid"])
    figures = (group_rows(confident, ["ncbigene_id", "figid"], [])
               .group_by("ncbigene_id", use_threads=False).aggregate([("figid", "count")])
               .rename_columns(["ncbigene_id", "n_figures"]))
    return smallest_names(rows.select(["ncbigene_id", "symbol", "taxon_id"]), figures)
