"""Deterministic, atomic Parquet writing and dataset reading.

Same rows in -> byte-identical file out: fixed writer options, no wall-clock
metadata, rows sorted by the caller-provided keys. Files are written to a
temporary name in the target folder and renamed, so a reader (or a published
release) never sees a partial Parquet file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pfocr_etl.atomic import replacing
from pfocr_etl.schemas import schema as table_schema

WRITER_OPTIONS = dict(
    compression="zstd",
    compression_level=3,
    use_dictionary=True,
    write_statistics=True,
    version="2.6",
    data_page_version="1.0",
    store_schema=True,
)


def to_table(rows: Sequence[dict] | pa.Table, table: str) -> pa.Table:
    """Build (or cast) an Arrow table with the declared schema of ``table``."""
    target = table_schema(table)
    if isinstance(rows, pa.Table):
        return rows.select(target.names).cast(target)
    return pa.Table.from_pylist(list(rows), schema=target)


def group_rows(data: pa.Table, keys: Sequence[str], aggregations: Sequence[tuple]) -> pa.Table:
    """``data.group_by(keys, use_threads=False).aggregate(aggregations)``, faster on string keys.

    String keys are dictionary-encoded first: Arrow groups several variable-width keys by
    encoding every row's keys into one buffer, and fixed-width codes group 3-5x faster. The
    groups come out in a deterministic order, but not in the plain call's: sort afterwards.
    """
    encoded = data.select([*keys, *dict.fromkeys(spec[0] for spec in aggregations)])
    strings = {key for key in keys if pa.types.is_string(data.schema.field(key).type)}
    for key in strings:
        encoded = encoded.set_column(encoded.schema.get_field_index(key), key, pc.dictionary_encode(data[key]))
    grouped = encoded.group_by(list(keys), use_threads=False).aggregate(list(aggregations))
    for key in strings:
        grouped = grouped.set_column(grouped.schema.get_field_index(key), data.schema.field(key),
                                     pc.cast(grouped[key], pa.string()))
    return grouped


def sort_table(data: pa.Table, keys: Sequence[str]) -> pa.Table:
    if data.num_rows < 2 or not keys:
        return data
    indices = pc.sort_indices(data, sort_keys=[(k, "ascending", "at_end") for k in keys])
    # Most tables arrive in order already; copying every column of a million rows is the costly part.
    if pc.all(pc.equal(indices, pa.array(np.arange(data.num_rows, dtype=np.uint64)))).as_py():
        return data
    return data.take(indices)


def write_table(data: pa.Table | Sequence[dict], path: str | os.PathLike, table: str,
                sort_keys: Sequence[str] = ()) -> pa.Table:
    """Write rows as the declared ``table`` schema to ``path`` atomically; returns the table."""
    arrow = sort_table(to_table(data, table), sort_keys)
    write_arrow(arrow, path)
    return arrow


def write_arrow(arrow: pa.Table, path: str | os.PathLike) -> None:
    """Atomically write an Arrow table (already in its final schema and order)."""
    with replacing(path) as tmp_name:
        pq.write_table(arrow.combine_chunks(), tmp_name, **WRITER_OPTIONS)


def read_table(path: str | os.PathLike, table: str | None = None, columns: Sequence[str] | None = None) -> pa.Table:
    """Read one Parquet file (or some of its columns), cast to the declared schema when ``table`` is given."""
    # ParquetFile, not pq.read_table: that goes through pyarrow.dataset, whose import costs a
    # per-shard job ~0.2 s.
    with pq.ParquetFile(path) as parquet:
        arrow = parquet.read(columns=columns)
    if not table:
        return arrow
    target = table_schema(table)
    if columns is not None:
        target = pa.schema([target.field(name) for name in columns])
    return arrow.select(target.names).cast(target)


def read_parts(files: Sequence[str | os.PathLike], table: str, columns: Sequence[str] | None = None) -> pa.Table:
    """The given part files of one table (or some of its columns), read one at a time and joined in path order.

    Not pyarrow.dataset: its import costs ~0.1 s, with pandas (which pyarrow then imports)
    ~0.3 s, and it reads ahead (+200 MB for the corpus fingerprint at 100k figures).
    """
    parts = [read_table(part, table, columns) for part in sorted(map(str, files))]
    if parts:
        return pa.concat_tables(parts)
    empty = table_schema(table).empty_table()
    return empty if columns is None else empty.select(columns)
