"""Rebuild-share benchmark (issue 6): run by hand, results go into the issue notes.

    .venv/bin/python benchmarks/bench_rebuild.py --n 100000 --work /tmp/rebuild100k --rounds 3

The target: after adding 1% new figures, the rebuild costs at most 15% of a full build. One
``bench_pipeline.py`` run times each once, minutes apart, and this machine's speed drifts by up
to 50% between minutes (the share swung from 13.6% to 16.8% between two runs of one code).
Here every round times both, back to back on one corpus:

1. a full build from scratch (``out/`` and Snakemake's metadata removed; the references are
   built first, untimed, as in ``bench_pipeline.py``), on the corpus without the new figures;
2. the new figures (1%, higher PMC numbers, generated once) are added and a plain
   ``snakemake --cores 2`` rebuilds;
3. the new figures are removed again for the next round.

It prints each round's times and share, then the share of the means (wall and CPU).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
from pathlib import Path

from bench_pipeline import (LAST_CPU, REFERENCE_TARGETS, add_new_figures, generate_new_figures, new_figure_files,
                            prepare, snakemake, timed)


def remove_new_figures(new: Path, corpus: Path) -> None:
    for path in new_figure_files(new):
        (corpus / path.parent.name / path.name).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores; corpus: {args.n} records (seed {args.seed}) + 1%")
    workdir = args.work / "build"
    corpus = prepare(workdir, args.n, args.seed)
    new = args.work / "new"
    extra = max(1, args.n // 100)
    if not (new / "_figures").exists():
        timed(f"generate {extra} new records (1%)", generate_new_figures, new, args.n, args.seed)
    remove_new_figures(new, corpus)  # a killed earlier run may have left them in
    full: list[tuple[float, float]] = []
    rebuild: list[tuple[float, float]] = []
    for round_number in range(1, args.rounds + 1):
        for stale in (workdir / "out", workdir / ".snakemake"):
            shutil.rmtree(stale, ignore_errors=True)
        snakemake(workdir, *REFERENCE_TARGETS)
        _, seconds = timed(f"round {round_number}: full build", snakemake, workdir)
        full.append((seconds, LAST_CPU[0]))
        add_new_figures(new, corpus)
        _, seconds = timed(f"round {round_number}: 1% rebuild", snakemake, workdir)
        rebuild.append((seconds, LAST_CPU[0]))
        remove_new_figures(new, corpus)
        print(f"round {round_number}: share {rebuild[-1][0] / full[-1][0]:.1%} wall, "
              f"{rebuild[-1][1] / full[-1][1]:.1%} CPU", flush=True)
    mean = {name: [statistics.mean(run[i] for run in runs) for i in (0, 1)]
            for name, runs in (("full", full), ("rebuild", rebuild))}
    print(f"mean full build {mean['full'][0]:.1f} s, {mean['full'][1]:.1f} CPU-s; "
          f"mean 1% rebuild {mean['rebuild'][0]:.1f} s, {mean['rebuild'][1]:.1f} CPU-s")
    print(f"rebuild share of the full build: {mean['rebuild'][0] / mean['full'][0]:.1%} wall time "
          f"(target <= 15%), {mean['rebuild'][1] / mean['full'][1]:.1%} CPU time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
