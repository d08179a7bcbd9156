"""One long gene lexicon, the FamPlex expansion table and the gene catalog.

The lexicon has one row per (term, taxon, gene or FamPlex entity, tier). Terms come
from every naming source we trust, each tagged with a tier (``TIERS``, best first):

==================  ============================================================
official_symbol     NCBI ``Symbol`` of the gene in its taxon
authority_symbol    NCBI ``Symbol_from_nomenclature_authority`` (HGNC, MGI, ZFIN…)
hgnc_symbol         HGNC approved symbol (human)
hgnc_prev_symbol    HGNC ``prev_symbol`` (renamed genes: SEPT1, MARCH1, FIGF, …)
hgnc_withdrawn      HGNC ``withdrawn.txt`` Merged/Split symbol -> the approved
                    entries it was merged into (chains followed)
hgnc_alias          HGNC ``alias_symbol``
ncbi_synonym        NCBI ``Synonyms`` (mixes previous symbols and aliases)
famplex_entity      a FamPlex family/complex: its ID (``VEGF``, ``NFkappaB``), its
                    BEL name (``Nfkb Complex`` and ``Nfkb``) and every
                    ``grounding_map.csv`` text grounded to it (``NF-kB``, ``NFκB``)
famplex_grounding   a ``grounding_map.csv`` text grounded to one gene (HGNC symbol
                    or UniProt accession via HGNC ``uniprot_ids``)
==================  ============================================================

Family rows have ``famplex_id`` (``FPLX:<id>``) and no taxon or gene ID: a family is
kept as the entity, its members live in the separate expansion table built by
:func:`build_famplex_members`. FamPlex members are HGNC *symbols*; they are keyed
through ``hgnc_symbol_map.csv`` -> HGNC ID -> the current HGNC entry / NCBI gene, so
members renamed since FamPlex was written (FIGF -> VEGFD) still resolve, which the
PFOCR lexicon (matching FamPlex symbols against NCBI symbols) silently lost.

Lookup keys (shared with the mapper, :mod:`pfocr_etl.genes`): :func:`fold_text`
applies Unicode NFKC, maps look-alike glyphs to Latin (Greek capitals ``ΜΑΡΚ``,
Cyrillic ``А``/``С``, dashes, quotes) and spells Greek letters as the Latin letter
(``κ`` -> ``k``; case taken from the preceding Latin letter, so ``IL-1β`` ->
``IL-1B`` and ``Il-1β`` -> ``Il-1b``) or, on request, as the letter's name
(``NF-κB`` -> ``NF-kappaB``). :func:`case_key` then removes separators inside a
term (space ``-`` ``_`` ``.`` ``/`` ``'``) and keeps the letter case;
``term_key`` is its upper-case form and is the join key. ``n_genes_in_tier`` counts
distinct genes (or FamPlex entities) sharing a ``term_key`` within one tier and
taxon, i.e. how ambiguous that term is on its own.

Everything is built with pandas joins over whole columns; the only per-item Python
work is key normalisation, done once per *distinct* term string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pfocr_etl.references import FamPlex, explode_multi, frame_to_arrow

HUMAN = 9606

TIERS = (
    "official_symbol",
    "authority_symbol",
    "hgnc_symbol",
    "hgnc_prev_symbol",
    "hgnc_withdrawn",
    "hgnc_alias",
    "ncbi_synonym",
    "famplex_entity",
    "famplex_grounding",
)
TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS, start=1)}

# --- text folding --------------------------------------------------------------------------

# Greek letter -> (Latin letter, spelled name). Latin letters follow HGNC usage
# (PKCθ -> PRKCQ, PKCη -> PRKCH); final sigma and NFKC-folded variants included.
GREEK = {
    "α": ("a", "alpha"), "β": ("b", "beta"), "γ": ("g", "gamma"), "δ": ("d", "delta"),
    "ε": ("e", "epsilon"), "ζ": ("z", "zeta"), "η": ("h", "eta"), "θ": ("q", "theta"),
    "ι": ("i", "iota"), "κ": ("k", "kappa"), "λ": ("l", "lambda"), "μ": ("m", "mu"),
    "ν": ("n", "nu"), "ξ": ("x", "xi"), "π": ("p", "pi"), "ρ": ("r", "rho"),
    "σ": ("s", "sigma"), "ς": ("s", "sigma"), "τ": ("t", "tau"), "υ": ("u", "upsilon"),
    "φ": ("f", "phi"), "χ": ("c", "chi"), "ψ": ("y", "psi"), "ω": ("w", "omega"),
    "ϵ": ("e", "epsilon"),
}
# Capital Greek letters that do not look like a Latin letter are real Greek.
for _capital, _small in zip("ΓΔΘΛΞΠΣΦΨΩ", "γδθλξπσφψω"):
    GREEK[_capital] = GREEK[_small]

# Glyphs OCR and typesetting use in place of Latin letters and ASCII punctuation.
HOMOGLYPHS = str.maketrans({
    # Greek capitals that look Latin ('ΜΑΡΚ' is MAPK), and omicron.
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o",
    # Cyrillic look-alikes.
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ı": "i",
    # Dashes and minus signs, quotes.
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "﹣": "-",
    "’": "'", "‘": "'", "`": "'", "´": "'", "′": "'",
    # Zero-width characters vanish.
    "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None, "\u00ad": None,
})

KEY_SEPARATORS = re.compile(r"[\s\-_./']+")


def fold_text(text: str, greek: str = "letter") -> str:
    """NFKC + homoglyphs + Greek letters spelled in Latin (``greek='letter'`` or ``'name'``).

    With ``'letter'`` a Greek letter becomes one Latin letter whose case follows the
    nearest preceding Latin letter (upper case when there is none); with ``'name'`` it
    becomes its lower-case name (``κ`` -> ``kappa``), the spelling FamPlex and NCBI
    synonyms use (``NFkappaB``, ``TNF-alpha``).
    """
    if text.isascii():  # most words: NFKC and the glyph map cannot change them (but for '`')
        return text.replace("`", "'")
    text = unicodedata.normalize("NFKC", text).translate(HOMOGLYPHS)
    if not any(char in GREEK for char in text):
        return text
    out: list[str] = []
    upper = True
    for char in text:
        if char in GREEK:
            letter, name = GREEK[char]
            out.append(name if greek == "name" else (letter.upper() if upper else letter))
            continue
        if char.isascii() and char.isalpha():
            upper = char.isupper()
        out.append(char)
    return "".join(out)


def has_greek(text: str) -> bool:
    if text.isascii():
        return False
    folded = unicodedata.normalize("NFKC", text).translate(HOMOGLYPHS)
    return any(char in GREEK for char in folded)


def case_key(text: str) -> str:
    """Folded text without inner separators, case kept: the case-exact lookup key."""
    return KEY_SEPARATORS.sub("", fold_text(text).strip())


def term_key(text: str) -> str:
    """Upper-case :func:`case_key`: the join key of the lexicon."""
    return case_key(text).upper()


# KEY_SEPARATORS for ASCII text in RE2 syntax (plus '`', which fold_text turns into "'").
_ASCII_KEY_SEPARATORS = r"[ \t\n\r\f\v\-_./'`]+"


def ascii_case_keys(texts: pa.Array) -> pa.Array:
    """:func:`case_key` of ASCII strings, computed by Arrow kernels instead of Python.

    For ASCII text NFKC and the glyph map change nothing (except the backtick, which is a
    separator anyway) and there are no Greek letters, so the key is the text without
    separators.
    """
    return pc.replace_substring_regex(texts, _ASCII_KEY_SEPARATORS, "")


def _keys_for(values: pd.Series) -> pd.DataFrame:
    """Case key and term key for each distinct string of ``values``.

    ASCII strings (nearly all) go through Arrow kernels; the rest through
    :func:`case_key`, once per distinct string.
    """
    distinct = pa.array(pd.unique(values.dropna()), pa.string())
    ascii_only = pc.string_is_ascii(distinct)
    simple = distinct.filter(ascii_only)
    other = distinct.filter(pc.invert(ascii_only)).to_pylist()
    terms = pa.concat_arrays([simple, pa.array(other, pa.string())])
    case_keys = pa.concat_arrays([ascii_case_keys(simple), pa.array([case_key(t) for t in other], pa.string())])
    return pd.DataFrame({"term": terms.to_pandas(), "term_case_key": case_keys.to_pandas(),
                         "term_key": pc.utf8_upper(case_keys).to_pandas()}).astype("str")


# --- gene catalog ----------------------------------------------------------------------------

HGNC_XREF = re.compile(r"HGNC:(HGNC:\d+)")


def gene_catalog_frame(gene_info: pd.DataFrame, hgnc: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per gene: ncbigene_id, taxon_id, symbol, description, gene_type, hgnc_id.

    ``hgnc_id`` comes from the ``dbXrefs`` HGNC cross-reference, else from the HGNC
    complete set's ``entrez_id``.
    """
    catalog = gene_info[["ncbigene_id", "taxon_id", "symbol", "description", "gene_type"]].copy()
    catalog["hgnc_id"] = gene_info["db_xrefs"].str.extract(HGNC_XREF, expand=False).astype("str")
    if hgnc is not None:
        by_entrez = _approved(hgnc).dropna(subset=["ncbigene_id"]).drop_duplicates("ncbigene_id")
        fill = catalog["ncbigene_id"].map(pd.Series(by_entrez["hgnc_id"].to_numpy(),
                                                    index=by_entrez["ncbigene_id"].astype("int64").to_numpy()))
        catalog["hgnc_id"] = catalog["hgnc_id"].fillna(fill.astype("str"))
    catalog = catalog.drop_duplicates("ncbigene_id").sort_values("ncbigene_id")
    return catalog.reset_index(drop=True)


def build_gene_catalog(gene_info: pd.DataFrame, hgnc: pd.DataFrame | None = None) -> pa.Table:
    """:func:`gene_catalog_frame` as an Arrow table with the ``gene_catalog`` schema."""
    return frame_to_arrow(gene_catalog_frame(gene_info, hgnc), "gene_catalog")


def _approved(hgnc: pd.DataFrame) -> pd.DataFrame:
    return hgnc[hgnc["status"].fillna("Approved") == "Approved"]


# --- lexicon -------------------------------------------------------------------------------

def build_lexicon(gene_info: pd.DataFrame, hgnc: pd.DataFrame | None = None,
                  hgnc_withdrawn: pd.DataFrame | None = None, famplex: FamPlex | None = None) -> pa.Table:
    """Build the long lexicon (schema ``lexicon``) from the loaded references.

    ``gene_info`` may hold several taxa (concatenate the per-taxon files); HGNC and
    FamPlex tiers are human. Rows are sorted by ``term_key, taxon_id, tier_rank,
    ncbigene_id, famplex_id``.
    """
    catalog = gene_catalog_frame(gene_info, hgnc)
    parts = [_gene_info_terms(gene_info)]
    if hgnc is not None:
        parts.append(_hgnc_terms(hgnc))
        if hgnc_withdrawn is not None:
            parts.append(_withdrawn_terms(hgnc_withdrawn, hgnc))
    if famplex is not None:
        parts.append(_famplex_entity_terms(famplex))
        parts.append(_famplex_gene_terms(famplex, catalog, hgnc))
    terms = pd.concat(parts, ignore_index=True)
    terms = terms[terms["term"].notna() & (terms["term"].str.strip() != "")]
    terms["term"] = terms["term"].str.strip()

    # Symbol, type and HGNC ID always describe the gene as it is now, whatever the term.
    genes = catalog.rename(columns={"taxon_id": "gene_taxon_id"})
    terms = terms.merge(genes[["ncbigene_id", "gene_taxon_id", "symbol", "gene_type", "hgnc_id"]],
                        on="ncbigene_id", how="left", suffixes=("", "_catalog"))
    terms["taxon_id"] = terms["taxon_id"].fillna(terms["gene_taxon_id"])
    terms["symbol"] = terms["symbol"].fillna(terms.pop("symbol_source"))
    terms["hgnc_id"] = terms["hgnc_id"].fillna(terms.pop("hgnc_id_source"))

    terms = terms.merge(_keys_for(terms["term"]), on="term", how="left")
    terms = terms[terms["term_key"].str.len() > 0]
    terms["tier_rank"] = terms["tier"].map(TIER_RANK).astype("int32")

    # A term listed for the same gene by several sources keeps its best tier only.
    entity = terms["ncbigene_id"].astype("string").fillna(terms["famplex_id"])
    terms = terms.assign(_entity=entity).sort_values(["tier_rank"], kind="stable")
    terms = terms.drop_duplicates(["term", "taxon_id", "_entity"], keep="first")
    terms["n_genes_in_tier"] = (terms.groupby(["term_key", "taxon_id", "tier"], dropna=False)["_entity"]
                                .transform("nunique").astype("int32"))
    return frame_to_arrow(terms, "lexicon")


def _frame(term: pd.Series, tier: str, *, taxon_id=None, ncbigene_id=None, famplex_id=None,
           symbol=None, hgnc_id=None) -> pd.DataFrame:
    """Term rows of one tier in the common intermediate layout."""
    n = len(term)

    def column(values, dtype):
        if values is None:
            return pd.Series([None] * n, dtype=dtype)
        return pd.Series(np.asarray(values), dtype=dtype) if not isinstance(values, pd.Series) else \
            values.reset_index(drop=True).astype(dtype)

    return pd.DataFrame({
        "term": term.reset_index(drop=True).astype("str"),
        "tier": tier,
        "taxon_id": column(taxon_id, "Int64"),
        "ncbigene_id": column(ncbigene_id, "Int64"),
        "famplex_id": column(famplex_id, "str"),
        "symbol_source": column(symbol, "str"),
        "hgnc_id_source": column(hgnc_id, "str"),
    })


def _gene_info_terms(gene_info: pd.DataFrame) -> pd.DataFrame:
    official = _frame(gene_info["symbol"], "official_symbol", taxon_id=gene_info["taxon_id"],
                      ncbigene_id=gene_info["ncbigene_id"])
    with_authority = gene_info[gene_info["authority_symbol"].notna()]
    authority = _frame(with_authority["authority_symbol"], "authority_symbol",
                       taxon_id=with_authority["taxon_id"], ncbigene_id=with_authority["ncbigene_id"])
    synonyms = explode_multi(gene_info[["taxon_id", "ncbigene_id", "synonyms"]].dropna(subset=["synonyms"]),
                             "synonyms")
    synonym = _frame(synonyms["synonyms"], "ncbi_synonym", taxon_id=synonyms["taxon_id"],
                     ncbigene_id=synonyms["ncbigene_id"])
    return pd.concat([official, authority, synonym], ignore_index=True)


def _hgnc_terms(hgnc: pd.DataFrame) -> pd.DataFrame:
    approved = _approved(hgnc).dropna(subset=["ncbigene_id"])
    frames = [_frame(approved["symbol"], "hgnc_symbol", taxon_id=[HUMAN] * len(approved),
                     ncbigene_id=approved["ncbigene_id"], symbol=approved["symbol"], hgnc_id=approved["hgnc_id"])]
    for column, tier in (("prev_symbols", "hgnc_prev_symbol"), ("alias_symbols", "hgnc_alias")):
        listed = explode_multi(approved[["hgnc_id", "symbol", "ncbigene_id", column]].dropna(subset=[column]), column)
        frames.append(_frame(listed[column], tier, taxon_id=[HUMAN] * len(listed), ncbigene_id=listed["ncbigene_id"],
                             symbol=listed["symbol"], hgnc_id=listed["hgnc_id"]))
    return pd.concat(frames, ignore_index=True)


def resolve_withdrawn(withdrawn: pd.DataFrame, hgnc: pd.DataFrame, max_steps: int = 20) -> pd.DataFrame:
    """Merged/Split withdrawn symbols -> the approved HGNC entries they ended up in.

    A report can point at an entry that was itself withdrawn later; those hops are
    followed (vectorised, one merge per hop). Returns ``withdrawn_symbol, hgnc_id``
    (approved target) pairs.
    """
    merged = withdrawn[(withdrawn["status"] == "Merged/Split") & withdrawn["merged_into_hgnc_id"].notna()]
    pairs = merged[["withdrawn_symbol", "merged_into_hgnc_id"]].rename(columns={"merged_into_hgnc_id": "hgnc_id"})
    approved_ids = set(_approved(hgnc)["hgnc_id"])
    hops = merged[["hgnc_id", "merged_into_hgnc_id"]].rename(columns={"hgnc_id": "via"})
    done = [pairs[pairs["hgnc_id"].isin(approved_ids)]]
    pending = pairs[~pairs["hgnc_id"].isin(approved_ids)]
    for _ in range(max_steps):
        if pending.empty:
            break
        pending = (pending.merge(hops, left_on="hgnc_id", right_on="via")
                   [["withdrawn_symbol", "merged_into_hgnc_id"]].rename(columns={"merged_into_hgnc_id": "hgnc_id"}))
        done.append(pending[pending["hgnc_id"].isin(approved_ids)])
        pending = pending[~pending["hgnc_id"].isin(approved_ids)]
    return pd.concat(done, ignore_index=True).drop_duplicates().reset_index(drop=True)


def _withdrawn_terms(withdrawn: pd.DataFrame, hgnc: pd.DataFrame) -> pd.DataFrame:
    targets = resolve_withdrawn(withdrawn, hgnc).merge(
        _approved(hgnc)[["hgnc_id", "symbol", "ncbigene_id"]], on="hgnc_id").dropna(subset=["ncbigene_id"])
    return _frame(targets["withdrawn_symbol"], "hgnc_withdrawn", taxon_id=[HUMAN] * len(targets),
                  ncbigene_id=targets["ncbigene_id"], symbol=targets["symbol"], hgnc_id=targets["hgnc_id"])


FAMPLEX_PREFIX = "FPLX:"
BEL_SUFFIX = re.compile(r"\s+(Family|Complex)$", re.IGNORECASE)


def _famplex_entity_terms(famplex: FamPlex) -> pd.DataFrame:
    entity_ids = famplex.entities["famplex_id"].dropna()
    bel = famplex.equivalences[famplex.equivalences["namespace"] == "BEL"]
    bel_short = bel["external_id"].str.replace(BEL_SUFFIX, "", regex=True)
    grounded = famplex.grounding_map[famplex.grounding_map["ns1"] == "FPLX"]
    texts = pd.concat([entity_ids, bel["external_id"], bel_short, grounded["text"]], ignore_index=True)
    ids = pd.concat([entity_ids, bel["famplex_id"], bel["famplex_id"], grounded["id1"]], ignore_index=True)
    return _frame(texts, "famplex_entity", famplex_id=FAMPLEX_PREFIX + ids, symbol=ids)


def _famplex_gene_terms(famplex: FamPlex, catalog: pd.DataFrame, hgnc: pd.DataFrame | None) -> pd.DataFrame:
    """grounding_map texts grounded to a single gene (HGNC symbol, or UniProt through HGNC)."""
    grounding = famplex.grounding_map
    by_symbol = grounding[grounding["ns1"] == "HGNC"][["text", "id1"]].rename(columns={"id1": "member_symbol"})
    genes = _symbol_to_gene(by_symbol, catalog, famplex, hgnc)
    frames = [genes]
    if hgnc is not None and "uniprot_ids" in hgnc:
        uniprot = explode_multi(_approved(hgnc)[["uniprot_ids", "ncbigene_id"]].dropna(), "uniprot_ids")
        by_uniprot = grounding[grounding["ns1"] == "UP"][["text", "id1"]].merge(
            uniprot, left_on="id1", right_on="uniprot_ids")[["text", "ncbigene_id"]]
        frames.append(by_uniprot)
    found = pd.concat(frames, ignore_index=True).dropna(subset=["ncbigene_id"])
    return _frame(found["text"], "famplex_grounding", ncbigene_id=found["ncbigene_id"])


def _symbol_to_gene(rows: pd.DataFrame, catalog: pd.DataFrame, famplex: FamPlex, hgnc: pd.DataFrame | None
                    ) -> pd.DataFrame:
    """Add ``ncbigene_id`` (Int64) and ``member_hgnc_id`` for FamPlex HGNC symbols in ``member_symbol``.

    Order of trust: FamPlex's own symbol -> HGNC ID map, then that HGNC ID in the HGNC
    complete set (or in the genes' HGNC cross-references), then the current human
    NCBI symbol. The HGNC ID route is what keeps renamed members.
    """
    rows = rows.merge(famplex.hgnc_symbol_map.rename(columns={"symbol": "member_symbol", "hgnc_id": "member_hgnc_id"}),
                      on="member_symbol", how="left")
    rows["member_hgnc_id"] = rows["member_hgnc_id"].astype("str")
    human = catalog[catalog["taxon_id"] == HUMAN]
    by_hgnc = human.dropna(subset=["hgnc_id"]).drop_duplicates("hgnc_id").set_index("hgnc_id")["ncbigene_id"]
    if hgnc is not None:
        approved = _approved(hgnc).dropna(subset=["ncbigene_id"]).drop_duplicates("hgnc_id")
        by_hgnc = pd.concat([approved.set_index("hgnc_id")["ncbigene_id"].astype("int64"), by_hgnc])
        by_hgnc = by_hgnc[~by_hgnc.index.duplicated(keep="first")]
    by_symbol = human.drop_duplicates("symbol").set_index("symbol")["ncbigene_id"]
    gene = rows["member_hgnc_id"].map(by_hgnc).astype("Int64")
    gene = gene.fillna(rows["member_symbol"].map(by_symbol).astype("Int64"))
    return rows.assign(ncbigene_id=gene.astype("Int64"))


# --- FamPlex expansion -----------------------------------------------------------------------

def build_famplex_members(famplex: FamPlex, gene_info: pd.DataFrame, hgnc: pd.DataFrame | None = None,
                          max_depth: int = 20) -> pa.Table:
    """Every FamPlex entity with every gene it contains, following FPLX->FPLX transitively.

    ``membership`` is ``isa`` when some shortest path uses only ``isa`` edges (the gene is
    one kind of the family) and ``partof`` when the path passes a complex membership
    (the gene is a component); ``depth`` is that path's number of edges. One row per
    (famplex_id, member); members FamPlex names by UniProt accession resolve only with
    HGNC (``uniprot_ids``); unresolved members keep a null ``member_ncbigene_id`` so
    losses stay visible. Schema ``famplex_members``.
    """
    relations = famplex.relations[famplex.relations["ns2"] == "FPLX"]
    leaves = relations[relations["ns1"].isin(["HGNC", "UP"])]
    frontier = pd.DataFrame({"member_ref": leaves["ns1"] + ":" + leaves["id1"], "famplex_id": leaves["id2"],
                             "membership": leaves["rel"], "depth": 1})
    nested = relations[relations["ns1"] == "FPLX"][["id1", "id2", "rel"]]
    found = [frontier]
    for _ in range(max_depth):
        frontier = frontier.merge(nested, left_on="famplex_id", right_on="id1")
        if frontier.empty:
            break
        frontier = pd.DataFrame({
            "member_ref": frontier["member_ref"], "famplex_id": frontier["id2"],
            # Passing through a complex makes the gene a component, whatever the other hops.
            "membership": np.where((frontier["membership"] == "partof") | (frontier["rel"] == "partof"),
                                   "partof", "isa"),
            "depth": frontier["depth"] + 1,
        }).drop_duplicates()
        found.append(frontier)
    members = pd.concat(found, ignore_index=True)
    members = (members.assign(_partof=members["membership"] == "partof")
               .sort_values(["famplex_id", "member_ref", "depth", "_partof"], kind="stable")
               .drop_duplicates(["famplex_id", "member_ref"], keep="first").drop(columns="_partof"))

    catalog = gene_catalog_frame(gene_info, hgnc)
    split_ref = members["member_ref"].str.split(":", n=1)
    namespace, reference = split_ref.str[0], split_ref.str[1]
    members = members.assign(member_symbol=reference.where(namespace == "HGNC"))
    members = _symbol_to_gene(members, catalog, famplex, hgnc)
    if hgnc is not None and "uniprot_ids" in hgnc:
        uniprot = explode_multi(_approved(hgnc)[["uniprot_ids", "ncbigene_id", "hgnc_id"]].dropna(
            subset=["uniprot_ids", "ncbigene_id"]), "uniprot_ids").drop_duplicates("uniprot_ids")
        accession = reference.where(namespace == "UP")
        members["ncbigene_id"] = members["ncbigene_id"].fillna(
            accession.map(uniprot.set_index("uniprot_ids")["ncbigene_id"]).astype("Int64"))
        members["member_hgnc_id"] = members["member_hgnc_id"].fillna(
            accession.map(uniprot.set_index("uniprot_ids")["hgnc_id"]).astype("str"))
    current = catalog.set_index("ncbigene_id")
    members["member_symbol"] = members["ncbigene_id"].map(current["symbol"]).astype("str").fillna(
        members["member_symbol"])
    members["member_hgnc_id"] = members["member_hgnc_id"].fillna(members["ncbigene_id"].map(current["hgnc_id"]))
    members = members.rename(columns={"ncbigene_id": "member_ncbigene_id"})
    members["famplex_id"] = FAMPLEX_PREFIX + members["famplex_id"]
    members["depth"] = members["depth"].astype("int32")
    return frame_to_arrow(members, "famplex_members")


def lexicon_frame(lexicon: pa.Table | pd.DataFrame, organisms: Iterable[int] | None = None) -> pd.DataFrame:
    """The lexicon as pandas, restricted to ``organisms`` (taxon-free FamPlex rows always kept).

    Convert once and pass the frame when mapping many shards in one process.
    """
    frame = lexicon.to_pandas() if isinstance(lexicon, pa.Table) else lexicon.copy()
    frame["taxon_id"] = frame["taxon_id"].astype("Int64")
    frame["ncbigene_id"] = frame["ncbigene_id"].astype("Int64")
    if organisms is not None:
        frame = frame[frame["taxon_id"].isna() | frame["taxon_id"].isin(list(organisms))]
    return frame.reset_index(drop=True)
