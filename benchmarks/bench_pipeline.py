"""Whole-pipeline benchmark (issue 6): run by hand, results go into the issue notes.

    .venv/bin/python benchmarks/bench_pipeline.py --n 100000 --work /tmp/bench100k [--skip-incremental]

Measures, side by side in one run on this machine:

1. baseline: python-frontmatter parsing every generated record on one core (what peers do),
   timed just before and just after the full build; the ratio uses their mean, since this
   machine's speed drifts by up to 50 % between minutes;
2. full build: ``snakemake --cores 2`` on the same corpus (all stages, tables, report, gene sets);
3. job count, and the largest peak RSS and PSS of each rule's jobs (Snakemake ``benchmark:`` files);
4. no-change runs: ``snakemake -n`` and a real run on the finished build;
5. incremental: add 1% new figures (new, higher PMC numbers) and run plain ``snakemake`` (it
   refreshes the manifest and rebuilds what changed), then build the grown corpus from scratch;
   whether every Parquet file of the two is the same, and the rebuild's wall time as a share of
   a full build: of the mean of the full build before it and the from-scratch build after it,
   for the same reason as the baseline's mean.

Snakemake runs also print their CPU time (user + system, Snakemake and every job it ran), and
the incremental rebuild's CPU share of the full build's CPU: on a cluster, CPU is what a
rebuild costs; on a workstation, wall time.

``--skip-incremental`` stops after 4 (e.g. for a peak-memory run at 300k figures: shards
stay below the configured ``shard_max_figures`` at any corpus size, so the defaults apply).

The corpus comes from :mod:`pfocr_etl.synthetic` (deterministic by seed).
"""

from __future__ import annotations

import argparse
import csv
import resource
import filecmp
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "tests"))

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def children_cpu_seconds() -> float:
    """User + system CPU of every finished child process tree (Snakemake and its jobs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


LAST_CPU = [0.0]  # CPU-s of child processes during the last timed() call


def timed(label: str, func, *args, **kwargs):
    start, cpu_start = time.perf_counter(), children_cpu_seconds()
    result = func(*args, **kwargs)
    seconds = time.perf_counter() - start
    LAST_CPU[0] = children_cpu_seconds() - cpu_start
    cpu = f"   {LAST_CPU[0]:7.1f} CPU-s" if LAST_CPU[0] >= 0.05 else ""
    print(f"{label:<46} {seconds:9.1f} s{cpu}", flush=True)
    return result, seconds


def baseline_parse(corpus: Path) -> int:
    """python-frontmatter over every record, one process (one core)."""
    import frontmatter

    count = 0
    for path in sorted((corpus / "_figures").glob("*.md")):
        frontmatter.loads(path.read_text(encoding="utf-8"))
        count += 1
    return count


CONFIG_OVERRIDES: list[str] = []  # extra --config items (--shard-width, --shard-max-figures)


# Built once per reference release, before the timed runs: the description and the lexicon and
# taxonomy tables (rule names are targets too).
REFERENCE_TARGETS = ("out/references.json", "build_gene_reference", "build_taxonomy")


def snakemake(workdir: Path, *args: str, cores: int = 2, snakefile: Path = REPO / "Snakefile",
              overrides: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run Snakemake on ``workdir``; ``overrides``: --config items (default: this script's options)."""
    command = [SNAKEMAKE, *args, "--snakefile", str(snakefile), "--configfile",
               str(workdir / "config.yaml"), "--directory", str(workdir), "--cores", str(cores),
               "--config", "input_dir=corpus", "output_dir=out",
               *(CONFIG_OVERRIDES if overrides is None else overrides)]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"snakemake failed:\n{proc.stderr[-5000:]}")
    return proc


def prepare(workdir: Path, n: int, seed: int, generate: bool = True) -> Path:
    from conftest import absolute_config
    from pfocr_etl.synthetic import generate_corpus

    import yaml

    workdir.mkdir(parents=True, exist_ok=True)
    config = absolute_config(workdir / "config.yaml")
    data = yaml.safe_load(config.read_text())
    data["references"]["dir"] = "references"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    if generate and not (workdir / "corpus" / "_figures").exists():
        timed(f"generate {n} records", generate_corpus, workdir / "corpus", n, seed)
    return workdir / "corpus"


# New figures get PMC numbers above the generated corpus's, as newly published papers do.
NEW_FIGURES_START_PMC = 12_100_000
NEW_FIGURES_SUBFOLDERS = ("_figures", "_data")


def generate_new_figures(new: Path, n: int, seed: int) -> None:
    """1% of ``n`` new records (at least one) in ``new``, from the next seed."""
    from pfocr_etl.synthetic import generate_corpus

    generate_corpus(new, max(1, n // 100), seed + 1, start_pmc=NEW_FIGURES_START_PMC)


def new_figure_files(new: Path) -> list[Path]:
    return sorted(path for sub in NEW_FIGURES_SUBFOLDERS for path in (new / sub).glob("*"))


def add_new_figures(new: Path, corpus: Path) -> None:
    for path in new_figure_files(new):
        shutil.copy2(path, corpus / path.parent.name / path.name)


def peak_memory_by_rule(workdir: Path) -> dict[str, tuple[float, float]]:
    """Largest (max_rss, max_pss) in MB per rule among the jobs with a ``benchmark:`` file.

    RSS counts pages shared by forked workers once per process; PSS splits them, so it is
    the job's real share of memory.
    """
    root = workdir / "out" / "benchmarks"
    peaks: dict[str, tuple[float, float]] = {}
    for path in root.rglob("*.tsv"):
        rule = path.relative_to(root).parts[0].removesuffix(".tsv")
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                try:
                    rss, pss = float(row["max_rss"]), float(row["max_pss"])
                except (KeyError, ValueError):
                    continue
                old_rss, old_pss = peaks.get(rule, (0.0, 0.0))
                peaks[rule] = (max(old_rss, rss), max(old_pss, pss))
    return dict(sorted(peaks.items()))


def count_jobs(log: str) -> int:
    """Jobs of a run: the last 'N of M steps' line (checkpoints add jobs after the first job table)."""
    import re

    steps = re.findall(r"(\d+) of (\d+) steps", log)
    return int(steps[-1][1]) if steps else 0


def parquet_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "tables").rglob("*.parquet"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--shard-width", type=int, help="override config shard_width")
    parser.add_argument("--shard-max-figures", type=int, help="override config shard_max_figures")
    args = parser.parse_args(argv)
    if args.shard_width:
        CONFIG_OVERRIDES.append(f"shard_width={args.shard_width}")
    if args.shard_max_figures is not None:
        CONFIG_OVERRIDES.append(f"shard_max_figures={args.shard_max_figures}")

    print(f"machine: {os.cpu_count()} cores; corpus: {args.n} records (seed {args.seed})")
    workdir = args.work / "full"
    corpus = prepare(workdir, args.n, args.seed)
    # References are built once per release; build them first so both timings below are the corpus work.
    snakemake(workdir, *REFERENCE_TARGETS)

    _, before = timed("baseline: python-frontmatter parse, 1 core", baseline_parse, corpus)
    proc, full = timed("pipeline: snakemake --cores 2 (all stages)", snakemake, workdir)
    full_cpu = LAST_CPU[0]
    _, after = timed("baseline again, right after the build", baseline_parse, corpus)
    baseline = (before + after) / 2
    jobs = count_jobs(proc.stdout + proc.stderr)
    print(f"{'jobs in the full build':<46} {jobs:9d}")
    for rule, (rss, pss) in peak_memory_by_rule(workdir).items():
        print(f"{'peak RSS / PSS, ' + rule:<46} {rss:9.0f} MB {pss:6.0f} MB")
    print(f"ratio pipeline / baseline parse: {full / baseline:.2f} (target < 1; "
          f"{full / before:.2f} and {full / after:.2f} against each baseline run)")

    _, dry = timed("no-change: snakemake -n", snakemake, workdir, "-n")
    _, noop = timed("no-change: snakemake (real run)", snakemake, workdir)

    if args.skip_incremental:
        return 0
    extra = max(1, args.n // 100)
    grown = args.work / "grown"
    if grown.exists():
        shutil.rmtree(grown)
    timed(f"generate {extra} new records (1%)", generate_new_figures, args.work / "new", args.n, args.seed)
    add_new_figures(args.work / "new", corpus)
    proc, rebuild = timed("incremental: plain snakemake run", snakemake, workdir)
    rebuild_cpu = LAST_CPU[0]
    print(f"{'incremental jobs':<46} {count_jobs(proc.stdout + proc.stderr):9d}")

    prepare(grown, args.n, args.seed, generate=False)
    shutil.copytree(corpus, grown / "corpus")
    snakemake(grown, *REFERENCE_TARGETS)
    _, scratch = timed("from scratch on the grown corpus", snakemake, grown)
    full_mean, full_cpu_mean = (full + scratch) / 2, (full_cpu + LAST_CPU[0]) / 2
    print(f"incremental share of a full build: {rebuild / full_mean:.1%} wall time (target <= 15%; "
          f"{rebuild / full:.1%} and {rebuild / scratch:.1%} of each), {rebuild_cpu / full_cpu_mean:.1%} CPU time")
    files = parquet_files(workdir / "out")
    same = files == parquet_files(grown / "out")
    _, mismatch, errors = filecmp.cmpfiles(workdir / "out", grown / "out", files, shallow=False)
    print(f"incremental == from scratch: {same and not mismatch and not errors} "
          f"({len(files)} Parquet files, {len(mismatch)} differ)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
