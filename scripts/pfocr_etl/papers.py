"""Papers: merge the paper rows that figure records and article pages give.

Rows describing the same paper (sharing a PMCID or a DOI, transitively) become
one row. Article pages are the richer source, so their values win; figure
records fill what the page lacks.

The merge runs in Arrow and NumPy on the table of every shard's candidate rows
(one per figure record and article page): no Python object per row. Keys become
integer ids, papers are the connected components of the row-key graph, and each
output column is taken from the chosen input rows in one call. Holding the key
columns as Python lists made this job's peak memory 5x the candidate table
(540 MB at 300k figures).

Merge order: article pages first, then figure records; within a source, by the
row's source paths. Per column, a paper takes the first row in that order with a
value.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SCALAR_FIELDS = ("pmcid", "pmid", "doi", "title", "journal", "year", "citation", "abstract")
LIST_FIELDS = ("authors", "keywords", "figure_captions")
SOURCE_PRIORITY = {"article_page": 0, "figure_records": 1}
UNKNOWN_SOURCE_PRIORITY = len(SOURCE_PRIORITY)
# What the merge reads of every candidate row before it picks values.
KEY_COLUMNS = ("pmcid", "doi", "pmid", "source", "source_paths")
# Between joined source paths: below every character a path can hold, so joined strings
# sort as the lists do.
_PATH_SEPARATOR = "\x00"
# Papers without a PMCID (or DOI) sort after those with one, as "~" sorts after ASCII.
_MISSING_SORTS_AS = "~"
_NO_STRING = pa.scalar(None, pa.string())


def merge_paper_table(candidates: pa.Table) -> pa.Table:
    """One row per paper (columns as ``candidates``), ordered by (pmcid, doi, source paths)."""
    return merge_papers(candidates.select(KEY_COLUMNS), candidates.schema, candidates.column)


def merge_papers(keys: pa.Table, schema: pa.Schema, read_column: Callable[[str], pa.ChunkedArray]) -> pa.Table:
    """As :func:`merge_paper_table`, given the ``KEY_COLUMNS`` and a reader of any other column.

    The gather job reads the value columns one at a time, so it never holds the whole
    candidate table as well as the merged one.
    """
    if keys.num_rows == 0:
        return schema.empty_table()
    order = _merge_order(keys)
    group, n_groups = _groups(keys, order)

    columns = {}
    for name in schema.names:
        if name == "source":
            columns[name] = _merged_sources(keys["source"], group, n_groups)
        elif name == "source_paths":
            columns[name] = _merged_paths(keys["source_paths"], group, n_groups)
        else:
            values = keys[name] if name in KEY_COLUMNS else read_column(name)
            picked = values.take(_first_with_value(values, order, group, n_groups))
            if name in LIST_FIELDS:  # no member lists any: an empty list, not null
                picked = pc.fill_null(picked, pa.scalar([], values.type))
            columns[name] = picked
    merged = pa.table(columns, schema=schema)

    final = pc.sort_indices(pa.table({
        "pmcid": _or_missing(merged["pmcid"]),
        "doi": _or_missing(merged["doi"]),
        "paths": pc.binary_join(merged["source_paths"], _PATH_SEPARATOR),
    }), sort_keys=[("pmcid", "ascending"), ("doi", "ascending"), ("paths", "ascending")])
    return merged.take(final)


def _merge_order(keys: pa.Table) -> np.ndarray:
    """Row indices in merge order: by source priority, then source paths (stable)."""
    priority = pc.fill_null(pc.index_in(keys["source"], value_set=pa.array(list(SOURCE_PRIORITY))),
                            UNKNOWN_SOURCE_PRIORITY)
    order = pc.sort_indices(pa.table({
        "priority": priority,
        "paths": pc.binary_join(keys["source_paths"], _PATH_SEPARATOR),
    }), sort_keys=[("priority", "ascending"), ("paths", "ascending")])
    return order.to_numpy().astype(np.int64)


def _groups(keys: pa.Table, order: np.ndarray) -> tuple[np.ndarray, int]:
    """Paper number of every row, numbered by each paper's first row in ``order``; and their count.

    Nodes are the distinct keys (``pmcid:``, ``doi:``, ``pmid:``; a row with none is keyed
    by its first source path); each row joins its keys.
    """
    n_rows = keys.num_rows
    key_ids = []  # per key kind: every row's node id, or -1
    n_nodes = 0
    for values in (_normalized(keys["pmcid"], str.upper), _normalized(keys["doi"], str.lower), _present(keys["pmid"])):
        ids, distinct = _encode(values)
        key_ids.append(np.where(ids >= 0, ids + n_nodes, -1))
        n_nodes += len(distinct)
    keyless = np.flatnonzero(np.all(np.stack(key_ids) < 0, axis=0))
    path_ids, paths = _encode(_first_path(keys["source_paths"].take(pa.array(keyless))))
    key_ids.append(np.full(n_rows, -1, dtype=np.int64))
    key_ids[-1][keyless] = np.where(path_ids >= 0, path_ids + n_nodes, -1)
    n_nodes += len(paths)
    # A row without keys or paths is a paper of its own.
    alone = np.flatnonzero(np.all(np.stack(key_ids) < 0, axis=0))
    key_ids[-1][alone] = n_nodes + np.arange(len(alone))
    n_nodes += len(alone)

    # Each row's first present key stands for the row; its other keys join it.
    row_node = np.full(n_rows, -1, dtype=np.int64)
    for ids in key_ids:
        row_node = np.where(row_node < 0, ids, row_node)
    joined = [ids >= 0 for ids in key_ids]
    edges_from = np.concatenate([row_node[present] for present in joined])
    edges_to = np.concatenate([ids[present] for ids, present in zip(key_ids, joined)])
    root = _components(n_nodes, edges_from, edges_to)[row_node]

    roots, first_seen = np.unique(root[order], return_index=True)
    number = np.empty(len(roots), dtype=np.int64)
    number[np.argsort(first_seen, kind="stable")] = np.arange(len(roots))
    return number[np.searchsorted(roots, root)], len(roots)


def _components(n_nodes: int, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per node, the smallest node of its connected component (hook roots to the smaller, then jump)."""
    label = np.arange(n_nodes, dtype=np.int64)
    while True:
        left, right = label[sources], label[targets]
        differ = left != right
        if not differ.any():
            return label
        left, right = left[differ], right[differ]
        np.minimum.at(label, np.maximum(left, right), np.minimum(left, right))
        while not np.array_equal(jumped := label[label], label):
            label = jumped


def _encode(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Integer id of every value (-1 for null) and the distinct values, in id order."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    return pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64), encoded.dictionary


def _present(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Strings, with empty ones as null (an empty identifier joins nothing)."""
    return pc.if_else(pc.equal(values, ""), _NO_STRING, values)


def _normalized(values: pa.ChunkedArray, python_case: Callable[[str], str]) -> pa.Array:
    """Upper- or lower-cased as Python's ``str`` methods do: Arrow for ASCII, Python for the rest."""
    values = _present(values).combine_chunks()
    ascii_case = pc.ascii_upper if python_case is str.upper else pc.ascii_lower
    cased = ascii_case(values)
    other = pc.invert(pc.fill_null(pc.string_is_ascii(values), True))
    if pc.any(other).as_py():
        fixed = [python_case(value) for value in pc.filter(values, other).to_pylist()]
        cased = pc.replace_with_mask(cased, other, pa.array(fixed, pa.string()))
    return cased


def _first_path(source_paths: pa.ChunkedArray) -> pa.Array:
    """Every row's first source path (null for an empty list)."""
    source_paths = source_paths.combine_chunks()
    firsts = pc.list_slice(source_paths, 0, 1)
    flat = pc.list_flatten(firsts)
    rows = pc.list_parent_indices(firsts).to_numpy()
    taken = np.full(len(source_paths), -1, dtype=np.int64)
    taken[rows] = np.arange(len(rows))
    return flat.take(pa.array(taken, mask=taken < 0))


def _first_with_value(values: pa.ChunkedArray, order: np.ndarray, group: np.ndarray, n_groups: int) -> pa.Array:
    """Per group, the index of its first row (in ``order``) whose value is present, or null."""
    present = pc.is_valid(values)
    if pa.types.is_list(values.type):
        present = pc.and_(present, pc.greater(pc.fill_null(pc.list_value_length(values), 0), 0))
    present = np.asarray(present.to_numpy(zero_copy_only=False), dtype=bool)[order]
    rows = order[present]
    found, first = np.unique(group[rows], return_index=True)
    chosen = np.full(n_groups, -1, dtype=np.int64)
    chosen[found] = rows[first]
    return pa.array(chosen, mask=chosen < 0)


def _merged_sources(source: pa.ChunkedArray, group: np.ndarray, n_groups: int) -> pa.Array:
    """Per group, its distinct sources joined by "+", by priority (then name)."""
    ids, distinct = _encode(source)
    names = distinct.to_pylist()
    n_sources = len(names)
    if n_sources > 62:
        raise ValueError(f"paper candidates name {n_sources} sources; the merge tells at most 62 apart")
    bits = np.zeros(n_groups, dtype=np.int64)
    np.bitwise_or.at(bits, group, np.left_shift(1, ids))
    masks, per_group = np.unique(bits, return_inverse=True)
    labels = []
    for mask in masks.tolist():
        members = [names[i] for i in range(n_sources) if mask >> i & 1]
        labels.append("+".join(sorted(members, key=lambda s: (SOURCE_PRIORITY.get(s, UNKNOWN_SOURCE_PRIORITY), s))))
    return pa.array(labels, pa.string()).take(pa.array(per_group))


def _merged_paths(source_paths: pa.ChunkedArray, group: np.ndarray, n_groups: int) -> pa.Array:
    """Per group, the sorted distinct source paths of its rows."""
    source_paths = source_paths.combine_chunks()
    paths = pc.list_flatten(source_paths)
    owner = group[pc.list_parent_indices(source_paths).to_numpy()]
    by_owner = pc.sort_indices(pa.table({"owner": owner, "path": paths}),
                               sort_keys=[("owner", "ascending"), ("path", "ascending")]).to_numpy()
    owner, paths = owner[by_owner], paths.take(by_owner)
    # Sorted, a repeat follows its first copy.
    repeat = np.zeros(len(owner), dtype=bool)
    if len(owner) > 1:
        repeat[1:] = (owner[1:] == owner[:-1]) & pc.fill_null(pc.equal(paths[1:], paths[:-1]), False).to_numpy(zero_copy_only=False)
    keep = ~repeat
    offsets = np.zeros(n_groups + 1, dtype=np.int32)
    np.cumsum(np.bincount(owner[keep], minlength=n_groups), out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), paths.filter(pa.array(keep)), type=source_paths.type)


def _or_missing(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.fill_null(_present(values), _MISSING_SORTS_AS)
