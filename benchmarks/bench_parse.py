#!/usr/bin/env python
"""Front matter parse throughput on one core: python-frontmatter vs pfocr_etl.frontmatter.

    python benchmarks/bench_parse.py [INPUT ...] [--n 20000] [--seed 1] [--rounds 3] [--repeat 1]

INPUT is a corpus directory (its ``_figures/*.md`` are used), a directory of pages
(``*.md`` and ``*.txt``) or a page file. Without INPUT, ``--n`` synthetic records are
generated into a temporary directory (``pfocr_etl.synthetic``).

On the same files, side by side, in interleaved rounds, pinned to one CPU:

  (a) reading the files only (open + read as UTF-8),
  (b) the baseline: ``frontmatter.loads(text)`` per file (python-frontmatter, which uses
      yaml.CSafeLoader),
  (c) ``split_front_matter(text)`` + ``load_front_matter(yaml_text)``,

(b) and (c) on texts already in memory. Rates are records per CPU second (process
time, robust to other load on the machine); the best round is reported, with the
median in brackets. Then, in a separate untimed pass, every result of (c) is checked to
be identical (types included) to ``yaml.load(yaml_text, Loader=yaml.CSafeLoader)``, and
the fast-path hit rate and fallback reasons are printed.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import frontmatter  # noqa: E402  (python-frontmatter)
import yaml  # noqa: E402

from pfocr_etl import frontmatter as fm  # noqa: E402
from pfocr_etl.synthetic import generate_corpus  # noqa: E402


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"




def collect(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            if (path / "_figures").is_dir():
                files += sorted((path / "_figures").glob("*.md"))
            else:
                files += sorted(p for p in path.iterdir() if p.suffix in (".md", ".txt"))
        else:
            files.append(path)
    return files


def read_all(paths: list[Path]) -> list[str]:
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            out.append(fh.read())
    return out


def baseline(texts: list[str]) -> None:
    loads = frontmatter.loads
    for text in texts:
        try:
            loads(text)
        except Exception:  # invalid YAML: the caller would reject the file
            pass


def ours(texts: list[str]) -> None:
    split, load = fm.split_front_matter, fm.load_front_matter
    for text in texts:
        try:
            load(split(text)[0])
        except Exception:  # no front matter / invalid YAML: the caller rejects the file
            pass


def timed(fn, arg) -> float:
    start = time.process_time()
    fn(arg)
    return time.process_time() - start


def verify(texts: list[str], names: list[str]) -> dict:
    """Check ours against yaml.load(..., CSafeLoader) for every file (untimed)."""
    out = {"checked": 0, "no_front_matter": 0, "yaml_errors": 0, "mismatches": []}
    for text, name in zip(texts, names):
        try:
            yaml_text = fm.split_front_matter(text)[0]
        except ValueError:
            out["no_front_matter"] += 1
            continue
        try:
            expected = yaml.load(yaml_text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            expected = "<YAMLError>"
            out["yaml_errors"] += 1
        try:
            got = fm.load_front_matter(yaml_text)
        except yaml.YAMLError:
            got = "<YAMLError>"
        out["checked"] += 1
        if not fm.same_document(got, expected):
            out["mismatches"].append(name)
    return out


def hit_rate(texts: list[str]) -> tuple[float, int, int, list]:
    fm.STATS.reset()
    for text in texts:
        try:
            fm.load_front_matter(fm.split_front_matter(text)[0])
        except Exception:
            pass
    stats = fm.STATS
    return stats.hit_rate, stats.fast, stats.fallback, stats.reasons.most_common(5)


def run(files: list[Path], rounds: int, label: str, repeat: int = 1) -> dict:
    files = files * repeat  # small inputs: time each file several times per round
    names = [p.name for p in files]
    texts = read_all(files)
    n = len(texts)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    times = f" ({n // repeat} files x {repeat})" if repeat > 1 else ""
    print(f"\n== {label}: {n} records{times}, {mb:.1f} MB")
    results: dict[str, list[float]] = {"read": [], "baseline": [], "ours": []}
    for _ in range(rounds):
        results["read"].append(timed(read_all, files))
        results["baseline"].append(timed(baseline, texts))
        results["ours"].append(timed(ours, texts))
    rate = {k: n / min(v) for k, v in results.items()}
    med = {k: n / statistics.median(v) for k, v in results.items()}
    for key, title in (
        ("read", "(a) read files only"),
        ("baseline", "(b) frontmatter.loads (baseline)"),
        ("ours", "(c) split_front_matter + load_front_matter"),
    ):
        print(f"  {title:45s} {rate[key]:10,.0f} records/s  (median {med[key]:,.0f})")
    ratio = rate["ours"] / rate["baseline"]
    ratio_med = med["ours"] / med["baseline"]
    e2e_b = 1 / (1 / rate["read"] + 1 / rate["baseline"])
    e2e_c = 1 / (1 / rate["read"] + 1 / rate["ours"])
    print(f"  ratio (c)/(b), parse only: {ratio:.2f}x  (medians: {ratio_med:.2f}x)")
    print(f"  read + parse: baseline {e2e_b:,.0f}/s, ours {e2e_c:,.0f}/s -> {e2e_c / e2e_b:.2f}x")
    rate_hit, fast, fallback, reasons = hit_rate(texts)
    print(f"  fast-path hit rate: {rate_hit:.2%} ({fast} fast, {fallback} fallback) {reasons}")
    check = verify(texts, names)
    bad = check["mismatches"]
    print(
        f"  identical to yaml.load(..., CSafeLoader), types included: "
        f"{check['checked'] - len(bad)}/{check['checked']} files"
        f" (+{check['no_front_matter']} without front matter;"
        f" {check['yaml_errors']} with YAML errors, raised by both)"
    )
    if bad:
        print(f"  MISMATCHES: {bad[:10]}")
    return {"ratio": ratio, "hit_rate": rate_hit, "mismatches": len(bad)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--n", type=int, default=20_000, help="records to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="parse each input file N times")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: last)")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        cpu = args.cpu if args.cpu is not None else cpus[-1]
        os.sched_setaffinity(0, {cpu})
        print(f"pinned to CPU {cpu}")
    print(
        f"python-frontmatter {_version('python-frontmatter')}, PyYAML {yaml.__version__}"
        f" (libyaml: {yaml.__with_libyaml__}), Python {sys.version.split()[0]}"
    )

    failures = 0
    if args.inputs:
        out = run(collect(args.inputs), args.rounds, ", ".join(map(str, args.inputs)), args.repeat)
        failures += out["mismatches"]
    else:
        with tempfile.TemporaryDirectory(prefix="pfocr-bench-") as tmp:
            started = time.perf_counter()
            summary = generate_corpus(tmp, args.n, seed=args.seed)
            print(
                f"generated {summary.n_records} records in {time.perf_counter() - started:.1f} s"
                f" ({summary.n_old_generation} old / {summary.n_current_generation} current"
                f" generation) into {tmp}"
            )
            out = run(
                collect([Path(tmp)]), args.rounds, f"synthetic corpus seed={args.seed}", args.repeat
            )
            failures += out["mismatches"]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
