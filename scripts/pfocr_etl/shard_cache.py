"""Per-figure reuse inside a shard job: a rebuild redoes only the figures whose inputs changed.

New figures land in the newest shard, next to the figures already there, and Snakemake re-runs
the whole shard. Re-annotating the unchanged ones was most of that job in a 1 % rebuild (1,806
of its 2,806 figures at 100k). So the annotate job keeps its per-figure rows in
``<output_dir>/cache/<job>/<shard>/``, beside the digest of each figure's inputs
(:func:`figure_input_digests`, written by the parse job) and a key over everything else the rows
depend on (:func:`dependency_key`: code, references, settings, library versions). A figure whose
digest and key match gets its rows back; the others are computed as before.

Correctness rests on three properties, each tested:

* a figure's rows depend only on its own inputs, so computing a subset of the shard gives the
  same rows for it as computing the whole shard (``tests/test_shard_cache.py`` compares both on
  the sample, the seeds and a generated corpus);
* every per-figure table is sorted with ``figid`` first, and a stable sort of cached and new
  rows keeps each figure's rows in the order they were computed in: output is byte-identical;
* the cache folder is replaced in one rename after the outputs are written, and its files are
  hard links to outputs, which are only ever replaced, never rewritten. A job killed at any
  point leaves the earlier cache or none, both valid; a damaged cache is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from pfocr_etl.parquet_io import read_table

FORMAT = "1"  # bump when the cache layout changes
INPUTS_FILE = "figure_inputs.parquet"
KEY_FILE = "key"
PathLike = str | os.PathLike


def dependency_key(content: Iterable[PathLike] = (), stat: Iterable[PathLike] = (),
                   settings: Mapping | None = None) -> str:
    """Digest of what a job's rows depend on besides the figures' own files.

    ``content``: small files (code, resources) by their bytes; their paths may change between
    runs (Snakemake hands ``workflow.source_path`` files over from a per-run folder).
    ``stat``: large files (reference tables) by path, size and modification time, as Snakemake
    judges them. Also the settings and the Python, pyarrow and numpy versions; a job using
    another library puts its version in ``settings``.
    """
    import numpy

    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for data in sorted(hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in content):
        digest.update(f"{data}\n".encode())
    for path in sorted(map(str, stat)):
        info = os.stat(path)
        digest.update(f"{path}\t{info.st_size}\t{info.st_mtime_ns}\n".encode())
    versions = {"python": sys.version, "pyarrow": pa.__version__, "numpy": numpy.__version__}
    digest.update(json.dumps({"settings": settings or {}, "versions": versions}, sort_keys=True).encode())
    return digest.hexdigest()


def figure_input_digests(figids: Iterable[str], files: Iterable[tuple[str, str | None]],
                         figure_of: Mapping[str, str | None], key: str) -> list[dict]:
    """``figure_inputs`` rows: per figure, a sha256 over ``key`` and the (path, sha256) of its files.

    ``files`` are every file the job read; ``figure_of`` gives the figure a file belongs to (its
    record, any duplicate record of the same figid, its ``_data`` tables, accepted or not).
    """
    members: dict[str, list[str]] = {}
    for path, sha256 in files:
        figid = figure_of.get(path)
        if figid is not None:
            members.setdefault(figid, []).append(f"{path}\t{sha256}")
    rows = []
    for figid in sorted(set(figids)):
        text = "\n".join([key, *sorted(members.get(figid, []))])
        rows.append({"figid": figid, "input_sha256": hashlib.sha256(text.encode()).hexdigest()})
    return rows


class FigureCache:
    """One shard's cached per-figure rows, valid for figures whose input digest is unchanged."""

    def __init__(self, directory: PathLike, key: str):
        self.directory = Path(directory)
        self.key = key
        self.problem: str | None = None  # why an existing cache was ignored, for the log

    def reuse(self, inputs: pa.Table, tables: Iterable[str]) -> tuple[pa.Array, dict[str, pa.Table]]:
        """Figids of ``inputs`` (a ``figure_inputs`` table) whose rows the cache holds, in its order,
        and those rows of each of ``tables`` (output names, each also its schema's name).

        Nothing is reused when the key differs or any cached file cannot be read.
        """
        none = pa.array([], pa.string())
        try:
            if (self.directory / KEY_FILE).read_text(encoding="utf-8").strip() != self.key:
                self.problem = "its code, references or settings differ"
                return none, {}
        except FileNotFoundError:
            return none, {}
        try:
            cached = read_table(self.directory / INPUTS_FILE, "figure_inputs")
            same = pc.is_in(_joined(inputs), value_set=_joined(cached))
            figids = inputs["figid"].filter(same).combine_chunks()  # figure_inputs is sorted by figid
            rows = {}
            for name in tables if len(figids) else ():
                table = read_table(self.directory / f"{name}.parquet", name)
                rows[name] = table.filter(pc.is_in(table["figid"], value_set=figids))
        except (OSError, ValueError, KeyError, pa.ArrowException) as exc:  # KeyError: a column missing
            self.problem = f"unreadable ({exc!r})"
            return none, {}
        return figids, rows

    def store(self, outputs: Mapping[str, PathLike], inputs: PathLike) -> None:
        """Replace the cache with hard links to ``outputs`` (name: path) and the figures' ``inputs``."""
        parent, name = self.directory.parent, self.directory.name
        parent.mkdir(parents=True, exist_ok=True)
        for leftover in parent.glob(f".{name}.*"):  # of a job killed while storing
            shutil.rmtree(leftover, ignore_errors=True)
        staging = parent / f".{name}.{os.getpid()}.new"
        staging.mkdir()
        for file_name, path in [*((f"{n}.parquet", p) for n, p in outputs.items()), (INPUTS_FILE, inputs)]:
            _link_or_copy(Path(path), staging / file_name)
        (staging / KEY_FILE).write_text(self.key + "\n", encoding="utf-8")
        retired = parent / f".{name}.{os.getpid()}.old"
        if self.directory.exists():
            os.rename(self.directory, retired)
        os.rename(staging, self.directory)
        shutil.rmtree(retired, ignore_errors=True)


def _joined(inputs: pa.Table) -> pa.ChunkedArray:
    return pc.binary_join_element_wise(inputs["figid"], inputs["input_sha256"], "\t")


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)
