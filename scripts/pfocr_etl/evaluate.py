"""Compare our gene mapping with PFOCR's published human gene IDs.

``python -m pfocr_etl.evaluate --pfocr-dir DIR --gene-info FILE [--famplex-dir DIR]
[--hgnc FILE] [--hgnc-withdrawn FILE] [--gene-history FILE]``

Reads every ``_data/<figid>-genes.tsv`` under ``--pfocr-dir``, keeps the human rows
(``organism_id`` 9606) and maps their ``word`` column blind (PFOCR's IDs are not
given to the mapper) with :func:`pfocr_etl.genes.map_figure_genes`, a human-only
lexicon and human context for every figure. Then it compares (figid, gene) pairs:

* PFOCR pairs are split by PFOCR's ``source`` (``ncbigene_symbol``,
  ``ncbigene_synonym``, ``famplex_relations``); recall per source is the share we
  also produce.
* Our pairs come in two views: ``all`` (every candidate row with a gene ID,
  including ambiguous and OCR-confusion candidates, plus the members of every
  family we matched, since PFOCR flattens families) and ``confident`` (confident
  rows plus family members). Precision and recall use PFOCR as the reference.
* Each PFOCR pair we miss gets one disagreement class, first match wins:
  ``unknown_id`` (the ID is not in our gene_info: newer or retired; ``retired_id``
  when gene_history knows it), ``stop_list``, ``no_match``, ``symbol_precedence``
  (the word is an official symbol, so we did not add the genes that carry it as an
  alias), ``family_precedence`` (we matched a FamPlex family and not the alias
  gene), ``other_candidates``. Pairs we recall only through ambiguous candidates are
  counted as ``ambiguous_only``. Our extra pairs are classed ``family_member``,
  ``ambiguous_candidate``, ``ocr_confusion``, ``case_insensitive`` or ``other``.

The 2022 human gene_info in ``shared/reference`` is a stand-in with the NCBI
layout, older than PFOCR's lexicon, so some PFOCR IDs are legitimately unknown to
it; those show up as ``unknown_id``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pfocr_etl.genes import NO_MATCH, OCR, STOPPED, TIER_CLASS, map_figure_genes
from pfocr_etl.lexicon import build_famplex_members, build_lexicon
from pfocr_etl.references import (read_famplex, read_gene_history, read_gene_info, read_hgnc, read_hgnc_withdrawn,
                                  resolve_gene_history)
from pfocr_etl.schemas import schema

HUMAN = 9606
PFOCR_SOURCES = ("ncbigene_symbol", "ncbigene_synonym", "famplex_relations")
N_EXAMPLES = 5


def read_pfocr_gene_tables(pfocr_dir: str | Path, taxon_id: int = HUMAN) -> pd.DataFrame:
    """All ``_data/*-genes.tsv`` rows of one taxon: figid, word, ncbigene_id, source, source_path, source_line."""
    pfocr_dir = Path(pfocr_dir)
    frames = []
    for path in sorted((pfocr_dir / "_data").glob("*-genes.tsv")):
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)
        table["source_line"] = range(2, len(table) + 2)
        table["figid"] = path.name.removesuffix("-genes.tsv")
        table["source_path"] = str(path.relative_to(pfocr_dir))
        frames.append(table)
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[pd.to_numeric(rows["organism_id"], errors="coerce") == taxon_id].copy()
    rows["ncbigene_id"] = pd.to_numeric(rows["ncbigene_id"], errors="coerce").astype("Int64")
    return rows[["figid", "word", "ncbigene_id", "source", "source_path", "source_line"]].reset_index(drop=True)


def _raw_words(pfocr: pd.DataFrame) -> pa.Table:
    """Distinct (figid, word) as raw figure_genes rows without PFOCR's IDs (blind mapping)."""
    units = (pfocr.groupby(["figid", "word", "source_path"], sort=True)
             .agg(source_line=("source_line", "min"), n_source_rows=("source_line", "size")).reset_index())
    units = units.assign(lexicon_term=None, lexicon_source=None, ncbigene_id=None, symbol=None, taxon_id=None,
                         evidence="genes_tsv")
    return pa.Table.from_pandas(units[schema("figure_genes_raw").names], schema=schema("figure_genes_raw"),
                                preserve_index=False)


def evaluate(pfocr_dir: str | Path, gene_info: str | Path, famplex_dir: str | Path | None = None,
             hgnc: str | Path | None = None, hgnc_withdrawn: str | Path | None = None,
             gene_history: str | Path | None = None) -> dict:
    """Run the comparison and return its numbers (see the module docstring)."""
    genes = read_gene_info(gene_info, taxa=[HUMAN])
    hgnc_table = read_hgnc(hgnc) if hgnc else None
    withdrawn = read_hgnc_withdrawn(hgnc_withdrawn) if hgnc_withdrawn and hgnc_table is not None else None
    famplex = read_famplex(famplex_dir) if famplex_dir else None
    history = resolve_gene_history(read_gene_history(gene_history, taxa=[HUMAN])) if gene_history else None
    lexicon = build_lexicon(genes, hgnc_table, withdrawn, famplex)
    members = build_famplex_members(famplex, genes, hgnc_table) if famplex else None

    pfocr = read_pfocr_gene_tables(pfocr_dir)
    context = {figid: [HUMAN] for figid in pfocr["figid"].unique()}
    mapping = map_figure_genes(_raw_words(pfocr), lexicon, organisms=[HUMAN], context_taxa=context,
                               gene_history=history, famplex_members=members)
    ours = mapping.figure_genes.to_pandas()
    families = mapping.figure_gene_families.to_pandas()
    return compare(pfocr, ours, families, known_ids=set(genes["ncbigene_id"]), history=history)


def compare(pfocr: pd.DataFrame, ours: pd.DataFrame, families: pd.DataFrame, known_ids: set[int],
            history: pd.DataFrame | None = None) -> dict:
    """Agreement numbers between PFOCR rows and our mapped/family tables (all pandas)."""
    pairs = ["figid", "ncbigene_id"]
    reference = pfocr.dropna(subset=["ncbigene_id"])
    candidates = ours[ours["ncbigene_id"].notna() & ~ours["match_tier"].isin([STOPPED, NO_MATCH])]
    members = families[pairs].assign(kind="family_member")
    candidate_pairs = candidates[pairs].assign(kind=_extra_kind(candidates))
    ours_all = pd.concat([members, candidate_pairs], ignore_index=True)
    ours_confident = pd.concat([members, candidates.loc[candidates["confident"], pairs]], ignore_index=True)
    all_set, confident_set = _pair_set(ours_all), _pair_set(ours_confident)
    reference_set = _pair_set(reference)

    by_source = {}
    for source in PFOCR_SOURCES:
        source_pairs = _pair_set(reference[reference["source"] == source])
        by_source[source] = {
            "pairs": len(source_pairs),
            "recall_all": _ratio(len(source_pairs & all_set), len(source_pairs)),
            "recall_confident": _ratio(len(source_pairs & confident_set), len(source_pairs)),
        }
    result = {
        "figures": int(reference["figid"].nunique()),
        "pfocr_pairs": len(reference_set),
        "by_source": by_source,
        "all": _precision_recall(all_set, reference_set),
        "confident": _precision_recall(confident_set, reference_set),
        "misses": _classify_misses(reference, ours, all_set, confident_set, known_ids, history),
        "extras": _classify_extras(ours_all, reference_set),
    }
    return result


def _pair_set(frame: pd.DataFrame) -> set[tuple[str, int]]:
    return set(zip(frame["figid"], frame["ncbigene_id"].astype("int64")))


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _precision_recall(predicted: set, reference: set) -> dict:
    shared = len(predicted & reference)
    return {"pairs": len(predicted), "shared": shared, "precision": _ratio(shared, len(predicted)),
            "recall": _ratio(shared, len(reference))}


def _extra_kind(candidates: pd.DataFrame) -> pd.Series:
    kind = pd.Series("other", index=candidates.index)
    kind[candidates["case_exact"].eq(False)] = "case_insensitive"
    kind[candidates["match_tier"] == OCR] = "ocr_confusion"
    kind[candidates["ambiguous"] & candidates["resolved_by"].isna()] = "ambiguous_candidate"
    return kind


def _classify_misses(reference: pd.DataFrame, ours: pd.DataFrame, all_set: set, confident_set: set,
                     known_ids: set[int], history: pd.DataFrame | None) -> dict:
    """One class per PFOCR (figid, gene, source) row we do not reproduce, with examples."""
    retired = set(history["discontinued_ncbigene_id"]) if history is not None else set()
    by_word = ours.groupby(["figid", "word"])
    outcome = by_word.agg(tiers=("match_tier", lambda s: set(s)), has_family=("famplex_id", lambda s: s.notna().any()))
    classes: dict[str, list] = {}
    seen: set[tuple] = set()
    for row in reference.itertuples(index=False):
        pair = (row.figid, int(row.ncbigene_id))
        key = (*pair, row.source)
        if key in seen:
            continue
        seen.add(key)
        if pair in all_set:
            if pair not in confident_set:
                classes.setdefault("ambiguous_only", []).append((row.word, pair[1], row.source))
            continue
        tiers, has_family = outcome.loc[(row.figid, row.word)] if (row.figid, row.word) in outcome.index \
            else ({NO_MATCH}, False)
        if pair[1] not in known_ids:
            label = "retired_id" if pair[1] in retired else "unknown_id"
        elif STOPPED in tiers:
            label = "stop_list"
        elif tiers <= {NO_MATCH}:
            label = "no_match"
        elif any(TIER_CLASS.get(t) == 0 for t in tiers) and row.source != "ncbigene_symbol":
            label = "symbol_precedence"
        elif has_family and row.source == "ncbigene_synonym":
            label = "family_precedence"
        else:
            label = "other_candidates"
        classes.setdefault(label, []).append((row.word, pair[1], row.source))
    return {label: {"count": len(items), "examples": items[:N_EXAMPLES]} for label, items in sorted(classes.items())}


def _classify_extras(ours_all: pd.DataFrame, reference_set: set) -> dict:
    extra = ours_all[[pair not in reference_set for pair in zip(ours_all["figid"], ours_all["ncbigene_id"])]]
    extra = extra.drop_duplicates(["figid", "ncbigene_id"])
    return {kind: int(n) for kind, n in extra["kind"].value_counts().sort_index().items()}


def format_report(result: dict) -> str:
    lines = [f"figures: {result['figures']}   PFOCR human (figid, gene) pairs: {result['pfocr_pairs']}", "",
             "recall by PFOCR source (all candidates / confident only):"]
    for source, numbers in result["by_source"].items():
        lines.append(f"  {source:<20} pairs {numbers['pairs']:>5}   recall {numbers['recall_all']:.3f} / "
                     f"{numbers['recall_confident']:.3f}")
    for view in ("all", "confident"):
        numbers = result[view]
        lines.append(f"{view:<10} ours {numbers['pairs']:>5}  shared {numbers['shared']:>5}  precision "
                     f"{numbers['precision']:.3f}  recall {numbers['recall']:.3f}")
    lines += ["", "PFOCR pairs we miss or only reach through ambiguous candidates:"]
    for label, info in result["misses"].items():
        examples = ", ".join(f"{word!r}->{gene} ({source})" for word, gene, source in info["examples"])
        lines.append(f"  {label:<18} {info['count']:>5}   e.g. {examples}")
    lines += ["", "our pairs not in PFOCR, by kind:"]
    lines += [f"  {kind:<20} {count:>5}" for kind, count in result["extras"].items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pfocr-dir", required=True, help="folder with _data/<figid>-genes.tsv")
    parser.add_argument("--gene-info", required=True, help="human NCBI gene_info (gz or plain)")
    parser.add_argument("--famplex-dir", help="FamPlex CSV folder")
    parser.add_argument("--hgnc", help="HGNC complete set (JSON or TSV)")
    parser.add_argument("--hgnc-withdrawn", help="HGNC withdrawn.txt (needs --hgnc)")
    parser.add_argument("--gene-history", help="NCBI gene_history")
    args = parser.parse_args(argv)
    result = evaluate(args.pfocr_dir, args.gene_info, args.famplex_dir, args.hgnc, args.hgnc_withdrawn,
                      args.gene_history)
    print(format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
