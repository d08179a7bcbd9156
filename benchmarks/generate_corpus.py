#!/usr/bin/env python
"""Write a synthetic PFOCR corpus (see ``pfocr_etl.synthetic`` for what it contains).

    python benchmarks/generate_corpus.py OUT_DIR --n 100000 --seed 1 [--start-pmc N]

Writes OUT_DIR/_figures/<figid>.md and OUT_DIR/_data/<figid>-{genes,chemicals,diseases}.tsv.
The same arguments always give byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from pfocr_etl.synthetic import DEFAULT_START_PMC, generate_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--n", type=int, default=100_000, help="number of figure records")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--start-pmc",
        type=int,
        default=DEFAULT_START_PMC,
        help="lowest PMC number (default %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("--n must be >= 0")
    started = time.perf_counter()
    summary = generate_corpus(args.out_dir, args.n, seed=args.seed, start_pmc=args.start_pmc)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {summary.n_records} records ({summary.n_papers} papers, "
        f"PMC{summary.first_pmc}..PMC{summary.last_pmc}; "
        f"{summary.n_old_generation} old / {summary.n_current_generation} current generation, "
        f"{summary.n_keyword_only} keyword-only, {summary.n_odd} with control characters) "
        f"and tables {summary.tables} to {args.out_dir} in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
