"""Manifest: shard assignment, stable shard lists, pruning of vanished shards."""

from __future__ import annotations

import hashlib
import os
from collections import Counter

import pytest

from pfocr_etl import manifest
from pfocr_etl.manifest import (assign_shards, build_manifest, classify, plan_shards, prune_stale_parts,
                                read_shard_list)


def write(path, text="x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_classify_and_assign_shards():
    assert classify("_figures/PMC1__a.md") == "figure"
    assert classify("_figures/sub/PMC1__a.md") == "figure"
    assert classify("_data/PMC1__a-genes.tsv") == "genes_tsv"
    assert classify("_data/PMC1__a-chemicals.tsv") == "chemicals_tsv"
    assert classify("_data/notes.csv") == "unrecognized"
    assert classify("_data/genes.tsv") == "unrecognized"  # the table kind follows a "-"
    assert classify("_data/PMC1__a-b-diseases.tsv") == "diseases_tsv"
    assert classify("_data/PMC1__a-genes.tsv.bak") == "unrecognized"
    assert classify("papers/123.txt") == "article"
    paths = ["_figures/PMC3670266__x.md", "_data/PMC3670266__x-genes.tsv", "papers/001_abc.txt",
             "_data/PMC9999999__orphan-genes.tsv"]
    kinds = [classify(p) for p in paths]
    assert assign_shards(paths, kinds, 250_000) == ["pmc03500000", "pmc03500000", "misc", "pmc09750000"]
    # Merged: the whole aligned block of 64 ranges, named by its first and last PMC number; a range
    # with tables but no figure record has a shard too.
    block = "pmc00000000-15999999"
    assert assign_shards(paths, kinds, 250_000, max_figures=1) == [block, block, "misc", block]
    assert assign_shards(paths, kinds, 250_000, max_figures=0)[0] == "pmc03500000"


def test_sparse_ranges_merge_and_dense_ones_split_down_to_single_ranges():
    counts = {0: 1, 1: 1, 2: 1, 3: 1, 6: 5, 7: 5}  # figures per range
    assert plan_shards(counts, 10, max_figures=4, levels=3) == {
        0: "pmc00000000-00000039", 1: "pmc00000000-00000039", 2: "pmc00000000-00000039",
        3: "pmc00000000-00000039", 6: "pmc00000060", 7: "pmc00000070"}
    assert set(plan_shards(counts, 10, max_figures=14, levels=3).values()) == {"pmc00000000-00000079"}
    assert plan_shards(counts, 10, max_figures=0, levels=3) == {r: f"pmc{r * 10:08d}" for r in counts}
    # Blocks never cross an aligned boundary: range 8 starts the next block of 8.
    assert plan_shards({7: 1, 8: 1}, 10, max_figures=100, levels=3) == {7: "pmc00000000-00000079",
                                                                       8: "pmc00000080-00000159"}


def test_adding_figures_replans_only_the_block_they_land_in():
    import random

    rng = random.Random(5)
    counts = {r: rng.randint(0, 40) for r in range(0, 256)}
    counts = {r: n for r, n in counts.items() if n}
    before = plan_shards(counts, 1000, max_figures=300)
    grown = dict(counts)
    grown[200] = grown.get(200, 0) + 50
    after = plan_shards(grown, 1000, max_figures=300)
    changed = {r for r in grown if before.get(r) != after[r]}
    assert changed and all(192 <= r < 256 for r in changed)  # the 64-range block of range 200
    for plan, source in ((before, counts), (after, grown)):
        sizes = Counter()
        for r, name in plan.items():
            sizes[name] += source[r]
        assert all(n <= 300 or "-" not in name for name, n in sizes.items())


def test_the_newest_block_splits_at_its_own_smaller_limit():
    """Blocks of 8 ranges: block 0 (ranges 0-7) merges up to 10 figures; block 1, the newest with a
    figure, up to 2. Range 40 has files but no figure (an article page), so its block is not the newest."""
    counts = {0: 2, 1: 2, 2: 2, 9: 2, 10: 2, 12: 1, 40: 0}
    plan = plan_shards(counts, 10, max_figures=10, levels=3, newest_max_figures=2)
    assert {r: plan[r] for r in (0, 1, 2)} == dict.fromkeys((0, 1, 2), "pmc00000000-00000079")
    assert {r: plan[r] for r in (9, 10, 12)} == {9: "pmc00000080-00000099", 10: "pmc00000100-00000119",
                                                 12: "pmc00000120-00000159"}
    assert plan[40] == "pmc00000400-00000479"
    unsplit = plan_shards(counts, 10, max_figures=10, levels=3)
    assert {unsplit[r] for r in (9, 10, 12)} == {"pmc00000080-00000159"}
    for newest in (0, 10, 50):  # no smaller limit
        assert plan_shards(counts, 10, max_figures=10, levels=3, newest_max_figures=newest) == unsplit
    assert plan_shards(counts, 10, max_figures=0, levels=3, newest_max_figures=2) == {
        r: f"pmc{r * 10:08d}" for r in counts}


def test_unchanged_corpus_gives_byte_identical_lists_and_new_files_touch_one_shard(tmp_path):
    corpus, shards = tmp_path / "in", tmp_path / "shards"
    for pmc in (100, 200, 1_200_000):
        write(corpus / "_figures" / f"PMC{pmc}__f.md", f"figid {pmc}")
    build_manifest(corpus, shards, 1_000_000)
    before = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}
    assert set(before) == {"pmc00000000.tsv", "pmc01000000.tsv"}

    build_manifest(corpus, shards, 1_000_000)
    assert {p.name: p.read_bytes() for p in shards.glob("*.tsv")} == before

    write(corpus / "_figures" / "PMC1200001__g.md", "new")
    build_manifest(corpus, shards, 1_000_000)
    after = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}
    assert after["pmc00000000.tsv"] == before["pmc00000000.tsv"]
    assert after["pmc01000000.tsv"] != before["pmc01000000.tsv"]


def test_lists_carry_size_and_mtime_so_an_edit_or_a_touch_changes_only_its_list(tmp_path):
    corpus, shards = tmp_path / "in", tmp_path / "shards"
    path = corpus / "_figures" / "PMC5__f.md"
    write(path, "same")
    write(corpus / "_figures" / "PMC15__g.md", "other shard")
    build_manifest(corpus, shards, 10)
    rows = read_shard_list(shards / "pmc00000000.tsv")
    assert rows == [{"path": "_figures/PMC5__f.md", "kind": "figure", "size": "4",
                     "mtime_ns": str(path.stat().st_mtime_ns)}]
    before = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    build_manifest(corpus, shards, 10)
    touched = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}
    assert touched["pmc00000000.tsv"] != before["pmc00000000.tsv"]
    assert touched["pmc00000010.tsv"] == before["pmc00000010.tsv"]


def parse_records(corpus, shards, work):
    """What the parse jobs record: each listed file's digest, in ``work/<shard>/corpus_files.parquet``."""
    from pfocr_etl.parquet_io import write_table

    for tsv in shards.glob("*.tsv"):
        rows = [{"path": r["path"], "kind": r["kind"], "size": int(r["size"]),
                 "sha256": hashlib.sha256((corpus / r["path"]).read_bytes()).hexdigest()}
                for r in read_shard_list(tsv)]
        write_table(rows, work / tsv.stem / "corpus_files.parquet", "corpus_files")


def test_a_file_touched_without_a_change_keeps_its_listed_mtime(tmp_path, monkeypatch):
    corpus, shards, work, cache = tmp_path / "in", tmp_path / "shards", tmp_path / "work", tmp_path / "cache"
    same, edited, unparsed = (corpus / "_figures" / name for name in ("PMC1__a.md", "PMC2__b.md", "PMC15__c.md"))
    for path in (same, edited, unparsed):
        write(path, "four")
    build_manifest(corpus, shards, 10, cache_dir=cache, work_dir=work)
    parse_records(corpus, shards, work)
    (work / "pmc00000010" / "corpus_files.parquet").unlink()  # that shard's parse never ran
    before = {r["path"]: r for tsv in shards.glob("*.tsv") for r in read_shard_list(tsv)}

    for path in (same, edited, unparsed):
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    edited.write_text("FOUR", encoding="utf-8")  # same size, new content
    build_manifest(corpus, shards, 10, cache_dir=cache, work_dir=work)
    after = {r["path"]: r for tsv in shards.glob("*.tsv") for r in read_shard_list(tsv)}
    assert after["_figures/PMC1__a.md"] == before["_figures/PMC1__a.md"]
    assert after["_figures/PMC2__b.md"]["mtime_ns"] == str(edited.stat().st_mtime_ns)
    assert after["_figures/PMC15__c.md"]["mtime_ns"] == str(unparsed.stat().st_mtime_ns)  # no digest to compare

    # The next refresh finds the touched file in the cache: nothing is hashed, the lists stay.
    lists = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again")

    monkeypatch.setattr(manifest, "sha256_file", no_hashing)
    build_manifest(corpus, shards, 10, cache_dir=cache, work_dir=work)
    assert {p.name: p.read_bytes() for p in shards.glob("*.tsv")} == lists


def test_the_manifest_reads_no_file_contents(tmp_path, monkeypatch):
    corpus, shards = tmp_path / "in", tmp_path / "shards"
    write(corpus / "_figures" / "PMC1__a.md", "a")
    real_open = open

    def write_only(file, mode="r", *args, **kwargs):
        assert "r" not in mode or "+" in mode, f"{file} was opened for reading"
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", write_only)
    assert build_manifest(corpus, shards, 10) == {"pmc00000000": 1}


def test_scan_lists_files_sorted_with_sizes(tmp_path):
    corpus = tmp_path / "in"
    for pmc in range(1, 40):
        write(corpus / "_figures" / f"PMC{pmc}__f.md", "x" * pmc)
        write(corpus / "_data" / f"PMC{pmc}__f-genes.tsv", "y" * pmc)
    write(corpus / "papers" / "2020" / "PMC7.html", "article")  # a sub-folder
    write(corpus / "papers" / "empty" / ".hidden", "not listed")  # a folder with nothing listed
    write(corpus / "_figures" / ".draft.md", "not listed")
    (corpus / "_figures" / "PMC99__link.md").symlink_to(corpus / "_figures" / "PMC3__f.md")
    (corpus / "_data" / "linked-folder").symlink_to(corpus / "papers", target_is_directory=True)
    one = manifest.scan_inputs(corpus)
    assert len(one) == 39 * 2 + 2 and one == sorted(one)
    assert [f for f in one if f.path.startswith("papers")][0].path == "papers/2020/PMC7.html"
    assert next(f for f in one if f.path == "_figures/PMC99__link.md").size == 3  # the target's
    assert manifest.list_inputs(corpus) == ([f.path for f in one], [f.kind for f in one])


@pytest.mark.parametrize("workers", [2, 3])
def test_shards_split_between_processes_get_the_lists_one_process_writes(tmp_path, monkeypatch, workers):
    corpus = tmp_path / "in"
    for pmc in range(1, 60):
        write(corpus / "_figures" / f"PMC{pmc}__f.md", "x" * pmc)
        write(corpus / "_data" / f"PMC{pmc}__f-genes.tsv", "y" * pmc)
    write(corpus / "papers" / "article.html", "no PMC number: misc")
    # What the listing must treat alike in a worker (a sub-folder each) and in one process:
    write(corpus / "papers" / "2020" / "PMC7.html", "a sub-folder")
    write(corpus / "_figures" / ".draft.md", "hidden, not listed")
    (corpus / "_figures" / "PMC9__link.md").symlink_to(corpus / "_figures" / "PMC3__f.md")
    (corpus / "_data" / "linked-folder").symlink_to(corpus / "papers", target_is_directory=True)
    alone = build_manifest(corpus, tmp_path / "alone", 10, cache_dir=tmp_path / "alone-cache")
    assert len(alone) == 7  # six ranges and misc
    assert "papers/2020/PMC7.html" in (tmp_path / "alone" / "pmc00000000.tsv").read_text()

    writers = tmp_path / "writers"
    writers.mkdir()
    write_shard_list = manifest._write_shard_list

    def recorded(scan, shard):  # runs in the forked workers
        (writers / f"{shard}.{os.getpid()}").touch()
        write_shard_list(scan, shard)

    monkeypatch.setattr(manifest, "_write_shard_list", recorded)
    monkeypatch.setattr(manifest, "PARALLEL_SCAN_FILES", 0)
    for run in (1, 2):  # written, then linked from the cache
        shared = build_manifest(corpus, tmp_path / "shared", 10, cache_dir=tmp_path / "shared-cache", workers=workers)
        assert shared == alone
        for shard in alone:
            assert (tmp_path / "shared" / f"{shard}.tsv").read_bytes() == (tmp_path / "alone" / f"{shard}.tsv").read_bytes()
    pids = {int(name.suffix[1:]) for name in writers.iterdir()}
    assert len(list(writers.iterdir())) == 2 * len(alone) and os.getpid() not in pids


def test_prune_removes_outputs_of_vanished_shards(tmp_path):
    for shard in ("pmc00000000", "pmc00000010"):
        write(tmp_path / "tables" / "figures" / f"part-{shard}.parquet")
        write(tmp_path / "work" / shard / "papers.parquet")
    write(tmp_path / "tables" / "papers" / "part-all.parquet")
    for folder in ("pmc00000000", "pmc00000010", ".pmc00000000.123.new"):
        write(tmp_path / "cache" / "annotate_shard" / folder / "figures.parquet")
    removed = prune_stale_parts(tmp_path, {"pmc00000000"})
    assert len(removed) == 4
    assert sorted(p.name for p in (tmp_path / "tables").rglob("*.parquet")) == [
        "part-all.parquet", "part-pmc00000000.parquet"]
    assert not (tmp_path / "work" / "pmc00000010").exists()
    assert [p.name for p in (tmp_path / "cache" / "annotate_shard").iterdir()] == ["pmc00000000"]


def test_missing_input_dir_is_a_clear_error(tmp_path):
    import pytest
    with pytest.raises(FileNotFoundError, match="none of the folders"):
        build_manifest(tmp_path, tmp_path / "shards", 10)


def test_prune_removes_temp_files_of_killed_writers(tmp_path):
    write(tmp_path / "tables" / "figures" / "part-pmc00000000.parquet")
    write(tmp_path / "tables" / "figures" / ".part-pmc00000000.parquet.abc.tmp")
    removed = prune_stale_parts(tmp_path, {"pmc00000000"})
    assert [os.path.basename(p) for p in removed] == [".part-pmc00000000.parquet.abc.tmp"]


def test_paths_that_need_quoting_are_read_back_as_written(tmp_path, monkeypatch):
    corpus, shards, work, cache = tmp_path / "in", tmp_path / "shards", tmp_path / "work", tmp_path / "cache"
    names = ("PMC1__a.md", 'PMC2__quote"d.md', "PMC3__tab\tbed.md", "PMC4__z.md")
    for name in names:
        write(corpus / "_figures" / name, name)
    build_manifest(corpus, shards, 10, cache_dir=cache, work_dir=work)
    assert [row["path"] for row in read_shard_list(shards / "pmc00000000.tsv")] == \
        sorted(f"_figures/{name}" for name in names)
    parse_records(corpus, shards, work)
    before = (shards / "pmc00000000.tsv").read_bytes()
    for path in (corpus / "_figures").iterdir():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    build_manifest(corpus, shards, 10, cache_dir=cache, work_dir=work)  # verified by digest
    assert (shards / "pmc00000000.tsv").read_bytes() == before

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed: its cache row was not read back")

    monkeypatch.setattr(manifest, "sha256_file", no_hashing)
    build_manifest(corpus, shards, 10, cache_dir=cache, work_dir=work)
    assert (shards / "pmc00000000.tsv").read_bytes() == before


def test_lists_of_unchanged_shards_are_linked_from_the_cache_not_written_again(tmp_path):
    corpus, cache = tmp_path / "in", tmp_path / "cache"
    for name in ("PMC1__a.md", "PMC15__b.md", "PMC25__c.md"):
        write(corpus / "_figures" / name, name)
    first = tmp_path / "shards1"
    write(tmp_path / "cache.tsv")  # the single cache file of earlier versions
    build_manifest(corpus, first, 10, cache_dir=cache)
    assert not (tmp_path / "cache.tsv").exists()
    write(corpus / "_figures" / "PMC16__new.md", "new")  # shard pmc00000010 changes
    (corpus / "_figures" / "PMC25__c.md").unlink()  # shard pmc00000020 goes
    second = tmp_path / "shards2"  # Snakemake deletes the lists folder before the manifest job
    assert build_manifest(corpus, second, 10, cache_dir=cache) == {"pmc00000000": 1, "pmc00000010": 2}
    kept = cache / "pmc00000000.list.tsv"
    assert os.path.samefile(second / "pmc00000000.tsv", kept)
    assert (second / "pmc00000000.tsv").read_bytes() == (first / "pmc00000000.tsv").read_bytes()
    assert [r["path"] for r in read_shard_list(second / "pmc00000010.tsv")] == [
        "_figures/PMC15__b.md", "_figures/PMC16__new.md"]
    assert sorted(p.name for p in cache.iterdir()) == [
        "pmc00000000.cache.tsv", "pmc00000000.list.tsv", "pmc00000000.sig",
        "pmc00000010.cache.tsv", "pmc00000010.list.tsv", "pmc00000010.sig"]

    kept.unlink()
    kept.write_text("path\tkind\tsize\n", encoding="utf-8")  # a list of another layout is not reused
    third = tmp_path / "shards3"
    build_manifest(corpus, third, 10, cache_dir=cache)
    assert (third / "pmc00000000.tsv").read_bytes() == (first / "pmc00000000.tsv").read_bytes()


def test_without_hard_links_an_unchanged_list_is_copied_with_its_modification_time(tmp_path, monkeypatch):
    """Snakemake compares the lists' modification times (large lists are over its checksum limit)."""
    corpus, cache = tmp_path / "in", tmp_path / "cache"
    write(corpus / "_figures" / "PMC1__a.md", "a")

    def no_hard_links(*args, **kwargs):
        raise OSError("hard links not supported")

    monkeypatch.setattr(manifest.os, "link", no_hard_links)
    build_manifest(corpus, tmp_path / "shards1", 10, cache_dir=cache)
    kept = cache / "pmc00000000.list.tsv"
    os.utime(kept, ns=(kept.stat().st_atime_ns, kept.stat().st_mtime_ns - 10**9))
    write(corpus / "_figures" / "PMC15__b.md", "b")  # another shard
    second = tmp_path / "shards2"
    build_manifest(corpus, second, 10, cache_dir=cache)
    listed = second / "pmc00000000.tsv"
    assert not os.path.samefile(listed, kept)
    assert listed.read_bytes() == kept.read_bytes()
    assert listed.stat().st_mtime_ns == kept.stat().st_mtime_ns

def test_a_shard_whose_signature_matches_is_not_walked_and_a_killed_write_is_redone(tmp_path, monkeypatch):
    corpus, cache = tmp_path / "in", tmp_path / "cache"
    for name in ("PMC1__a.md", "PMC15__b.md"):
        write(corpus / "_figures" / name, name)
    first = tmp_path / "shards1"
    build_manifest(corpus, first, 10, cache_dir=cache)
    walked = []
    real_walk = manifest._listed_mtimes

    def recording_walk(members, *args):
        walked.append(members[0].path)
        return real_walk(members, *args)

    monkeypatch.setattr(manifest, "_listed_mtimes", recording_walk)
    write(corpus / "_figures" / "PMC16__new.md", "new")
    build_manifest(corpus, tmp_path / "shards2", 10, cache_dir=cache)
    assert walked == ["_figures/PMC15__b.md"]  # the unchanged shard matched its signature

    # Killed after the new list was written, before its cache rows: the signature is gone, so
    # the next run walks the rows, finds them stale and writes everything again.
    write(corpus / "_figures" / "PMC17__newer.md", "newer")
    real_write = manifest._write_tsv

    def killed_at_the_cache_rows(path, *args):
        if path.name.endswith(manifest.CACHE_SUFFIX):
            raise KeyboardInterrupt
        real_write(path, *args)

    monkeypatch.setattr(manifest, "_write_tsv", killed_at_the_cache_rows)
    with pytest.raises(KeyboardInterrupt):
        build_manifest(corpus, tmp_path / "shards3", 10, cache_dir=cache)
    assert not (cache / "pmc00000010.sig").exists()
    monkeypatch.setattr(manifest, "_write_tsv", real_write)
    walked.clear()
    build_manifest(corpus, tmp_path / "shards4", 10, cache_dir=cache)
    assert walked == ["_figures/PMC15__b.md"]
    fresh = tmp_path / "fresh"
    build_manifest(corpus, fresh, 10)
    for shard in ("pmc00000000.tsv", "pmc00000010.tsv"):
        assert (tmp_path / "shards4" / shard).read_bytes() == (fresh / shard).read_bytes()
