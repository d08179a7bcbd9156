"""Scheduled releases (scripts/pfocr-release, pfocr_etl.scheduled): lock, sync, build, publish, prune, recover.

The end-to-end tests run the real pipeline: a copy of the repository's Snakefile, config.yaml,
workflow/, scripts/, envs/ and resources/ taken when the module starts (so edits made to the
checkout while the tests run cannot trigger re-runs between two scheduled runs), or of the
checkout holding $PFOCR_TEST_SNAKEFILE. Every path (state, releases, Snakemake working
directory) is under tmp_path.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import EXAMPLE_CORPUS, REPO, run_snakemake
from pfocr_etl import scheduled
from pfocr_etl.scheduled import RunLock, mirror_folder, prune_releases, publish, sync_git

CLI = REPO / "scripts" / "pfocr-release"
PIPELINE_SOURCE = Path(os.environ.get("PFOCR_TEST_SNAKEFILE", REPO / "Snakefile")).resolve().parent
PIPELINE_PARTS = ("Snakefile", "config.yaml", "profiles", "workflow", "scripts", "envs", "resources")
PIPELINE: dict[str, Path] = {}
EXAMPLE_NUMBERS = {"PMC2000001": 1, "PMC9000001": 2, "PMC9000002": 3, "PMC9000003": 4}
NEW_FIGURE = "PMC9000004__example-g5"


@pytest.fixture(scope="module", autouse=True)
def pipeline_snapshot(tmp_path_factory):
    """A copy of the pipeline to run, and one reference build folder for all its runs (built once)."""
    root = tmp_path_factory.mktemp("pipeline")
    for name in PIPELINE_PARTS:
        source = PIPELINE_SOURCE / name
        if source.is_symlink() or source.is_file():
            shutil.copy2(source, root / name, follow_symlinks=False)
        elif source.is_dir():
            shutil.copytree(source, root / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".snakemake"))
    PIPELINE.update(snakefile=root / "Snakefile", references=tmp_path_factory.mktemp("references"))
    yield
    PIPELINE.clear()


def snakefile() -> Path:
    return PIPELINE["snakefile"]


def absolute_references(node, base: Path | None = None):
    """The checkout's reference paths made absolute (Snakemake runs in state_dir, not in the checkout)."""
    base = base or snakefile().parent
    if isinstance(node, dict):
        return {key: value if key in ("dir", "release", "sha256") else absolute_references(value, base)
                for key, value in node.items()}
    if isinstance(node, str) and not os.path.isabs(node) and "://" not in node and (base / node).exists():
        return str(base / node)
    return node


def example_pipeline_config(**values) -> dict:
    """Pipeline config for tests: the bundled example references by absolute path, plus ``values``."""
    defaults = yaml.safe_load((snakefile().parent / "config.yaml").read_text(encoding="utf-8")) or {}
    extra = {}
    if "references" in defaults:
        extra["references"] = absolute_references(defaults["references"])
        if "dir" in extra["references"]:
            extra["references"]["dir"] = str(PIPELINE["references"])
    return {**extra, **values}


def write_config(path: Path, source: dict, **values) -> Path:
    values["pipeline_config"] = example_pipeline_config(**values.get("pipeline_config", {}))
    data = {"source": source, "state_dir": "state", "releases_dir": "releases", "cores": 2,
            "snakefile": str(snakefile()), **values}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def run_cli(config: Path, *args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([str(CLI), str(config), *args], capture_output=True, text=True, timeout=timeout, env=env,
                          **kwargs)


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def make_remote(tmp_path: Path, corpus: Path) -> tuple[Path, Path]:
    """A bare repository (the remote) and a clone to push from, holding ``corpus``."""
    bare, edit = tmp_path / "remote.git", tmp_path / "edit"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare), cwd=tmp_path)
    shutil.copytree(corpus, edit)
    git("init", "--quiet", "--initial-branch=main", cwd=edit)
    git("add", "-A", cwd=edit)
    git("commit", "--quiet", "-m", "corpus", cwd=edit)
    git("remote", "add", "origin", str(bare), cwd=edit)
    git("push", "--quiet", "origin", "main", cwd=edit)
    return bare, edit


def push_all(edit: Path, message: str) -> None:
    git("add", "-A", cwd=edit)
    git("commit", "--quiet", "-m", message, cwd=edit)
    git("push", "--quiet", "origin", "main", cwd=edit)


def add_new_figure(corpus: Path) -> None:
    text = (corpus / "_figures" / "PMC9000003__example-g4.md").read_text(encoding="utf-8")
    (corpus / "_figures" / f"{NEW_FIGURE}.md").write_text(
        text.replace("PMC9000003__example-g4", NEW_FIGURE).replace("PMC9000003", "PMC9000004"), encoding="utf-8")


def generated_corpus(target: Path, shards: int) -> Path:
    """The example records copied under new PMC numbers: 4 figures in each of ``shards`` shards of width 1000."""
    for path in sorted(p for p in EXAMPLE_CORPUS.rglob("*") if p.is_file()):
        rel = path.relative_to(EXAMPLE_CORPUS)
        original = re.match(r"PMC\d+", path.name).group(0)
        for shard in range(1, shards + 1):
            new = f"PMC{shard * 1000 + EXAMPLE_NUMBERS[original]}"
            out = target / rel.parent / path.name.replace(original, new)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(path.read_bytes().replace(original.encode(), new.encode()))
    return target


def live_processes_in_group(pgid: int) -> list[str]:
    """Processes of a process group that are not zombies (zombies wait for a reaper, they hold nothing)."""
    live = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(stat_file.parent.name)
    return live


def run_record(state: Path) -> dict:
    return json.loads(sorted((state / "logs").glob("*.json"))[-1].read_text())


def figure_rows(release: Path) -> int:
    return sum(pq.read_metadata(p).num_rows for p in (release / "tables" / "figures").glob("*.parquet"))


def assert_releases_hold_only_whole_parquet(releases: Path) -> None:
    files = [p for p in releases.rglob("*") if p.is_file()]
    assert files
    assert not [p for p in releases.iterdir() if p.name.startswith(".")], "leftover .incoming/.deleting folder"
    assert not [p for p in files if p.name.startswith(".")], "hidden (temporary) file published"
    for path in files:
        if path.suffix == ".parquet":
            pq.read_table(path)  # raises on a partial file


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize("values, message", [
    ({"kep": 3}, "unknown key 'kep' (did you mean 'keep'?)"),
    ({"keep": "five"}, "keep: 'five' is not of type 'integer'"),
    ({"cores": 0}, "cores: must be a positive integer or 'all'"),
    ({"source": {"git": "x", "folder": "y"}}, "source: give exactly one of 'git"),
    ({"source": {"folder": "y", "branch": "main"}}, "source: give exactly one of 'git"),
    ({"pipeline_config": {"strictt": True}}, "pipeline_config: unknown key 'strictt' (did you mean"),
    ({"pipeline_config": {"shard_width": "wide"}}, "pipeline_config/shard_width: 'wide' is not of type 'integer'"),
    ({"pipeline_config": {"output_dir": "/x"}}, "'output_dir' is set by the runner"),
    ({"snakemake_args": ["--nolock"]}, "snakemake_args: --nolock is not allowed"),
])
def test_invalid_configuration_fails_with_a_clear_message(tmp_path, capsys, values, message):
    values = {"source": {"folder": str(EXAMPLE_CORPUS)}, **values}
    config = write_config(tmp_path / "release.yaml", values.pop("source"), **values)
    assert scheduled.main([str(config), "--check"]) == scheduled.EXIT_CONFIG
    err = capsys.readouterr().err
    assert "invalid configuration file" in err and message in err, err
    assert not (tmp_path / "state").exists()


def test_valid_configuration_resolves_paths_against_its_folder(tmp_path, capsys):
    config = write_config(tmp_path / "release.yaml", {"git": "corpus.git", "branch": "release"}, keep=2,
                          pipeline_config={"shard_width": 1000, "strict": True})
    assert scheduled.main([str(config), "--check"]) == 0
    loaded = scheduled.load_config(config)
    assert loaded.source == str(tmp_path / "corpus.git") and loaded.branch == "release"
    assert loaded.state_dir == tmp_path / "state" and loaded.releases_dir == tmp_path / "releases"
    assert loaded.keep == 2 and loaded.cores == "2" and loaded.publish_mode == "link"
    assert scheduled.load_config(write_config(tmp_path / "r2.yaml", {"git": "https://example.org/c.git"})).source \
        == "https://example.org/c.git"


# --------------------------------------------------------------------------- sync


def test_folder_mirror_copies_changes_keeps_unchanged_mtimes_and_deletes_vanished(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    for rel, text in {"_figures/PMC1__a.md": "a", "_figures/PMC2__b.md": "b", "_data/PMC1__a-genes.tsv": "g",
                      "_figures/sub/PMC3__c.md": "c", "notes/ignored.txt": "not a corpus folder"}.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    counts = mirror_folder(src, dst)
    assert counts["added"] == 4 and not (dst / "notes").exists()
    assert (dst / "_figures/sub/PMC3__c.md").read_text() == "c"
    kept = os.stat(dst / "_figures/PMC1__a.md")
    old_ns = kept.st_mtime_ns - 10**9
    os.utime(dst / "_figures", ns=(old_ns, old_ns))
    (dst / "_figures/.PMC9__x.md.pfocr-sync.tmp").write_text("left by a crash")
    (dst / "stray").mkdir()

    time.sleep(0.01)
    (src / "_figures/PMC2__b.md").write_text("bb")
    (src / "_figures/PMC4__d.md").write_text("d")
    shutil.rmtree(src / "_figures/sub")
    (src / "_data/PMC1__a-genes.tsv").unlink()
    counts = mirror_folder(src, dst)
    assert (counts["added"], counts["changed"], counts["unchanged"]) == (1, 1, 1)
    assert sorted(str(p.relative_to(dst)) for p in dst.rglob("*")) == [
        "_data", "_figures", "_figures/PMC1__a.md", "_figures/PMC2__b.md", "_figures/PMC4__d.md"]
    again = os.stat(dst / "_figures/PMC1__a.md")
    assert (again.st_ino, again.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)  # untouched
    assert os.stat(dst / "_figures/PMC2__b.md").st_mtime_ns == os.stat(src / "_figures/PMC2__b.md").st_mtime_ns
    assert os.stat(dst / "_figures").st_mtime_ns > old_ns  # adds/removes change the folder mtime
    assert mirror_folder(src, dst)["unchanged"] == 3


def test_git_sync_clones_then_fetches_and_hard_resets(tmp_path):
    bare, edit = make_remote(tmp_path, EXAMPLE_CORPUS)
    work = tmp_path / "state" / "corpus"
    work.parent.mkdir()
    first = sync_git(f"file://{bare}", "main", work)
    assert first == git("rev-parse", "HEAD", cwd=edit).strip()
    kept = os.stat(work / "_figures" / "PMC9000001__example-g2.md")
    add_new_figure(edit)
    (edit / "_data" / "PMC9000002__example-g1-genes.tsv").unlink()
    push_all(edit, "add one, remove one")
    (work / "_figures" / "junk.md").write_text("not in the repository")
    second = sync_git(f"file://{bare}", "main", work)
    assert second != first and second == git("rev-parse", "HEAD", cwd=edit).strip()
    assert (work / "_figures" / f"{NEW_FIGURE}.md").exists()
    assert not (work / "_data" / "PMC9000002__example-g1-genes.tsv").exists()
    assert not (work / "_figures" / "junk.md").exists()
    again = os.stat(work / "_figures" / "PMC9000001__example-g2.md")
    assert (again.st_ino, again.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)
    with pytest.raises(scheduled.RunFailed, match="branch nope"):
        sync_git(f"file://{bare}", "nope", work)


# --------------------------------------------------------------------------- lock


HOLD_LOCK = """
import sys, time
from pfocr_etl.scheduled import RunLock
RunLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_second_start_is_refused_and_a_dead_holders_lock_is_taken_over(tmp_path):
    config = write_config(tmp_path / "release.yaml", {"folder": str(EXAMPLE_CORPUS)})
    lock_path = tmp_path / "state" / scheduled.LOCK_NAME
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock_path)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO / "scripts")})
    try:
        assert holder.stdout.readline().strip() == "locked"
        start = time.monotonic()
        refused = run_cli(config)
        assert time.monotonic() - start < 10
        assert refused.returncode == scheduled.EXIT_BUSY
        assert "another pfocr-release run is in progress" in refused.stderr
        assert f"held by pid {holder.pid} on host {socket.gethostname()}, started 20" in refused.stderr
        assert not (tmp_path / "state" / "logs").exists() and not (tmp_path / "releases").exists()
        with pytest.raises(scheduled.LockBusy, match=f"pid {holder.pid}"):
            RunLock(lock_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock = RunLock(lock_path)
    previous = lock.acquire()  # the kernel released the flock when the holder died
    try:
        assert previous["pid"] == holder.pid
        assert "taking over stale lock" in lock.takeover_message(previous)
        assert "the process is gone" in lock.takeover_message(previous)
    finally:
        lock.release()
    assert RunLock(lock_path).acquire() is None  # released cleanly: nothing stale


# --------------------------------------------------------------------------- publish and prune


def fake_build(build: Path, rows: int) -> None:
    """Products written like the pipeline writes them: a new file renamed into place (never in place)."""
    import pyarrow as pa

    for table in ("figures", "figure_genes"):
        (build / "tables" / table).mkdir(parents=True, exist_ok=True)
        tmp = build / "tables" / table / ".part.tmp"
        pq.write_table(pa.table({"n": list(range(rows))}), tmp)
        os.replace(tmp, build / "tables" / table / "part-pmc00000000.parquet")
    (build / "tables" / "figures" / ".part-pmc00000001.parquet.x1.tmp").write_bytes(b"PAR1 partial")
    (build / "report").mkdir(exist_ok=True)
    (build / "report" / "metrics.json").unlink(missing_ok=True)
    (build / "report" / "metrics.json").write_text(json.dumps({"rows": rows}))


def test_publish_is_atomic_collision_safe_and_skips_temp_files(tmp_path):
    build, releases = tmp_path / "build", tmp_path / "releases"
    fake_build(build, 3)
    first = publish(build, releases, "20261122T181500Z")
    assert first.name == "20261122T181500Z" and os.readlink(releases / "latest") == first.name
    assert figure_rows(releases / "latest") == 3
    assert os.stat(first / "tables/figures/part-pmc00000000.parquet").st_mode & 0o044 == 0o044  # readable
    assert publish(build, releases, "20261122T181500Z", publish_unchanged=False) is None  # nothing changed
    fake_build(build, 5)
    second = publish(build, releases, "20261122T181500Z", mode="copy", publish_unchanged=False)
    assert second.name == "20261122T181500Z-1" and os.readlink(releases / "latest") == second.name
    assert figure_rows(first) == 3 and figure_rows(second) == 5  # rewriting the build never touches a release
    assert_releases_hold_only_whole_parquet(releases)
    (build / "tables" / "figures" / "part-pmc00000002.parquet").write_bytes(b"PAR1 truncated")
    with pytest.raises(scheduled.RunFailed, match="not a readable Parquet file"):
        publish(build, releases, "20261122T181501Z")
    assert sorted(os.listdir(releases)) == ["20261122T181500Z", "20261122T181500Z-1", "latest"]


def test_publish_refuses_a_release_that_does_not_match_its_release_json(tmp_path):
    release = pytest.importorskip("pfocr_etl.release")
    if not hasattr(release, "verify_release"):
        pytest.skip("pfocr_etl.release has no verify_release")
    build, releases = tmp_path / "build", tmp_path / "releases"
    fake_build(build, 3)
    (build / "release.json").write_text(json.dumps({"outputs": [
        {"path": "tables/figures/part-pmc00000000.parquet", "bytes": 1, "sha256": "0" * 64, "rows": 3}]}))
    with pytest.raises(scheduled.RunFailed, match="does not match its release.json"):
        publish(build, releases, "20261122T181500Z")
    assert os.listdir(releases) == []


def test_prune_keeps_the_newest_n_and_the_latest_target(tmp_path):
    releases = tmp_path / "releases"
    names = ["20260101T000000Z", "20260102T000000Z", "20260103T000000Z", "20260103T000000Z-1", "20260104T000000Z"]
    for name in names:
        (releases / name / "tables").mkdir(parents=True)
    (releases / "not-a-release").mkdir()
    os.symlink("20260101T000000Z", releases / "latest")  # e.g. the newer ones are unpublished leftovers
    assert prune_releases(releases, 2) == ["20260102T000000Z", "20260103T000000Z"]
    assert sorted(os.listdir(releases)) == ["20260101T000000Z", "20260103T000000Z-1", "20260104T000000Z",
                                            "latest", "not-a-release"]


# --------------------------------------------------------------------------- end to end (real pipeline)


@pytest.fixture(scope="module")
def git_releases(tmp_path_factory):
    """Two scheduled runs from a git remote: the example corpus, then one figure added to shard pmc09000000."""
    root = tmp_path_factory.mktemp("scheduled-git")
    bare, edit = make_remote(root, EXAMPLE_CORPUS)
    config = write_config(root / "release.yaml", {"git": f"file://{bare}", "branch": "main"}, keep=2,
                          pipeline_config={"shard_width": 1_000_000, "shard_max_figures": 0})
    releases = root / "releases"
    for old in ("20200101T000000Z", "20200102T000000Z"):  # two releases of earlier runs
        (releases / old / "tables").mkdir(parents=True)
    runs = []
    for step in ("first", "second"):
        if step == "second":
            add_new_figure(edit)
            push_all(edit, "one more figure")
        start = time.monotonic()
        proc = run_cli(config)
        assert proc.returncode == 0, proc.stderr[-6000:]
        runs.append({"proc": proc, "seconds": time.monotonic() - start, "record": run_record(root / "state"),
                     "latest": os.readlink(releases / "latest"), "releases": sorted(os.listdir(releases))})
    return root, config, edit, runs


@pytest.mark.slow
def test_scheduled_runs_publish_releases_and_rebuild_only_the_changed_shard(git_releases):
    root, _, _, (first, second) = git_releases
    releases = root / "releases"
    assert re.fullmatch(r"\d{8}T\d{6}Z", first["latest"])
    assert first["releases"] == ["20200102T000000Z", first["latest"], "latest"]  # keep: 2
    report = [line for line in first["proc"].stderr.splitlines() if "run report:" in line]
    assert len(report) == 1 and f"release={releases / first['latest']} figures=4 sync=" in report[0]
    assert all(f" {stage}=" in report[0] for stage in ("sync", "manifest", "build", "publish"))
    assert first["record"]["source"].startswith("git:")

    assert second["latest"] != first["latest"]
    assert second["releases"] == [first["latest"], second["latest"], "latest"]
    assert figure_rows(releases / first["latest"]) == 4  # the older release is untouched
    assert figure_rows(releases / "latest") == 5
    parsed = [job["wildcards"]["shard"] for job in second["record"]["jobs"] if job["rule"] == "parse_shard"]
    assert parsed == ["pmc09000000"], second["record"]["jobs"]  # pmc02000000 did not re-run
    for name in ("tables", "report"):
        assert (releases / "latest" / name).is_dir()
    if (releases / "latest" / "release.json").exists():  # the pipeline's manifest: checked before publishing
        assert "checksums match release.json" in second["proc"].stderr
    assert_releases_hold_only_whole_parquet(releases)


@pytest.mark.slow
def test_failing_build_exits_non_zero_and_keeps_latest(git_releases):
    root, config, edit, (_, second) = git_releases
    releases = root / "releases"
    (edit / "_figures" / "PMC9000005__broken.md").write_text("", encoding="utf-8")
    push_all(edit, "an empty record")
    data = yaml.safe_load(config.read_text())
    data["pipeline_config"]["strict"] = True
    config.write_text(yaml.safe_dump(data))
    proc = run_cli(config)
    assert proc.returncode == scheduled.EXIT_FAILED
    assert "build stage failed" in proc.stderr and "PMC9000005__broken.md" in proc.stderr
    assert "run report: FAILED stage=build" in proc.stderr and "(unchanged)" in proc.stderr
    assert os.readlink(releases / "latest") == second["latest"]
    assert sorted(os.listdir(releases)) == second["releases"]
    assert figure_rows(releases / "latest") == 5
    record = run_record(root / "state")
    assert record["status"] == "failed" and record["stage"] == "build"
    log_text = (root / "state" / "logs" / f"{record['run']}.log").read_text()
    assert "PMC9000005__broken.md" in log_text
    assert_releases_hold_only_whole_parquet(releases)


@pytest.mark.slow
def test_killed_run_is_recovered_by_the_next_run_with_identical_parquet(tmp_path):
    corpus = generated_corpus(tmp_path / "corpus", shards=2)
    config = write_config(tmp_path / "release.yaml", {"folder": str(corpus)},
                          pipeline_config={"shard_width": 1000})
    state, releases = tmp_path / "state", tmp_path / "releases"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    victim = subprocess.Popen([str(CLI), str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True, env=env)
    deadline = time.monotonic() + 120
    while not [*(state / "build").glob("work/*/*.parquet"), *(state / "build").glob("tables/*/*.parquet")]:
        assert victim.poll() is None and time.monotonic() < deadline, "the build ended before it could be killed"
        time.sleep(0.02)
    os.killpg(victim.pid, signal.SIGKILL)  # the runner, Snakemake and its jobs: like a crash or an OOM kill
    victim.wait()
    deadline = time.monotonic() + 10
    while live_processes_in_group(victim.pid):
        assert time.monotonic() < deadline, live_processes_in_group(victim.pid)
        time.sleep(0.05)
    assert not (releases / "latest").exists()
    assert list((state / ".snakemake" / "locks").iterdir()), "expected Snakemake's stale lock"
    # What a writer killed between writing its temp file and renaming it leaves (seen in practice).
    leftover = state / "build" / "tables" / "figures" / ".part-pmc00002000.parquet.k1ll3d.tmp"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"PAR1 half a file")

    proc = run_cli(config)
    assert proc.returncode == 0, proc.stderr[-6000:]
    assert "taking over stale lock" in proc.stderr and f"pid {victim.pid}" in proc.stderr
    assert "snakemake --unlock" in proc.stderr
    assert not leftover.exists() and not list((state / "build").rglob(".*.tmp"))
    release = releases / "latest"
    assert figure_rows(release) == 8

    reference = tmp_path / "reference" / "out"
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "config.yaml").write_text(yaml.safe_dump(example_pipeline_config()))
    run_snakemake("--snakefile", str(snakefile()), "--configfile", str(snakefile().parent / "config.yaml"),
                  str(tmp_path / "reference" / "config.yaml"), "--directory", str(reference.parent), "--cores", "2",
                  "--config", f"input_dir={corpus}", f"output_dir={reference}", "shard_width=1000",
                  cwd=tmp_path / "reference")
    parts = sorted(str(p.relative_to(reference)) for p in (reference / "tables").rglob("*.parquet"))
    assert parts == sorted(str(p.relative_to(release)) for p in (release / "tables").rglob("*.parquet"))
    _, mismatch, errors = filecmp.cmpfiles(reference, release, parts, shallow=False)
    assert mismatch == [] and errors == []
    assert_releases_hold_only_whole_parquet(releases)
