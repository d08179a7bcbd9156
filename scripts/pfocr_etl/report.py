"""Summary report: metrics.json (for machines) and summary.html (for people).

:func:`compute_metrics` reads the published Parquet tables by column name
(through DuckDB, :mod:`pfocr_etl.tableview`) and returns one JSON-ready dict;
:func:`render_html` turns that dict, and nothing else, into one self-contained
HTML file (inline CSS and SVG, no scripts, fonts, images or links that load
anything). Every number in the HTML is printed from the metrics and tagged
``data-metric="<dotted path>"`` so tests can check the two agree.

Every section degrades on its own: a missing optional table or column gives
``{"available": false, "reason": "..."}`` in the metrics and a "Not available"
note in the HTML, never an exception.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pfocr_etl import plots
from pfocr_etl.genesets import confident_condition, confident_source, gmt_line_count
from pfocr_etl.atomic import write_text
from pfocr_etl.plots import esc, fmt_number
from pfocr_etl.summaries import MAPPING_COUNTS, SUMMARY_TABLES
from pfocr_etl.tableview import DUCKDB_THREADS, TableSet

METRICS_FORMAT = "pfocr-etl-metrics/1"
TOP_N = 20
REJECTED_LISTED = 100
MENTION_TABLES = ("figure_genes", "figure_chemicals", "figure_diseases")
ORGANISM_STATUS_LABELS = {
    "resolved": "Primary organism",
    "conflicting": "Primary organism, conflicting sources",
    "unresolved": "No primary organism, unresolved names",
    "none": "No organism named",
}

ID_LABELS = {"mesh_id": "MeSH", "chebi_id": "ChEBI", "doid": "DOID"}
DISAGREEMENTS_LISTED = 50
DASH = "\u2013"
DISAGREEMENTS_ANCHOR = "organism-disagreements"
DISAGREEMENTS_TITLE = "Genes-TSV organism IDs that disagree with the harmonized organism"
# organism_disagreements.reason (pfocr_etl.organisms.genes_tsv_disagreements)
DISAGREEMENT_REASONS = {
    "merged_id": "TSV taxon ID was merged into another",
    "deleted_id": "TSV taxon ID was deleted from NCBI Taxonomy",
    "unknown_id": "TSV taxon ID is not in NCBI Taxonomy",
    "gene_symbols": "our gene mapper placed the word in another organism",
    "primary": "the figure's primary organism differs",
}
RECORDED_TIER = "pfocr_recorded"  # pfocr_etl.genes: PFOCR's own recorded rows, kept for audit

PathLike = str | os.PathLike


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


# =============================================================================
# Metrics
# =============================================================================

def _na(reason: str) -> dict:
    return {"available": False, "reason": reason}


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return round(part / whole, 6)


def _counts(ts: TableSet, table: str, column: str, label: str, count_name: str, total: int,
            null_label: str = "(none)", where: str = "TRUE") -> list[dict]:
    rows = ts.query(f"SELECT coalesce(CAST({column} AS VARCHAR), ?) AS v, count(*) AS n FROM {table} "
                    f"WHERE {where} GROUP BY v ORDER BY n DESC, v", [null_label])
    return [{label: v, count_name: int(n), "share": _share(int(n), total)} for v, n in rows]


def _ranked(counts: Mapping[str, int], label: str, count_name: str, total: int) -> list[dict]:
    """:func:`_counts` rows from counts made in Python: largest first, ties by value."""
    ranked = sorted(((value, n) for value, n in counts.items() if n), key=lambda item: (-item[1], item[0]))
    return [{label: value, count_name: n, "share": _share(n, total)} for value, n in ranked]


def _overview(ts: TableSet, manifest_dir: PathLike | None) -> dict:
    missing = ts.why_missing("figures", "figid")
    if missing:
        return _na(missing)
    figures = ts.rows("figures")
    out = {
        "available": True,
        "figures": figures,
        "papers": ts.rows("papers") if ts.has("papers") else None,
        "paper_references": ts.rows("paper_references") if ts.has("paper_references") else None,
        "figure_pmcids": (int(ts.scalar("SELECT count(DISTINCT pmcid) FROM figures"))
                          if ts.has("figures", "pmcid") else None),
        "gene_mentions": ts.rows("figure_genes") if ts.has("figure_genes") else None,
        "chemical_mentions": ts.rows("figure_chemicals") if ts.has("figure_chemicals") else None,
        "disease_mentions": ts.rows("figure_diseases") if ts.has("figure_diseases") else None,
        "rejected": ts.rows("rejected") if ts.has("rejected") else None,
        "record_formats": (_counts(ts, "figures", "record_format", "record_format", "figures", figures)
                           if ts.has("figures", "record_format") else None),
        "input_files": None,
    }
    if manifest_dir:
        from pfocr_etl.release import corpus_fingerprint
        fp = corpus_fingerprint(manifest_dir)
        out["input_files"] = {"files": fp["files"], "bytes": fp["bytes"], "shards": fp["shards"],
                              "by_kind": [{"kind": k, "files": n} for k, n in fp["by_kind"].items()]}
    return out


def _years(ts: TableSet) -> dict:
    missing = ts.why_missing("figures", "figid", "year")
    if missing:
        return _na(missing)
    rows = ts.query("SELECT year, count(*) FROM figures WHERE year IS NOT NULL GROUP BY year ORDER BY year")
    with_year = sum(int(n) for _, n in rows)
    return {
        "available": True,
        "figures_with_year": with_year,
        "figures_without_year": ts.rows("figures") - with_year,
        "first_year": int(rows[0][0]) if rows else None,
        "last_year": int(rows[-1][0]) if rows else None,
        "by_year": [{"year": int(y), "figures": int(n)} for y, n in rows],
    }


def _primary_source(ts: TableSet) -> str | None:
    """SQL of (figid, primary_taxon_id) for every figure, or None."""
    if ts.has("figures", "primary_taxon_id"):
        return "SELECT figid, primary_taxon_id FROM figures"
    if ts.has("figure_primary_organisms", "figid", "primary_taxon_id"):
        return ("SELECT f.figid, p.primary_taxon_id FROM figures f "
                "LEFT JOIN (SELECT figid, any_value(primary_taxon_id) AS primary_taxon_id "
                "FROM figure_primary_organisms GROUP BY figid) p USING (figid)")
    return None


def _organisms(ts: TableSet, top_n: int) -> dict:
    missing = ts.why_missing("figures", "figid")
    primary = _primary_source(ts)
    if missing or primary is None:
        return _na(missing or "neither figures.primary_taxon_id nor figure_primary_organisms is available")
    figures = ts.rows("figures")
    notes = []
    has_conflict = ts.has("figure_primary_organisms", "figid", "conflicting")
    has_unresolved = ts.has("figure_organisms", "figid", "status")
    conflict_sql = ("(SELECT figid, bool_or(conflicting) AS conflicting FROM figure_primary_organisms GROUP BY figid)"
                    if has_conflict else "(SELECT NULL::VARCHAR AS figid, NULL::BOOLEAN AS conflicting)")
    unresolved_sql = ("(SELECT DISTINCT figid, TRUE AS unresolved FROM figure_organisms WHERE status = 'unresolved')"
                      if has_unresolved else "(SELECT NULL::VARCHAR AS figid, NULL::BOOLEAN AS unresolved)")
    if not has_conflict:
        notes.append(ts.why_missing("figure_primary_organisms", "figid", "conflicting")
                     + ": conflicting share not available")
    if not has_unresolved:
        notes.append(ts.why_missing("figure_organisms", "figid", "status") + ": unresolved share not available")
    # figure_primary_organisms.primary_status (resolved / unresolved / missing) says why a figure
    # has no primary organism; older tables lack it, then unresolved names in figure_organisms decide.
    has_status = ts.has("figure_primary_organisms", "figid", "primary_status")
    status_sql = ("(SELECT figid, min(primary_status) AS primary_status FROM figure_primary_organisms GROUP BY figid)"
                  if has_status else "(SELECT NULL::VARCHAR AS figid, NULL::VARCHAR AS primary_status)")
    per_figure = (f"SELECT p.figid, p.primary_taxon_id, coalesce(c.conflicting, FALSE) AS conflicting, "
                  f"coalesce(u.unresolved, FALSE) AS unresolved, s.primary_status FROM ({primary}) p "
                  f"LEFT JOIN {conflict_sql} c USING (figid) LEFT JOIN {unresolved_sql} u USING (figid) "
                  f"LEFT JOIN {status_sql} s USING (figid)")
    no_primary = ("CASE WHEN primary_status = 'unresolved' THEN 'unresolved' "
                  "WHEN primary_status IS NULL AND unresolved THEN 'unresolved' ELSE 'none' END")
    # Figures with unresolved names counted in the same pass (the per-figure join is the cost).
    per_status = ts.query(
        f"SELECT CASE WHEN primary_taxon_id IS NOT NULL AND conflicting THEN 'conflicting' "
        f"WHEN primary_taxon_id IS NOT NULL THEN 'resolved' ELSE {no_primary} END AS s, "
        f"count(*), count(*) FILTER (WHERE unresolved) FROM ({per_figure}) GROUP BY s")
    status_rows = {key: n for key, n, _ in per_status}
    labels = dict(ORGANISM_STATUS_LABELS)
    if not has_conflict:
        del labels["conflicting"]
    if not has_unresolved and not has_status:  # cannot tell unresolved names from none
        del labels["unresolved"]
        labels["none"] = "No primary organism"
    status = [{"status": key, "label": label, "figures": int(status_rows.get(key, 0)),
               "share": _share(int(status_rows.get(key, 0)), figures)} for key, label in labels.items()]
    with_unresolved = sum(int(n) for _, _, n in per_status) if has_unresolved else None
    with_conflict = int(status_rows.get("conflicting", 0)) if has_conflict else None
    names = ("LEFT JOIN (SELECT taxon_id, any_value(scientific_name) AS scientific_name, "
             + ("any_value(\"group\")" if ts.has("organisms", "group") else "NULL")
             + " AS grp FROM organisms GROUP BY taxon_id) o ON o.taxon_id = p.primary_taxon_id"
             if ts.has("organisms", "taxon_id", "scientific_name") else
             "LEFT JOIN (SELECT NULL::BIGINT AS taxon_id, NULL AS scientific_name, NULL AS grp) o "
             "ON o.taxon_id = p.primary_taxon_id")
    if not ts.has("organisms", "taxon_id", "scientific_name"):
        notes.append(ts.why_missing("organisms", "taxon_id", "scientific_name") + ": organisms shown by taxon ID")
    top = ts.query(f"SELECT p.primary_taxon_id, any_value(o.scientific_name), any_value(o.grp), count(*) AS n "
                   f"FROM ({primary}) p {names} WHERE p.primary_taxon_id IS NOT NULL "
                   f"GROUP BY p.primary_taxon_id ORDER BY n DESC, p.primary_taxon_id LIMIT {int(top_n)}")
    with_primary = int(ts.scalar(f"SELECT count(*) FROM ({primary}) WHERE primary_taxon_id IS NOT NULL"))
    return {
        "available": True,
        "figures": figures,
        "figures_with_primary": with_primary,
        "distinct_primary": int(ts.scalar(f"SELECT count(DISTINCT primary_taxon_id) FROM ({primary})")),
        "figures_with_unresolved_names": with_unresolved,
        "unresolved_share": _share(with_unresolved, figures),
        "figures_conflicting": with_conflict,
        "conflicting_share": _share(with_conflict, figures),
        "figures_without_primary": figures - with_primary,
        "without_primary_share": _share(figures - with_primary, figures),
        "status_source": ("figure_primary_organisms.primary_status" if has_status else
                          "figure_organisms.status" if has_unresolved else None),
        "status": status,
        "top": [{"taxon_id": int(t), "scientific_name": name or f"taxon {t}", "group": grp,
                 "figures": int(n), "share": _share(int(n), figures)} for t, name, grp, n in top],
        "notes": notes,
    }


def _organism_names(ts: TableSet) -> dict[int, str]:
    if not ts.has("organisms", "taxon_id", "scientific_name"):
        return {}
    return {int(t): n for t, n in ts.query("SELECT taxon_id, min(scientific_name) FROM organisms "
                                           "WHERE taxon_id IS NOT NULL GROUP BY taxon_id") if n}


def _organism_disagreements(ts: TableSet, listed: int, top_n: int) -> dict:
    """Genes-TSV rows whose ``organism_id`` differs from the harmonized organism (table organism_disagreements).

    ``rows`` are table rows (one per figure, word, TSV taxon and reason), ``tsv_rows``
    the genes-TSV rows they stand for (sum of ``n_rows``). Shares are of the genes-TSV
    rows (and figures) that were compared: PFOCR's recorded genes-TSV rows with an
    organism ID in ``figure_genes``.
    """
    missing = ts.why_missing("organism_disagreements", "figid", "tsv_taxon_id")
    if missing:
        return _na(missing)
    cols = ts.columns["organism_disagreements"]
    word = "word" if "word" in cols else "NULL::VARCHAR"
    harmonized = "harmonized_taxon_id" if "harmonized_taxon_id" in cols else "NULL::BIGINT"
    reason = "coalesce(reason, '(none)')" if "reason" in cols else "'(none)'"
    n_rows = "coalesce(n_rows, 1)" if "n_rows" in cols else "1"
    notes = [f"organism_disagreements has no column {c}" for c in ("word", "harmonized_taxon_id", "reason", "n_rows")
             if c not in cols]
    base = (f"SELECT figid, {word} AS word, tsv_taxon_id, {harmonized} AS harmonized_taxon_id, "
            f"{reason} AS reason, {n_rows} AS n_rows FROM organism_disagreements")
    names = _organism_names(ts)

    def organism(taxon) -> str | None:
        return None if taxon is None else names.get(int(taxon), f"taxon {int(taxon)}")

    total = ts.rows("organism_disagreements")
    tsv_rows = int(ts.scalar(f"SELECT coalesce(sum(n_rows), 0) FROM ({base})"))
    figures = int(ts.scalar(f"SELECT count(DISTINCT figid) FROM ({base})"))
    compared_rows = compared_figures = None
    if ts.has("figure_genes", "figid", "evidence", "taxon_id"):
        fg = ts.columns["figure_genes"]
        recorded = (f"(match_tier IS NULL OR match_tier = '{RECORDED_TIER}')" if "match_tier" in fg else "TRUE")
        weight = "coalesce(n_source_rows, 1)" if "n_source_rows" in fg else "1"
        compared_rows, compared_figures = (int(v) for v in ts.query(
            f"SELECT coalesce(sum({weight}), 0), count(DISTINCT figid) FROM figure_genes "
            f"WHERE evidence = 'genes_tsv' AND {recorded} AND taxon_id IS NOT NULL")[0])
    else:
        notes.append(ts.why_missing("figure_genes", "figid", "evidence", "taxon_id")
                     + ": shares of the compared genes-TSV rows not available")
    by_reason = [{"reason": r, "label": DISAGREEMENT_REASONS.get(r, r), "rows": int(n), "tsv_rows": int(t),
                  "figures": int(f)} for r, n, t, f in ts.query(
        f"SELECT reason, count(*) AS n, sum(n_rows), count(DISTINCT figid) FROM ({base}) "
        f"GROUP BY reason ORDER BY n DESC, reason")]
    by_taxa = [{"tsv_taxon_id": int(a), "tsv_organism": organism(a),
                "harmonized_taxon_id": None if b is None else int(b), "harmonized_organism": organism(b),
                "rows": int(n), "tsv_rows": int(t), "figures": int(f)} for a, b, n, t, f in ts.query(
        f"SELECT tsv_taxon_id, harmonized_taxon_id, count(*) AS n, sum(n_rows) AS t, count(DISTINCT figid) "
        f"FROM ({base}) GROUP BY tsv_taxon_id, harmonized_taxon_id "
        f"ORDER BY t DESC, n DESC, tsv_taxon_id, harmonized_taxon_id NULLS LAST LIMIT {int(top_n)}")]
    rows = [{"figid": f, "word": w, "tsv_taxon_id": int(a), "tsv_organism": organism(a),
             "harmonized_taxon_id": None if b is None else int(b), "harmonized_organism": organism(b),
             "reason": r, "n_rows": int(n)} for f, w, a, b, r, n in ts.query(
        f"SELECT figid, word, tsv_taxon_id, harmonized_taxon_id, reason, n_rows FROM ({base}) "
        f"ORDER BY figid, word NULLS LAST, tsv_taxon_id, reason, harmonized_taxon_id NULLS LAST, n_rows "
        f"LIMIT {int(listed)}")]
    return {
        "available": True,
        "rows": total,
        "tsv_rows": tsv_rows,
        "figures": figures,
        "compared_tsv_rows": compared_rows,
        "compared_figures": compared_figures,
        "tsv_rows_share": _share(tsv_rows, compared_rows),
        "figures_share": _share(figures, compared_figures),
        "by_reason": by_reason,
        "by_taxa": by_taxa,
        "listed_max": int(listed),
        "listed": rows,
        "not_listed": total - len(rows),
        "notes": notes,
    }


def _best_label(table: str, key_sql: str, label_sql: str, where: str) -> str:
    """SQL (key, label): the most frequent label per key, ties broken alphabetically."""
    return (f"SELECT k, l FROM (SELECT k, l, row_number() OVER (PARTITION BY k ORDER BY n DESC, l) AS rn FROM "
            f"(SELECT {key_sql} AS k, {label_sql} AS l, count(*) AS n FROM {table} WHERE {where} "
            f"AND {label_sql} IS NOT NULL GROUP BY k, l)) WHERE rn = 1")


def _genes(ts: TableSet, top_n: int) -> dict:
    missing = ts.why_missing("figure_genes", "figid", "ncbigene_id")
    if missing:
        return _na(missing)
    cols = ts.columns["figure_genes"]
    cond = confident_condition(cols)
    confident = confident_source(ts)
    symbol = ("SELECT ncbigene_id AS k, any_value(symbol) AS l FROM genes GROUP BY ncbigene_id"
              if ts.has("genes", "ncbigene_id", "symbol") else
              _best_label(confident, "ncbigene_id", "symbol", cond) if "symbol" in cols else
              "SELECT NULL::BIGINT AS k, NULL AS l")
    taxon = "any_value(g.taxon_id)" if "taxon_id" in cols else "NULL"
    organism = ("LEFT JOIN (SELECT taxon_id, any_value(scientific_name) AS scientific_name FROM organisms "
                "GROUP BY taxon_id) o ON o.taxon_id = t.taxon_id" if ts.has("organisms", "taxon_id", "scientific_name")
                else "LEFT JOIN (SELECT NULL::BIGINT AS taxon_id, NULL AS scientific_name) o ON FALSE")
    # The top genes first, then their names: joined before the LIMIT, the names of every gene were
    # looked up. The window counts the genes (the groups) in the same scan of figure_genes.
    top = ts.query(f"SELECT t.ncbigene_id, s.l, t.taxon_id, o.scientific_name, t.n, t.genes FROM "
                   f"(SELECT g.ncbigene_id, {taxon} AS taxon_id, count(DISTINCT g.figid) AS n, "
                   f"count(*) OVER () AS genes FROM {confident} g WHERE {confident_condition(cols, 'g')} "
                   f"GROUP BY g.ncbigene_id ORDER BY n DESC, g.ncbigene_id LIMIT {max(int(top_n), 1)}) t "
                   f"LEFT JOIN ({symbol}) s ON s.k = t.ncbigene_id {organism} "
                   f"ORDER BY t.n DESC, t.ncbigene_id")
    out = {
        "available": True,
        "distinct_genes": int(top[0][-1]) if top else 0,
        "figures_with_genes": int(ts.scalar(f"SELECT count(DISTINCT figid) FROM {confident} WHERE {cond}")),
        "top_genes": [{"ncbigene_id": int(g), "symbol": s, "taxon_id": None if t is None else int(t),
                       "organism": o, "figures": int(n)} for g, s, t, o, n, _ in top[:top_n]],
    }
    source = ("figure_gene_families" if ts.has("figure_gene_families", "figid", "famplex_id") else
              "figure_genes" if "famplex_id" in cols else None)
    fam = None
    if source:
        members = "count(DISTINCT ncbigene_id)" if ts.has(source, "ncbigene_id") else "NULL"
        fam = ts.query(f"SELECT famplex_id, count(DISTINCT figid) AS n, {members} FROM {source} "
                       f"WHERE famplex_id IS NOT NULL GROUP BY famplex_id "
                       f"ORDER BY n DESC, famplex_id LIMIT {int(top_n)}")
    if fam is None:
        out["top_families"] = _na("neither figure_gene_families nor figure_genes.famplex_id is available")
    else:
        out["top_families"] = {"available": True, "source": source, "rows": [
            {"famplex_id": f, "figures": int(n), "member_genes": None if m is None else int(m)} for f, n, m in fam]}
    return out


def _mapping(ts: TableSet) -> dict:
    """Gene mapping quality over figure_genes rows.

    Rows with ``match_tier = 'pfocr_recorded'`` (PFOCR's own IDs, kept for audit by
    the gene stage) are counted apart; tier, confident and ambiguous shares are of
    the other ("mapped") rows. ID status and refreshed/discontinued IDs cover all rows.
    """
    missing = ts.why_missing("figure_genes", "figid")
    if missing:
        return _na(missing)
    cols = ts.columns["figure_genes"]
    notes = []
    has_id = "ncbigene_id" in cols
    # Counts (SQL aggregates) over the mapped rows only, then over all rows.
    of_mapped = {}
    if has_id:
        of_mapped["with_gene_id"] = "count(ncbigene_id)"
        of_mapped["confident"] = f"count(*) FILTER (WHERE {confident_condition(cols)})"
    if "ambiguous" in cols:
        of_mapped["ambiguous"] = "count(*) FILTER (WHERE ambiguous)"
    of_all = {}
    if "id_status" in cols:
        of_all["ids_discontinued"] = "count(*) FILTER (WHERE id_status = 'discontinued')"
    if "input_ncbigene_id" in cols and has_id:
        of_all["ids_refreshed"] = "count(*) FILTER (WHERE ncbigene_id <> input_ncbigene_id)"
        of_all["ids_given"] = "count(input_ncbigene_id)"
    # Every count in one scan of figure_genes, grouped by tier and ID status (a few dozen groups),
    # so the tier of each group says whether its rows are mapped: a query per count or grouping
    # read the 7M rows of a 100k-figure corpus once each, and a filter per count compared tiers.
    groups = [c for c in ("match_tier", "id_status") if c in cols]
    counted = {**of_mapped, **of_all}
    if ts.has(MAPPING_COUNTS, *groups, "rows", *counted):
        # The same counts summed over the shards' summaries, grouped the same way.
        source, aggregates = MAPPING_COUNTS, ["sum(rows)", *(f"sum({name})" for name in counted)]
    else:
        source, aggregates = "figure_genes", ["count(*)", *counted.values()]
    per_group = ts.query("SELECT " + ", ".join([*groups, *aggregates]) + f" FROM {source}"
                         + (" GROUP BY ALL" if groups else ""))
    count = dict.fromkeys(["total", "mapped", *counted], 0)
    by_value: dict[str, dict[str, int]] = {c: {} for c in groups}
    for row in per_group:
        keys = dict(zip(groups, row))
        rows, filtered = int(row[len(groups)]), dict(zip(counted, row[len(groups) + 1:]))
        is_mapped = keys.get("match_tier") != RECORDED_TIER
        count["total"] += rows
        count["mapped"] += rows if is_mapped else 0
        for name, value in filtered.items():
            count[name] += int(value) if is_mapped or name in of_all else 0
        for column, value in keys.items():
            if column == "match_tier" and not is_mapped:
                continue  # tiers are shares of the mapped rows; ID status of all rows
            label = "(none)" if value is None else str(value)
            by_value[column][label] = by_value[column].get(label, 0) + rows
    total, mapped = count["total"], count["mapped"]
    out: dict = {"available": True, "mentions": total, "recorded_rows": total - mapped, "mapped_rows": mapped}
    out["with_gene_id"] = count.get("with_gene_id")
    out["confident"] = count.get("confident")
    out["confident_share"] = _share(out["confident"], mapped)
    out["ambiguous"] = count.get("ambiguous")
    if "ambiguous" not in cols:
        notes.append("figure_genes has no column ambiguous: ambiguous share not available")
    out["ambiguous_share"] = _share(out["ambiguous"], mapped)
    if "match_tier" in cols:
        out["match_tiers"] = _ranked(by_value["match_tier"], "match_tier", "mentions", mapped)
    else:
        out["match_tiers"] = None
        notes.append("figure_genes has no column match_tier: shares per match tier not available")
    if "id_status" in cols:
        out["id_status"] = _ranked(by_value["id_status"], "id_status", "mentions", total)
    else:
        out["id_status"] = None
        notes.append("figure_genes has no column id_status: ID status not available")
    out["ids_discontinued"] = count.get("ids_discontinued")
    out["ids_refreshed"] = count.get("ids_refreshed")
    out["ids_given"] = count.get("ids_given")
    if "ids_given" not in count:
        notes.append("figure_genes has no column input_ncbigene_id: refreshed IDs not available")
    out["notes"] = notes
    return out


def _top_mentions(ts: TableSet, table: str, id_columns: Sequence[str], top_n: int) -> dict:
    missing = ts.why_missing(table, "figid", "word")
    if missing:
        return _na(missing)
    cols = ts.columns[table]
    ids = [c for c in id_columns if c in cols]
    key = "coalesce(" + ", ".join([*ids, "'word:' || lower(word)"]) + ")"
    label = "coalesce(name, word)" if "name" in cols else "word"
    best = _best_label(table, key, label, "TRUE")
    id_select = "".join(f", min({c}) AS {c}" for c in ids)
    rows = ts.query(f"SELECT t.k, b.l, t.n{''.join(f', t.{c}' for c in ids)} FROM "
                    f"(SELECT {key} AS k, count(DISTINCT figid) AS n{id_select} FROM {table} GROUP BY k) t "
                    f"LEFT JOIN ({best}) b ON b.k = t.k ORDER BY t.n DESC, t.k LIMIT {int(top_n)}")
    return {
        "available": True,
        "mentions": ts.rows(table),
        "figures": int(ts.scalar(f"SELECT count(DISTINCT figid) FROM {table}")),
        "distinct": int(ts.scalar(f"SELECT count(DISTINCT {key}) FROM {table}")),
        "id_columns": ids,
        "top": [{"name": r[1], "figures": int(r[2]), **{c: r[3 + i] for i, c in enumerate(ids)}} for r in rows],
    }


def _rejected(ts: TableSet, listed: int) -> dict:
    missing = ts.why_missing("rejected", "source_path", "reason")
    if missing:
        return _na(missing)
    cols = ts.columns["rejected"]
    action = "action" if "action" in cols else "NULL"
    detail = "detail" if "detail" in cols else "NULL"
    order = ["source_path", "reason", *(f"{c} NULLS LAST" for c in ("detail", "action") if c in cols)]
    total = ts.rows("rejected")
    return {
        "available": True,
        "rows": total,
        "files": int(ts.scalar("SELECT count(DISTINCT source_path) FROM rejected")),
        "by_reason": [{"reason": r, "rows": int(n), "files": int(f)} for r, n, f in ts.query(
            "SELECT reason, count(*) AS n, count(DISTINCT source_path) FROM rejected GROUP BY reason "
            "ORDER BY n DESC, reason")],
        "by_action": ([{"action": a, "rows": int(n)} for a, n in ts.query(
            "SELECT action, count(*) AS n FROM rejected GROUP BY action ORDER BY n DESC, action")]
            if "action" in cols else None),
        "listed_max": listed,
        "listed": [{"source_path": p, "reason": r, "action": a, "detail": d} for p, r, a, d in ts.query(
            f"SELECT source_path, reason, {action}, {detail} FROM rejected "
            f"ORDER BY {', '.join(order)} LIMIT {int(listed)}")],
    }


def _references(references_json: PathLike | None, manifest_dir: PathLike | None) -> dict:
    from pfocr_etl.release import corpus_fingerprint, load_references
    if not references_json and not manifest_dir:
        return _na("no references file and no input manifest were given")
    out: dict = {"available": True, "release": None, "files": None, "corpus": None}
    if references_json:
        refs = load_references(references_json)
        out["release"], out["files"] = refs["release"], refs["files"]
    if manifest_dir:
        fp = corpus_fingerprint(manifest_dir)
        out["corpus"] = {"files": fp["files"], "bytes": fp["bytes"], "sha256": fp["sha256"]}
    return out


def _num(value: str) -> float | None:
    value = (value or "").strip()
    if value in ("", "-", "NA", "nan", "NaN"):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else number


def read_benchmarks(benchmarks_dir: PathLike) -> list[dict]:
    """Rows of Snakemake ``benchmark:`` TSVs under ``benchmarks_dir``, parsed by header.

    The rule is the first folder under ``benchmarks_dir`` (a file directly in it:
    its stem). Values: ``s`` (wall seconds), ``max_rss`` (MB), ``cpu_time`` (s);
    ``-``/``NA`` become None.
    """
    root = Path(benchmarks_dir)
    rows = []
    for tsv in sorted(root.rglob("*.tsv")):
        rel = tsv.relative_to(root)
        rule = rel.parts[0] if len(rel.parts) > 1 else tsv.stem
        with open(tsv, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            if not reader.fieldnames or "s" not in reader.fieldnames:
                continue
            for row in reader:
                rows.append({"rule": rule, "file": rel.as_posix(), "s": _num(row.get("s")),
                             "max_rss": _num(row.get("max_rss")), "cpu_time": _num(row.get("cpu_time"))})
    return rows


def _runtime(benchmarks_dir: PathLike | None) -> dict:
    if not benchmarks_dir:
        return _na("no benchmarks folder was given")
    if not Path(benchmarks_dir).is_dir():
        return _na(f"benchmarks folder {benchmarks_dir} does not exist")
    rows = read_benchmarks(benchmarks_dir)
    if not rows:
        return _na(f"no benchmark files (TSV with column s) under {benchmarks_dir}")
    rules: dict[str, dict] = {}
    for r in rows:
        rule = rules.setdefault(r["rule"], {"rule": r["rule"], "files": set(), "runs": 0, "seconds": [], "rss": [],
                                            "cpu": []})
        rule["files"].add(r["file"])
        rule["runs"] += 1
        for key, src in (("seconds", "s"), ("rss", "max_rss"), ("cpu", "cpu_time")):
            if r[src] is not None:
                rule[key].append(r[src])
    out_rules = []
    for name, r in sorted(rules.items(), key=lambda kv: (-sum(kv[1]["seconds"]), kv[0])):
        sec = r["seconds"]
        out_rules.append({
            "rule": name, "jobs": len(r["files"]), "runs": r["runs"],
            "total_s": round(sum(sec), 3), "mean_s": round(sum(sec) / len(sec), 3) if sec else None,
            "max_s": round(max(sec), 3) if sec else None,
            "max_rss_mb": round(max(r["rss"]), 2) if r["rss"] else None,
            "cpu_time_s": round(sum(r["cpu"]), 3) if r["cpu"] else None,
        })
    return {"available": True, "jobs": sum(r["jobs"] for r in out_rules),
            "total_s": round(sum(r["total_s"] for r in out_rules), 3), "rules": out_rules}


def _gene_sets(gmt_dir: PathLike | None) -> dict:
    if not gmt_dir:
        return _na("no gene set folder was given")
    files = sorted(Path(gmt_dir).glob("*.gmt"))
    if not files:
        return _na(f"no GMT files in {gmt_dir}")
    return {"available": True, "files": [{"file": f.name, "sets": gmt_line_count(f)} for f in files]}


def _release_diff(ts: TableSet, previous_release: PathLike | None) -> dict:
    if not previous_release:
        return _na("no previous release configured (config key previous_release)")
    if not Path(previous_release).exists():
        return _na(f"previous release {previous_release} does not exist")
    from pfocr_etl.release import diff_releases
    return diff_releases(dict(ts.files), previous_release, threads=ts.threads)


def compute_metrics(tables: Mapping[str, Sequence[PathLike] | PathLike | None], benchmarks_dir: PathLike | None = None,
                    references_json: PathLike | None = None, previous_release: PathLike | None = None, *,
                    manifest_dir: PathLike | None = None, gmt_dir: PathLike | None = None,
                    top_n: int = TOP_N, rejected_listed: int = REJECTED_LISTED,
                    disagreements_listed: int = DISAGREEMENTS_LISTED) -> dict:
    """All report metrics from ``{table: part files (or folder)}`` and the optional extra inputs.

    Tables used when given: figures, papers, paper_references, figure_genes,
    figure_gene_families, genes, figure_organisms, figure_primary_organisms,
    organisms, organism_disagreements, figure_chemicals, figure_diseases, rejected
    (others are counted in ``rows`` only).

    Everything but ``runtime`` (benchmark wall/CPU times and RSS, and the order
    of ``runtime.rules``, largest total first) depends only on the inputs;
    ``pipeline_version`` depends on the checkout (``git describe --dirty``).
    """
    measured = table_metrics(tables, references_json, previous_release, manifest_dir=manifest_dir, top_n=top_n,
                             rejected_listed=rejected_listed, disagreements_listed=disagreements_listed)
    return with_run_metrics(measured, gmt_dir, benchmarks_dir)


def table_metrics(tables: Mapping[str, Sequence[PathLike] | PathLike | None], references_json: PathLike | None = None,
                  previous_release: PathLike | None = None, *, manifest_dir: PathLike | None = None,
                  top_n: int = TOP_N, rejected_listed: int = REJECTED_LISTED,
                  disagreements_listed: int = DISAGREEMENTS_LISTED, threads: int = DUCKDB_THREADS) -> dict:
    """The metrics of :func:`compute_metrics` that come from the tables (all but gene sets and runtime).

    The pipeline computes these while the gene sets are written, since neither needs the other;
    ``threads``: DuckDB threads, the job's share of the cores.
    """
    from pfocr_etl.release import pipeline_version
    with TableSet(tables, threads=threads) as ts:
        return {
            "format": METRICS_FORMAT,
            "pipeline_version": pipeline_version(),
            "rows": {name: ts.rows(name) for name in sorted(ts.columns) if name not in SUMMARY_TABLES},
            "overview": _overview(ts, manifest_dir),
            "years": _years(ts),
            "organisms": _organisms(ts, top_n),
            "organism_disagreements": _organism_disagreements(ts, disagreements_listed, top_n),
            "genes": _genes(ts, top_n),
            "gene_mapping": _mapping(ts),
            "chemicals": _top_mentions(ts, "figure_chemicals", ("mesh_id", "chebi_id"), top_n),
            "diseases": _top_mentions(ts, "figure_diseases", ("mesh_id", "doid"), top_n),
            "release_diff": _release_diff(ts, previous_release),
            "rejected": _rejected(ts, rejected_listed),
            "references": _references(references_json, manifest_dir),
        }


def with_run_metrics(measured: Mapping, gmt_dir: PathLike | None, benchmarks_dir: PathLike | None) -> dict:
    """:func:`table_metrics` output plus the gene sets written and the jobs' benchmarks."""
    return {**measured, "gene_sets": _gene_sets(gmt_dir), "runtime": _runtime(benchmarks_dir)}


# =============================================================================
# HTML
# =============================================================================

CSS = """
:root{--ink:#1d2430;--muted:#5b6675;--rule:#e2e6eb;--soft:#f5f7f9;--accent:#2b5c8a}
*{box-sizing:border-box}
html{font-size:15px;-webkit-text-size-adjust:100%}
body{margin:0;color:var(--ink);background:#fff;line-height:1.5;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1000px;margin:0 auto;padding:40px 36px 72px}
header.top{border-bottom:2px solid var(--ink);padding-bottom:18px;margin-bottom:8px}
h1{font-size:1.95rem;line-height:1.2;margin:0 0 6px;letter-spacing:-.01em}
.subtitle{color:var(--muted);margin:0}
nav.toc{margin:18px 0 8px;font-size:.9rem}
nav.toc ol{margin:0;padding-left:1.3em;columns:3;column-gap:28px}
nav.toc a{color:var(--accent);text-decoration:none}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:22px 0 6px}
.kpi{border:1px solid var(--rule);border-radius:6px;padding:12px 14px;background:var(--soft)}
.kpi .value{display:block;font-size:1.55rem;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2}
.kpi .label{display:block;color:var(--muted);font-size:.82rem;margin-top:2px}
section{margin-top:44px}
h2{font-size:1.3rem;margin:0 0 12px;padding-bottom:6px;border-bottom:1px solid var(--rule)}
h2 .n{color:var(--muted);font-weight:400;font-size:.95rem;margin-right:.35em}
h3{font-size:1rem;margin:22px 0 8px}
h4{font-size:.9rem;margin:16px 0 6px;color:var(--muted);font-weight:600}
nav.toc ol.sub{columns:1;padding-left:1.1em;list-style:none}
table.disagreements td.figid{overflow-wrap:anywhere;max-width:30ch}
table.disagreements td.word{overflow-wrap:anywhere;max-width:18ch}
td.nowrap{white-space:nowrap}
p{margin:8px 0}
.lead{color:var(--muted);max-width:72ch}
table{border-collapse:collapse;font-size:.9rem;margin:6px 0 4px}
th,td{padding:5px 12px 5px 0;border-bottom:1px solid var(--rule);text-align:left;vertical-align:baseline}
th+th,td+td{padding-left:12px}
thead th{border-bottom:1.5px solid var(--ink);font-weight:600;white-space:nowrap}
tbody tr:last-child td{border-bottom:none}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.wrap{max-width:46ch}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:.86em}
.mono.hash,.hash{word-break:break-all;font-size:.8em}
.na{color:var(--muted);background:var(--soft);border-left:3px solid var(--rule);padding:8px 12px;margin:8px 0}
.note{color:var(--muted);font-size:.85rem}
figure.plot{margin:12px 0 8px}
figure.plot svg{max-width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:.82rem;margin-top:4px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:28px;align-items:start}
.grid2>div{min-width:0}
dl.facts{display:grid;grid-template-columns:max-content max-content;gap:4px 24px;margin:8px 0;font-size:.92rem}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
dl.facts dd.mono{text-align:left}
footer{margin-top:56px;padding-top:12px;border-top:1px solid var(--rule);color:var(--muted);font-size:.8rem}
@media (max-width:760px){.grid2{grid-template-columns:1fr}nav.toc ol{columns:1}main{padding:24px 16px}}
@media print{
@page{size:A4;margin:15mm 14mm 16mm}
html{font-size:10pt}
main{max-width:none;padding:0}
nav.toc{display:none}
.kpi{background:none}
section{margin-top:26px}
h2,h3,h4{break-after:avoid;page-break-after:avoid}
figure.plot,.kpis,table.compact,dl.facts{break-inside:avoid;page-break-inside:avoid}
tr{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}
a{color:inherit;text-decoration:none}
}
"""


class _Html:
    """Formatting helpers that tag every printed metric with its dotted path."""

    @staticmethod
    def value(value, path: str, kind: str = "int", tag: str = "span", cls: str = "") -> str:
        if value is None:
            return f'<{tag} class="{cls}">\u2013</{tag}>' if tag != "span" else "\u2013"
        if kind == "int":
            text = fmt_number(int(value))
        elif kind == "share":
            text = f"{100 * float(value):.1f}\u00a0%"
        elif kind == "seconds":
            text = f"{float(value):,.2f}"
        elif kind == "mb":
            text = f"{float(value):,.1f}"
        else:
            text = str(value)
        attrs = f' class="{cls}"' if cls else ""
        return (f'<{tag}{attrs} data-metric="{esc(path)}" data-kind="{kind}" '
                f'data-value="{esc(json.dumps(value, ensure_ascii=False))}">{esc(text)}</{tag}>')

    @classmethod
    def cell(cls, value, path: str, kind: str = "int") -> str:
        css = {"code": "mono", "hash": "mono hash"}.get(kind, "num" if kind in NUMERIC_KINDS else "")
        if kind in ("code", "hash"):
            kind = "text"
        if value is None:
            return f'<td class="{css}">\u2013</td>'
        return cls.value(value, path, kind, tag="td", cls=css)


def _table(headers: Sequence[tuple[str, str]], rows: Sequence[str], cls: str = "") -> str:
    """``headers``: (label, 'num'|''), ``rows``: pre-rendered ``<tr>`` contents."""
    head = "".join(f'<th class="{c}">{esc(h)}</th>' if c else f"<th>{esc(h)}</th>" for h, c in headers)
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


NUMERIC_KINDS = ("int", "share", "seconds", "mb")


def _records_table(records: Sequence[Mapping], prefix: str, columns: Sequence[tuple[str, str, str]],
                   cls: str = "") -> str:
    """A table of metric records; ``columns`` are (header, key, kind).

    Kinds: int, share, seconds, mb (right-aligned numbers), text, code (tagged with
    ``data-metric="<prefix>.<row>.<key>"``), plain (untagged text).
    """
    headers = [(h, "num" if kind in NUMERIC_KINDS else "") for h, _, kind in columns]
    rows = []
    for i, rec in enumerate(records):
        cells = []
        for _, key, kind in columns:
            if kind == "plain":
                cells.append(f"<td>{esc(rec.get(key) if rec.get(key) is not None else '')}</td>")
            else:
                cells.append(_Html.cell(rec.get(key), f"{prefix}.{i}.{key}", kind))
        rows.append("".join(cells))
    return _table(headers, rows, cls)


def _facts(items: Sequence[tuple[str, str]]) -> str:
    """A definition list of (label, pre-rendered value)."""
    return '<dl class="facts">' + "".join(f"<dt>{esc(label)}</dt><dd>{value}</dd>" for label, value in items) + "</dl>"


def _na_html(section: Mapping) -> str:
    return f'<p class="na">Not available: {esc(section.get("reason", "no data"))}.</p>'


def _na_text(reason: str) -> str:
    return f'<p class="na">Not available: {esc(reason)}.</p>'


def _plot(svg: str, name: str, caption: str) -> str:
    return f'<figure class="plot" data-plot="{esc(name)}">{svg}<figcaption>{esc(caption)}</figcaption></figure>'


def _notes(section: Mapping) -> str:
    return "".join(f'<p class="note">{esc(n)}.</p>' for n in section.get("notes") or [])


def _grid(*columns: str) -> str:
    return '<div class="grid2">' + "".join(f"<div>{c}</div>" for c in columns) + "</div>"


def _kpis(m: Mapping) -> str:
    ov, genes, orgs = m["overview"], m["genes"], m["organisms"]
    items = []
    if ov.get("available"):
        items.append(("Figures", ov["figures"], "overview.figures"))
        if ov.get("papers") is not None:
            items.append(("Papers", ov["papers"], "overview.papers"))
    if genes.get("available"):
        items.append(("Distinct genes (confident)", genes["distinct_genes"], "genes.distinct_genes"))
    if orgs.get("available"):
        items.append(("Primary organisms", orgs["distinct_primary"], "organisms.distinct_primary"))
    if m["rejected"].get("available"):
        items.append(("Rejected inputs", m["rejected"]["rows"], "rejected.rows"))
    return '<div class="kpis">' + "".join(
        f'<div class="kpi">{_Html.value(v, p, cls="value")}<span class="label">{esc(label)}</span></div>'
        for label, v, p in items) + "</div>"


def _section_overview(m: Mapping) -> str:
    ov = m["overview"]
    if not ov.get("available"):
        return _na_html(ov)
    labels = [("Figures", "figures"), ("Papers with figures (distinct PMCIDs)", "figure_pmcids"), ("Papers", "papers"),
              ("Paper references", "paper_references"), ("Gene mentions", "gene_mentions"),
              ("Chemical mentions", "chemical_mentions"), ("Disease mentions", "disease_mentions"),
              ("Rejected inputs", "rejected")]
    facts = [(label, _Html.value(ov[key], f"overview.{key}")) for label, key in labels if ov.get(key) is not None]
    inputs = ov.get("input_files")
    if inputs:
        facts += [("Input files", _Html.value(inputs["files"], "overview.input_files.files")),
                  ("Shards", _Html.value(inputs["shards"], "overview.input_files.shards"))]
    left = "<h3>Corpus</h3>" + _facts(facts) + "<h3>Record formats</h3>"
    if ov.get("record_formats") is None:
        left += _na_text("figures has no column record_format")
    else:
        left += _records_table(ov["record_formats"], "overview.record_formats", [
            ("record format", "record_format", "code"), ("figures", "figures", "int"), ("share", "share", "share")],
            "compact")
    rows = [{"table": t, "rows": n} for t, n in (m.get("rows") or {}).items()]
    right = "<h3>Rows per table</h3>" + _table([("table", ""), ("rows", "num")], [
        f"<td><code>{esc(r['table'])}</code></td>" + _Html.cell(r["rows"], f"rows.{r['table']}") for r in rows],
        "compact")
    if inputs:
        right += "<h3>Input files by kind</h3>" + _records_table(
            inputs["by_kind"], "overview.input_files.by_kind", [("kind", "kind", "code"), ("files", "files", "int")],
            "compact")
    return _grid(left, right)


def _section_years(m: Mapping) -> str:
    y = m["years"]
    if not y.get("available"):
        return _na_html(y)
    without = _Html.value(y["figures_without_year"], "years.figures_without_year")
    if not y["by_year"]:
        return _na_text("no figure has a publication year") + f'<p class="note">{without} figures without one.</p>'
    counts = {r["year"]: r["figures"] for r in y["by_year"]}
    items = [(str(year), counts.get(year, 0)) for year in range(y["first_year"], y["last_year"] + 1)]
    svg = plots.column_chart(items, title="Figures per publication year", x_label="publication year",
                             y_label="figures", chart_id="plot-years")
    return (f'<p class="lead">{_Html.value(y["figures_with_year"], "years.figures_with_year")} figures with a '
            f'publication year, from {_Html.value(y["first_year"], "years.first_year", "text")} to '
            f'{_Html.value(y["last_year"], "years.last_year", "text")}; {without} without one.</p>'
            + _plot(svg, "years", "Figures per publication year (years without figures shown as gaps)."))


def _count_and_share(o: Mapping, count_key: str, share_key: str) -> str:
    return (f"{_Html.value(o[count_key], f'organisms.{count_key}')} "
            f"({_Html.value(o[share_key], f'organisms.{share_key}', 'share')})")


def _section_organisms(m: Mapping) -> str:
    o = m["organisms"]
    if not o.get("available"):
        return _na_html(o) + _organism_disagreements_html(m)
    facts = [("Figures with a primary organism",
              _Html.value(o["figures_with_primary"], "organisms.figures_with_primary")),
             ("Distinct primary organisms", _Html.value(o["distinct_primary"], "organisms.distinct_primary"))]
    if o.get("figures_without_primary") is not None:
        facts.append(("Figures without a primary organism",
                      _count_and_share(o, "figures_without_primary", "without_primary_share")))
    if o.get("figures_with_unresolved_names") is not None:
        facts.append(("Figures with unresolved organism names",
                      _count_and_share(o, "figures_with_unresolved_names", "unresolved_share")))
    if o.get("figures_conflicting") is not None:
        facts.append(("Figures with conflicting organism sources",
                      _count_and_share(o, "figures_conflicting", "conflicting_share")))
    status = _records_table(o["status"], "organisms.status", [
        ("organism status", "label", "plain"), ("figures", "figures", "int"), ("share", "share", "share")],
        "compact")
    out = [_grid(_facts(facts), status)]
    if o["figures"]:
        svg = plots.share_bar([(s["label"], s["figures"]) for s in o["status"]], title="Figures by organism status",
                              chart_id="plot-organism-status")
        out.append(_plot(svg, "organism-status", "Share of figures by organism status (each figure counted once)."))
    if o["top"]:
        svg = plots.hbar_chart([(t["scientific_name"], t["figures"]) for t in o["top"]],
                               title="Figures per primary organism", value_label="figures", chart_id="plot-organisms")
        out.append(_plot(svg, "organisms", f"Top {len(o['top'])} primary organisms by number of figures."))
        out.append(_records_table(o["top"], "organisms.top", [
            ("organism", "scientific_name", "text"), ("group", "group", "plain"), ("taxon", "taxon_id", "text"),
            ("figures", "figures", "int"), ("share", "share", "share")]))
    else:
        out.append(_na_text("no figure has a primary organism"))
    return "".join(out) + _notes(o) + _organism_disagreements_html(m)


def _taxon_cell(name: str | None, taxon: int | None, path: str) -> str:
    """A table cell: organism name (plain) and its taxon ID (tagged with ``path``)."""
    if taxon is None:
        return "<td>\u2013</td>"
    tagged = _Html.value(taxon, path, "text", cls="mono")
    if not name or name == f"taxon {taxon}":
        return f"<td>taxon {tagged}</td>"
    return f'<td>{esc(name)} <span class="note">({tagged})</span></td>'



def _organism_disagreements_html(m: Mapping) -> str:
    d = m.get("organism_disagreements") or _na("metrics have no organism_disagreements")
    p = "organism_disagreements"
    head = f'<h3 id="{DISAGREEMENTS_ANCHOR}">{esc(DISAGREEMENTS_TITLE)}</h3>'
    if not d.get("available"):
        return head + f'<p class="note">Genes-TSV organism IDs not compared: {esc(d.get("reason", "no data"))}.</p>'
    if not d["rows"]:
        checked = (f' ({_Html.value(d["compared_tsv_rows"], f"{p}.compared_tsv_rows")} genes-TSV rows compared)'
                   if d.get("compared_tsv_rows") is not None else "")
        return head + (f'<p class="lead">Every genes-TSV organism ID agrees with the harmonized organism of its '
                       f"rows{checked}.</p>") + _notes(d)
    rows_of = figures_of = ""
    if d.get("compared_tsv_rows") is not None:
        rows_of = (f' of {_Html.value(d["compared_tsv_rows"], f"{p}.compared_tsv_rows")} compared '
                   f'({_Html.value(d["tsv_rows_share"], f"{p}.tsv_rows_share", "share")})')
    if d.get("compared_figures") is not None:
        figures_of = (f' of {_Html.value(d["compared_figures"], f"{p}.compared_figures")} with a genes TSV '
                      f'({_Html.value(d["figures_share"], f"{p}.figures_share", "share")})')
    out = [head, f'<p class="lead">{_Html.value(d["tsv_rows"], f"{p}.tsv_rows")} genes-TSV rows{rows_of}, in '
                 f'{_Html.value(d["figures"], f"{p}.figures")} figures{figures_of}, give an organism ID that differs '
                 f"from the organism harmonization settled on for them. All are listed in the "
                 f"<code>organism_disagreements</code> table "
                 f'({_Html.value(d["rows"], f"{p}.rows")} rows, one per figure, word, TSV taxon and reason).</p>']
    out.append("<h4>By reason</h4>" + _records_table(d["by_reason"], f"{p}.by_reason", [
        ("reason", "reason", "code"), ("meaning", "label", "plain"), ("rows", "rows", "int"),
        ("TSV rows", "tsv_rows", "int"), ("figures", "figures", "int")], "compact"))
    pairs = [f"<td>{esc(t['tsv_organism'] or '')}</td><td>{esc(t['harmonized_organism'] or DASH)}</td>"
             + _Html.cell(t["rows"], f"{p}.by_taxa.{i}.rows") + _Html.cell(t["tsv_rows"], f"{p}.by_taxa.{i}.tsv_rows")
             + _Html.cell(t["figures"], f"{p}.by_taxa.{i}.figures") for i, t in enumerate(d["by_taxa"])]
    out.append("<h4>By organism pair</h4>" + _table([
        ("TSV organism", ""), ("harmonized organism", ""), ("rows", "num"), ("TSV rows", "num"), ("figures", "num")],
        pairs, "compact"))
    if d["by_taxa"]:
        svg = plots.hbar_chart([(f"{t['tsv_organism']} \u2192 {t['harmonized_organism'] or 'none'}", t["tsv_rows"])
                                for t in d["by_taxa"]], title="Disagreeing genes-TSV rows per organism pair",
                               value_label="TSV rows", chart_id="plot-organism-disagreements", label_chars=48)
        out.append(_plot(svg, "organism-disagreements",
                         "Genes-TSV rows per organism pair (TSV organism \u2192 harmonized organism)."))
    rows = []
    for i, r in enumerate(d["listed"]):
        q = f"{p}.listed.{i}"
        rows.append(_Html.value(r["figid"], f"{q}.figid", "text", tag="td", cls="mono figid")
                    + _Html.value(r["word"], f"{q}.word", "text", tag="td", cls="mono word")
                    + _taxon_cell(r["tsv_organism"], r["tsv_taxon_id"], f"{q}.tsv_taxon_id")
                    + _taxon_cell(r["harmonized_organism"], r["harmonized_taxon_id"], f"{q}.harmonized_taxon_id")
                    + _Html.value(r["reason"], f"{q}.reason", "text", tag="td", cls="mono nowrap")
                    + _Html.cell(r["n_rows"], f"{q}.n_rows"))
    out.append("<h4>Rows</h4>" + _table([("figure", ""), ("word", ""), ("TSV taxon", ""), ("harmonized taxon", ""),
                                         ("reason", ""), ("rows", "num")], rows, "disagreements"))
    if d["not_listed"]:
        out.append(f'<p class="note more">The first {fmt_number(len(d["listed"]))} rows; '
                   f'{_Html.value(d["not_listed"], f"{p}.not_listed")} more are in the '
                   f"<code>organism_disagreements</code> table.</p>")
    return "".join(out) + _notes(d)


def _section_genes(m: Mapping) -> str:
    g = m["genes"]
    if not g.get("available"):
        return _na_html(g)
    lead = (f'<p class="lead">{_Html.value(g["distinct_genes"], "genes.distinct_genes")} distinct NCBI genes in '
            f'{_Html.value(g["figures_with_genes"], "genes.figures_with_genes")} figures (confident, unambiguous '
            f"matches). Counts are figures, not mentions.</p>")
    top = [{**t, "organism": t["organism"] or (str(t["taxon_id"]) if t["taxon_id"] is not None else "")}
           for t in g["top_genes"]]
    left = "<h3>Top genes</h3>" + (_records_table(top, "genes.top_genes", [
        ("symbol", "symbol", "text"), ("organism", "organism", "plain"), ("NCBI Gene", "ncbigene_id", "text"),
        ("figures", "figures", "int")]) if top else _na_text("no confident gene matches"))
    fam = g["top_families"]
    if not fam.get("available"):
        right = _na_html(fam)
    elif not fam["rows"]:
        right = _na_text("no family mentions")
    else:
        right = _records_table(fam["rows"], "genes.top_families.rows", [
            ("FamPlex family", "famplex_id", "code"), ("member genes", "member_genes", "int"),
            ("figures", "figures", "int")])
    return lead + _grid(left, "<h3>Top gene families</h3>" + right)


def _section_mapping(m: Mapping) -> str:
    g = m["gene_mapping"]
    if not g.get("available"):
        return _na_html(g)
    labels = [("Gene rows", "mentions", "int"), ("PFOCR's recorded rows (kept for comparison)", "recorded_rows", "int"),
              ("Mapped rows", "mapped_rows", "int"), (" with an NCBI Gene ID", "with_gene_id", "int"),
              (" confident", "confident", "int"), (" confident share", "confident_share", "share"),
              (" ambiguous (one row per candidate)", "ambiguous", "int"),
              (" ambiguous share", "ambiguous_share", "share"),
              ("Rows with an input gene ID", "ids_given", "int"),
              (" IDs refreshed (replaced by the current ID)", "ids_refreshed", "int"),
              (" IDs discontinued", "ids_discontinued", "int")]
    out = [_facts([(label, _Html.value(g[key], f"gene_mapping.{key}", kind))
                   for label, key, kind in labels if g.get(key) is not None])]
    if g.get("match_tiers"):
        svg = plots.hbar_chart([(t["match_tier"], t["share"] * 100) for t in g["match_tiers"]],
                               title="Mapped gene rows per match tier", value_label="% of mapped rows",
                               chart_id="plot-match-tiers", value_format=lambda v: f"{v:.1f} %",
                               highlight=("(none)",))
        out.append(_plot(svg, "match-tiers", "Share of mapped gene rows per match tier (how the word was matched)."))
    tiers = ("<h3>Match tiers (mapped rows)</h3>" + _records_table(g["match_tiers"], "gene_mapping.match_tiers", [
        ("match tier", "match_tier", "code"), ("rows", "mentions", "int"), ("share", "share", "share")], "compact")
        if g.get("match_tiers") else "<h3>Match tiers</h3>" + _na_text("figure_genes has no column match_tier"))
    status = ("<h3>ID status (all rows)</h3>" + _records_table(g["id_status"], "gene_mapping.id_status", [
        ("ID status", "id_status", "code"), ("rows", "mentions", "int"), ("share", "share", "share")], "compact")
        if g.get("id_status") else "<h3>ID status</h3>" + _na_text("figure_genes has no column id_status"))
    out.append(_grid(tiers, status))
    return "".join(out) + _notes(g)


def _mention_table(section: Mapping, key: str) -> str:
    if not section.get("available"):
        return _na_html(section)
    if not section["top"]:
        return _na_text("no mentions")
    lead = (f'<p class="note">{_Html.value(section["mentions"], f"{key}.mentions")} mentions, '
            f'{_Html.value(section["distinct"], f"{key}.distinct")} distinct, in '
            f'{_Html.value(section["figures"], f"{key}.figures")} figures.</p>')
    columns = [("name", "name", "text"), *((ID_LABELS.get(c, c), c, "code") for c in section["id_columns"]),
               ("figures", "figures", "int")]
    return lead + _records_table(section["top"], f"{key}.top", columns)


def _section_mentions(m: Mapping) -> str:
    return _grid("<h3>Top chemicals</h3>" + _mention_table(m["chemicals"], "chemicals"),
                 "<h3>Top diseases</h3>" + _mention_table(m["diseases"], "diseases"))


def _section_gene_sets(m: Mapping) -> str:
    g = m["gene_sets"]
    if not g.get("available"):
        return _na_html(g)
    return _records_table(g["files"], "gene_sets.files", [("GMT file", "file", "code"), ("gene sets", "sets", "int")],
                          "compact")


def _figid_list(ids: Sequence[str], count: int, path: str) -> str:
    if not ids:
        return ""
    more = f" \u2026 and {fmt_number(count - len(ids))} more" if count > len(ids) else ""
    return ('<p class="note">' + ", ".join(_Html.value(f, f"{path}.{i}", "text", cls="mono")
                                           for i, f in enumerate(ids)) + esc(more) + "</p>")


def _section_diff(m: Mapping) -> str:
    d = m["release_diff"]
    if not d.get("available"):
        return _na_html(d)
    gc = d["gene_counts"]
    p = "release_diff"

    def row(label: str, value, path: str) -> str:
        return f"<td>{label}</td>" + _Html.cell(value, f"{p}.{path}")

    out = [f'<p class="lead">Compared with <code>{esc(d["previous_release"])}</code>: '
           f'{_Html.value(d["figures"]["previous"], f"{p}.figures.previous")} figures before, '
           f'{_Html.value(d["figures"]["current"], f"{p}.figures.current")} now.</p>',
           _table([("change", ""), ("figures", "num")], [
               row("added", d["added"]["count"], "added.count"),
               row("removed", d["removed"]["count"], "removed.count"),
               row("changed (record or gene set)", d["changed"]["count"], "changed.count"),
               row("\u2003record file changed", d["changed"]["record_changed"], "changed.record_changed"),
               row("\u2003gene set changed", d["changed"]["genes_changed"], "changed.genes_changed"),
               row("unchanged", d["unchanged"], "unchanged")], "compact")]
    for key, label in (("added", "Added"), ("removed", "Removed"), ("changed", "Changed")):
        if d[key]["figids"]:
            out.append(f"<h3>{label}</h3>" + _figid_list(d[key]["figids"], d[key]["count"], f"{p}.{key}.figids"))
    totals = [(label, f"{p}.gene_counts.previous_{key}", f"{p}.gene_counts.current_{key}", key)
              for label, key in (("genes over all figures (sum of set sizes)", "total"),
                                 ("distinct genes", "distinct_genes"))]
    out.append("<h3>Gene counts</h3>" + _table([("", ""), ("previous", "num"), ("current", "num")], [
        f"<td>{label}</td>" + _Html.cell(gc[f"previous_{key}"], prev) + _Html.cell(gc[f"current_{key}"], cur)
        for label, prev, cur, key in totals], "compact"))
    if gc["changes"]:
        n = gc["figures_changed"]
        out.append(f'<p class="note">{_Html.value(n, f"{p}.gene_counts.figures_changed")} {_plural(n, "figure")} '
                   f'changed gene count ({_Html.value(gc["figures_gained"], f"{p}.gene_counts.figures_gained")} '
                   f'gained, {_Html.value(gc["figures_lost"], f"{p}.gene_counts.figures_lost")} lost).</p>')
        out.append(_records_table(gc["changes"], f"{p}.gene_counts.changes", [
            ("figure", "figid", "code"), ("previous", "previous", "int"), ("current", "current", "int"),
            ("change", "delta", "int")]))
    return "".join(out) + _notes(d)


def _section_rejected(m: Mapping) -> str:
    r = m["rejected"]
    if not r.get("available"):
        return _na_html(r)
    if not r["rows"]:
        return '<p class="lead">No input was rejected.</p>'
    lead = (f'<p class="lead">{_Html.value(r["rows"], "rejected.rows")} rejections in '
            f'{_Html.value(r["files"], "rejected.files")} input files. Reason codes are explained in '
            f"docs/rejections.md.</p>")
    by_reason = "<h3>By reason</h3>" + _records_table(r["by_reason"], "rejected.by_reason", [
        ("reason", "reason", "code"), ("rows", "rows", "int"), ("files", "files", "int")], "compact")
    by_action = ("<h3>By action</h3>" + _records_table(r["by_action"], "rejected.by_action", [
        ("action", "action", "code"), ("rows", "rows", "int")], "compact") if r.get("by_action") else "")
    listed = "<h3>Rejected inputs</h3>"
    if r["rows"] > len(r["listed"]):
        listed += (f'<p class="note">The first {fmt_number(len(r["listed"]))} of {fmt_number(r["rows"])} rows '
                   f"(all are in the rejected table).</p>")
    listed += _records_table(r["listed"], "rejected.listed", [
        ("input file", "source_path", "code"), ("reason", "reason", "code"), ("action", "action", "plain"),
        ("detail", "detail", "plain")])
    return lead + _grid(by_reason, by_action) + listed


def _section_references(m: Mapping) -> str:
    r = m["references"]
    if not r.get("available"):
        return _na_html(r)
    out = []
    if r.get("files") is not None:
        if r.get("release"):
            out.append(f'<p class="lead">Reference set {_Html.value(r["release"], "references.release", "text")}.</p>')
        out.append(_records_table(r["files"], "references.files", [
            ("reference", "name", "text"), ("version", "version", "text"), ("sha256", "sha256", "hash")]))
    else:
        out.append(_na_text("no references file was given"))
    if r.get("corpus"):
        c = r["corpus"]
        out.append("<h3>Input corpus fingerprint</h3>" + _facts([
            ("files", _Html.value(c["files"], "references.corpus.files")),
            ("bytes", _Html.value(c["bytes"], "references.corpus.bytes")),
            ("sha256", _Html.value(c["sha256"], "references.corpus.sha256", "text", cls="mono hash"))]))
    return "".join(out)


def _section_runtime(m: Mapping) -> str:
    r = m["runtime"]
    if not r.get("available"):
        return _na_html(r)
    out = [f'<p class="lead">{_Html.value(r["jobs"], "runtime.jobs")} benchmarked jobs, '
           f'{_Html.value(r["total_s"], "runtime.total_s", "seconds")} s wall time in total (summed over jobs, '
           f"so parallel jobs count fully).</p>"]
    if any(x["total_s"] for x in r["rules"]):
        svg = plots.hbar_chart([(x["rule"], x["total_s"]) for x in r["rules"]], title="Wall time per rule",
                               value_label="seconds", chart_id="plot-runtime", value_format=lambda v: f"{v:,.2f} s")
        out.append(_plot(svg, "runtime", "Summed wall-clock seconds per rule (Snakemake benchmark files)."))
    out.append(_records_table(r["rules"], "runtime.rules", [
        ("rule", "rule", "code"), ("jobs", "jobs", "int"), ("total s", "total_s", "seconds"),
        ("mean s", "mean_s", "seconds"), ("max s", "max_s", "seconds"), ("max RSS MB", "max_rss_mb", "mb"),
        ("CPU s", "cpu_time_s", "seconds")], "compact"))
    return "".join(out)


SECTIONS: tuple[tuple[str, str, Callable[[Mapping], str]], ...] = (
    ("overview", "Corpus and record formats", _section_overview),
    ("years", "Figures per publication year", _section_years),
    ("organisms", "Organisms", _section_organisms),
    ("genes", "Top genes and gene families", _section_genes),
    ("gene-mapping", "Gene mapping quality", _section_mapping),
    ("mentions", "Chemicals and diseases", _section_mentions),
    ("gene-sets", "Gene sets", _section_gene_sets),
    ("release-diff", "Changes since the previous release", _section_diff),
    ("rejected", "Rejected inputs", _section_rejected),
    ("references", "References and checksums", _section_references),
    ("runtime", "Run time per stage", _section_runtime),
)


# Linked from the table of contents under their section.
SUBSECTIONS = {"organisms": ((DISAGREEMENTS_ANCHOR, "Genes-TSV organism disagreements"),)}


def render_html(metrics: Mapping) -> str:
    """The self-contained summary page for ``metrics`` (from :func:`compute_metrics`)."""
    def entry(sid: str, title: str) -> str:
        subs = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in SUBSECTIONS.get(sid, ()))
        return f'<li><a href="#{sid}">{esc(title)}</a>' + (f'<ol class="sub">{subs}</ol>' if subs else "") + "</li>"

    toc = "".join(entry(sid, title) for sid, title, _ in SECTIONS)
    body = "".join(f'<section id="{sid}" data-section="{sid}"><h2><span class="n">{i}.</span>{esc(title)}</h2>'
                   f"{render(metrics)}</section>" for i, (sid, title, render) in enumerate(SECTIONS, start=1))
    refs = metrics.get("references") or {}
    subtitle = ["Pathway Figure OCR corpus"]
    if refs.get("release"):
        subtitle.append(f"reference set {refs['release']}")
    if metrics.get("pipeline_version"):
        subtitle.append(f"pipeline {metrics['pipeline_version']}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            "<title>PFOCR release summary</title>"
            f"<style>{CSS}</style></head><body><main>"
            f'<header class="top"><h1>PFOCR release summary</h1><p class="subtitle">{esc(" · ".join(subtitle))}</p>'
            f"</header>{_kpis(metrics)}"
            f'<nav class="toc" aria-label="Contents"><ol>{toc}</ol></nav>{body}'
            "<footer>Every number on this page is also in metrics.json next to it (same keys as the "
            "data-metric attributes). Counts of figures are distinct figures; counts of mentions are table rows."
            "</footer></main></body></html>\n")


def write_report(table_files: Mapping[str, Sequence[PathLike] | PathLike | None], metrics_path: PathLike,
                 html_path: PathLike, *, benchmarks_dir: PathLike | None = None,
                 references_json: PathLike | None = None, previous_release: PathLike | None = None,
                 manifest_dir: PathLike | None = None, gmt_dir: PathLike | None = None, top_n: int = TOP_N,
                 disagreements_listed: int = DISAGREEMENTS_LISTED) -> dict:
    """Compute the metrics, write ``metrics.json`` and ``summary.html``; returns the metrics."""
    metrics = compute_metrics(table_files, benchmarks_dir, references_json, previous_release,
                              manifest_dir=manifest_dir, gmt_dir=gmt_dir, top_n=top_n,
                              disagreements_listed=disagreements_listed)
    write_metrics_and_html(metrics, metrics_path, html_path)
    return metrics


def write_table_metrics(table_files: Mapping[str, Sequence[PathLike] | PathLike | None], output: PathLike, *,
                        references_json: PathLike | None = None, previous_release: PathLike | None = None,
                        manifest_dir: PathLike | None = None, threads: int = DUCKDB_THREADS) -> dict:
    """:func:`table_metrics` as JSON, for :func:`finish_report`."""
    measured = table_metrics(table_files, references_json, previous_release, manifest_dir=manifest_dir,
                             threads=threads)
    write_text(output, _json(measured))
    return measured


def finish_report(table_metrics_json: PathLike, metrics_path: PathLike, html_path: PathLike, *,
                  gmt_dir: PathLike | None = None, benchmarks_dir: PathLike | None = None) -> dict:
    """``metrics.json`` and ``summary.html`` from :func:`write_table_metrics` output, the GMT files and benchmarks."""
    metrics = with_run_metrics(json.loads(Path(table_metrics_json).read_text(encoding="utf-8")), gmt_dir,
                               benchmarks_dir)
    write_metrics_and_html(metrics, metrics_path, html_path)
    return metrics


def write_metrics_and_html(metrics: Mapping, metrics_path: PathLike, html_path: PathLike) -> None:
    write_text(metrics_path, _json(metrics))
    write_text(html_path, render_html(metrics))


def _json(metrics: Mapping) -> str:
    return json.dumps(metrics, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
