"""Manifest: shard assignment, stable shard lists, hash cache, pruning of vanished shards."""

from __future__ import annotations

import os
from collections import Counter

from pfocr_etl import manifest
from pfocr_etl.manifest import assign_shards, build_manifest, classify, plan_shards, prune_stale_parts


def write(path, text="x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_classify_and_assign_shards():
    assert classify("_figures/PMC1__a.md") == "figure"
    assert classify("_figures/sub/PMC1__a.md") == "figure"
    assert classify("_data/PMC1__a-genes.tsv") == "genes_tsv"
    assert classify("_data/PMC1__a-chemicals.tsv") == "chemicals_tsv"
    assert classify("_data/notes.csv") == "unrecognized"
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


def test_unchanged_corpus_gives_byte_identical_lists_and_new_files_touch_one_shard(tmp_path):
    corpus, shards = tmp_path / "in", tmp_path / "shards"
    for pmc in (100, 200, 1_200_000):
        write(corpus / "_figures" / f"PMC{pmc}__f.md", f"figid {pmc}")
    cache = tmp_path / "cache.tsv"
    build_manifest(corpus, shards, 1_000_000, cache)
    before = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}
    assert set(before) == {"pmc00000000.tsv", "pmc01000000.tsv"}

    build_manifest(corpus, shards, 1_000_000, cache)
    assert {p.name: p.read_bytes() for p in shards.glob("*.tsv")} == before

    write(corpus / "_figures" / "PMC1200001__g.md", "new")
    build_manifest(corpus, shards, 1_000_000, cache)
    after = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}
    assert after["pmc00000000.tsv"] == before["pmc00000000.tsv"]
    assert after["pmc01000000.tsv"] != before["pmc01000000.tsv"]


def test_touching_a_file_without_changing_it_keeps_its_list(tmp_path):
    corpus, shards = tmp_path / "in", tmp_path / "shards"
    path = corpus / "_figures" / "PMC5__f.md"
    write(path, "same")
    build_manifest(corpus, shards, 10, tmp_path / "cache.tsv")
    before = (shards / "pmc00000000.tsv").read_bytes()
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    build_manifest(corpus, shards, 10, tmp_path / "cache.tsv")
    assert (shards / "pmc00000000.tsv").read_bytes() == before
    write(path, "edited")
    build_manifest(corpus, shards, 10, tmp_path / "cache.tsv")
    assert (shards / "pmc00000000.tsv").read_bytes() != before


def test_a_refresh_through_the_hash_cache_equals_a_build_without_it(tmp_path):
    corpus, cache = tmp_path / "in", tmp_path / "cache.tsv"
    for name in ("PMC1__a.md", "PMC2__b.md", "PMC3__c.md", "PMC4__d.md"):
        write(corpus / "_figures" / name, name)
    build_manifest(corpus, tmp_path / "first", 10, cache)
    (corpus / "_figures" / "PMC2__b.md").unlink()  # cached row without a file
    write(corpus / "_figures" / "PMC25__new.md", "new")  # file without a cached row
    write(corpus / "_figures" / "PMC3__c.md", "edited, longer")
    refreshed = build_manifest(corpus, tmp_path / "refreshed", 10, cache)
    fresh = build_manifest(corpus, tmp_path / "fresh", 10)
    assert refreshed == fresh
    for path in (tmp_path / "fresh").iterdir():
        assert (tmp_path / "refreshed" / path.name).read_bytes() == path.read_bytes()


def test_worker_processes_hash_exactly_like_one_process(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    for n in range(40):
        write(corpus / "_data" / f"PMC{n}__f-genes.tsv", "word\n" + "x" * (n * 100))
    serial = build_manifest(corpus, tmp_path / "serial", 10)
    monkeypatch.setattr(manifest, "PARALLEL_HASH_MIN_FILES", 1)
    monkeypatch.setattr(manifest, "HASH_CHUNK_FILES", 7)  # several chunks, answers kept in order
    parallel = build_manifest(corpus, tmp_path / "parallel", 10, processes=2)
    assert parallel == serial
    for path in (tmp_path / "serial").iterdir():
        assert (tmp_path / "parallel" / path.name).read_bytes() == path.read_bytes()


def test_prune_removes_outputs_of_vanished_shards(tmp_path):
    for shard in ("pmc00000000", "pmc00000010"):
        write(tmp_path / "tables" / "figures" / f"part-{shard}.parquet")
        write(tmp_path / "work" / shard / "papers.parquet")
    write(tmp_path / "tables" / "papers" / "part-all.parquet")
    removed = prune_stale_parts(tmp_path, {"pmc00000000"})
    assert len(removed) == 2
    assert sorted(p.name for p in (tmp_path / "tables").rglob("*.parquet")) == [
        "part-all.parquet", "part-pmc00000000.parquet"]
    assert not (tmp_path / "work" / "pmc00000010").exists()


def test_missing_input_dir_is_a_clear_error(tmp_path):
    import pytest
    with pytest.raises(FileNotFoundError, match="none of the folders"):
        build_manifest(tmp_path, tmp_path / "shards", 10)


def test_prune_removes_temp_files_of_killed_writers(tmp_path):
    write(tmp_path / "tables" / "figures" / "part-pmc00000000.parquet")
    write(tmp_path / "tables" / "figures" / ".part-pmc00000000.parquet.abc.tmp")
    removed = prune_stale_parts(tmp_path, {"pmc00000000"})
    assert [os.path.basename(p) for p in removed] == [".part-pmc00000000.parquet.abc.tmp"]


def test_the_hash_cache_is_read_back_when_a_path_needs_quoting(tmp_path, monkeypatch):
    corpus, shards, cache = tmp_path / "in", tmp_path / "shards", tmp_path / "cache.tsv"
    for name in ("PMC1__a.md", 'PMC2__quote"d.md', "PMC3__tab\tbed.md", "PMC4__z.md"):
        write(corpus / "_figures" / name, name)
    build_manifest(corpus, shards, 10, cache)
    before = {p.name: p.read_bytes() for p in shards.glob("*.tsv")}

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again")

    monkeypatch.setattr(manifest, "sha256_file", no_hashing)
    build_manifest(corpus, shards, 10, cache)
    assert {p.name: p.read_bytes() for p in shards.glob("*.tsv")} == before
