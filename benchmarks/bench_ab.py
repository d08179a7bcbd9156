"""Side-by-side A/B of two code versions or configs on one corpus (issue 6): run by hand.

    .venv/bin/python benchmarks/bench_ab.py --work /tmp/ab --n 100000 --a 3dedadb --b HEAD
    .venv/bin/python benchmarks/bench_ab.py --work /tmp/ab --b-config shard_max_figures=10000

This machine's speed drifts by up to 50 % between minutes, so one timing of each side says
little, and comparing two ``bench_pipeline.py`` runs says less. Here both sides build the same
corpus from scratch (``snakemake --cores 2``, all stages) alternately, ``--rounds`` times each,
and the script prints every run's wall time and the CPU time of its whole process tree, then
the means and the ratio B / A. CPU time drifts less than wall time.

``--a`` / ``--b`` are git revisions (checked out into worktrees under ``--work``) or ``.``,
the working tree. References are built before each timed run, untimed, since a code change
may rebuild them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench_pipeline import REFERENCE_TARGETS, REPO, baseline_parse, prepare, snakemake


def checkout(revision: str, work: Path, created: list[Path]) -> Path:
    """The repository root holding ``revision``: this one for ``.``, else a detached worktree."""
    if revision == ".":
        return REPO
    sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", revision], check=True,
                         capture_output=True, text=True).stdout.strip()
    tree = work / f"rev-{sha}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), sha], check=True)
        created.append(tree)
    return tree


def timed_build(workdir: Path, root: Path, overrides: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all descendants) of one full build."""
    for stale in ("out", ".snakemake"):
        shutil.rmtree(workdir / stale, ignore_errors=True)
    snakemake(workdir, *REFERENCE_TARGETS, snakefile=root / "Snakefile", overrides=overrides)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    snakemake(workdir, snakefile=root / "Snakefile", overrides=overrides)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--a", default=".", help="git revision of side A ('.': the working tree)")
    parser.add_argument("--b", default=".", help="git revision of side B ('.': the working tree)")
    parser.add_argument("--a-config", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--b-config", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", action="store_true",
                        help="also time the python-frontmatter baseline in every round (ratios to it)")
    args = parser.parse_args(argv)
    if (args.a, args.a_config) == (args.b, args.b_config):
        parser.error("A and B are the same: give a different --b or --b-config")

    workdir = args.work / "build"
    prepare(workdir, args.n, args.seed)
    created: list[Path] = []
    try:
        compare({"A": (checkout(args.a, args.work, created), args.a_config),
                 "B": (checkout(args.b, args.work, created), args.b_config)}, workdir, args)
    finally:
        for tree in created:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)
    return 0


def compare(sides: dict[str, tuple[Path, list[str]]], workdir: Path, args: argparse.Namespace) -> None:
    print(f"machine: {os.cpu_count()} cores; corpus: {args.n} records (seed {args.seed})")
    for label, (root, overrides) in sides.items():
        print(f"{label}: {root} {' '.join(overrides)}")
    runs: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
    baselines: list[float] = []
    for round_number in range(1, args.rounds + 1):
        for label, (root, overrides) in sides.items():
            wall, cpu = timed_build(workdir, root, overrides)
            runs[label].append((wall, cpu))
            print(f"round {round_number} {label}: wall {wall:7.1f} s   CPU {cpu:7.1f} s", flush=True)
        if args.baseline:
            start = time.perf_counter()
            baseline_parse(workdir / "corpus")
            baselines.append(time.perf_counter() - start)
            print(f"round {round_number} baseline (python-frontmatter, 1 core): {baselines[-1]:7.1f} s", flush=True)
    means = {label: (statistics.mean(w for w, _ in r), statistics.mean(c for _, c in r)) for label, r in runs.items()}
    for label, (wall, cpu) in means.items():
        ratio = f"   / baseline {wall / statistics.mean(baselines):.2f}" if baselines else ""
        print(f"mean {label}:    wall {wall:7.1f} s   CPU {cpu:7.1f} s{ratio}")
    print(f"B / A: wall {means['B'][0] / means['A'][0]:.2f}, CPU {means['B'][1] / means['A'][1]:.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
