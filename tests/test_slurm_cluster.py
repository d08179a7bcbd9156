"""Snakemake on a real SLURM cluster (snakemake-executor-plugin-slurm, no sacct).

These tests submit tiny shell-only workflows with ``--executor slurm`` and check that
outputs appear, that a failing job fails the run, and that ``--retries`` resubmits with
more memory. They need a running SLURM; locally they start the single-node cluster from
``scripts/slurm/start_cluster.sh`` when SLURM is installed but not up (root only) and
stop it again afterwards. Without SLURM they skip, unless ``CI=true``: then they fail.

Run:  .venv/bin/python -m pytest -m slurm tests/test_slurm_cluster.py -s
Env:  PFOCR_SLURM_PARTITION / PFOCR_SLURM_ACCOUNT to target another cluster;
      PFOCR_SLURM_KEEP=1 to leave a cluster started by the fixture running.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from pathlib import Path

import pytest

# The cluster fixture and the squeue helpers are shared with test_slurm_pipeline.py.
from slurm_fixtures import (  # noqa: F401  (slurm_cluster is a fixture)
    SlurmCluster,
    SlurmRun,
    _mem_to_mb,
    _squeue_run,
    run_on_slurm,
    slurm_cluster,
)

pytestmark = pytest.mark.slurm

# One snakemake run must finish well inside this; a hang (e.g. a job stuck PENDING,
# or status queries that never see the job) is killed and reported.
SNAKEMAKE_TIMEOUT_S = 150
INIT_STATUS_DELAY_S = 2  # --slurm-init-seconds-before-status-checks used below


# --------------------------------------------------------------------------- helpers
def _write_workflow(workdir: Path, snakefile: str) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "Snakefile").write_text(textwrap.dedent(snakefile).lstrip())
    return workdir


def _run_snakemake(cluster: SlurmCluster, workdir: Path, *extra: str) -> SlurmRun:
    """Run snakemake (same interpreter as pytest; the SLURM jobs re-use it) on SLURM."""
    default_resources = ["mem_mb=100", "runtime=5"]
    if cluster.partition:
        default_resources.append(f"slurm_partition={cluster.partition}")
    if os.environ.get("PFOCR_SLURM_ACCOUNT"):
        default_resources.append(f"slurm_account={os.environ['PFOCR_SLURM_ACCOUNT']}")
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(workdir / "Snakefile"),
        "--directory",
        str(workdir),
        "--executor",
        "slurm",
        "--jobs",
        "4",
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        str(INIT_STATUS_DELAY_S),
        "--seconds-between-status-checks",
        "2",
        "--slurm-logdir",
        str(workdir / "slurm_logs"),
        "--slurm-keep-successful-logs",
        "--slurm-jobname-prefix",
        "pfocrtest",
        "--default-resources",
        *default_resources,
        "--printshellcmds",
        "--verbose",  # needed to see which status command the plugin really used
        *extra,
    ]
    return run_on_slurm(cmd, workdir, SNAKEMAKE_TIMEOUT_S)


def _report(capsys, label: str, run: SlurmRun, squeue_rows) -> None:
    with capsys.disabled():
        print(
            f"\n[slurm] {label}: rc={run.returncode} sbatch submissions={run.n_sbatch} "
            f"jobids={run.sbatch_jobids} elapsed={run.elapsed_s:.1f}s run_id={run.run_id}"
        )
        for row in squeue_rows:
            print(f"[slurm]   squeue: {row}")


def _assert_squeue_status_used(run: SlurmRun) -> None:
    assert "Falling back to 'sacct'" not in run.output, run.output[-3000:]
    assert "command=squeue" in run.output, (
        "plugin never reported a squeue status query:\n" + run.output[-3000:]
    )


def _squeue_keeps_finished_jobs(cluster: SlurmCluster) -> bool:
    return (cluster.min_job_age or 0) >= 3 * INIT_STATUS_DELAY_S + 60


# --------------------------------------------------------------------------- tests
HAPPY_SNAKEFILE = r"""
    SAMPLES = ["a", "b"]

    rule all:
        input:
            "results/summary.txt",

    rule make_part:
        output:
            "results/parts/{sample}.txt",
        shell:
            "echo {wildcards.sample} job=$SLURM_JOB_ID host=$(hostname) > {output}"

    rule combine:
        input:
            expand("results/parts/{sample}.txt", sample=SAMPLES),
        output:
            "results/summary.txt",
        shell:
            "cat {input} > {output}"
"""


def test_workflow_runs_on_slurm_with_squeue_status(slurm_cluster, tmp_path, capsys):
    workdir = _write_workflow(tmp_path / "happy", HAPPY_SNAKEFILE)
    run = _run_snakemake(slurm_cluster, workdir)
    rows = _squeue_run(run.run_id) if run.run_id else []
    _report(capsys, "happy path", run, rows)

    assert run.returncode == 0, run.output[-4000:]
    summary = workdir / "results" / "summary.txt"
    assert summary.exists()
    lines = summary.read_text().splitlines()
    assert [ln.split()[0] for ln in lines] == ["a", "b"]
    # every part really ran inside a SLURM job, and each in its own one
    job_ids = [re.search(r"job=(\d+)", ln).group(1) for ln in lines]
    assert len(set(job_ids)) == 2
    # 2 x make_part + 1 x combine; rule `all` is a local rule (no input-less target job)
    assert run.n_sbatch == 3, run.output[-3000:]
    assert set(job_ids) <= set(run.sbatch_jobids)
    _assert_squeue_status_used(run)
    # one kept SLURM log per submission (--slurm-keep-successful-logs)
    assert len(list((workdir / "slurm_logs").rglob("*.log"))) == run.n_sbatch
    if _squeue_keeps_finished_jobs(slurm_cluster):
        assert sorted(r["jobid"] for r in rows) == sorted(run.sbatch_jobids)
        assert {r["state"] for r in rows} == {"COMPLETED"}


FAIL_SNAKEFILE = r"""
    rule all:
        input:
            "results/boom.txt",

    rule boom:
        output:
            "results/boom.txt",
        shell:
            "echo about to fail >&2; exit 1"
"""


def test_failing_job_is_reported_and_run_fails(slurm_cluster, tmp_path, capsys):
    workdir = _write_workflow(tmp_path / "fail", FAIL_SNAKEFILE)
    run = _run_snakemake(slurm_cluster, workdir)
    rows = _squeue_run(run.run_id) if run.run_id else []
    _report(capsys, "failing rule", run, rows)

    assert run.returncode != 0, run.output[-4000:]
    assert not (workdir / "results" / "boom.txt").exists()
    assert run.n_sbatch == 1
    # detected from squeue's job state (no sacct details without accounting)
    assert re.search(
        r"SLURM-job '\d+' failed, SLURM status is: 'FAILED'", run.output
    ), run.output[-4000:]
    assert "Error in rule boom" in run.output
    _assert_squeue_status_used(run)
    # the log of a failed job is always kept
    logs = list((workdir / "slurm_logs").rglob("*.log"))
    assert len(logs) == 1 and "about to fail" in logs[0].read_text()
    if _squeue_keeps_finished_jobs(slurm_cluster):
        assert [r["state"] for r in rows] == ["FAILED"]


RETRY_SNAKEFILE = r"""
    rule all:
        input:
            "results/grown.txt",

    rule grow:
        output:
            "results/grown.txt",
        resources:
            mem_mb=lambda wildcards, attempt: 100 * attempt,
        shell:
            # Record what this attempt asked for and what SLURM granted, then fail unless
            # it got >= 200 MB. (The jobstep plugin strips SLURM_MEM_PER_NODE from the
            # step environment, so ask the controller.)
            "granted=$(scontrol show job $SLURM_JOB_ID | grep -o 'MinMemoryNode=[0-9]*');"
            " echo mem_mb={resources.mem_mb} slurm_mem=${{granted#*=}} job=$SLURM_JOB_ID"
            " >> attempts.txt; "
            "test {resources.mem_mb} -ge 200; "
            "echo ok > {output}"
"""


def test_retry_resubmits_with_more_memory(slurm_cluster, tmp_path, capsys):
    workdir = _write_workflow(tmp_path / "retry", RETRY_SNAKEFILE)
    run = _run_snakemake(slurm_cluster, workdir, "--retries", "1")
    rows = _squeue_run(run.run_id) if run.run_id else []
    _report(capsys, "retry with more memory", run, rows)

    assert run.returncode == 0, run.output[-4000:]
    assert (workdir / "results" / "grown.txt").read_text().strip() == "ok"
    assert run.n_sbatch == 2, run.output[-3000:]
    # what each attempt saw inside its SLURM job: requested and granted memory
    attempts = (workdir / "attempts.txt").read_text().splitlines()
    seen = [dict(kv.split("=", 1) for kv in ln.split()) for ln in attempts]
    assert [s["mem_mb"] for s in seen] == ["100", "200"]
    assert [s["slurm_mem"] for s in seen] == ["100", "200"]  # sbatch --mem really grew
    assert [s["job"] for s in seen] == run.sbatch_jobids
    _assert_squeue_status_used(run)
    if _squeue_keeps_finished_jobs(slurm_cluster):
        by_id = {r["jobid"]: r for r in rows}
        first, second = (by_id[j] for j in run.sbatch_jobids)
        assert (first["state"], _mem_to_mb(first["mem"])) == ("FAILED", 100)
        assert (second["state"], _mem_to_mb(second["mem"])) == ("COMPLETED", 200)


ARRAY_SNAKEFILE = r"""
    rule all:
        input:
            expand("results/parts/{i}.txt", i=range(3)),

    rule part:
        output:
            "results/parts/{i}.txt",
        shell:
            "echo job=$SLURM_JOB_ID array=${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}} > {output}"
"""


def test_array_jobs_one_sbatch_for_many_jobs(slurm_cluster, tmp_path, capsys):
    workdir = _write_workflow(tmp_path / "array", ARRAY_SNAKEFILE)
    run = _run_snakemake(slurm_cluster, workdir, "--slurm-array-jobs", "part")
    rows = _squeue_run(run.run_id) if run.run_id else []
    _report(capsys, "array job", run, rows)

    assert run.returncode == 0, run.output[-4000:]
    assert run.n_sbatch == 1, run.output[-3000:]  # 3 jobs, one sbatch --array call
    parts = [(workdir / "results" / "parts" / f"{i}.txt").read_text() for i in range(3)]
    array_ids = {re.search(r"array=(\d+)_(\d+)", p).groups() for p in parts}
    assert {a for a, _ in array_ids} == {run.sbatch_jobids[0]}
    assert {t for _, t in array_ids} == {"1", "2", "3"}
    _assert_squeue_status_used(run)
