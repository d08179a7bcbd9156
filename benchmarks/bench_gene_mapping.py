"""Throughput and peak memory of the gene mapper on synthetic mentions (hand-run).

    .venv/bin/python benchmarks/bench_gene_mapping.py [--mentions 2000000]

Mentions are drawn from the full-size human gene_info stand-in: official symbols,
NCBI synonyms and FamPlex names, a share of them decorated the way OCR words are
(parentheses, trailing commas, arrows, dashes, case changes, phospho prefixes,
compounds with '/') plus random junk. About 30 mentions per figure, human
context for most figures, none for some. Prints the timings, mentions/s and the
peak RSS (``resource.getrusage``). Results go in the issue notes, not in tests.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from pfocr_etl.genes import map_figure_genes  # noqa: E402
from pfocr_etl.lexicon import build_famplex_members, build_lexicon, lexicon_frame  # noqa: E402
from pfocr_etl.references import explode_multi, read_famplex, read_gene_info  # noqa: E402
from pfocr_etl.schemas import schema  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"
HUMAN = 9606
MENTIONS_PER_FIGURE = 30


def synthetic_words(genes: pd.DataFrame, lexicon: pd.DataFrame, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` OCR-like words: real names, decorated variants and junk (vectorised)."""
    symbols = genes["symbol"].to_numpy(dtype=object)
    synonyms = explode_multi(genes[["synonyms"]].dropna(), "synonyms")["synonyms"].to_numpy(dtype=object)
    families = lexicon.loc[lexicon["tier"] == "famplex_entity", "term"].to_numpy(dtype=object)
    kind = rng.choice(4, size=n, p=[0.62, 0.2, 0.08, 0.1])
    words = np.empty(n, dtype=object)
    for code, pool in enumerate((symbols, synonyms, families)):
        picked = kind == code
        words[picked] = pool[rng.integers(0, len(pool), picked.sum())]
    junk = kind == 3
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    words[junk] = ["".join(chunk) for chunk in letters[rng.integers(0, len(letters), (junk.sum(), 6))]]

    text = pd.Series(words, dtype="str")
    noise = rng.choice(8, size=n, p=[0.6, 0.07, 0.07, 0.05, 0.05, 0.06, 0.05, 0.05])
    text = text.mask(noise == 1, "(" + text + ")")
    text = text.mask(noise == 2, text + ",")
    text = text.mask(noise == 3, "↑" + text)
    text = text.mask(noise == 4, text.str.lower())
    text = text.mask(noise == 5, text.str.capitalize())
    text = text.mask(noise == 6, "p-" + text)
    partner = pd.Series(symbols[rng.integers(0, len(symbols), n)], dtype="str")
    text = text.mask(noise == 7, text + "/" + partner)
    return text.to_numpy(dtype=object)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=2_000_000)
    parser.add_argument("--gene-info", default=str(SHARED / "ncbi-gene-human-2022" /
                                                   "Homo_sapiens.gene_info.orgdb-2022-09-12.gz"))
    parser.add_argument("--famplex-dir", default=str(SHARED / "famplex"))
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    started = time.perf_counter()
    genes = read_gene_info(args.gene_info)
    famplex = read_famplex(args.famplex_dir)
    lexicon = build_lexicon(genes, famplex=famplex)
    members = build_famplex_members(famplex, genes)
    lexicon_seconds = time.perf_counter() - started

    frame = lexicon_frame(lexicon, [HUMAN])
    words = synthetic_words(genes, frame, args.mentions, rng)
    n_figures = max(1, args.mentions // MENTIONS_PER_FIGURE)
    figids = np.array([f"PMC{9000000 + i}__bench-g{i % 7}" for i in range(n_figures)], dtype=object)
    figure_of = figids[rng.integers(0, n_figures, args.mentions)]
    raw = pa.table({
        "figid": pa.array(figure_of, pa.string()), "word": pa.array(words, pa.string()),
        "lexicon_term": pa.nulls(args.mentions, pa.string()), "lexicon_source": pa.nulls(args.mentions, pa.string()),
        "ncbigene_id": pa.nulls(args.mentions, pa.int64()), "symbol": pa.nulls(args.mentions, pa.string()),
        "taxon_id": pa.nulls(args.mentions, pa.int64()), "evidence": pa.array(["genes_tsv"] * args.mentions),
        "source_path": pa.array(np.char.add("_data/", figure_of.astype(str)).astype(object), pa.string()),
        "source_line": pa.array(np.arange(args.mentions, dtype=np.int32) % 997 + 2, pa.int32()),
        "n_source_rows": pa.array(np.ones(args.mentions, dtype=np.int32), pa.int32()),
    }, schema=schema("figure_genes"))
    context = {figid: ([HUMAN] if i % 10 else []) for i, figid in enumerate(figids)}

    started = time.perf_counter()
    result = map_figure_genes(raw, frame, organisms=[HUMAN], context_taxa=context, famplex_members=members)
    mapping_seconds = time.perf_counter() - started

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    distinct = pd.unique(words).size
    print(f"lexicon: {lexicon.num_rows} terms from {len(genes)} genes in {lexicon_seconds:.1f} s")
    print(f"mentions: {args.mentions}  distinct words: {distinct}  figures: {n_figures}")
    print(f"mapping: {mapping_seconds:.1f} s  ->  {args.mentions / mapping_seconds:,.0f} mentions/s")
    print(f"output rows: {result.figure_genes.num_rows}  family rows: {result.figure_gene_families.num_rows}")
    print(f"tier shares: {result.metrics['tier_share']}")
    print(f"ambiguous share: {result.metrics['ambiguous_share']}  confident share: {result.metrics['confident_share']}")
    print(f"peak RSS: {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
