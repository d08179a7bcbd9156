"""Atomic writers: a file appears whole or not at all, with a normal file's permissions."""
from __future__ import annotations

import os

import pyarrow as pa
import pytest

from pfocr_etl.atomic import replacing, write_text
from pfocr_etl.parquet_io import group_rows, read_parts, read_table, write_arrow, write_table


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_written_files_are_readable_by_others_like_any_new_file(tmp_path, umask_022):
    # mkstemp alone makes 0600: published GMT files, report and release.json were owner-only.
    write_text(tmp_path / "sets.gmt", "a\tb\t1\n")
    write_arrow(pa.table({"n": [1]}), tmp_path / "part.parquet")
    for name in ("sets.gmt", "part.parquet"):
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o644
    assert (tmp_path / "sets.gmt").read_bytes() == b"a\tb\t1\n"
    assert read_table(tmp_path / "part.parquet").column("n").to_pylist() == [1]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "metrics.json"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError), replacing(target) as tmp_name:
        with open(tmp_name, "w") as out:
            out.write("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


def test_text_is_written_as_utf8_with_lf_line_ends(tmp_path):
    write_text(tmp_path / "out" / "summary.html", "Müller\nline\n")  # the folder is created
    assert (tmp_path / "out" / "summary.html").read_bytes() == "Müller\nline\n".encode("utf-8")


def test_group_rows_gives_the_groups_of_arrow_group_by_with_the_same_schema():
    data = pa.table({"figid": pa.array(["b", "a", "b", "a", None, "b"], pa.string()),
                     "word": pa.array(["NA", "x", "NA", "y", "x", "z"], pa.string()),
                     "taxon_id": pa.array([1, 2, 1, None, 2, 1], pa.int64()),
                     "line": pa.array([5, 3, 2, 7, 1, 4], pa.int32())},
                    schema=pa.schema([pa.field("figid", pa.string()), pa.field("word", pa.string(), nullable=False),
                                      pa.field("taxon_id", pa.int64()), pa.field("line", pa.int32())]))
    keys = ["figid", "word", "taxon_id"]
    aggregations = [("line", "min"), ("line", "count")]
    plain = data.group_by(keys, use_threads=False).aggregate(aggregations)
    fast = group_rows(data, keys, aggregations)
    assert fast.schema == plain.schema
    order = [(key, "ascending") for key in keys]
    assert fast.sort_by(order).to_pylist() == plain.sort_by(order).to_pylist()
    assert group_rows(data.slice(0, 0), keys, aggregations).num_rows == 0


def test_read_parts_can_read_some_columns(tmp_path):
    rows = [{"pmcid": "PMC1", "doi": None, "title": "t", "source": "figure_records", "source_paths": ["a"],
             "authors": [], "keywords": [], "figure_captions": []}]
    write_table(rows, tmp_path / "a" / "papers.parquet", "papers")
    read = read_parts([tmp_path / "a" / "papers.parquet"], "papers", columns=["title", "pmcid"])
    assert read.column_names == ["title", "pmcid"] and read.to_pylist() == [{"title": "t", "pmcid": "PMC1"}]
    assert read_parts([], "papers", columns=["title"]).column_names == ["title"]
