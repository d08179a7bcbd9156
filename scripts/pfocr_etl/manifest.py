"""Manifest: list the corpus files and assign each to a shard.

Shards are ranges of the PMC number found at the start of a file name
(``PMC3670266__jkst-2-e22996-g1.md`` -> 3670266 // shard_width). PMC numbers
only grow, so newly published figures land in the newest shards and a rebuild
touches few of them. Files whose name carries no PMC number (article pages
saved under other names) go to the shard ``misc``.

PMC numbers are sparse in old ranges and dense in new ones, so fixed-width
shards are either many small jobs (each paying ~1 s of start-up) or a few huge
ones. With ``max_figures``, neighbouring ranges merge: each aligned block of
``2**MAX_MERGE_LEVELS`` ranges is one shard when it holds at most ``max_figures``
figure records, else it is halved, recursively, down to single ranges
(:func:`plan_shards`). Figures, not files, are counted: a job's time and memory
follow its figures, and old records carry their mentions inline, with no tables.
The newest block, where new figures land, has its own (smaller) limit
(:func:`block_limits`). The plan is a function of the corpus alone, so an
incremental build and a from-scratch build agree; new files change only the
block they land in (which may split).

Each shard gets a list file of ``(path, kind, size, mtime_ns)`` rows, sorted by
path. A shard whose files did not change gets its list back from the cache as a
hard link (or a copy with the same modification time), so Snakemake, comparing
modification times, does not re-run its jobs; lists of large shards are over its
checksum size limit.

The manifest does not read file contents. Hashing here was a pass of cold reads
over the whole corpus that nothing could overlap (50.8 s of a 416 s first build
at 300k figures), and the parse jobs read every file anyway. They record the
sha256 of each file they parse (``corpus_files``), and the corpus fingerprint is
built from those (:func:`corpus_fingerprint`).

A refresh hashes only files whose mtime changed but whose size did not, and
compares them with those recorded digests: a file touched without a change keeps
its listed mtime, so its shard does not re-run. A cache folder next to the lists
remembers, per shard, what was listed (``(path, size, mtime_ns, listed_mtime_ns)``)
and the list as written, since Snakemake deletes the lists folder before the
manifest job runs. A shard whose files all match the cache gets its kept list back
as a hard link: in a rebuild after new figures, formatting and writing the lists
and the cache of every shard took ~0.6 s of the manifest's ~2.5 s at 100k figures.
A signature per shard (sha256 over its files' paths, sizes and mtimes as scanned)
lets an unchanged shard skip even the walk through its cache rows (~0.4 s at 100k).
"""

from __future__ import annotations

import csv
import filecmp
import hashlib
import itertools
import os
import re
import shutil
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from pfocr_etl.atomic import write_text

FIGURES_DIR = "_figures"
DATA_DIR = "_data"
PAPERS_DIR = "papers"
INPUT_SUBDIRS = (FIGURES_DIR, DATA_DIR, PAPERS_DIR)

MISC_SHARD = "misc"
FINGERPRINT_FILE = "corpus.json"
LIST_HEADER = ("path", "kind", "size", "mtime_ns")
CACHE_HEADER = ("path", "size", "mtime_ns", "listed_mtime_ns")
# In the cache folder, per shard: what was listed (the cache rows) and the list as written.
CACHE_SUFFIX = ".cache.tsv"
KEPT_LIST_SUFFIX = ".list.tsv"
SIGNATURE_SUFFIX = ".sig"

# Matched at the start of the file name with .match(path, position): no slicing of a million paths.
_PMC_PREFIX = re.compile(r"PMC(\d+)", re.IGNORECASE)
# "<figid>-genes.tsv" -> genes_tsv: looked up by what follows the last "-" (a regex search per
# name was ~0.2 s of a 100k-figure scan).
_TABLE_KINDS = {f"{table}.tsv": f"{table}_tsv" for table in ("genes", "chemicals", "diseases")}


class InputFile(NamedTuple):  # a tuple: a million of them are built per scan
    path: str  # relative to input_dir, '/'-separated
    kind: str  # figure, genes_tsv, chemicals_tsv, diseases_tsv, article, unrecognized
    size: int
    mtime_ns: int


def classify(relpath: str) -> str:
    """The kind of an input file, from its folder and name alone."""
    top, _, rest = relpath.partition("/")
    return _classify_name(top, rest.rsplit("/", 1)[-1])


def _classify_name(top: str, name: str) -> str:
    if top == FIGURES_DIR and name.endswith(".md"):
        return "figure"
    if top == DATA_DIR:
        _, dash, suffix = name.rpartition("-")
        if dash and suffix in _TABLE_KINDS:
            return _TABLE_KINDS[suffix]
    if top == PAPERS_DIR and name.lower().endswith((".txt", ".html", ".htm")):
        return "article"
    return "unrecognized"


# A merged shard spans at most 2**6 = 64 neighbouring ranges (4M PMC numbers at the default 62,500).
MAX_MERGE_LEVELS = 6


def shard_name(first_range: int, n_ranges: int, shard_width: int) -> str:
    """``pmc03500000`` for one range; ``pmc00000000-03999999`` (last PMC number included) for a block."""
    start = first_range * shard_width
    if n_ranges == 1:
        return f"pmc{start:08d}"
    return f"pmc{start:08d}-{start + n_ranges * shard_width - 1:08d}"


def plan_shards(figures_per_range: Mapping[int, int], shard_width: int, max_figures: int,
                levels: int = MAX_MERGE_LEVELS, newest_max_figures: int = 0) -> dict[int, str]:
    """The shard name of every range listed (ranges with files but no figure are listed with 0).

    Each aligned block of ``2**levels`` ranges is one shard if it holds at most
    ``max_figures`` figures, else each half is planned the same way, down to single
    ranges (which may hold more). ``max_figures=0`` keeps every range its own shard.
    ``newest_max_figures`` (if smaller) is the limit in the newest block, the one with the
    highest range holding a figure, where new figures land (see :func:`block_limits`).
    """
    plan: dict[int, str] = {}

    def place(first: int, size: int, ranges: list[int], limit: int) -> None:
        if size == 1 or (limit and sum(figures_per_range[r] for r in ranges) <= limit):
            name = shard_name(first, size, shard_width)
            plan.update((r, name) for r in ranges)
            return
        half = first + size // 2
        place(first, size // 2, [r for r in ranges if r < half], limit)
        place(half, size // 2, [r for r in ranges if r >= half], limit)

    block_size = 2 ** levels
    blocks: dict[int, list[int]] = {}
    for index in sorted(figures_per_range):
        blocks.setdefault(index // block_size, []).append(index)
    limits = block_limits(figures_per_range, block_size, max_figures, newest_max_figures)
    for block, ranges in blocks.items():
        place(block * block_size, block_size, ranges, limits.get(block, max_figures))
    return plan


def block_limits(figures_per_range: Mapping[int, int], block_size: int, max_figures: int,
                 newest_max_figures: int) -> dict[int, int]:
    """{block: figure limit} where it differs from ``max_figures``: the newest block's.

    Every rebuild after new figures parses and annotates again the shard they land in, so
    shards are small there and large elsewhere (fewer jobs, each paying ~1 s of start-up).
    When the PMC numbers move on to the next block, the old one is planned again with
    ``max_figures``: its shards merge and run once more.
    """
    with_figures = [index for index, count in figures_per_range.items() if count]
    if not (with_figures and max_figures and 0 < newest_max_figures < max_figures):
        return {}
    return {max(with_figures) // block_size: newest_max_figures}


def assign_shards(paths: Sequence[str], kinds: Sequence[str], shard_width: int, max_figures: int = 0,
                  newest_max_figures: int = 0) -> list[str]:
    """The shard of each path (see :func:`plan_shards`); ``kinds`` as given by :func:`classify`.

    A path's range is the ``shard_width`` range of the PMC number its file name starts with
    (None without one: the ``misc`` shard).
    """
    return _assign_ranges(_pmc_ranges(paths, shard_width), kinds, shard_width, max_figures, newest_max_figures)


def _pmc_ranges(paths: Sequence[str], shard_width: int) -> list[int | None]:
    match = _PMC_PREFIX.match  # in the comprehension, not a function per path (~a third of this at 10^5 files)
    return [int(found.group(1)) // shard_width if (found := match(path, path.rfind("/") + 1)) else None
            for path in paths]


def _assign_ranges(ranges: Sequence[int | None], kinds: Sequence[str], shard_width: int, max_figures: int,
                   newest_max_figures: int) -> list[str]:
    figures: Counter[int] = Counter()
    for index, kind in zip(ranges, kinds):
        if index is not None:
            figures[index] += kind == "figure"
    plan = plan_shards(figures, shard_width, max_figures, newest_max_figures=newest_max_figures)
    return [MISC_SHARD if r is None else plan[r] for r in ranges]


# Below this many files the manifest works alone: starting worker processes costs more.
PARALLEL_SCAN_FILES = 20_000


def list_inputs(input_dir: str | os.PathLike) -> tuple[list[str], list[str]]:
    """Paths (relative to ``input_dir``, sorted) and kinds of all non-hidden files below the input sub-folders.

    Symbolic links to files are listed; links to folders are not descended into.
    """
    paths, kinds, _ = _listing(os.fspath(input_dir), 0, workers=1)
    return paths, kinds


def _listing(root: str, shard_width: int, workers: int) -> tuple[list[str], list[str], list[int | None]]:
    """:func:`list_inputs` and each path's PMC range (none for ``shard_width`` 0), a sub-folder per forked worker.

    Every path below ``_data/`` sorts before every path below ``_figures/``, and those before
    ``papers/``, so each worker sorts its own folder's paths and the parent only joins them:
    at 100k figures, listing, sorting and ranging in one process took ~0.65 s.
    """
    import multiprocessing

    # Forked whenever there are workers and folders to share: the corpus size is not known yet,
    # and a small corpus pays ~6 ms for the two processes.
    subs = [sub for sub in sorted(INPUT_SUBDIRS) if os.path.isdir(os.path.join(root, sub))]
    if workers < 2 or len(subs) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        parts = [_list_top(root, sub, shard_width) for sub in subs]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(min(workers, len(subs)), mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_list_top, itertools.repeat(root), subs, itertools.repeat(shard_width)))
    paths = list(itertools.chain.from_iterable(part[0] for part in parts))
    kinds = list(itertools.chain.from_iterable(part[1] for part in parts))
    ranges = list(itertools.chain.from_iterable(part[2] for part in parts))
    return paths, kinds, ranges


def _list_top(root: str, sub: str, shard_width: int) -> tuple[list[str], list[str], list[int | None]]:
    """One input sub-folder's files in path order, their kinds and PMC ranges."""
    paths: list[str] = []
    kinds: list[str] = []
    _list_folder(os.path.join(root, sub), sub, sub, paths, kinds)
    order = sorted(range(len(paths)), key=paths.__getitem__)
    paths = [paths[i] for i in order]
    return paths, [kinds[i] for i in order], _pmc_ranges(paths, shard_width) if shard_width else []


def scan_inputs(input_dir: str | os.PathLike) -> list[InputFile]:
    """:func:`list_inputs` with each file's size and mtime (links followed), sorted by path."""
    paths, kinds = list_inputs(input_dir)
    return _stat_files(os.fspath(input_dir), paths, kinds, range(len(paths)))


def _list_folder(folder: str, relative: str, top: str, paths: list[str], kinds: list[str]) -> None:
    # os.scandir, not os.walk + os.path.relpath: at 10^6 files the path arithmetic dominated.
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{relative}/{name}"
            if entry.is_dir():
                if not entry.is_symlink():
                    _list_folder(entry.path, rel, top, paths, kinds)
                continue
            paths.append(rel)
            kinds.append(_classify_name(top, name))


def _stat_files(root: str, paths: Sequence[str], kinds: Sequence[str], indices: Iterable[int]) -> list[InputFile]:
    """The listed files at ``indices`` with their sizes and mtimes (ns)."""
    found = []
    descriptor = os.open(root, os.O_RDONLY)
    try:
        for i in indices:
            path = paths[i]
            stat = os.stat(path, dir_fd=descriptor)  # relative to the open folder: a shorter path walk
            found.append(InputFile(path, kinds[i], stat.st_size, stat.st_mtime_ns))
    finally:
        os.close(descriptor)
    return found


# Files up to this size are hashed from one read: corpus files are a few kB, and a chunked
# read with a large buffer allocates that buffer for every small file.
WHOLE_READ_LIMIT = 8 << 20


def sha256_file(path: str | os.PathLike) -> str:
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size <= WHOLE_READ_LIMIT:
            return hashlib.sha256(handle.read()).hexdigest()
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _tsv_rows(handle: Iterable[str]) -> Iterator[list[str]]:
    """Rows of a TSV written by :func:`_write_tsv`: split directly until a quoted field appears."""
    for line in handle:
        if '"' in line:  # the csv module reads quoted fields, which may span lines, from here on
            yield from csv.reader(itertools.chain([line], handle), delimiter="\t")
            return
        yield line.rstrip("\n").split("\t")


# Characters that make the csv module quote a field; names without them are written directly.
QUOTED_CHARACTERS = '\t\n\r"'


def _write_tsv(path: Path, header: tuple[str, ...], rows: Iterable[tuple], plain: bool) -> None:
    """Write rows atomically; ``plain``: no path needs quoting, so skip the csv module (same bytes, faster)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        if plain:
            handle.write("\t".join(header) + "\n")
            line = "\t".join(["%s"] * len(header)) + "\n"  # %-formatting: ~2x faster than join(map(str))
            handle.writelines(line % row for row in rows)
        else:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    os.replace(tmp, path)


def build_manifest(input_dir: str | os.PathLike, shards_dir: str | os.PathLike,
                   shard_width: int, max_figures: int = 0, cache_dir: str | os.PathLike | None = None,
                   work_dir: str | os.PathLike | None = None, newest_max_figures: int = 0,
                   workers: int = 1) -> dict[str, int]:
    """Write ``<shards_dir>/<shard>.tsv`` lists; return files per shard.

    ``max_figures``: merge sparse neighbouring ranges into shards of up to this many figure
    records (:func:`plan_shards`); 0 keeps one shard per ``shard_width`` range.
    ``newest_max_figures``: the smaller limit of the newest block (:func:`block_limits`).
    ``workers``: processes that share the shards (:func:`_for_each_shard`).
    ``cache_dir`` and ``work_dir`` (the parse jobs' ``<shard>/corpus_files.parquet``): keep the
    listed mtime of files touched without a change, and link the lists of unchanged shards
    instead of writing them again (see the module notes).

    Raises FileNotFoundError when ``input_dir`` has none of the expected
    sub-folders, since an empty corpus is almost always a wrong path.
    """
    root = Path(input_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"input_dir {root} does not exist or is not a folder")
    if not any((root / sub).is_dir() for sub in INPUT_SUBDIRS):
        raise FileNotFoundError(
            f"input_dir {root} has none of the folders {', '.join(INPUT_SUBDIRS)}: "
            "point input_dir at a PFOCR corpus (the folder holding _figures/ and _data/)")
    paths, kinds, ranges = _listing(os.fspath(root), shard_width, workers)
    assigned = _assign_ranges(ranges, kinds, shard_width, max_figures, newest_max_figures)
    del ranges
    # Indices as packed arrays, not lists of ints: 4 bytes per file instead of ~36.
    shards: dict[str, array] = {}
    for index, shard in enumerate(assigned):
        shards.setdefault(shard, array("I")).append(index)  # in path order, as paths are
    del assigned
    out = Path(shards_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache = Path(cache_dir) if cache_dir else None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        # Earlier versions kept one cache file beside the folder; nothing reads it any more.
        cache.with_name(f"{cache.name}.tsv").unlink(missing_ok=True)
    scan = _Scan(root, paths, kinds, shards, out, cache, Path(work_dir) if work_dir else None)
    _for_each_shard(scan, workers)
    if cache is not None:
        for stale in cache.iterdir():  # shards that no longer exist
            if stale.name.split(".", 1)[0] not in shards:
                stale.unlink()
    return {shard: len(indices) for shard, indices in sorted(shards.items())}


class _Scan(NamedTuple):
    """One manifest run's listing and folders: what the forked shard workers inherit."""
    root: Path
    paths: list[str]
    kinds: list[str]
    shards: dict[str, array]  # shard -> indices into paths, in path order
    lists_dir: Path
    cache: Path | None
    work: Path | None


# The scan in progress, for the forked workers (they are sent only shard names).
_SCAN: _Scan | None = None


def _for_each_shard(scan: _Scan, workers: int) -> None:
    """:func:`_write_shard_list` of every shard, shared between up to ``workers`` forked processes.

    The per-file work (a stat, the signature, the cache walk, the list) is split by shard, so the
    parent holds no per-file sizes or mtimes and only shard names cross between processes. In the
    parent alone without ``fork``, below ``PARALLEL_SCAN_FILES`` files, or with one worker.
    """
    import multiprocessing

    if (workers < 2 or len(scan.shards) < 2 or len(scan.paths) < max(PARALLEL_SCAN_FILES, 1)
            or "fork" not in multiprocessing.get_all_start_methods()):
        for shard in scan.shards:
            _write_shard_list(scan, shard)
        return
    from concurrent.futures import ProcessPoolExecutor

    global _SCAN
    largest_first = sorted(scan.shards, key=lambda shard: -len(scan.shards[shard]))  # small ones fill the gaps
    _SCAN = scan
    try:
        with ProcessPoolExecutor(min(workers, len(scan.shards)), mp_context=multiprocessing.get_context("fork")) as pool:
            for _ in pool.map(_write_forked_shard_list, largest_first):
                pass
    finally:
        _SCAN = None


def _write_forked_shard_list(shard: str) -> None:
    _write_shard_list(_SCAN, shard)


def _write_shard_list(scan: _Scan, shard: str) -> None:
    """Stat one shard's files and write its list, or link the kept one (see the module notes)."""
    members = _stat_files(os.fspath(scan.root), scan.paths, scan.kinds, scan.shards[shard])
    list_path = scan.lists_dir / f"{shard}.tsv"
    cache = scan.cache
    if cache is None:
        _write_tsv(list_path, LIST_HEADER, ((f.path, f.kind, f.size, f.mtime_ns) for f in members), _plain(members))
        return
    kept = cache / f"{shard}{KEPT_LIST_SUFFIX}"
    signature_path = cache / f"{shard}{SIGNATURE_SUFFIX}"
    signature = scan_signature(members)
    if _read_signature(signature_path) == signature and _same_format(kept):
        _link(kept, list_path)
        return
    listed, unchanged = _listed_mtimes(members, scan.root, cache / f"{shard}{CACHE_SUFFIX}", scan.work, shard)
    if unchanged and _same_format(kept):
        _link(kept, list_path)
    else:
        plain = _plain(members)
        # The signature goes first and comes back last: a run killed in between finds none, or cache
        # rows that do not match, and writes the list, its kept copy and the rows again.
        signature_path.unlink(missing_ok=True)
        _write_tsv(list_path, LIST_HEADER,
                   ((f.path, f.kind, f.size, mtime) for f, mtime in zip(members, listed)), plain)
        if _same_format(kept) and filecmp.cmp(list_path, kept, shallow=False):
            _link(kept, list_path)  # files touched, not changed: the kept list's mtime says so
        else:
            _link(list_path, kept)
        _write_tsv(cache / f"{shard}{CACHE_SUFFIX}", CACHE_HEADER,
                   ((f.path, f.size, f.mtime_ns, mtime) for f, mtime in zip(members, listed)), plain)
    write_text(signature_path, signature)


def scan_signature(members: Sequence[InputFile]) -> str:
    """sha256 over the files' paths, sizes and mtimes as scanned, and this version's layouts.

    Equal to the signature recorded with a shard's cache rows: every file has the size and
    mtime the rows hold, so its list would come out as kept. Sizes and mtimes are hashed as
    packed int64 arrays, paths NUL-separated (no path holds a NUL): ~0.2 s for all 267k files
    of a 100k-figure corpus.
    """
    digest = hashlib.sha256("\t".join((*LIST_HEADER, *CACHE_HEADER)).encode())
    digest.update("\0".join(map(itemgetter(0), members)).encode("utf-8", "surrogateescape"))
    digest.update(array("q", map(itemgetter(2), members)).tobytes())
    digest.update(array("q", map(itemgetter(3), members)).tobytes())
    return digest.hexdigest()


def _plain(members: Sequence[InputFile]) -> bool:
    """No path of these files needs quoting in a TSV (:func:`_write_tsv`)."""
    joined = "/".join(map(itemgetter(0), members))
    return not any(char in joined for char in QUOTED_CHARACTERS)  # ~10x faster than the regex search


def _read_signature(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def _same_format(kept_list: Path) -> bool:
    """A kept list exists and has this version's header (an older layout is written again)."""
    try:
        with open(kept_list, "rb") as handle:
            return handle.readline() == ("\t".join(LIST_HEADER) + "\n").encode()
    except OSError:
        return False


def _link(source: Path, target: Path) -> None:
    """``target`` becomes ``source``: a hard link where the file system allows, else a copy.

    Either way with ``source``'s modification time, which tells Snakemake the list did not change.
    """
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copy2(source, tmp)
    os.replace(tmp, target)


def _listed_mtimes(members: Sequence[InputFile], root: Path, cache_file: Path,
                   work_dir: Path | None, shard: str) -> tuple[list[int], bool]:
    """The mtime to list for each file of one shard, and whether the shard is exactly as cached.

    A file's listed mtime is its own, or the cached one when only its mtime changed and its
    content did not (its digest equals the one its parse recorded). The shard is unchanged when
    the cache holds exactly its files, each with the same size and mtime. The cache is in path
    order, like ``members``, so the two are walked side by side.
    """
    listed = [f.mtime_ns for f in members]
    if not cache_file.exists():
        return listed, False
    to_verify: dict[int, int] = {}  # file index -> listed mtime
    matched = cached = 0
    with open(cache_file, newline="", encoding="utf-8") as handle:
        if handle.readline() != "\t".join(CACHE_HEADER) + "\n":
            return listed, False  # a cache of an earlier layout: list every file as it is
        position = 0
        for path, size, mtime_ns, listed_mtime_ns in _tsv_rows(handle):
            cached += 1
            while position < len(members) and members[position].path < path:
                position += 1
            if position == len(members):
                continue  # keep counting: a removed file changes the shard
            found = members[position]
            if found.path != path or found.size != int(size):
                continue  # removed, or a new size: listed as it is now
            if found.mtime_ns == int(mtime_ns):
                listed[position] = int(listed_mtime_ns)
                matched += 1
            elif work_dir is not None:
                to_verify[position] = int(listed_mtime_ns)
    if to_verify:
        recorded = _recorded_digests(work_dir / shard / "corpus_files.parquet", {members[i].path for i in to_verify})
        for i, listed_mtime_ns in to_verify.items():
            digest = recorded.get(members[i].path)
            if digest is not None and digest == sha256_file(root / members[i].path):
                listed[i] = listed_mtime_ns
    return listed, matched == cached == len(members)


def _recorded_digests(corpus_files: Path, paths: set[str]) -> dict[str, str]:
    """sha256 of the given files as their shard's parse job read them (missing: never parsed)."""
    import pyarrow.parquet as pq

    if not corpus_files.is_file():
        return {}
    table = pq.ParquetFile(corpus_files).read(columns=["path", "sha256"])
    return {path: digest for path, digest in zip(table["path"].to_pylist(), table["sha256"].to_pylist())
            if path in paths and digest is not None}


def corpus_fingerprint(rows: Iterable[tuple[str, str, int, str]], n_shards: int) -> dict:
    """File count, bytes, per-kind counts and one sha256 over (path, kind, size, sha256) rows in path order.

    The rows are the parse jobs' ``corpus_files``: the digest of the bytes each job parsed
    (empty for a file it could not read). Rows are hashed as they come (no list of lines).
    """
    digest = hashlib.sha256()
    files = total_bytes = 0
    by_kind: dict[str, int] = {}
    previous = ""
    for path, kind, size, file_digest in rows:
        if path < previous:
            raise ValueError(f"corpus_fingerprint needs rows in path order: {path!r} came after {previous!r}")
        previous = path
        digest.update(f"{path}\t{kind}\t{size}\t{file_digest or ''}\n".encode("utf-8"))
        files += 1
        total_bytes += int(size)
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return {"files": files, "bytes": total_bytes, "sha256": digest.hexdigest(),
            "by_kind": dict(sorted(by_kind.items())), "shards": n_shards,
            "hash_of": "sha256 of 'path\\tkind\\tsize\\tsha256\\n' lines sorted by path"}


def read_shard_list(path: str | os.PathLike) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def list_shards(shards_dir: str | os.PathLike) -> list[str]:
    """Shard names present in a manifest folder (cheap: lists one small folder)."""
    return sorted(p.stem for p in Path(shards_dir).glob("*.tsv"))


def prune_stale_parts(output_dir: str | os.PathLike, shards: set[str]) -> list[str]:
    """Delete per-shard outputs and caches of shards that no longer exist, and temp files of killed writers.

    Table folders are read as datasets (every part file), so a stale part would
    otherwise keep removed figures alive in the published tables.
    """
    removed = []
    root = Path(output_dir)
    # Temporary files of writers killed mid-write (never read: readers glob *.parquet).
    for leftover in sorted([*root.glob("tables/*/.*.tmp"), *root.glob("work/*/.*.tmp")]):
        leftover.unlink()
        removed.append(str(leftover))
    for part in sorted(root.glob("tables/*/part-*.parquet")):
        shard = part.stem[len("part-"):]
        if shard != "all" and shard not in shards:
            part.unlink()
            removed.append(str(part))
    # Work folders, and shard jobs' caches (pfocr_etl.shard_cache) with those of killed jobs.
    folders = [*root.glob("work/*"), *root.glob("cache/*/*")]
    for folder in sorted(p for p in folders if p.is_dir()):
        if folder.name not in shards:
            for leftover in sorted(folder.rglob("*"), reverse=True):
                leftover.rmdir() if leftover.is_dir() else leftover.unlink()
            folder.rmdir()
            removed.append(str(folder))
    return removed
