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
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pfocr_etl.parquet_io import write_text
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


def clean_text(value: str | None) -> str:
    """One line, single spaces: tabs and line breaks cannot appear inside a GMT field."""
    # str.split() splits on exactly the characters \s matches, and is ~3x faster than re.sub.
    return " ".join(value.split()) if value else ""


def figure_labels(ts: TableSet) -> dict[str, tuple[str, str]]:
    """figid -> (set name, description) from the figures table.

    The name is ``figid_alias`` when present and used by exactly one figure (and
    not another figure's figid), else the figid.
    """
    if not ts.has("figures", "figid"):
        return {}
    alias = "figid_alias" if ts.has("figures", "figid_alias") else "NULL"
    title = "figtitle" if ts.has("figures", "figtitle") else "NULL"
    rows = [(figid, clean_text(a), t) for figid, a, t in ts.query(f"SELECT figid, {alias}, {title} FROM figures")]
    figids = {r[0] for r in rows}
    alias_uses: dict[str, int] = {}
    for _, a, _ in rows:
        if a:
            alias_uses[a] = alias_uses.get(a, 0) + 1
    labels = {}
    for figid, a, t in rows:
        name = a if a and alias_uses[a] == 1 and (a == figid or a not in figids) else figid
        labels[figid] = (name, clean_text(t) or figid)
    return labels


def _filtered(sets: dict[str, list[int]], labels: dict[str, tuple[str, str]], min_genes: int,
              max_genes: int | None) -> tuple[list[GeneSet], dict[str, int]]:
    """``sets``: figid -> distinct gene IDs in ascending order (as the queries give them)."""
    out, dropped = [], {"too_small": 0, "too_large": 0}
    for figid, genes in sets.items():
        if len(genes) < min_genes:
            dropped["too_small"] += 1
            continue
        if max_genes is not None and len(genes) > max_genes:
            dropped["too_large"] += 1
            continue
        name, description = labels.get(figid, (figid, figid))
        out.append(GeneSet(name, description, tuple(genes)))
    out.sort(key=lambda s: s.name)
    names = [s.name for s in out]
    if len(set(names)) != len(names):
        raise ValueError("duplicate gene set names: " + ", ".join(sorted({n for n in names if names.count(n) > 1})))
    return out, dropped


def build_gene_sets(tables: dict[str, Sequence[str | os.PathLike] | str | os.PathLike | None],
                    min_genes: int = 3, max_genes: int | None = None,
                    taxa: Collection[int] | None = None, human_projected: bool = True,
                    family_members: bool = False, threads: int = DUCKDB_THREADS) -> GeneSetBuild:
    """All gene sets, keyed by GMT file name, from ``{table: part files}``.

    Uses ``figure_genes`` (required), ``figures`` (names, titles), ``organisms`` or
    ``taxonomy_names`` (slugs) and, for the human projection, ``figure_gene_orthologs``
    when given, else ``figure_genes.human_ncbigene_id``. ``taxa`` limits (and fixes) the
    organism files: each listed taxon gets its files even when they hold no set.
    """
    if min_genes < 1:
        raise ValueError("min_genes must be at least 1 (no empty sets)")
    if max_genes is not None and max_genes < min_genes:
        raise ValueError(f"max_genes ({max_genes}) is below min_genes ({min_genes})")
    build = GeneSetBuild()
    with TableSet(tables, threads=threads) as ts:
        missing = ts.why_missing("figure_genes", "figid", "ncbigene_id", "taxon_id")
        if missing:
            raise ValueError(f"cannot build gene sets: {missing}")
        cols = ts.columns["figure_genes"]
        labels = figure_labels(ts)
        conditions = {VARIANT_CONFIDENT: confident_condition(cols), VARIANT_DIRECT: direct_condition(cols)}
        if conditions[VARIANT_DIRECT] is None:
            build.notes.append("direct variant not built: figure_genes has no column match_tier")
        variants = [variant for variant, condition in conditions.items() if condition is not None]
        per_variant: dict[str, dict[int, dict[str, list[int]]]] = {variant: {} for variant in variants}
        # One pass for all variants: the confident rows, each variant's genes filtered from them.
        gene_lists = ", ".join(f"list_sort(list(DISTINCT ncbigene_id) FILTER (WHERE {conditions[variant]}))"
                               for variant in variants)
        for figid, taxon, *genes_by_variant in ts.query(
                f"SELECT figid, taxon_id, {gene_lists} FROM figure_genes "
                f"WHERE {conditions[VARIANT_CONFIDENT]} AND taxon_id IS NOT NULL GROUP BY figid, taxon_id"):
            for variant, genes in zip(variants, genes_by_variant):
                if genes:
                    per_variant[variant].setdefault(int(taxon), {})[figid] = genes
        members: dict[str, list[int]] = {}
        if family_members:
            found = _family_members(ts, cols)
            if isinstance(found, str):
                build.notes.append(f"family members not added: {found}")
            else:
                members = found
                human = per_variant[VARIANT_CONFIDENT].setdefault(HUMAN_TAXON_ID, {})
                for figid, genes in members.items():
                    human[figid] = sorted({*human.get(figid, []), *genes})
        wanted = sorted(set(taxa) if taxa is not None else
                        {t for grouped in per_variant.values() for t in grouped})
        names = organism_names(ts, wanted)
        slugs: dict[int, str] = {}
        for taxon in wanted:
            slug = organism_slug(names.get(taxon), taxon)
            slugs[taxon] = slug if slug not in slugs.values() else f"{slug}-{taxon}"
        for taxon in wanted:
            for variant, grouped in per_variant.items():
                sets, dropped = _filtered(grouped.get(taxon, {}), labels, min_genes, max_genes)
                if sets or taxa is not None:
                    fname = f"{FILE_PREFIX}{slugs[taxon]}-{variant}.gmt"
                    build.files[fname], build.dropped[fname] = sets, dropped
        if human_projected:
            projected = _human_projection(ts, cols)
            if not isinstance(projected, str):
                for figid, genes in members.items():
                    projected[figid] = sorted({*projected.get(figid, []), *genes})
            if isinstance(projected, str):
                build.notes.append(f"human-projected sets not built: {projected}")
            else:
                fname = f"{FILE_PREFIX}{HUMAN_PROJECTED}.gmt"
                build.files[fname], build.dropped[fname] = _filtered(projected, labels, min_genes, max_genes)
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


def _family_members(ts: TableSet, cols: list[str]) -> dict[str, list[int]] | str:
    """figid -> member genes of its unambiguous family mentions, or why they cannot be found."""
    missing = ts.why_missing("figure_gene_families", "figid", "famplex_id", "ncbigene_id")
    if missing or "famplex_id" not in cols:
        return missing or "figure_genes has no column famplex_id"
    conditions = ["famplex_id IS NOT NULL"]
    if "ambiguous" in cols:
        conditions.append("ambiguous IS NOT TRUE")
    if "match_tier" in cols:
        conditions.append("coalesce(match_tier, '') NOT IN (" + ", ".join(f"'{t}'" for t in NON_MATCH_TIERS) + ")")
    keys = ["figid", "famplex_id"] + (["word"] if "word" in cols and ts.has("figure_gene_families", "word") else [])
    sql = (f"SELECT m.figid, list_sort(list(DISTINCT m.ncbigene_id)) FROM figure_gene_families m "
           f"JOIN (SELECT DISTINCT {', '.join(keys)} FROM figure_genes WHERE {' AND '.join(conditions)}) f "
           f"USING ({', '.join(keys)}) WHERE m.ncbigene_id IS NOT NULL GROUP BY m.figid")
    return {figid: genes for figid, genes in ts.query(sql)}


def _human_projection(ts: TableSet, cols: list[str]) -> dict[str, list[int]] | str:
    """figid -> human gene IDs of its confident genes, or the reason it cannot be computed."""
    confident = confident_condition(cols, "g")
    if ts.has("figure_gene_orthologs", "figid", "ncbigene_id", "human_ncbigene_id"):
        sql = (f"SELECT g.figid, list_sort(list(DISTINCT o.human_ncbigene_id)) FROM figure_genes g "
               f"JOIN figure_gene_orthologs o ON o.figid = g.figid AND o.ncbigene_id = g.ncbigene_id "
               f"WHERE {confident} AND o.human_ncbigene_id IS NOT NULL GROUP BY g.figid")
    elif "human_ncbigene_id" in cols:
        sql = (f"SELECT g.figid, list_sort(list(DISTINCT g.human_ncbigene_id)) FROM figure_genes g "
               f"WHERE {confident} AND g.human_ncbigene_id IS NOT NULL GROUP BY g.figid")
    else:
        return "neither figure_gene_orthologs nor figure_genes.human_ncbigene_id is available"
    return {figid: genes for figid, genes in ts.query(sql)}


# =============================================================================
# Writing and parsing GMT
# =============================================================================

def format_gmt(sets: Sequence[GeneSet]) -> str:
    lines = []
    for s in sets:
        if not s.genes:
            raise ValueError(f"gene set {s.name!r} is empty")
        lines.append("\t".join([s.name, s.description, *(str(g) for g in s.genes)]) + "\n")
    return "".join(lines)


def write_gmt_sets(figure_genes_parts, figures_parts, organisms_parts, out_dir: str | os.PathLike,
                   min_genes: int = 3, max_genes: int | None = None, *,
                   figure_gene_orthologs_parts=None, figure_gene_families_parts=None, taxonomy_names_parts=None,
                   taxa: Collection[int] | None = None, human_projected: bool = True,
                   family_members: bool = False, threads: int = DUCKDB_THREADS) -> list[str]:
    """Write every GMT file into ``out_dir``; returns their paths (sorted).

    ``*_parts`` are a table's part files (list), its folder, or None (organisms:
    slugs come from ``taxonomy_names_parts`` then, else fall back to ``taxon-<id>``). Stale ``pfocr-*.gmt`` files in ``out_dir``
    from an earlier run are removed so the folder always matches one build.
    """
    build = build_gene_sets({"figure_genes": figure_genes_parts, "figures": figures_parts,
                             "organisms": organisms_parts, "figure_gene_orthologs": figure_gene_orthologs_parts,
                             "figure_gene_families": figure_gene_families_parts,
                             "taxonomy_names": taxonomy_names_parts},
                            min_genes=min_genes, max_genes=max_genes, taxa=taxa, human_projected=human_projected,
                            family_members=family_members, threads=threads)
    for note in build.notes:
        log.warning(note)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fname, sets in sorted(build.files.items()):
        write_text(out / fname, format_gmt(sets))
        written.append(str(out / fname))
    for stale in out.glob(f"{FILE_PREFIX}*.gmt"):
        if stale.name not in build.files:
            stale.unlink()
    return written


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
