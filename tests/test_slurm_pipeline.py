"""The PFOCR pipeline on a real SLURM cluster through ``workflow/profiles/slurm`` (issue 7).

1. The bundled example built on SLURM gives byte-identical Parquet tables to a local ``--cores 2``
   build of the same input.
2. A pipeline job that fails on the cluster (strict mode, bad record) is retried once with twice
   the memory, then reported as failed, naming the rule and the file; the run exits non-zero.
3. The number of sbatch submissions for the PFOCR sample (5 shards) stays small thanks to the
   batching set in the profile; it is printed and written to ``test-artifacts/slurm-jobs.txt``.

The runs use the profile unchanged; the command line adds only what a test needs: ``--directory``
and an absolute config (tests/conftest.absolute_config), and fast status checks
(``--slurm-init-seconds-before-status-checks 1``: finished jobs are seen within seconds; the
profile keeps the plugin's 40 s default, which suits a busy real cluster). If the cluster's
partition, account or node memory differ from what the profile assumes, the test overrides
them on the command line and says so.

Needs a running SLURM (see tests/slurm_fixtures.py): skips without one, fails if ``CI=true``.
Run:  CI=true .venv/bin/python -m pytest -m slurm tests/test_slurm_pipeline.py -s
"""

from __future__ import annotations

import filecmp
import os
import re
import time
from pathlib import Path

import pytest
import yaml

from conftest import (EXAMPLE_CORPUS, REPO, SNAKEMAKE, absolute_config, build_bad_corpus, copy_sample,
                      run_snakemake)
from slurm_fixtures import (  # noqa: F401  (slurm_cluster is a fixture)
    SlurmCluster,
    SlurmRun,
    _mem_to_mb,
    _squeue_run,
    run_on_slurm,
    slurm_cluster,
)

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

PROFILE = REPO / "workflow" / "profiles" / "slurm"
ARTIFACTS = REPO / "test-artifacts"
# Status checks: first one 1 s after a submission, then +10 s per check that saw nothing
# finish (plugin 2.8.0), back to 1 s after each finish. The cluster keeps finished jobs in
# squeue for MinJobAge=600 s >= 3 x 1 s, so the plugin keeps using squeue.
STATUS_ARGS = ("--slurm-init-seconds-before-status-checks", "1", "--seconds-between-status-checks", "1")
RUN_TIMEOUT_S = 240  # one pipeline run; a hang is interrupted, its jobs cancelled, and reported
SAMPLE_SHARD_WIDTH = 10000  # splits the 65-record PFOCR sample into 5 shards (ranges not merged)
MAX_SUBMISSIONS = 10
# Rules that run as cluster jobs, and the most memory (MB) any of them asks for on its first try.
CLUSTER_RULES = ("build_gene_reference", "build_taxonomy", "parse_shard", "annotate_shard", "gather_genes")
LARGEST_FIRST_REQUEST_MB = 8000


def _site_args(cluster: SlurmCluster) -> tuple[list[str], list[str]]:
    """Command-line overrides for a cluster that differs from the profile, and why."""
    profile = yaml.safe_load((PROFILE / "config.yaml").read_text())
    defaults = dict(profile["default-resources"])
    args, notes = [], []
    if cluster.partition and cluster.partition != defaults.get("slurm_partition"):
        defaults["slurm_partition"] = cluster.partition
        notes.append(f"partition {cluster.partition}")
    if os.environ.get("PFOCR_SLURM_ACCOUNT"):
        defaults["slurm_account"] = os.environ["PFOCR_SLURM_ACCOUNT"]
        notes.append("account from PFOCR_SLURM_ACCOUNT")
    if notes:
        args += ["--default-resources", *(f"{key}={value}" for key, value in defaults.items())]
    if cluster.node_memory_mb and cluster.node_memory_mb < LARGEST_FIRST_REQUEST_MB:
        # EnforcePartLimits=ALL would reject the reference builds outright on a small CI node.
        cap = cluster.node_memory_mb
        args += ["--set-resources", *(f"{rule}:mem_mb={cap}" for rule in CLUSTER_RULES)]
        notes.append(f"mem_mb capped at the node's {cap} MB")
    return args, notes


def _run_on_slurm(cluster: SlurmCluster, workdir: Path, input_dir: Path, *config: str,
                  references_dir: Path | None = None, capsys=None) -> SlurmRun:
    """One pipeline run with the SLURM profile, in ``workdir`` (outputs under workdir/out).

    ``references_dir``: where the built reference tables go (default: beside the config, so
    the run builds them); pass a shared folder to reuse the tables an earlier run built.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    config_file = absolute_config(workdir / "config.yaml")
    if references_dir is not None:
        settings = yaml.safe_load(config_file.read_text())
        settings["references"]["dir"] = str(references_dir)
        config_file.write_text(yaml.safe_dump(settings, sort_keys=False))
    site_args, notes = _site_args(cluster)
    cmd = [SNAKEMAKE, "--snakefile", str(REPO / "Snakefile"), "--profile", str(PROFILE),
           "--configfile", str(config_file), "--directory", str(workdir), *STATUS_ARGS, *site_args,
           "--config", f"input_dir={input_dir}", f"output_dir={workdir / 'out'}", *config]
    if notes and capsys is not None:
        with capsys.disabled():
            print(f"\n[slurm-pipeline] overriding the profile for this cluster: {'; '.join(notes)}")
    run = run_on_slurm(cmd, REPO, RUN_TIMEOUT_S, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if run.run_id:
        run.squeue = _squeue_run(run.run_id)
    return run


def _report(capsys, label: str, run: SlurmRun) -> None:
    with capsys.disabled():
        print(f"\n[slurm-pipeline] {label}: rc={run.returncode} sbatch={run.n_sbatch} "
              f"jobids={run.sbatch_jobids} elapsed={run.elapsed_s:.1f}s run_id={run.run_id}")
        for row in run.squeue:
            print(f"[slurm-pipeline]   squeue: {row['jobid']} {row['state']} mem={row['mem']} {row['comment']}")


def _assert_ran_on_slurm(run: SlurmRun) -> None:
    assert run.run_id, run.output[-3000:]
    assert run.n_sbatch > 0, run.output[-3000:]
    # Every sbatch call of this run is in squeue (MinJobAge keeps finished jobs), and status came
    # from squeue: the plugin did not fall back to sacct, which fails on a cluster without accounting.
    assert sorted({row["array"] for row in run.squeue}) == sorted(run.sbatch_jobids), run.squeue
    assert "Falling back to 'sacct'" not in run.output, run.output[-3000:]


def _parquet_parts(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in (out / "tables").rglob("*.parquet"))


@pytest.fixture(scope="module")
def slurm_references(tmp_path_factory) -> Path:
    """Reference tables built on the cluster by the first test, reused by the failure test."""
    return tmp_path_factory.mktemp("slurm-references")


# --------------------------------------------------------------------------- tests
def test_example_on_slurm_gives_the_same_parquet_as_a_local_run(slurm_cluster, slurm_references, tmp_path,
                                                                 capsys):
    run = _run_on_slurm(slurm_cluster, tmp_path / "slurm", EXAMPLE_CORPUS, references_dir=slurm_references,
                        capsys=capsys)
    _report(capsys, "bundled example", run)
    assert run.returncode == 0, run.output[-5000:]
    _assert_ran_on_slurm(run)
    assert {row["state"] for row in run.squeue} == {"COMPLETED"}, run.squeue
    # the per-shard rules really ran as cluster jobs
    assert {"parse_shard", "annotate_shard"} <= set(run.cluster_jobs())

    local = tmp_path / "local"
    local.mkdir()
    t0 = time.monotonic()
    run_snakemake("--snakefile", str(REPO / "Snakefile"), "--configfile", str(absolute_config(local / "config.yaml")),
                  "--directory", str(local), "--cores", "2", "--config", f"input_dir={EXAMPLE_CORPUS}",
                  f"output_dir={local / 'out'}")
    with capsys.disabled():
        print(f"[slurm-pipeline] local --cores 2 reference run: {time.monotonic() - t0:.1f}s")

    on_slurm, here = tmp_path / "slurm" / "out", local / "out"
    parts = _parquet_parts(on_slurm)
    assert parts and parts == _parquet_parts(here)
    _, mismatch, errors = filecmp.cmpfiles(on_slurm, here, parts, shallow=False)
    assert mismatch == [] and errors == [], f"differ: {mismatch}, missing: {errors}"


def test_failing_cluster_job_is_retried_with_more_memory_then_reported(slurm_cluster, slurm_references,
                                                                        tmp_path, capsys):
    build_bad_corpus(tmp_path / "corpus")
    run = _run_on_slurm(slurm_cluster, tmp_path / "slurm", tmp_path / "corpus", "strict=True",
                        references_dir=slurm_references, capsys=capsys)
    _report(capsys, "strict mode, bad record", run)
    out = run.output

    assert run.returncode != 0, out[-5000:]
    _assert_ran_on_slurm(run)
    # the job failed on the cluster, was detected from squeue's state, and Snakemake says which
    # rule failed on which input file, and why (the rule's log, shown by show-failed-logs)
    # (a group job's error shows "Error in group shard" and each member's log; Snakemake drops
    # the plugin's "SLURM-job 'N' failed, SLURM status is: 'FAILED'" line for groups)
    assert re.search(r"Error in group shard|SLURM-job '\d+' failed, SLURM status is: 'FAILED'", out), out[-5000:]
    assert re.search(r"rule parse_shard:\n\s+jobid", out), out[-5000:]
    assert "_data/PMC7000100__good-1-chemicals.tsv" in out and "tsv_ragged_row" in out, out[-5000:]
    assert not list((tmp_path / "slurm" / "out" / "tables" / "figures").glob("*.parquet"))
    # the SLURM log of a failed job is kept
    slurm_logs = [p for p in (tmp_path / "slurm" / ".snakemake" / "slurm_logs").rglob("*.log")]
    assert any("tsv_ragged_row" in p.read_text(errors="replace") for p in slurm_logs), slurm_logs

    # retries: 1 in the profile -> the failed job was submitted twice, the second time with twice
    # the memory (mem_mb=scaled_by_attempt(...) in the rules), and failed both times.
    failed = [row for row in run.squeue if row["state"] == "FAILED"]
    assert len(failed) == 2, run.squeue
    first, second = sorted(failed, key=lambda row: int(row["jobid"].split("_")[0]))
    assert first["comment"] == second["comment"] and "parse_shard" in first["comment"], (first, second)
    mem = [_mem_to_mb(first["mem"]), _mem_to_mb(second["mem"])]
    if slurm_cluster.node_memory_mb and slurm_cluster.node_memory_mb < LARGEST_FIRST_REQUEST_MB:
        assert mem[1] >= mem[0], mem  # memory capped on a small node: no doubling to see
    else:
        assert mem[1] == 2 * mem[0], mem
    # any other cluster job (reference builds, unless an earlier test built them) completed
    assert {row["state"] for row in run.squeue if row not in failed} <= {"COMPLETED"}, run.squeue


def test_sample_run_needs_few_sbatch_submissions(slurm_cluster, tmp_path, capsys):
    corpus = copy_sample(tmp_path / "corpus")
    run = _run_on_slurm(slurm_cluster, tmp_path / "slurm", corpus, f"shard_width={SAMPLE_SHARD_WIDTH}",
                        "shard_max_figures=0", capsys=capsys)
    _report(capsys, "PFOCR sample", run)
    assert run.returncode == 0, run.output[-5000:]
    _assert_ran_on_slurm(run)
    assert {row["state"] for row in run.squeue} == {"COMPLETED"}, run.squeue

    shards = sorted(p.stem for p in (tmp_path / "slurm" / "out" / "manifest" / "shards").glob("*.tsv"))
    unbatched = run.cluster_jobs()
    lines = [
        f"PFOCR sample ({len(list((corpus / '_figures').glob('*.md')))} records, shard_width="
        f"{SAMPLE_SHARD_WIDTH}: {len(shards)} shards) on SLURM with --profile workflow/profiles/slurm",
        f"sbatch submissions: {run.n_sbatch} (SLURM job ids {', '.join(run.sbatch_jobids)})",
        f"without batching (one sbatch per cluster job): {sum(unbatched.values())}",
        *(f"  {rule}: {n}" for rule, n in sorted(unbatched.items())),
        f"local jobs (localrule, no sbatch): {', '.join(sorted(run.local_rules()))}",
        f"elapsed: {run.elapsed_s:.1f}s",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "slurm-jobs.txt").write_text("\n".join(lines) + "\n")
    with capsys.disabled():
        print("\n" + "\n".join(f"[slurm-jobs] {line}" for line in lines))

    assert len(shards) == 5, shards
    assert len(list((tmp_path / "slurm" / "out" / "tables" / "figures").glob("*.parquet"))) == len(shards)
    assert run.n_sbatch <= MAX_SUBMISSIONS, "\n".join(lines)
    assert run.n_sbatch < sum(unbatched.values()), "\n".join(lines)
    for rule in ("parse_shard", "annotate_shard"):
        assert unbatched[rule] == len(shards), unbatched
