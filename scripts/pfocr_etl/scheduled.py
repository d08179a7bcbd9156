"""Scheduled, unattended releases: lock, sync the corpus, build, publish atomically.

One run of ``scripts/pfocr-release CONFIG`` (docs/scheduled-releases.md):

1. **lock**: ``fcntl.flock`` on ``<state_dir>/pfocr-release.lock``. A second start exits at once
   (exit 75) naming the holder's PID, host and start time. The kernel drops the lock when its
   holder dies, so a crashed run never blocks the next one; the holder record it leaves behind
   tells the next run that it is taking over from a run that did not finish (logged).
2. **sync**: a git remote (clone once, then ``git fetch`` + ``git reset --hard origin/<branch>``)
   or a local folder (mirrored: new/changed files copied through a temp file + ``os.replace``,
   vanished files deleted, unchanged files keep their mtime) into ``<state_dir>/corpus``.
3. **manifest**: ``snakemake --forcerun build_manifest --until build_manifest`` as its own
   invocation, so that only shards whose file list changed are rebuilt (a shard list rewritten
   with the same content is not a rerun trigger across invocations).
4. **build**: ``snakemake --cores N --rerun-incomplete --keep-going`` into the persistent build
   folder ``<state_dir>/build`` (incremental; never the published release).
5. **publish**: the build's products are hard-linked (or copied) into
   ``<releases_dir>/.incoming-<ts>``, every Parquet file is checked, the folder is renamed to
   ``<releases_dir>/<ts>`` and only then the ``latest`` symlink is swapped (``latest.tmp`` +
   ``os.replace``). Releases beyond ``keep`` are deleted, never the one ``latest`` points to.

Every run writes ``<state_dir>/logs/<ts>.log`` (also echoed to stderr) and ``<ts>.json`` (stage
durations, Snakemake jobs that ran, release), and ends with one ``run report`` line.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import difflib
import errno
import fcntl
import json
import logging
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "workflow" / "schemas" / "scheduled.schema.yaml"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the lock; try again later
EXIT_TERMINATED = 143

LOCK_NAME = "pfocr-release.lock"
LATEST = "latest"
INCOMING_PREFIX = ".incoming-"
DELETING_PREFIX = ".deleting-"
RELEASE_NAME = re.compile(r"^(\d{8}T\d{6}Z)(?:-(\d+))?$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
# The corpus sub-folders the pipeline reads (pfocr_etl.manifest.INPUT_SUBDIRS).
CORPUS_SUBDIRS = ("_figures", "_data", "papers")
# Published products of a build: (name under output_dir, required).
PRODUCTS = (("tables", True), ("report", True), ("gmt", False), ("release.json", False),
            ("datapackage.json", False))
# Snakemake arguments the runner sets itself (or that would defeat it).
FORBIDDEN_ARGS = {
    "--nolock": "the lock protects the build folder; never run without it",
    "--unlock": "the runner unlocks by itself after a crash",
    "--directory": "the runner sets the working directory to state_dir",
    "-d": "the runner sets the working directory to state_dir",
    "--snakefile": "use the 'snakefile' key",
    "-s": "use the 'snakefile' key",
    "--config": "use the 'pipeline_config' key",
    "-C": "use the 'pipeline_config' key",
    "--configfile": "use the 'pipeline_config' key",
    "--configfiles": "use the 'pipeline_config' key",
    "--dry-run": "a scheduled run always builds",
    "--dryrun": "a scheduled run always builds",
    "-n": "a scheduled run always builds",
}

log = logging.getLogger("pfocr_release")
snakemake_log = logging.getLogger("pfocr_release.output")


class ConfigError(Exception):
    """The runner's configuration file is missing or invalid."""


class LockBusy(Exception):
    """Another run holds the lock."""


class RunFailed(Exception):
    """A stage failed; ``stage`` names it."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage


class Terminated(Exception):
    """SIGTERM/SIGHUP received (e.g. ``systemctl stop``)."""


# --------------------------------------------------------------------------- configuration


@dataclasses.dataclass(frozen=True)
class ReleaseConfig:
    path: Path
    source_kind: str  # "git" or "folder"
    source: str  # git URL, or absolute folder path
    branch: str
    subdir: str | None
    state_dir: Path
    releases_dir: Path
    keep: int
    keep_logs: int
    cores: str
    snakemake_args: tuple[str, ...]
    pipeline_config: dict
    snakefile: Path
    publish_mode: str
    publish_unchanged: bool

    @property
    def lock_path(self) -> Path:
        return self.state_dir / LOCK_NAME

    @property
    def corpus_dir(self) -> Path:
        """The working copy (git clone or folder mirror)."""
        return self.state_dir / "corpus"

    @property
    def input_dir(self) -> Path:
        return self.corpus_dir / self.subdir if self.subdir else self.corpus_dir

    @property
    def build_dir(self) -> Path:
        """The pipeline's output_dir: persistent, so rebuilds are incremental."""
        return self.state_dir / "build"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pipeline_config_path(self) -> Path:
        return self.state_dir / "pipeline-config.yaml"


def _load_yaml(path: Path, what: str):
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {path} is not valid YAML: {exc}") from None


def _format_schema_error(error, prefix: str = "") -> str:
    where = "/".join([prefix.rstrip("/")] * bool(prefix) + [str(p) for p in error.absolute_path]) or "(top level)"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        parts = []
        for key in sorted(set(error.instance) - set(allowed), key=str):
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            parts.append(f"unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        return f"{where}: {'; '.join(parts)}. Allowed keys: {', '.join(allowed)}"
    if error.validator == "oneOf" and list(error.absolute_path) == ["source"]:
        got = sorted(error.instance) if isinstance(error.instance, dict) else error.instance
        return ("source: give exactly one of 'git: <url>' (with optional 'branch' and 'subdir') "
                f"or 'folder: <path>'; got keys {got}")
    if error.validator == "oneOf" and list(error.absolute_path) == ["cores"]:
        return f"cores: must be a positive integer or 'all', got {error.instance!r}"
    if error.validator in ("propertyNames", "not") and list(error.absolute_path) == ["pipeline_config"]:
        return f"{where}: {error.instance!r} is set by the runner and cannot be given in pipeline_config"
    return f"{where}: {error.message}"


def _schema_errors(instance, schema: dict, prefix: str = "") -> list[str]:
    import jsonschema

    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema)
    errors = sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    return [_format_schema_error(e, prefix) for e in errors]


def _resolve_path(value: str, base: Path) -> Path:
    path = Path(os.path.expanduser(value))
    return Path(os.path.abspath(path if path.is_absolute() else base / path))


def _is_remote_url(url: str) -> bool:
    return "://" in url or re.match(r"^[\w.-]+@[\w.-]+:", url) is not None


def load_config(path: str | os.PathLike) -> ReleaseConfig:
    """Read and validate the runner's YAML configuration (workflow/schemas/scheduled.schema.yaml)."""
    path = Path(os.path.abspath(path))
    data = _load_yaml(path, "configuration file")
    if not isinstance(data, dict):
        raise ConfigError(f"configuration file {path} must be a YAML mapping (key: value), "
                          f"got {type(data).__name__}")
    schema = _load_yaml(SCHEMA_PATH, "schema")
    errors = _schema_errors(data, schema)
    if errors:
        raise ConfigError(f"invalid configuration file {path}:\n  - " + "\n  - ".join(errors))
    defaults = {key: spec["default"] for key, spec in schema["properties"].items() if "default" in spec}
    values = {**defaults, **data}
    base = path.parent
    source = values["source"]
    if "git" in source:
        kind, url = "git", source["git"]
        location = url if _is_remote_url(url) else str(_resolve_path(url, base))
    else:
        kind, location = "folder", str(_resolve_path(source["folder"], base))
    subdir = source.get("subdir")
    if subdir and (Path(subdir).is_absolute() or ".." in Path(subdir).parts):
        raise ConfigError(f"invalid configuration file {path}:\n  - source/subdir: must be a relative path "
                          f"inside the repository, got {subdir!r}")
    args = list(values["snakemake_args"])
    bad = [(a, FORBIDDEN_ARGS[a.split("=", 1)[0]]) for a in args if a.split("=", 1)[0] in FORBIDDEN_ARGS]
    if bad:
        raise ConfigError(f"invalid configuration file {path}:\n  - " + "\n  - ".join(
            f"snakemake_args: {arg} is not allowed ({why})" for arg, why in bad))
    snakefile = _resolve_path(values["snakefile"], base) if "snakefile" in values else REPO / "Snakefile"
    config = ReleaseConfig(
        path=path, source_kind=kind, source=location, branch=source.get("branch", "main"), subdir=subdir,
        state_dir=_resolve_path(values["state_dir"], base), releases_dir=_resolve_path(values["releases_dir"], base),
        keep=values["keep"], keep_logs=values["keep_logs"], cores=str(values["cores"]),
        snakemake_args=tuple(args), pipeline_config=dict(values["pipeline_config"]), snakefile=snakefile,
        publish_mode=values["publish_mode"], publish_unchanged=values["publish_unchanged"])
    _check_pipeline_config(config)
    return config


def _deep_update(target: dict, update: dict) -> dict:
    """Merge ``update`` into ``target`` like Snakemake merges config files (nested mappings merge)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = dict(value) if isinstance(value, dict) else value
    return target


def _check_pipeline_config(config: ReleaseConfig) -> None:
    """Validate pipeline_config against the pipeline's own schema now, not after a long sync."""
    if not config.snakefile.is_file():
        raise ConfigError(f"invalid configuration file {config.path}:\n"
                          f"  - snakefile: {config.snakefile} does not exist")
    schema_path = config.snakefile.parent / "workflow" / "schemas" / "config.schema.yaml"
    if not schema_path.is_file():
        return
    # What Snakemake will see: the checkout's config.yaml, deep-updated with pipeline_config, then
    # input_dir/output_dir (later --configfile/--config values update earlier ones key by key).
    defaults_path = config.snakefile.parent / "config.yaml"
    defaults = _load_yaml(defaults_path, "pipeline configuration") if defaults_path.is_file() else {}
    instance = _deep_update(_deep_update({}, defaults or {}), config.pipeline_config)
    instance.update(input_dir=str(config.input_dir), output_dir=str(config.build_dir))
    errors = _schema_errors(instance, _load_yaml(schema_path, "pipeline schema"), prefix="pipeline_config/")
    if errors:
        raise ConfigError(f"invalid configuration file {config.path} (pipeline_config is checked against "
                          f"{schema_path}):\n  - " + "\n  - ".join(errors))


# --------------------------------------------------------------------------- lock


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class RunLock:
    """An exclusive ``flock`` on a lock file, plus a record of who holds it.

    The kernel releases a flock when the last descriptor of its open file is closed, so a run
    that crashes (even SIGKILL) never leaves the lock held. The descriptor is handed to the
    Snakemake child processes (``pass_fds``): if the runner alone is killed, its orphaned
    Snakemake keeps the lock until it ends, so no second build starts in the same folder.

    The record (JSON: pid, host, start time, child pid) is rewritten in place and emptied on a
    clean release; the file itself is never deleted (deleting a flock file lets two processes
    each lock a different inode). A non-empty record found when acquiring means the previous
    holder ended without releasing: it crashed or was killed.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.fd: int | None = None
        self.info: dict = {}

    def acquire(self) -> dict | None:
        """Take the lock or raise LockBusy; returns the record a dead holder left behind, if any."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = self._read(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise LockBusy(self.busy_message(holder)) from None
        previous = self._read(fd)
        self.fd = fd
        self.info = {"pid": os.getpid(), "host": socket.gethostname(),
                     "started": _utcnow().isoformat(timespec="seconds"), "argv": sys.argv}
        self._write()
        return previous or None

    def update(self, **fields) -> None:
        if self.fd is None:
            return
        self.info.update(fields)
        self.info = {k: v for k, v in self.info.items() if v is not None}
        self._write()

    def release(self) -> None:
        if self.fd is None:
            return
        os.ftruncate(self.fd, 0)  # an empty record means "released cleanly"
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    def _write(self) -> None:
        data = (json.dumps(self.info, sort_keys=True) + "\n").encode()
        os.pwrite(self.fd, data, 0)  # write first, then trim: a reader never sees an empty record
        os.ftruncate(self.fd, len(data))
        os.fsync(self.fd)

    @staticmethod
    def _read(fd: int) -> dict:
        try:
            raw = os.pread(fd, 65536, 0)
            return json.loads(raw) if raw.strip() else {}
        except (OSError, ValueError):
            return {"unreadable": True}

    def busy_message(self, holder: dict) -> str:
        if not holder or holder.get("unreadable"):
            who = "a process that has not written its record yet"
        else:
            who = f"pid {holder.get('pid')} on host {holder.get('host')}, started {holder.get('started')}"
        message = f"another pfocr-release run is in progress: lock {self.path} is held by {who}"
        pid, child = holder.get("pid"), holder.get("child_pid")
        if holder.get("host") == socket.gethostname() and pid and not _pid_alive(pid):
            message += (f"; pid {pid} has exited but a process it started"
                        + (f" (pid {child})" if child else "") + " still holds the lock: wait for it or stop it")
        return message + ". Exiting without doing anything."

    def takeover_message(self, previous: dict) -> str:
        pid, host, started = previous.get("pid"), previous.get("host"), previous.get("started")
        base = f"taking over stale lock {self.path} left by pid {pid} on host {host} (started {started})"
        if host != socket.gethostname():
            return f"{base}: that run ended without releasing it (the lock is free, so it is not running)"
        if pid and _pid_alive(pid):
            return f"{base}: pid {pid} exists but does not hold the lock (the PID was reused); its run died"
        return f"{base}: the process is gone (it crashed or was killed)"


# --------------------------------------------------------------------------- subprocesses


_JOB_START = re.compile(r"^(?:local)?(?:rule|checkpoint) (\w+):$")
_JOB_ID = re.compile(r"^\s+jobid: (\d+)$")
_JOB_WILDCARDS = re.compile(r"^\s+wildcards: (.+)$")
_JOB_DONE = re.compile(r"Finished jobid: (\d+) \(Rule: (\w+)\)")


class JobTracker:
    """Which jobs a Snakemake run started and finished, read from its log output."""

    def __init__(self):
        self.jobs: list[dict] = []
        self._current: dict | None = None

    def feed(self, line: str) -> None:
        if match := _JOB_START.match(line):
            self._current = {"rule": match.group(1), "wildcards": {}, "finished": False}
            self.jobs.append(self._current)
        elif self._current is not None and (match := _JOB_ID.match(line)):
            self._current["jobid"] = int(match.group(1))
        elif self._current is not None and (match := _JOB_WILDCARDS.match(line)):
            self._current["wildcards"] = dict(
                part.split("=", 1) for part in match.group(1).split(", ") if "=" in part)
        elif match := _JOB_DONE.search(line):
            for job in self.jobs:
                if job.get("jobid") == int(match.group(1)) and job["rule"] == match.group(2):
                    job["finished"] = True
        elif not line.startswith((" ", "\t")):
            self._current = None

    def finished(self) -> list[dict]:
        return [job for job in self.jobs if job["finished"]]


def _stop_child(proc: subprocess.Popen, grace: float = 60) -> None:
    """Ask a child to stop, give it ``grace`` seconds, then kill it.

    Snakemake cancels its running jobs on SIGINT; SIGTERM makes it start no new job and wait for
    the running ones. SIGINT is sent first, SIGTERM too because a process started in the
    background by a non-interactive shell inherits an ignored SIGINT. A run stopped either way
    (or killed) is completed by the next run (--rerun-incomplete).
    """
    if proc.poll() is None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signum)
    try:
        out, _ = proc.communicate(timeout=grace)  # keep draining its output so it cannot block on the pipe
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    for line in (out or "").splitlines():
        snakemake_log.info("%s", line)


# Lines of Snakemake output worth repeating in the failure message (with --keep-going the failed
# job's error is far above the last lines).
_ERROR_LINE = re.compile(r"\bERROR\b|Error in rule|Exception\b|Error:|error:|Traceback|^\S*Error\b")
MAX_ERROR_LINES = 30


def run_command(cmd: Sequence[str], *, cwd: Path, lock: RunLock | None = None, tracker: JobTracker | None = None,
                env: dict | None = None, errors: list[str] | None = None) -> tuple[int, list[str]]:
    """Run a command, its output line by line into the run log; returns (exit code, last lines).

    Error-looking lines are appended to ``errors`` (distinct, at most MAX_ERROR_LINES).
    """
    log.info("$ %s", " ".join(str(c) for c in cmd))
    tail: deque[str] = deque(maxlen=40)
    pass_fds = (lock.fd,) if lock is not None and lock.fd is not None else ()
    try:
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, errors="replace",
                                bufsize=1, pass_fds=pass_fds)
    except OSError as exc:
        return 127, [f"cannot start {cmd[0]}: {exc}"]
    if lock is not None:
        lock.update(child_pid=proc.pid, child=Path(str(cmd[0])).name)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            snakemake_log.info("%s", line)
            tail.append(line)
            if tracker is not None:
                tracker.feed(line)
            if (errors is not None and len(errors) < MAX_ERROR_LINES and _ERROR_LINE.search(line)
                    and line.strip() not in errors):
                errors.append(line.strip())
        code = proc.wait()
    except BaseException:
        _stop_child(proc)
        raise
    finally:
        if lock is not None:
            lock.update(child_pid=None, child=None)
    return code, list(tail)


# --------------------------------------------------------------------------- sync


def _git_env() -> dict:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def _git(args: Sequence[str], cwd: Path, what: str) -> list[str]:
    code, tail = run_command(["git", *args], cwd=cwd, env=_git_env())
    if code != 0:
        raise RunFailed("sync", f"{what} failed (git exit {code}): " + " | ".join(tail[-5:]))
    return tail


def sync_git(url: str, branch: str, workdir: Path) -> str:
    """Clone ``url`` once, then fetch and hard-reset to ``origin/<branch>``; returns the commit.

    ``git reset --hard`` rewrites only files whose content changed, so unchanged files keep
    their mtime; ``git clean`` removes anything that is not in the commit.
    """
    if shutil.which("git") is None:
        raise RunFailed("sync", "git is not installed (needed for a 'git' source)")
    if workdir.exists() and not (workdir / ".git").is_dir():
        log.warning("working copy %s is not a git clone (did the source change from a folder?); re-cloning", workdir)
        shutil.rmtree(workdir)
    if not workdir.exists():
        partial = workdir.with_name(f".{workdir.name}.clone-tmp")
        if partial.exists():
            shutil.rmtree(partial)
        log.info("cloning %s (branch %s) into %s", url, branch, workdir)
        _git(["clone", "--quiet", "--branch", branch, "--single-branch", "--", url, str(partial)], workdir.parent,
             f"git clone of {url}")
        os.rename(partial, workdir)  # a clone that fails half-way never looks like a working copy
    else:
        current = _git(["remote", "get-url", "origin"], workdir, "git remote get-url")
        if not current or current[-1].strip() != url:
            log.info("remote URL changed to %s", url)
            _git(["remote", "set-url", "origin", url], workdir, "git remote set-url")
        _git(["fetch", "--quiet", "--prune", "origin", f"+refs/heads/{branch}:refs/remotes/origin/{branch}"],
             workdir, f"git fetch of {url} branch {branch}")
        _git(["reset", "--quiet", "--hard", f"origin/{branch}"], workdir, "git reset")
        _git(["clean", "-ffdxq"], workdir, "git clean")
    return _git(["rev-parse", "HEAD"], workdir, "git rev-parse")[-1].strip()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def mirror_folder(source: Path, target: Path, subdirs: Sequence[str] = CORPUS_SUBDIRS) -> Counter:
    """Mirror ``source/<subdir>`` trees into ``target`` like ``rsync -a --delete``.

    New or changed files (size or mtime differ) are copied to a hidden temp file next to the
    target and renamed into place, with the source's mtime; unchanged files are not touched, so
    their mtime (what Snakemake looks at) stays. Creating and renaming files changes the folder
    mtimes, which the manifest checkpoint watches. Files and folders that vanished from the
    source are deleted, as is anything else in ``target`` (it is the runner's own working copy).
    """
    counts: Counter = Counter()
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(os.scandir(target), key=lambda e: e.name):
        if entry.name not in subdirs or not (source / entry.name).is_dir():
            _remove(Path(entry.path))
            counts["removed"] += 1
    for sub in subdirs:
        if (source / sub).is_dir():
            _mirror_tree(source / sub, target / sub, counts)
    return counts


def _mirror_tree(source: Path, target: Path, counts: Counter) -> None:
    for dirpath, dirnames, filenames in os.walk(source):
        rel = os.path.relpath(dirpath, source)
        here = target if rel == "." else target / rel
        if (here.exists() or here.is_symlink()) and (here.is_symlink() or not here.is_dir()):
            _remove(here)
        here.mkdir(parents=True, exist_ok=True)
        for name in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            log.warning("not mirroring symlinked folder %s", os.path.join(dirpath, name))
            dirnames.remove(name)
        dirnames.sort()
        expected = set(dirnames)
        for name in sorted(filenames):
            src = os.path.join(dirpath, name)
            try:
                src_stat = os.stat(src)
            except OSError as exc:
                log.warning("not mirroring %s: %s", src, exc.strerror)
                continue
            if not stat.S_ISREG(src_stat.st_mode):
                log.warning("not mirroring %s: not a regular file", src)
                continue
            expected.add(name)
            dst = here / name
            try:
                dst_stat = os.lstat(dst)
            except FileNotFoundError:
                dst_stat = None
            if (dst_stat is not None and stat.S_ISREG(dst_stat.st_mode) and dst_stat.st_size == src_stat.st_size
                    and dst_stat.st_mtime_ns == src_stat.st_mtime_ns):
                counts["unchanged"] += 1
                continue
            if dst_stat is not None and stat.S_ISDIR(dst_stat.st_mode):
                shutil.rmtree(dst)
            tmp = here / f".{name}.pfocr-sync.tmp"
            try:
                shutil.copyfile(src, tmp)
                shutil.copystat(src, tmp)  # keeps the source mtime: the next sync sees it unchanged
                os.replace(tmp, dst)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            counts["changed" if dst_stat is not None else "added"] += 1
        for entry in os.scandir(here):
            if entry.name not in expected:
                _remove(Path(entry.path))
                counts["removed"] += 1


def _check_corpus(folder: Path, what: str) -> None:
    if not folder.is_dir():
        raise RunFailed("sync", f"{what} {folder} does not exist or is not a folder")
    if not any((folder / sub).is_dir() for sub in CORPUS_SUBDIRS):
        raise RunFailed("sync", f"{what} {folder} has none of the folders {', '.join(CORPUS_SUBDIRS)} "
                                "(wrong path, or a share that is not mounted?); refusing to build from it")


def sync_source(config: ReleaseConfig) -> str:
    """Bring the working copy up to date; returns a description of the source revision."""
    config.corpus_dir.parent.mkdir(parents=True, exist_ok=True)
    if config.source_kind == "git":
        commit = sync_git(config.source, config.branch, config.corpus_dir)
        _check_corpus(config.input_dir, f"git source {config.source} (branch {config.branch}) folder")
        log.info("corpus at %s commit %s", config.branch, commit)
        return f"git:{commit[:12]}"
    source = Path(config.source)
    # An empty or unmounted source would otherwise mirror as "delete everything".
    _check_corpus(source, "source folder")
    counts = mirror_folder(source, config.corpus_dir)
    log.info("mirrored %s: %d added, %d changed, %d removed, %d unchanged", source, counts["added"],
             counts["changed"], counts["removed"], counts["unchanged"])
    return f"folder:+{counts['added']}~{counts['changed']}-{counts['removed']}"


# --------------------------------------------------------------------------- publish


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _visible_files(root: Path) -> Iterator[Path]:
    """Files below ``root`` (or ``root`` itself), skipping hidden names: writers' temp files."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _fingerprint(root: Path, names: Sequence[str]) -> dict[str, tuple[int, int]]:
    out = {}
    for name in names:
        for path in _visible_files(root / name):
            st = path.stat()
            out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out


def release_names(releases_dir: Path) -> list[str]:
    """Published release folders, oldest first."""
    if not releases_dir.is_dir():
        return []
    found = []
    for entry in os.scandir(releases_dir):
        match = RELEASE_NAME.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False):
            found.append((match.group(1), int(match.group(2) or 0), entry.name))
    return [name for *_, name in sorted(found)]


def latest_release(releases_dir: Path) -> str | None:
    link = releases_dir / LATEST
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def unique_release_name(releases_dir: Path, stamp: str) -> str:
    name, n = stamp, 0
    while (releases_dir / name).exists() or (releases_dir / f"{INCOMING_PREFIX}{name}").exists():
        n += 1
        name = f"{stamp}-{n}"
    return name


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Linker:
    """Hard-link (or copy) files into a release and make them readable as the umask allows.

    The pipeline writes through ``tempfile.mkstemp``, which creates files with mode 0600; a
    release is for readers, so read bits are added (on a hard link this changes the build's
    file too, which Snakemake does not mind: only a missing *write* bit marks an output protected).
    """

    def __init__(self, mode: str):
        self.mode = mode
        self.fell_back = False
        self.read_bits = 0o444 & ~_umask()

    def __call__(self, src: Path, dst: Path) -> None:
        if self.mode == "link" and not self.fell_back:
            try:
                os.link(src, dst)
            except OSError as exc:
                log.info("cannot hard-link into the releases folder (%s); copying instead", exc.strerror)
                self.fell_back = True
        if self.mode == "copy" or self.fell_back:
            shutil.copy2(src, dst)
        mode = os.stat(dst).st_mode
        if mode | self.read_bits != mode:
            os.chmod(dst, stat.S_IMODE(mode) | self.read_bits)


def verify_parquet(root: Path) -> int:
    """Read the footer of every Parquet file below ``root``; raise RunFailed on a broken one."""
    import pyarrow.parquet as pq

    checked = 0
    for path in _visible_files(root):
        if path.suffix == ".parquet":
            try:
                pq.read_metadata(path)
            except Exception as exc:  # noqa: BLE001 - any reader error means "do not publish"
                raise RunFailed("publish", f"{path} is not a readable Parquet file: {exc}") from None
            checked += 1
    return checked


def verify_release_manifest(folder: Path) -> bool:
    """Check the files against ``release.json`` (sizes, sha256, rows) with the pipeline's own checker.

    Returns False when there is no release.json or no checker; raises RunFailed on a mismatch.
    """
    if not (folder / "release.json").is_file():
        return False
    try:
        from pfocr_etl.release import verify_release
    except Exception as exc:  # noqa: BLE001 - the checker is optional, the Parquet check still ran
        log.warning("cannot check release.json (pfocr_etl.release.verify_release: %s); skipped", exc)
        return False
    problems = verify_release(folder)
    if problems:
        raise RunFailed("publish", f"the release does not match its release.json ({len(problems)} problems): "
                        + "; ".join(problems[:10]))
    return True


def publish(build_dir: Path, releases_dir: Path, stamp: str, mode: str = "link",
            publish_unchanged: bool = True) -> Path | None:
    """Publish the build's products as ``releases_dir/<stamp>`` and point ``latest`` at it.

    Returns the new release, or None when the products equal ``latest`` and
    ``publish_unchanged`` is false. The release is assembled in a hidden ``.incoming-`` folder
    and renamed into place, so a release folder is complete from the moment it appears.
    """
    present = [name for name, _ in PRODUCTS if (build_dir / name).exists()]
    missing = [name for name, required in PRODUCTS if required and name not in present]
    if missing:
        raise RunFailed("publish", f"the build in {build_dir} has no {', '.join(missing)}: nothing to publish")
    for name, required in PRODUCTS:
        if not required and name not in present:
            log.info("the build has no %s (optional product); not published", name)
    releases_dir.mkdir(parents=True, exist_ok=True)
    current = latest_release(releases_dir)
    if not publish_unchanged and current and (releases_dir / current).is_dir():
        if _fingerprint(build_dir, present) == _fingerprint(releases_dir / current, present):
            log.info("the build's products are identical to the latest release %s: nothing new to publish", current)
            return None
    name = unique_release_name(releases_dir, stamp)
    incoming = releases_dir / f"{INCOMING_PREFIX}{name}"
    incoming.mkdir()
    link = _Linker(mode)
    try:
        files = 0
        for product in present:
            src_root = build_dir / product
            for src in _visible_files(src_root):
                dst = incoming / src.relative_to(build_dir)
                dst.parent.mkdir(parents=True, exist_ok=True)
                link(src, dst)
                files += 1
        checked = verify_parquet(incoming)
        verified = verify_release_manifest(incoming)
        os.rename(incoming, releases_dir / name)
    except BaseException:
        shutil.rmtree(incoming, ignore_errors=True)
        raise
    _fsync_dir(releases_dir)
    log.info("published %s: %d files (%d Parquet files checked%s), %s", releases_dir / name, files, checked,
             ", checksums match release.json" if verified else "",
             "copied" if mode == "copy" or link.fell_back else "hard-linked")
    point_latest(releases_dir, name)
    return releases_dir / name


def point_latest(releases_dir: Path, name: str) -> None:
    """Atomically move the ``latest`` symlink to ``name`` (relative, so the folder can move)."""
    latest = releases_dir / LATEST
    if latest.exists() and not latest.is_symlink():
        raise RunFailed("publish", f"{latest} exists and is not a symlink; move it away")
    tmp = releases_dir / f"{LATEST}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(name, tmp)
    os.replace(tmp, latest)
    _fsync_dir(releases_dir)
    log.info("%s -> %s", latest, name)


def prune_releases(releases_dir: Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` releases; the one ``latest`` points to always stays."""
    names = release_names(releases_dir)
    keep_set = set(names[-keep:]) if keep > 0 else set()
    current = latest_release(releases_dir)
    if current:
        keep_set.add(current)
    removed = []
    for name in names:
        if name in keep_set:
            continue
        doomed = releases_dir / f"{DELETING_PREFIX}{name}"
        os.rename(releases_dir / name, doomed)  # gone from view at once, deleted below
        shutil.rmtree(doomed)
        removed.append(name)
    if removed:
        log.info("deleted old releases (keep %d): %s", keep, ", ".join(removed))
    return removed


def clean_leftovers(releases_dir: Path) -> None:
    """Remove half-built or half-deleted folders of runs that crashed (we hold the lock)."""
    if not releases_dir.is_dir():
        return
    for entry in os.scandir(releases_dir):
        if entry.name.startswith((INCOMING_PREFIX, DELETING_PREFIX)) and entry.is_dir(follow_symlinks=False):
            log.warning("removing %s left by an interrupted run", entry.path)
            shutil.rmtree(entry.path)


def clean_build_temp_files(build_dir: Path) -> int:
    """Delete hidden ``.<name>.<random>.tmp`` files that writers killed mid-write left in the build.

    The pipeline writes every output to such a temp file and renames it into place; SIGKILL
    between the two leaves the temp file behind forever (dataset readers skip hidden files, but
    they pile up). Only called while holding the lock after a crashed run, so no writer is alive.
    """
    removed = 0
    if build_dir.is_dir():
        for path in build_dir.rglob(".*.tmp"):
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed += 1
    if removed:
        log.info("removed %d temporary file(s) that the interrupted run left in %s", removed, build_dir)
    return removed


def count_rows(folder: Path) -> int | None:
    """Rows of a Parquet dataset folder, from the footers only; None if there is no such folder."""
    if not folder.is_dir():
        return None
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(path).num_rows for path in _visible_files(folder) if path.suffix == ".parquet")


# --------------------------------------------------------------------------- the run


def _snakemake_command() -> list[str]:
    exe = Path(sys.executable).with_name("snakemake")
    return [str(exe)] if os.access(exe, os.X_OK) else [sys.executable, "-m", "snakemake"]


def _prune_logs(logs_dir: Path, keep: int) -> None:
    stems = sorted({p.name.split(".", 1)[0] for p in logs_dir.glob("*.log")})
    for stem in stems[:-keep]:
        for path in logs_dir.glob(f"{stem}.*"):
            path.unlink(missing_ok=True)


class Runner:
    def __init__(self, config: ReleaseConfig, lock: RunLock, stamp: str, extra_args: Sequence[str] = ()):
        self.config = config
        self.lock = lock
        self.stamp = stamp
        self.extra_args = list(extra_args)
        self.durations: dict[str, float] = {}
        self.record: dict = {"run": stamp, "config": str(config.path), "status": "running"}
        self.log_path = config.logs_dir / f"{stamp}.log"
        # Unbuffered: Snakemake's lines reach the run log as they happen, not in one block at exit.
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        venv_bin = str(Path(sys.executable).parent)
        self.env["PATH"] = venv_bin + os.pathsep + self.env.get("PATH", os.defpath)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.record["stage"] = name
        start = time.monotonic()
        try:
            yield
        finally:
            self.durations[name] = time.monotonic() - start

    def snakemake_base(self) -> list[str]:
        config = self.config
        configfiles = [str(p) for p in (config.snakefile.parent / "config.yaml", config.pipeline_config_path)
                       if p.is_file()]
        return [*_snakemake_command(), "--snakefile", str(config.snakefile), "--directory", str(config.state_dir),
                "--configfile", *configfiles]

    def config_args(self) -> list[str]:
        # Last on the command line: --config takes every following argument.
        return ["--config", f"input_dir={self.config.input_dir}", f"output_dir={self.config.build_dir}"]

    def write_pipeline_config(self) -> None:
        config = self.config
        data = {**config.pipeline_config, "input_dir": str(config.input_dir), "output_dir": str(config.build_dir)}
        tmp = config.pipeline_config_path.with_name(f".{config.pipeline_config_path.name}.tmp")
        tmp.write_text("# Written by pfocr-release for every run; edit the runner's configuration instead.\n"
                       + yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, config.pipeline_config_path)

    def snakemake(self, args: Sequence[str], what: str, tracker: JobTracker | None = None) -> None:
        cmd = [*self.snakemake_base(), "--cores", self.config.cores, *args, *self.config.snakemake_args,
               *self.extra_args, *self.config_args()]
        errors: list[str] = []
        code, tail = run_command(cmd, cwd=self.config.state_dir, lock=self.lock, tracker=tracker, env=self.env,
                                 errors=errors)
        if code != 0:
            last = [line for line in tail if line.strip()][-12:]
            raise RunFailed(self.record["stage"], f"{what} failed (snakemake exit {code})"
                            + ("; errors reported:\n    " + "\n    ".join(errors) if errors else "")
                            + "\n  last output:\n    " + "\n    ".join(last))

    def unlock_snakemake(self) -> None:
        # Snakemake keeps its own lock as files in <state_dir>/.snakemake/locks; a run killed with
        # SIGKILL (OOM killer, reboot, `systemctl kill`) leaves them behind and every later
        # snakemake call would fail with "Directory cannot be locked". Removing them with
        # `snakemake --unlock` is only safe when no other Snakemake works in this folder. We hold
        # our flock here, and every Snakemake we start inherits that lock's descriptor, so no other
        # run of ours, and no orphaned Snakemake of a killed run of ours, can be alive. (Running
        # Snakemake by hand in state_dir is not supported: it would not hold our lock.)
        log.info("removing the stale Snakemake lock of an interrupted run (snakemake --unlock)")
        cmd = [*self.snakemake_base(), "--unlock", *self.config.snakemake_args, *self.config_args()]
        code, tail = run_command(cmd, cwd=self.config.state_dir, lock=self.lock, env=self.env)
        if code != 0:
            raise RunFailed("recover", f"snakemake --unlock failed (exit {code}): " + " | ".join(tail[-5:]))

    def run(self, previous_holder: dict | None) -> int:
        config = self.config
        before = latest_release(config.releases_dir)
        self.record["previous_latest"] = before
        tracker = JobTracker()
        total_start = time.monotonic()
        try:
            with self.stage("recover"):
                self.write_pipeline_config()
                locks = config.state_dir / ".snakemake" / "locks"
                if previous_holder or (locks.is_dir() and any(locks.iterdir())):
                    self.unlock_snakemake()
                if previous_holder:
                    clean_build_temp_files(config.build_dir)
                clean_leftovers(config.releases_dir)
            with self.stage("sync"):
                self.record["source"] = sync_source(config)
            with self.stage("manifest"):
                self.snakemake(["--forcerun", "build_manifest", "--until", "build_manifest"], "manifest refresh")
            with self.stage("build"):
                try:
                    self.snakemake(["--rerun-incomplete", "--keep-going"], "build", tracker)
                finally:
                    self.record["jobs"] = tracker.finished()
            with self.stage("publish"):
                release = publish(config.build_dir, config.releases_dir, self.stamp, config.publish_mode,
                                  config.publish_unchanged)
                prune_releases(config.releases_dir, config.keep)
        except RunFailed as exc:
            return self._fail(exc.stage, str(exc), before, total_start)
        except Terminated as exc:
            self._fail(self.record.get("stage", "?"), f"terminated by {exc}", before, total_start)
            return EXIT_TERMINATED
        except KeyboardInterrupt:
            self._fail(self.record.get("stage", "?"), "interrupted (SIGINT)", before, total_start)
            return EXIT_TERMINATED
        except Exception as exc:  # noqa: BLE001 - an unattended run must log every failure
            log.exception("unexpected error")
            return self._fail(self.record.get("stage", "?"), f"unexpected error: {exc!r}", before, total_start)
        self.durations["total"] = time.monotonic() - total_start
        current = latest_release(config.releases_dir)
        shown = release if release is not None else config.releases_dir / current
        figures = count_rows(shown / "tables" / "figures")
        jobs = self.record.get("jobs", [])
        per_rule = Counter(job["rule"] for job in jobs)
        self.record.update(status="ok", stage="done", release=str(shown), published=release is not None,
                           figures=figures, durations=self._rounded())
        log.info("run report: ok release=%s%s figures=%s %s jobs=%d%s source=%s", shown,
                 "" if release is not None else " (unchanged, not republished)",
                 "n/a" if figures is None else figures, self._durations_text(), len(jobs),
                 f" ({', '.join(f'{r}:{n}' for r, n in sorted(per_rule.items()))})" if jobs else "",
                 self.record.get("source"))
        return EXIT_OK

    def _rounded(self) -> dict:
        return {name: round(seconds, 2) for name, seconds in self.durations.items()}

    def _durations_text(self) -> str:
        return " ".join(f"{name}={self.durations[name]:.1f}s"
                        for name in ("sync", "manifest", "build", "publish", "total") if name in self.durations)

    def _fail(self, stage: str, message: str, before: str | None, total_start: float) -> int:
        self.durations["total"] = time.monotonic() - total_start
        log.error("%s stage failed: %s", stage, message)
        latest = latest_release(self.config.releases_dir)
        self.record.update(status="failed", stage=stage, error=message, durations=self._rounded(), latest=latest)
        log.error("run report: FAILED stage=%s latest=%s%s %s log=%s", stage,
                  self.config.releases_dir / latest if latest else "(none)",
                  " (unchanged)" if latest == before else "", self._durations_text(),
                  self.log_path)
        return EXIT_FAILED


# --------------------------------------------------------------------------- CLI


def _parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    argv = list(argv)
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(
        prog="pfocr-release", usage="%(prog)s [-h] [--check] [-v] CONFIG [-- SNAKEMAKE_ARG ...]",
        description="Scheduled PFOCR release: lock, sync the corpus, build with Snakemake, publish "
                    "<releases_dir>/<UTC timestamp>/ and move <releases_dir>/latest (docs/scheduled-releases.md).",
        epilog="Arguments after -- are passed to both Snakemake invocations (e.g. -- --sdm conda). "
               "Exit codes: 0 ok, 1 run failed (latest unchanged), 2 bad configuration, "
               "75 another run holds the lock, 143 terminated.")
    parser.add_argument("config", help="the runner's YAML configuration (workflow/schemas/scheduled.schema.yaml)")
    parser.add_argument("--check", action="store_true", help="validate the configuration and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="echo Snakemake's and git's output to stderr too")
    return parser.parse_args(argv), extra


def _on_signal(signum, frame):  # noqa: ARG001
    raise Terminated(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> int:
    args, extra = _parse_args(sys.argv[1:] if argv is None else argv)
    formatter = logging.Formatter("%(asctime)sZ pfocr-release %(levelname)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(formatter)
    log.setLevel(logging.INFO)
    log.propagate = False
    snakemake_log.setLevel(logging.INFO)
    snakemake_log.propagate = False
    log.addHandler(console)
    output_console = logging.StreamHandler(sys.stderr)
    output_console.setFormatter(logging.Formatter("    | %(message)s"))
    if args.verbose:
        snakemake_log.addHandler(output_console)
    handlers: list[logging.Handler] = []
    lock: RunLock | None = None
    previous_signals = {}
    try:
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            log.error("%s", exc)
            return EXIT_CONFIG
        bad = [arg for arg in extra if arg.split("=", 1)[0] in FORBIDDEN_ARGS]
        if bad:
            log.error("not allowed after --: %s", "; ".join(f"{a} ({FORBIDDEN_ARGS[a.split('=', 1)[0]]})" for a in bad))
            return EXIT_CONFIG
        if args.check:
            log.info("configuration %s is valid: %s source %s -> state %s, releases %s (keep %d)", config.path,
                     config.source_kind, config.source, config.state_dir, config.releases_dir, config.keep)
            return EXIT_OK
        lock = RunLock(config.lock_path)
        try:
            previous = lock.acquire()
        except LockBusy as exc:
            log.error("%s", exc)
            return EXIT_BUSY
        started = _utcnow()
        stamp = started.strftime(STAMP_FORMAT)
        config.logs_dir.mkdir(parents=True, exist_ok=True)
        run_id, n = stamp, 0
        while (config.logs_dir / f"{run_id}.log").exists():
            n += 1
            run_id = f"{stamp}-{n}"
        log_path = config.logs_dir / f"{run_id}.log"
        file_handler = logging.FileHandler(log_path, encoding="utf-8")
        file_handler.setFormatter(formatter)
        output_handler = logging.FileHandler(log_path, encoding="utf-8")
        output_handler.setFormatter(logging.Formatter("    | %(message)s"))
        log.addHandler(file_handler)
        snakemake_log.addHandler(output_handler)
        handlers += [file_handler, output_handler]
        log.info("run %s started (pid %d on %s), config %s, log %s", run_id, os.getpid(), socket.gethostname(),
                 config.path, log_path)
        if previous:
            log.warning("%s", lock.takeover_message(previous))
        if threading_is_main():
            for signum in (signal.SIGTERM, signal.SIGHUP):
                previous_signals[signum] = signal.signal(signum, _on_signal)
        runner = Runner(config, lock, stamp, extra)
        runner.record["run"], runner.log_path = run_id, log_path
        try:
            return runner.run(previous)
        finally:
            record_path = config.logs_dir / f"{run_id}.json"
            record_path.write_text(json.dumps(runner.record, indent=2, default=str) + "\n", encoding="utf-8")
            _prune_logs(config.logs_dir, config.keep_logs)
    finally:
        for signum, handler in previous_signals.items():
            signal.signal(signum, handler)
        if lock is not None:
            lock.release()
        for handler in handlers:
            handler.close()
            log.removeHandler(handler)
            snakemake_log.removeHandler(handler)
        log.removeHandler(console)
        snakemake_log.removeHandler(output_console)


def threading_is_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":
    sys.exit(main())
