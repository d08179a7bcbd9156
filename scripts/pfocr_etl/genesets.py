"""PFOCR-style gene sets (GMT) from the mapped figure genes, and a strict GMT parser.

Files (``{output_dir}/gmt/``)
    ``pfocr-<organism-slug>-confident.gmt``  per organism: every confident gene of a figure;
    ``pfocr-<organism-slug>-direct.gmt``     per organism: direct official-symbol matches only
                                             (``match_tier == 'official_symbol'``, not ambiguous,
                                             not a family member);
    ``pfocr-human-projected.gmt``            every figure's confident genes projected to human
                                             orthologs (``human_ncbigene_id``), so mouse and fish
                                             figures count in human analyses.

A gene belongs to the organism of its own ``taxon_id`` (an NCBI Gene ID has one
taxon), so every organism file is organism-pure; a figure with human and mouse
genes has one line in each file. Ambiguous mentions never enter a gene set.

Gene-family mentions (a ``figure_genes`` row with ``famplex_id`` and no gene ID;
members in ``figure_gene_families``) are not confident gene rows, so by default
their members are not in any set. ``family_members=True`` adds the members of
unambiguous family mentions to the confident (human; FamPlex members are human
genes) and human-projected sets, never to the direct sets.

Lines: ``<name>\\t<description>\\t<NCBI Gene ID>...`` with the name from
``figid_alias`` (the ``figid`` when the alias is missing or shared by several
figures), the figure title as description, distinct gene IDs in ascending
order, lines sorted by name. Sets with fewer than ``min_genes`` or more than
``max_genes`` genes are left out (never truncated), so no set is empty.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pfocr_etl.atomic import replacing
from pfocr_etl.summaries import CONFIDENT_GENES, LABELS, clean_text
from pfocr_etl.tableview import DUCKDB_THREADS, TableSet

log = logging.getLogger(__name__)

VARIANT_CONFIDENT = "confident"
VARIANT_DIRECT = "direct"
VARIANTS = (VARIANT_CONFIDENT, VARIANT_DIRECT)
HUMAN_PROJECTED = "human-projected"
DIRECT_TIER = "official_symbol"
FILE_PREFIX = "pfocr-"
HUMAN_TAXON_ID = 9606
# Family rows with these tiers are not mentions we matched (pfocr_etl.genes).
NON_MATCH_TIERS = ("pfocr_recorded", "stop_list", "ocr_confusion", "no_match")

_GENE_ID = re.compile(r"[1-9][0-9]*")


# =============================================================================
# Which figure_genes rows count
# =============================================================================

def confident_condition(columns: Collection[str], alias: str = "") -> str:
    """SQL condition for gene rows that may enter a gene set.

    A gene ID is required; ``confident`` must be true when the column exists;
    ``ambiguous`` must not be true when the column exists (ambiguous mentions
    never enter a gene set, whatever ``confident`` says).
    """
    p = f"{alias}." if alias else ""
    parts = [f"{p}ncbigene_id IS NOT NULL"]
    if "confident" in columns:
        parts.append(f"{p}confident IS TRUE")
    if "ambiguous" in columns:
        parts.append(f"{p}ambiguous IS NOT TRUE")
    return " AND ".join(parts)


def direct_condition(columns: Collection[str], alias: str = "") -> str | None:
    """SQL condition for direct official-symbol matches; None without ``match_tier``."""
    if "match_tier" not in columns:
        return None
    p = f"{alias}." if alias else ""
    parts = [confident_condition(columns, alias), f"{p}match_tier = '{DIRECT_TIER}'"]
    if "famplex_id" in columns:
        parts.append(f"{p}famplex_id IS NULL")  # family members expanded from a family name
    return " AND ".join(parts)


def confident_source(ts: TableSet) -> str:
    """The table to read confident gene rows from: the shards' summaries when given, else figure_genes."""
    return CONFIDENT_GENES if ts.has(CONFIDENT_GENES) else "figure_genes"


# =============================================================================
# Building the sets
# =============================================================================

class GeneSet(NamedTuple):  # a tuple: a build makes ~4 per figure (a frozen dataclass was ~3x slower)
    name: str
    description: str
    genes: tuple[int, ...]


@dataclass
class GeneSetBuild:
    """Gene sets per output file name, plus notes on variants that could not be built."""

    files: dict[str, list[GeneSet]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)  # file -> {too_small, too_large}


def organism_slug(scientific_name: str | None, taxon_id: int) -> str:
    """``Homo sapiens`` -> ``homo-sapiens``; ``taxon-<id>`` without a name."""
    slug = re.sub(r"[^a-z0-9]+", "-", (scientific_name or "").lower()).strip("-")
    return slug or f"taxon-{taxon_id}"


# Temporary DuckDB tables of one build (spilled to disk past the memory limit, like the queries).
LABELS_TABLE = "gmt_labels"
SETS_TABLE = "gmt_sets"
PROJECTED_TABLE = "gmt_projected"
MEMBERS_TABLE = "gmt_members"
FETCH_ROWS = 8192  # sets fetched per batch while a file is written: memory stays flat


def create_labels(ts: TableSet) -> None:
    """Temporary table ``gmt_labels``: figid -> set name and description, from the figures table.

    The name is ``figid_alias`` when present and used by exactly one figure (and not
    another figure's figid), else the figid; the description is the title, else the
    figid. Both pass :func:`clean_text`: in the shards' ``gene_set_labels`` summaries when
    given, else here as a DuckDB function, so the whole corpus never sits in Python.
    """
    if ts.has(LABELS, "figid", "alias", "title"):
        cleaned = f"SELECT figid, alias, title FROM {LABELS}"
    elif ts.has("figures", "figid"):
        ts.con.create_function("pfocr_clean_text", clean_text, ["VARCHAR"], "VARCHAR", null_handling="special",
                               side_effects=False)
        alias = "figid_alias" if ts.has("figures", "figid_alias") else "NULL"
        title = "figtitle" if ts.has("figures", "figtitle") else "NULL"
        cleaned = f"SELECT figid, pfocr_clean_text({alias}) AS alias, pfocr_clean_text({title}) AS title FROM figures"
    else:
        ts.con.execute(f"CREATE TEMP TABLE {LABELS_TABLE} (figid VARCHAR, name VARCHAR, description VARCHAR)")
        return
    ts.con.execute(
        f"CREATE TEMP TABLE {LABELS_TABLE} AS "
        f"WITH f AS ({cleaned}), uses AS (SELECT alias, count(*) AS n FROM f WHERE alias <> '' GROUP BY alias) "
        f"SELECT f.figid, CASE WHEN f.alias <> '' AND uses.n = 1 AND (f.alias = f.figid OR NOT EXISTS "
        f"(SELECT 1 FROM f AS other WHERE other.figid = f.alias)) THEN f.alias ELSE f.figid END AS name, "
        f"CASE WHEN f.title <> '' THEN f.title ELSE f.figid END AS description "
        # One label per figid even if a figid were listed twice (parse rejects that within a shard).
        f"FROM f LEFT JOIN uses USING (alias) QUALIFY row_number() OVER (PARTITION BY f.figid ORDER BY name, "
        f"description) = 1")


class GeneSetFile(NamedTuple):
    """One GMT file of a build: its sets (figid, genes) as SQL, and how many the size limits keep and drop."""

    name: str
    sql: str
    kept: int
    dropped: dict[str, int]


def _size_filter(min_genes: int, max_genes: int | None) -> str:
    return f"len(genes) >= {int(min_genes)}" + (f" AND len(genes) <= {int(max_genes)}" if max_genes is not None else "")


def _with_members(sql: str, members: bool) -> str:
    """``sql``'s sets with each figure's family members added (FamPlex members are human genes)."""
    if not members:
        return sql
    return (f"SELECT figid, list_sort(list_distinct(list_concat(coalesce(s.genes, []), coalesce(m.genes, [])))) "
            f"AS genes FROM ({sql}) s FULL JOIN {MEMBERS_TABLE} m USING (figid)")


def plan_gene_sets(ts: TableSet, min_genes: int = 3, max_genes: int | None = None,
                   taxa: Collection[int] | None = None, human_projected: bool = True,
                   family_members: bool = False) -> tuple[list[GeneSetFile], list[str]]:
    """The GMT files of a build, in name order, and notes on variants that could not be built.

    The sets are grouped once into temporary tables; each file's sets are a query over
    them, read a batch at a time by :func:`gene_sets_of`. Files without a set are left
    out unless ``taxa`` fixes the organisms.
    """
    if min_genes < 1:
        raise ValueError("min_genes must be at least 1 (no empty sets)")
    if max_genes is not None and max_genes < min_genes:
        raise ValueError(f"max_genes ({max_genes}) is below min_genes ({min_genes})")
    missing = ts.why_missing("figure_genes", "figid", "ncbigene_id", "taxon_id")
    if missing:
        raise ValueError(f"cannot build gene sets: {missing}")
    notes: list[str] = []
    cols = ts.columns["figure_genes"]
    create_labels(ts)
    conditions = {VARIANT_CONFIDENT: confident_condition(cols), VARIANT_DIRECT: direct_condition(cols)}
    if conditions[VARIANT_DIRECT] is None:
        notes.append("direct variant not built: figure_genes has no column match_tier")
    variants = [variant for variant, condition in conditions.items() if condition is not None]
    # One pass for all variants: the confident rows, each variant's genes filtered from them. Genes
    # without a taxon are in no organism's file but are projected to human (from this table).
    gene_lists = ", ".join(f"list_sort(list(DISTINCT ncbigene_id) FILTER (WHERE {conditions[variant]})) AS {variant}"
                           for variant in variants)
    ts.con.execute(f"CREATE TEMP TABLE {SETS_TABLE} AS SELECT figid, taxon_id, {gene_lists} "
                   f"FROM {confident_source(ts)} WHERE {conditions[VARIANT_CONFIDENT]} GROUP BY figid, taxon_id")
    seen = {int(taxon) for (taxon,) in ts.query(f"SELECT DISTINCT taxon_id FROM {SETS_TABLE} "
                                                f"WHERE taxon_id IS NOT NULL")}
    members = False
    if family_members:
        found, why_not = _family_members_sql(ts, cols)
        if found:
            ts.con.execute(f"CREATE TEMP TABLE {MEMBERS_TABLE} AS {found}")
            members = True
            seen.add(HUMAN_TAXON_ID)
        else:
            notes.append(f"family members not added: {why_not}")
    wanted = sorted(set(taxa) if taxa is not None else seen)
    names = organism_names(ts, wanted)
    slugs: dict[int, str] = {}
    for taxon in wanted:
        slug = organism_slug(names.get(taxon), taxon)
        slugs[taxon] = slug if slug not in slugs.values() else f"{slug}-{taxon}"
    planned: list[tuple[str, str]] = []
    for taxon in wanted:
        for variant in variants:
            sql = f"SELECT figid, {variant} AS genes FROM {SETS_TABLE} WHERE taxon_id = {int(taxon)}"
            if variant == VARIANT_CONFIDENT and taxon == HUMAN_TAXON_ID:
                sql = _with_members(sql, members)
            planned.append((f"{FILE_PREFIX}{slugs[taxon]}-{variant}.gmt", sql))
    if human_projected:
        projected, why_not = _human_projection_sql(ts, cols)
        if projected:
            ts.con.execute(f"CREATE TEMP TABLE {PROJECTED_TABLE} AS {projected}")
            planned.append((f"{FILE_PREFIX}{HUMAN_PROJECTED}.gmt",
                            _with_members(f"SELECT figid, genes FROM {PROJECTED_TABLE}", members)))
        else:
            notes.append(f"human-projected sets not built: {why_not}")
    files = []
    keep = _size_filter(min_genes, max_genes)
    for fname, sql in planned:
        kept, small, large = ts.query(
            f"SELECT count(*) FILTER (WHERE {keep}), count(*) FILTER (WHERE len(genes) < {int(min_genes)}), "
            f"count(*) FILTER (WHERE NOT ({keep}) AND len(genes) >= {int(min_genes)}) "
            f"FROM ({sql}) WHERE genes IS NOT NULL")[0]
        if kept or taxa is not None or fname.endswith(f"{HUMAN_PROJECTED}.gmt"):
            files.append(GeneSetFile(fname, f"SELECT * FROM ({sql}) WHERE genes IS NOT NULL AND {keep}", kept,
                                     {"too_small": small, "too_large": large}))
    return sorted(files), notes


def _labelled_sets(ts: TableSet, planned: GeneSetFile) -> str:
    """SQL of (name, description, genes) for one planned file.

    Raises ValueError when two sets would share a name.
    """
    labelled = (f"SELECT coalesce(l.name, s.figid) AS name, coalesce(l.description, s.figid) AS description, "
                f"s.genes FROM ({planned.sql}) s LEFT JOIN {LABELS_TABLE} l USING (figid)")
    shared = [name for (name,) in ts.query(f"SELECT name FROM ({labelled}) GROUP BY name HAVING count(*) > 1 "
                                           f"ORDER BY name")]
    if shared:
        raise ValueError("duplicate gene set names: " + ", ".join(shared))
    return labelled


def _batches(ts: TableSet, sql: str) -> Iterator[list[tuple]]:
    cursor = ts.con.execute(sql)
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield batch


def gene_sets_of(ts: TableSet, planned: GeneSetFile) -> Iterator[GeneSet]:
    """The sets of one planned file, in name order, fetched a batch at a time.

    Raises ValueError, before the first set, when two sets would share a name.
    """
    for batch in _batches(ts, f"{_labelled_sets(ts, planned)} ORDER BY name"):
        for name, description, genes in batch:
            yield GeneSet(name, description, tuple(genes))


def gmt_lines_of(ts: TableSet, planned: GeneSetFile) -> Iterator[str]:
    """The lines :func:`gmt_lines` gives for :func:`gene_sets_of`, formatted by DuckDB (~2x faster).

    Names and descriptions hold no tab or line break (:func:`clean_text`) and planned sets
    are never empty (``min_genes`` is at least 1).
    """
    line = "name || chr(9) || description || chr(9) || array_to_string(genes, chr(9)) || chr(10)"
    for batch in _batches(ts, f"SELECT {line} FROM ({_labelled_sets(ts, planned)}) ORDER BY name"):
        for (text,) in batch:
            yield text


def build_gene_sets(tables: dict[str, Sequence[str | os.PathLike] | str | os.PathLike | None],
                    min_genes: int = 3, max_genes: int | None = None,
                    taxa: Collection[int] | None = None, human_projected: bool = True,
                    family_members: bool = False, threads: int = DUCKDB_THREADS) -> GeneSetBuild:
    """All gene sets in memory, keyed by GMT file name, from ``{table: part files}``.

    Uses ``figure_genes`` (required), ``figures`` (names, titles), ``organisms`` or
    ``taxonomy_names`` (slugs) and, for the human projection, ``figure_gene_orthologs``
    when given, else ``figure_genes.human_ncbigene_id``. ``taxa`` limits (and fixes) the
    organism files: each listed taxon gets its files even when they hold no set.
    :func:`write_gmt_sets` writes the same sets without holding them.
    """
    build = GeneSetBuild()
    with TableSet(tables, threads=threads) as ts:
        files, build.notes = plan_gene_sets(ts, min_genes, max_genes, taxa, human_projected, family_members)
        for planned in files:
            build.files[planned.name] = list(gene_sets_of(ts, planned))
            build.dropped[planned.name] = planned.dropped
    return build


def organism_names(ts: TableSet, taxa: Sequence[int]) -> dict[int, str]:
    """Scientific names of ``taxa``, from the ``organisms`` table or else the taxonomy's ``names``.

    The taxonomy lets the gene sets start as soon as the shards are annotated, without waiting
    for the organisms gather; both give the same names (the gather takes them from it).
    """
    ids = ", ".join(str(int(taxon)) for taxon in taxa) or "NULL"
    if ts.has("organisms", "taxon_id", "scientific_name"):
        sql = f"SELECT taxon_id, any_value(scientific_name) FROM organisms WHERE taxon_id IN ({ids}) GROUP BY taxon_id"
    elif ts.has("taxonomy_names", "tax_id", "name_txt", "name_class"):
        sql = (f"SELECT tax_id, any_value(name_txt) FROM taxonomy_names "
               f"WHERE name_class = 'scientific name' AND tax_id IN ({ids}) GROUP BY tax_id")
    else:
        return {}
    return {int(taxon): name for taxon, name in ts.query(sql) if name is not None}


def _family_members_sql(ts: TableSet, cols: list[str]) -> tuple[str | None, str | None]:
    """SQL of (figid, genes): the member genes of each figure's unambiguous family mentions; or why not."""
    missing = ts.why_missing("figure_gene_families", "figid", "famplex_id", "ncbigene_id")
    if missing or "famplex_id" not in cols:
        return None, missing or "figure_genes has no column famplex_id"
    conditions = ["famplex_id IS NOT NULL"]
    if "ambiguous" in cols:
        conditions.append("ambiguous IS NOT TRUE")
    if "match_tier" in cols:
        conditions.append("coalesce(match_tier, '') NOT IN (" + ", ".join(f"'{t}'" for t in NON_MATCH_TIERS) + ")")
    keys = ["figid", "famplex_id"] + (["word"] if "word" in cols and ts.has("figure_gene_families", "word") else [])
    sql = (f"SELECT m.figid, list_sort(list(DISTINCT m.ncbigene_id)) AS genes FROM figure_gene_families m "
           f"JOIN (SELECT DISTINCT {', '.join(keys)} FROM figure_genes WHERE {' AND '.join(conditions)}) f "
           f"USING ({', '.join(keys)}) WHERE m.ncbigene_id IS NOT NULL GROUP BY m.figid")
    return sql, None


def _human_projection_sql(ts: TableSet, cols: list[str]) -> tuple[str | None, str | None]:
    """SQL of (figid, genes): the human gene IDs of each figure's confident genes; or why not.

    With orthologs, the confident genes come from the sets table (``gmt_sets``), not from
    figure_genes again: at 100k figures the join of all 7M gene rows with 4M ortholog rows
    took 0.5 s, of only the 0.2M confident pairs 0.15 s.
    """
    confident = confident_condition(cols, "g")
    if ts.has("figure_gene_orthologs", "figid", "ncbigene_id", "human_ncbigene_id"):
        return (f"SELECT g.figid, list_sort(list(DISTINCT o.human_ncbigene_id)) AS genes FROM "
                f"(SELECT figid, unnest({VARIANT_CONFIDENT}) AS ncbigene_id FROM {SETS_TABLE}) g "
                f"JOIN figure_gene_orthologs o ON o.figid = g.figid AND o.ncbigene_id = g.ncbigene_id "
                f"WHERE o.human_ncbigene_id IS NOT NULL GROUP BY g.figid"), None
    if "human_ncbigene_id" in cols:
        return (f"SELECT g.figid, list_sort(list(DISTINCT g.human_ncbigene_id)) AS genes FROM "
                f"{confident_source(ts)} g WHERE {confident} AND g.human_ncbigene_id IS NOT NULL GROUP BY g.figid"), None
    return None, "neither figure_gene_orthologs nor figure_genes.human_ncbigene_id is available"


# =============================================================================
# Writing and parsing GMT
# =============================================================================

def gmt_lines(sets: Iterable[GeneSet]) -> Iterator[str]:
    for s in sets:
        if not s.genes:
            raise ValueError(f"gene set {s.name!r} is empty")
        yield "\t".join([s.name, s.description, *map(str, s.genes)]) + "\n"


def format_gmt(sets: Sequence[GeneSet]) -> str:
    return "".join(gmt_lines(sets))


def write_gmt_sets(figure_genes_parts, figures_parts, organisms_parts, out_dir: str | os.PathLike,
                   min_genes: int = 3, max_genes: int | None = None, *,
                   figure_gene_orthologs_parts=None, figure_gene_families_parts=None, taxonomy_names_parts=None,
                   confident_genes_parts=None, labels_parts=None,
                   taxa: Collection[int] | None = None, human_projected: bool = True,
                   family_members: bool = False, threads: int = DUCKDB_THREADS) -> list[str]:
    """Write every GMT file into ``out_dir``; returns their paths (sorted).

    ``*_parts`` are a table's part files (list), its folder, or None (organisms: slugs
    come from ``taxonomy_names_parts`` then, else fall back to ``taxon-<id>``).
    ``confident_genes_parts`` and ``labels_parts``, the shards' summaries (:func:`confident_rows`,
    :func:`gene_set_labels`), give the same sets with less work; ``figure_genes_parts`` and
    ``figures_parts`` are still needed (table checks, family members). Each file is
    written a batch of sets at a time (memory does not grow with the corpus), to a temporary
    name that replaces the file when complete. Stale ``pfocr-*.gmt`` files in ``out_dir``
    from an earlier run are removed so the folder always matches one build.
    """
    tables = {"figure_genes": figure_genes_parts, "figures": figures_parts, "organisms": organisms_parts,
              "figure_gene_orthologs": figure_gene_orthologs_parts,
              "figure_gene_families": figure_gene_families_parts, "taxonomy_names": taxonomy_names_parts,
              CONFIDENT_GENES: confident_genes_parts, LABELS: labels_parts}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with TableSet(tables, threads=threads) as ts:
        files, notes = plan_gene_sets(ts, min_genes, max_genes, taxa, human_projected, family_members)
        for note in notes:
            log.warning(note)
        for planned in files:
            with replacing(out / planned.name) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                handle.writelines(gmt_lines_of(ts, planned))
    names = {planned.name for planned in files}
    for stale in out.glob(f"{FILE_PREFIX}*.gmt"):
        if stale.name not in names:
            stale.unlink()
    return [str(out / planned.name) for planned in files]


class GmtError(ValueError):
    """A GMT file breaks the format; the message names the line."""


def parse_gmt(source: str | os.PathLike | bytes, *, numeric_ids: bool = True, min_genes: int = 1,
              require_sorted: bool = False) -> list[GeneSet]:
    """Parse a GMT file strictly; raises :class:`GmtError` on the first problem.

    Checks: UTF-8, LF line ends only (no CR), final newline, no blank lines, at
    least name + description + one gene per line, no surrounding whitespace in a
    field, no empty gene field, unique set names, no duplicate gene in a set,
    positive integer gene IDs (``numeric_ids``), at least ``min_genes`` genes,
    and (``require_sorted``) lines sorted by name and genes ascending.
    """
    if isinstance(source, bytes):
        data, where = source, "<bytes>"
    else:
        data, where = Path(source).read_bytes(), str(source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GmtError(f"{where}: not UTF-8 ({exc})") from None
    if "\r" in text:
        raise GmtError(f"{where}: contains CR characters (line ends must be LF)")
    if text and not text.endswith("\n"):
        raise GmtError(f"{where}: last line has no newline")
    sets: list[GeneSet] = []
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n")[:-1], start=1):
        at = f"{where}:{number}"
        if not line.strip():
            raise GmtError(f"{at}: blank line")
        fields = line.split("\t")
        if len(fields) < 3:
            raise GmtError(f"{at}: {len(fields)} field(s); need name, description and at least one gene")
        for i, value in enumerate(fields):
            if value != value.strip():
                raise GmtError(f"{at}: field {i + 1} has surrounding whitespace")
        name, description, genes = fields[0], fields[1], fields[2:]
        if not name:
            raise GmtError(f"{at}: empty set name")
        if name in seen:
            raise GmtError(f"{at}: duplicate set name {name!r}")
        seen.add(name)
        if any(not g for g in genes):
            raise GmtError(f"{at}: empty gene field (doubled or trailing tab)")
        if len(set(genes)) != len(genes):
            raise GmtError(f"{at}: duplicate gene in set {name!r}")
        if numeric_ids:
            bad = [g for g in genes if not _GENE_ID.fullmatch(g)]
            if bad:
                raise GmtError(f"{at}: not an NCBI Gene ID: {bad[0]!r}")
            parsed: tuple = tuple(int(g) for g in genes)
        else:
            parsed = tuple(genes)
        if len(parsed) < min_genes:
            raise GmtError(f"{at}: set {name!r} has {len(parsed)} gene(s), fewer than {min_genes}")
        if require_sorted:
            if list(parsed) != sorted(parsed):
                raise GmtError(f"{at}: genes of {name!r} are not in ascending order")
            if sets and sets[-1].name > name:
                raise GmtError(f"{at}: set {name!r} is out of order (lines must be sorted by name)")
        sets.append(GeneSet(name, description, parsed))
    return sets


def gmt_line_count(path: str | os.PathLike) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)
