"""Shared SLURM test support: the session fixture that finds or starts the cluster, and squeue helpers.

Used by ``tests/test_slurm_cluster.py`` (tiny shell workflows) and ``tests/test_slurm_pipeline.py``
(the PFOCR pipeline through ``workflow/profiles/slurm``); import the fixture by name:
``from slurm_fixtures import slurm_cluster``.

Without SLURM the tests skip, unless ``CI=true``: then they fail loudly. When SLURM is installed
but not up, the fixture starts ``scripts/slurm/start_cluster.sh`` (root only) and stops it again
at the end of the session (``PFOCR_SLURM_KEEP=1`` leaves it running).
Env: ``PFOCR_SLURM_PARTITION`` / ``PFOCR_SLURM_ACCOUNT`` to target another cluster.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SLURM_SCRIPTS = REPO / "scripts" / "slurm"
IN_CI = os.environ.get("CI", "").strip().lower() == "true"

# Lines the SLURM executor plugin (2.8.0) logs at info level.
SUBMIT_RE = re.compile(r"has been submitted with SLURM jobid (\d+)")
ARRAY_SUBMIT_RE = re.compile(r"Submitted array job with .* SLURM job ID (\d+)")
RUN_ID_RE = re.compile(r"SLURM run ID: (\S+)")


def _unavailable(reason: str) -> None:
    """Skip locally, fail loudly in CI."""
    if IN_CI:
        pytest.fail(f"CI=true but SLURM is unavailable: {reason}", pytrace=False)
    pytest.skip(f"SLURM not available: {reason}")


def _sh(*cmd: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _sinfo_problem() -> str | None:
    """None if sinfo answers and shows a usable node, else a reason."""
    try:
        res = _sh("sinfo", "-h", "-N", "-o", "%T")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"sinfo could not run: {exc}"
    if res.returncode != 0:
        return f"sinfo failed (rc={res.returncode}): {res.stderr.strip()[-300:]}"
    states = res.stdout.split()
    if not any(s in ("idle", "mixed", "allocated", "completing") for s in states):
        return f"no usable node, sinfo node states: {states or 'none'}"
    return None


def _default_partition() -> str | None:
    if os.environ.get("PFOCR_SLURM_PARTITION"):
        return os.environ["PFOCR_SLURM_PARTITION"]
    res = _sh("sinfo", "-h", "-o", "%P")
    for part in res.stdout.split():
        if part.endswith("*"):
            return part[:-1]
    return None


def _min_job_age() -> int | None:
    res = _sh("scontrol", "show", "config")
    m = re.search(r"^MinJobAge\s*=\s*(\d+)", res.stdout, re.MULTILINE)
    return int(m.group(1)) if m else None


def _node_memory_mb() -> int | None:
    """The largest node memory (sinfo %m, MB) of the cluster."""
    res = _sh("sinfo", "-h", "-N", "-o", "%m")
    sizes = [int(m) for m in re.findall(r"\d+", res.stdout)]
    return max(sizes) if sizes else None


def _squeue_run(run_id: str) -> list[dict[str, str]]:
    """All jobs of one Snakemake run (job name == run id), finished ones included.

    Finished jobs are listed only for MinJobAge seconds after they end; our cluster keeps
    them 600 s, which is what makes sacct-less status checking work at all. ``array`` is the
    job ID of the sbatch call (the array's ID for array tasks, else the job's own ID).
    """
    res = _sh(
        "squeue",
        "--states=all",
        "--noheader",
        "--name",
        run_id,
        "--format=%i|%F|%T|%m|%C|%k",
    )
    rows = []
    for line in res.stdout.splitlines():
        jobid, array, state, mem, cpus, comment = line.strip().split("|", 5)
        rows.append(dict(jobid=jobid, array=array, state=state, mem=mem, cpus=cpus, comment=comment))
    return rows


@dataclass
class SlurmRun:
    """What one Snakemake invocation on the cluster printed and submitted."""

    returncode: int
    output: str
    run_id: str | None
    sbatch_jobids: list[str]
    elapsed_s: float
    squeue: list[dict[str, str]] = field(default_factory=list)

    @property
    def n_sbatch(self) -> int:
        return len(self.sbatch_jobids)

    def finished_rules(self) -> Counter:
        return Counter(re.findall(r"Finished jobid: \S+ \(Rule: (\w+)\)", self.output))

    def local_rules(self) -> set[str]:
        return set(re.findall(r"^local(?:rule|checkpoint) (\w+):", self.output, re.MULTILINE))

    def cluster_jobs(self) -> Counter:
        """Finished jobs per rule that ran on the cluster: the sbatch count without batching."""
        local = self.local_rules()
        return Counter({rule: n for rule, n in self.finished_rules().items() if rule not in local})


def run_on_slurm(cmd: list[str], cwd: Path, timeout_s: int, env: dict | None = None) -> SlurmRun:
    """Run Snakemake; on timeout cancel its SLURM jobs and fail with the output and the queue."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=env)
    try:
        out, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        # SIGTERM only makes snakemake "wait for running jobs"; SIGINT cancels them.
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        match = RUN_ID_RE.search(out or "")
        if match:
            _sh("scancel", "--name", match.group(1))
        pytest.fail(f"snakemake on SLURM did not finish within {timeout_s}s; output tail:\n"
                    f"{(out or '')[-5000:]}\n--- squeue ---\n{_sh('squeue', '--states=all').stdout}",
                    pytrace=False)
    match = RUN_ID_RE.search(out)
    return SlurmRun(returncode=proc.returncode, output=out, run_id=match.group(1) if match else None,
                    sbatch_jobids=SUBMIT_RE.findall(out) + ARRAY_SUBMIT_RE.findall(out),
                    elapsed_s=time.monotonic() - start)


def _mem_to_mb(mem: str) -> int:
    m = re.fullmatch(r"(\d+)([KMGT]?)", mem.strip())
    assert m, f"unexpected squeue memory field {mem!r}"
    factor = {"K": 1 / 1024, "": 1, "M": 1, "G": 1024, "T": 1024 * 1024}[m.group(2)]
    return int(int(m.group(1)) * factor)


@dataclass
class SlurmCluster:
    partition: str | None
    min_job_age: int | None
    started_here: bool
    node_memory_mb: int | None = None


@pytest.fixture(scope="session")
def slurm_cluster():
    """The running cluster; starts scripts/slurm/start_cluster.sh if SLURM is installed but down.

    Each test module that imports this fixture gets its own session-scoped instance; the first
    one starts (and at the end stops) the cluster, the others find it up and leave it alone.
    """
    if shutil.which("sbatch") is None:
        _unavailable("'sbatch' not on PATH (install: sudo scripts/slurm/install.sh)")
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        _unavailable(
            f"snakemake-executor-plugin-slurm not importable from {sys.executable} (install: make slurm)"
        )

    started_here = False
    problem = _sinfo_problem()
    if problem is not None:
        start = SLURM_SCRIPTS / "start_cluster.sh"
        if os.geteuid() != 0:
            _unavailable(f"{problem}; and not root, so cannot run {start}")
        try:
            res = subprocess.run(
                [str(start)], capture_output=True, text=True, timeout=180
            )
        except subprocess.TimeoutExpired:
            _unavailable(f"{problem}; {start} timed out")
        if res.returncode != 0:
            _unavailable(
                f"{problem}; {start} failed (rc={res.returncode}):\n{res.stderr[-3000:]}"
            )
        started_here = True
        # The script prints `export NAME=value` lines (SLURM_CONF et al.).
        for name, value in re.findall(
            r"^export (\w+)=(\S*)$", res.stdout, re.MULTILINE
        ):
            os.environ[name] = value
        problem = _sinfo_problem()
        if problem is not None:
            _unavailable(f"cluster started but still unusable: {problem}")

    cluster = SlurmCluster(
        partition=_default_partition(),
        min_job_age=_min_job_age(),
        started_here=started_here,
        node_memory_mb=_node_memory_mb(),
    )
    yield cluster

    if started_here and os.environ.get("PFOCR_SLURM_KEEP") != "1":
        subprocess.run(
            [str(SLURM_SCRIPTS / "stop_cluster.sh")], timeout=120, check=False
        )
