"""NCBI Taxonomy dumps -> Arrow tables -> name resolver and lineage helpers.

Reading (once per taxonomy version, :func:`build_taxonomy_tables`)
    ``names.dmp``, ``nodes.dmp`` and the optional ``merged.dmp`` and
    ``delnodes.dmp`` of a taxdump (plain or ``.gz``). Fields are separated by
    ``\\t|\\t`` and lines end with ``\\t|``. Lines are read as whole strings
    with pyarrow and split with Arrow compute (no Python object per row), so a
    full ``names.dmp`` (~4M rows) stays a few hundred MB. NUL bytes are removed
    first (a real copy of ``names.dmp`` carries a 200 kB run of them).
    ``nodes.dmp`` comes in two layouts told apart by the column count: the
    legacy dump (13 columns) and ``new_taxdump`` (18). Only ``tax_id``,
    ``parent_tax_id`` and ``rank`` are kept and rank names are taken as they
    are, so the 2025 ranks (``domain``, ``realm``, ``acellular root``,
    ``cellular root``) need no code change.

Name resolution (:class:`TaxonResolver`, :meth:`TaxonResolver.resolve`)
    1. ``None``, NaN, empty, whitespace and the sentinels of
       :mod:`pfocr_etl.nulls` (``NA``, ``.na.character``, ...) -> ``missing``.
    2. Keys are compared after trimming, stripping surrounding quotes,
       collapsing whitespace and lower-casing (``name_key``).
    3. A query equal to a ``unique_name`` (``mouse <Mus musculus>``) settles
       the taxon at once.
    4. Name classes are tried by tier: ``scientific name``; then ``equivalent
       name``, ``synonym``, ``genbank synonym``; then ``genbank common name``,
       ``common name``. The first tier with a hit decides.
    5. If the full string has no preferred-tier hit, a trailing author
       citation is stripped (``Homo sapiens Linnaeus, 1758``,
       ``Mus musculus (Linnaeus, 1758)``, ``Escherichia coli (Migula 1895)
       Castellani and Chalmers 1919``) and step 4 is repeated (flag
       ``author_stripped``).
    6. Only then any other class (authority, blast name, includes, in-part,
       type material, misspelling, acronym, ...) is accepted, flagged
       ``fallback_class`` (``matched_class`` says which).
    7. Several taxa in the deciding tier (homonyms): prefer rank ``species``,
       then taxa below a species, over higher ranks (``mouse`` -> 10090, not
       the genus 10088; flag ``homonym_rank``); then the taxa related to the
       figure's other organisms (same taxon, ancestor or descendant; flag
       ``homonym_context``). Still tied -> ``unresolved`` with every
       candidate (flag ``homonym``).
    8. Candidates are passed through ``merged.dmp`` (flag ``merged_id``);
       IDs in ``delnodes.dmp`` are never returned as resolved (flag
       ``deleted_id``).

Identifier checks (:meth:`TaxonResolver.resolve_id`): an ID in ``nodes.dmp``
is ``resolved``; a merged ID is followed (``merged_id``); a deleted ID
(``deleted_id``) or one the taxonomy does not know (``unknown_id``) is
``unresolved`` with the ID as its only candidate.

Lineage (:class:`Taxonomy`): :meth:`Taxonomy.lineage` lists ``(tax_id, rank,
scientific name)`` from the root down to the taxon; :meth:`Taxonomy.group`
gives a readable group from the nearest ancestor found in
:data:`READABLE_GROUPS`, a curated map keyed on tax IDs (never on ranks, which
NCBI renames).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pfocr_etl.nulls import is_null

if TYPE_CHECKING:  # pandas is imported where a frame is built: the organisms gather needs none
    import pandas as pd

# --- file layout ---------------------------------------------------------------

FIELD_SEPARATOR = "\t|\t"
LEGACY_NODES_COLUMNS = 13
NEW_TAXDUMP_NODES_COLUMNS = 18
NODES_LAYOUTS = {LEGACY_NODES_COLUMNS: "legacy", NEW_TAXDUMP_NODES_COLUMNS: "new_taxdump"}

# --- name classes, by tier (lower wins) -----------------------------------------

NAME_CLASS_TIERS: dict[str, int] = {
    "scientific name": 0,
    "equivalent name": 1,
    "synonym": 1,
    "genbank synonym": 1,
    "genbank common name": 2,
    "common name": 2,
}
FALLBACK_TIER = 3  # every other class: authority, blast name, includes, misspelling, ...
PREFERRED_TIERS = tuple(sorted(set(NAME_CLASS_TIERS.values())))

STATUS_RESOLVED = "resolved"
STATUS_UNRESOLVED = "unresolved"
STATUS_MISSING = "missing"

SPECIES_RANK = "species"  # the one rank name relied on: it is stable across NCBI releases

# Readable groups for well-known clades, keyed on tax IDs. The nearest ancestor
# (or the taxon itself) listed here names the group, so order does not matter.
READABLE_GROUPS: dict[int, str] = {
    9443: "primates",
    9989: "rodents",
    40674: "mammals",
    8782: "birds",
    8457: "reptiles",  # Sauropsida; birds are caught first by Aves
    8292: "amphibians",
    7898: "bony fishes",  # Actinopterygii
    7742: "vertebrates",
    50557: "insects",
    6231: "nematodes",
    6656: "arthropods",
    33208: "animals",
    3398: "flowering plants",  # Magnoliopsida
    33090: "green plants",
    4751: "fungi",
    2759: "eukaryotes",
    2: "bacteria",
    2157: "archaea",
    10239: "viruses",
    408169: "metagenomes",
    12908: "unclassified sequences",
    28384: "other sequences",
}
OTHER_GROUP = "other"
UNKNOWN_GROUP = "unknown"

LINEAGE_SEPARATOR = "; "
_MAX_LINEAGE_DEPTH = 256  # guards against a parent cycle in a damaged dump
_MAX_MERGE_HOPS = 32

_YEAR = re.compile(r"(?<![0-9A-Za-z])(1[5-9]\d\d|20\d\d)(?![0-9A-Za-z])")
_QUOTES = "'\"`\u2018\u2019\u201c\u201d"


# =============================================================================
# Reading the dump files
# =============================================================================

def _dmp_line_batches(path: str | Path) -> Iterator[pa.Array]:
    """The lines of a ``.dmp`` file, batch by batch: NULs removed, '\\t|' end stripped, empty lines dropped."""
    stream = pa.input_stream(str(path), compression="detect")
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=["line"], block_size=1 << 24),
            # A delimiter that never occurs keeps each line whole; quoting is off
            # because names contain quotes ("Bacillus coli" Migula 1895).
            parse_options=pacsv.ParseOptions(delimiter="\x1f", quote_char=False, escape_char=False),
            convert_options=pacsv.ConvertOptions(column_types={"line": pa.binary()}),
        )
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):  # an empty delnodes.dmp is valid
            return
        raise
    for batch in reader:
        lines = _decode_utf8(pc.replace_substring(batch.column(0), "\x00", ""))
        lines = pc.replace_substring_regex(lines, r"\t\|\s*$", "")
        yield lines.filter(pc.not_equal(pc.utf8_length(lines), 0))


def _decode_utf8(raw: pa.Array) -> pa.Array:
    try:
        return raw.cast(pa.string())
    except pa.ArrowInvalid:
        # Old dumps carried Latin-1 bytes; keep the row, replace the bad bytes.
        return pa.array([None if v is None else v.decode("utf-8", "replace") for v in raw.to_pylist()],
                        type=pa.string())


def read_dmp_fields(path: str | Path, wanted: int) -> tuple[list[pa.ChunkedArray], int]:
    """The first ``wanted`` field columns of a ``.dmp`` file, and its number of fields per line.

    Batches are split one at a time so only the kept columns stay in memory.
    Raises ValueError when lines disagree on the number of fields.
    """
    columns: list[list[pa.Array]] = [[] for _ in range(wanted)]
    n_columns: int | None = None
    lines_before = 0
    for lines in _dmp_line_batches(path):
        parts = pc.split_pattern(lines, FIELD_SEPARATOR)
        counts = pc.list_value_length(parts).to_numpy()
        if len(counts) == 0:
            continue
        n_columns = int(counts[0]) if n_columns is None else n_columns
        odd = np.flatnonzero(counts != n_columns)
        if len(odd):
            raise ValueError(f"{path}: non-empty line {lines_before + odd[0] + 1} has {counts[odd[0]]} fields, "
                             f"earlier lines have {n_columns}")
        if n_columns < wanted:
            raise ValueError(f"{path}: {n_columns} fields per line, expected at least {wanted}")
        for i in range(wanted):
            columns[i].append(pc.list_element(parts, i))
        lines_before += len(counts)
    return [pa.chunked_array(chunks, type=pa.string()) for chunks in columns], n_columns or wanted


def _int_column(column: pa.ChunkedArray, path, name: str) -> pa.ChunkedArray:
    try:
        return pc.cast(pc.utf8_trim_whitespace(column), pa.int64())
    except pa.ArrowInvalid as exc:
        raise ValueError(f"{path}: column {name} holds a non-integer value ({exc})") from None


def name_keys(names: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The lookup key of names: surrounding quotes/space removed, whitespace collapsed, lower case.

    Used for both the index and the queries so the two always agree.
    """
    keys = pc.replace_substring_regex(names, r"\s+", " ")
    keys = pc.utf8_trim(keys, characters=" " + _QUOTES)
    return pc.utf8_lower(keys)


def read_names(path: str | Path) -> pa.Table:
    """``names.dmp`` -> table ``taxonomy_names`` (tax_id, name_txt, unique_name, name_class, name_key)."""
    (tax_id, name_txt, unique_name, name_class), _ = read_dmp_fields(path, 4)
    unique_name = pc.if_else(pc.equal(pc.utf8_length(unique_name), 0), None, unique_name)
    return pa.table({
        "tax_id": _int_column(tax_id, path, "tax_id"),
        "name_txt": name_txt,
        "unique_name": unique_name,
        "name_class": name_class,
        "name_key": name_keys(name_txt),
    })


def nodes_layout(path: str | Path) -> str:
    """``legacy`` (13 columns), ``new_taxdump`` (18) or ``unknown:<n>`` for a ``nodes.dmp``."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        first = handle.readline().decode("utf-8", "replace").replace("\x00", "")
    n_columns = len(re.sub(r"\t\|\s*$", "", first).split(FIELD_SEPARATOR))
    return NODES_LAYOUTS.get(n_columns, f"unknown:{n_columns}")


def read_nodes(path: str | Path) -> pa.Table:
    """``nodes.dmp`` (either layout) -> table ``taxonomy_nodes`` (tax_id, parent_tax_id, rank)."""
    # Only the first three columns are used, so a future layout still loads.
    (tax_id, parent, rank), _ = read_dmp_fields(path, 3)
    return pa.table({
        "tax_id": _int_column(tax_id, path, "tax_id"),
        "parent_tax_id": _int_column(parent, path, "parent_tax_id"),
        "rank": pc.utf8_trim_whitespace(rank),
    })


def read_merged(path: str | Path | None) -> pa.Table:
    """``merged.dmp`` -> table ``taxonomy_merged`` (old_tax_id, new_tax_id); empty when absent."""
    if path is None or not Path(path).exists():
        return pa.table({"old_tax_id": pa.array([], pa.int64()), "new_tax_id": pa.array([], pa.int64())})
    (old, new), _ = read_dmp_fields(path, 2)
    return pa.table({"old_tax_id": _int_column(old, path, "old_tax_id"),
                     "new_tax_id": _int_column(new, path, "new_tax_id")})


def read_deleted(path: str | Path | None) -> pa.Table:
    """``delnodes.dmp`` -> table ``taxonomy_deleted`` (tax_id); empty when absent."""
    if path is None or not Path(path).exists():
        return pa.table({"tax_id": pa.array([], pa.int64())})
    (tax_id,), _ = read_dmp_fields(path, 1)
    return pa.table({"tax_id": _int_column(tax_id, path, "tax_id")})


def _find_dump_file(directory: Path, stem: str) -> Path | None:
    for candidate in (directory / stem, directory / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    return None


def build_taxonomy_tables(taxdump_dir: str | Path) -> dict[str, pa.Table]:
    """Read a taxdump folder into the four Parquet-ready tables, keyed by schema name.

    ``names.dmp`` and ``nodes.dmp`` are required; ``merged.dmp`` and
    ``delnodes.dmp`` are optional. Rows are sorted for byte-stable output.
    """
    directory = Path(taxdump_dir)
    names_path = _find_dump_file(directory, "names.dmp")
    nodes_path = _find_dump_file(directory, "nodes.dmp")
    if names_path is None or nodes_path is None:
        raise FileNotFoundError(f"{directory}: names.dmp and nodes.dmp are required")
    tables = {
        "taxonomy_names": read_names(names_path),
        "taxonomy_nodes": read_nodes(nodes_path),
        "taxonomy_merged": read_merged(_find_dump_file(directory, "merged.dmp")),
        "taxonomy_deleted": read_deleted(_find_dump_file(directory, "delnodes.dmp")),
    }
    sort_keys = {
        "taxonomy_names": ["tax_id", "name_class", "name_txt"],
        "taxonomy_nodes": ["tax_id"],
        "taxonomy_merged": ["old_tax_id"],
        "taxonomy_deleted": ["tax_id"],
    }
    return {name: table.sort_by([(k, "ascending") for k in sort_keys[name]]).combine_chunks()
            for name, table in tables.items()}


# =============================================================================
# Tree: ranks, names, lineage, groups
# =============================================================================

def _to_table(data: pa.Table | pd.DataFrame) -> pa.Table:
    return data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)


class Taxonomy:
    """The taxonomy tree held in sorted NumPy/Arrow arrays (no per-node Python objects).

    Build with :meth:`from_tables` from the tables of :func:`build_taxonomy_tables`.
    Only the lineages actually asked for are cached.
    """

    def __init__(self, nodes: pa.Table, names: pa.Table, merged: pa.Table | None = None,
                 deleted: pa.Table | None = None):
        nodes = _to_table(nodes).sort_by("tax_id")
        self._ids = nodes.column("tax_id").to_numpy()
        self._parents = nodes.column("parent_tax_id").to_numpy()
        ranks = nodes.column("rank").combine_chunks().dictionary_encode()
        self._rank_codes = ranks.indices.to_numpy(zero_copy_only=False)
        self._rank_names: list[str] = ranks.dictionary.to_pylist()
        self._scientific = self._align_scientific_names(_to_table(names))
        merged = _to_table(merged) if merged is not None else read_merged(None)
        merged = merged.sort_by("old_tax_id")
        self._merged_old = merged.column("old_tax_id").to_numpy()
        self._merged_new = merged.column("new_tax_id").to_numpy()
        deleted = _to_table(deleted) if deleted is not None else read_deleted(None)
        self._deleted = np.sort(deleted.column("tax_id").to_numpy())
        self._lineage_cache: dict[int, tuple[int, ...]] = {}

    @classmethod
    def from_tables(cls, tables: Mapping[str, pa.Table]) -> "Taxonomy":
        return cls(tables["taxonomy_nodes"], tables["taxonomy_names"],
                   tables.get("taxonomy_merged"), tables.get("taxonomy_deleted"))

    def _align_scientific_names(self, names: pa.Table) -> pa.Array:
        """Scientific name per node, in node order (null when a node has none)."""
        scientific = names.filter(pc.equal(names.column("name_class"), "scientific name")).sort_by("tax_id")
        if scientific.num_rows == 0:
            return pa.nulls(len(self._ids), pa.string())
        sci_ids = scientific.column("tax_id").to_numpy()
        position = np.minimum(np.searchsorted(sci_ids, self._ids), len(sci_ids) - 1)
        found = sci_ids[position] == self._ids
        taken = scientific.column("name_txt").combine_chunks().take(pa.array(position))
        return pc.if_else(pa.array(found), taken, pa.scalar(None, pa.string()))

    # --- single-node lookups ---------------------------------------------------

    def _index(self, tax_id: int | None) -> int:
        if tax_id is None:
            return -1
        position = int(np.searchsorted(self._ids, tax_id))
        if position < len(self._ids) and self._ids[position] == tax_id:
            return position
        return -1

    def __contains__(self, tax_id: object) -> bool:
        return isinstance(tax_id, (int, np.integer)) and self._index(int(tax_id)) >= 0

    def __len__(self) -> int:
        return len(self._ids)

    def parent(self, tax_id: int) -> int | None:
        index = self._index(tax_id)
        return int(self._parents[index]) if index >= 0 else None

    def rank(self, tax_id: int) -> str | None:
        index = self._index(tax_id)
        return self._rank_names[self._rank_codes[index]] if index >= 0 else None

    def scientific_name(self, tax_id: int) -> str | None:
        index = self._index(tax_id)
        return self._scientific[index].as_py() if index >= 0 else None

    def merged_into(self, tax_id: int) -> int | None:
        """The current ID of a merged ID (chains followed), or None when not merged."""
        current, hops = tax_id, 0
        while hops < _MAX_MERGE_HOPS:
            position = int(np.searchsorted(self._merged_old, current))
            if position < len(self._merged_old) and self._merged_old[position] == current:
                current, hops = int(self._merged_new[position]), hops + 1
                continue
            break
        return current if hops else None

    def is_deleted(self, tax_id: int) -> bool:
        position = int(np.searchsorted(self._deleted, tax_id))
        return position < len(self._deleted) and self._deleted[position] == tax_id

    # --- lineage ----------------------------------------------------------------

    def lineage_ids(self, tax_id: int) -> tuple[int, ...]:
        """Tax IDs from the root down to ``tax_id`` (empty when unknown)."""
        cached = self._lineage_cache.get(tax_id)
        if cached is not None:
            return cached
        path: list[int] = []
        current = tax_id
        for _ in range(_MAX_LINEAGE_DEPTH):
            index = self._index(current)
            if index < 0:
                break
            path.append(current)
            parent = int(self._parents[index])
            if parent == current:
                break
            current = parent
        lineage = tuple(reversed(path)) if path and self._index(tax_id) >= 0 else ()
        self._lineage_cache[tax_id] = lineage
        return lineage

    def lineage(self, tax_id: int) -> list[tuple[int, str | None, str | None]]:
        """``(tax_id, rank, scientific name)`` from the root down to ``tax_id``."""
        return [(node, self.rank(node), self.scientific_name(node)) for node in self.lineage_ids(tax_id)]

    def lineage_text(self, tax_id: int) -> str | None:
        """Scientific names root -> taxon joined by '; ' (``root; cellular organisms; ...``)."""
        names = [name or str(node) for node, _, name in self.lineage(tax_id)]
        return LINEAGE_SEPARATOR.join(names) if names else None

    def group(self, tax_id: int) -> str:
        """Readable group from the nearest ancestor in :data:`READABLE_GROUPS`."""
        lineage = self.lineage_ids(tax_id)
        if not lineage:
            return UNKNOWN_GROUP
        for node in reversed(lineage):
            if node in READABLE_GROUPS:
                return READABLE_GROUPS[node]
        return OTHER_GROUP

    def is_species_or_below(self, tax_id: int) -> bool:
        return any(self.rank(node) == SPECIES_RANK for node in reversed(self.lineage_ids(tax_id)))

    def is_related(self, first: int, second: int) -> bool:
        """Same taxon, or one is an ancestor of the other."""
        if first == second:
            return True
        return first in self.lineage_ids(second) or second in self.lineage_ids(first)

    def related_pairs(self, taxa: Iterable[int]) -> pd.DataFrame:
        """All ordered pairs (taxon_id, related_taxon_id) within ``taxa`` that are related.

        Includes the identity pairs, so a join through this table covers both
        exact and ancestor/descendant support. Only IDs in the taxonomy pair
        with others; unknown IDs pair with themselves.
        """
        import pandas as pd

        distinct = sorted({int(t) for t in taxa if t is not None and not pd.isna(t)})
        present = set(distinct)
        pairs = [(t, t) for t in distinct]
        for taxon in distinct:
            for ancestor in self.lineage_ids(taxon)[:-1]:
                if ancestor in present:
                    pairs.append((taxon, ancestor))
                    pairs.append((ancestor, taxon))
        frame = pd.DataFrame(pairs, columns=["taxon_id", "related_taxon_id"], dtype="int64")
        return frame.drop_duplicates().sort_values(["taxon_id", "related_taxon_id"], ignore_index=True)


# =============================================================================
# Name resolution
# =============================================================================

@dataclass(frozen=True)
class Resolution:
    """Outcome of resolving one organism name or taxon ID.

    ``status`` is ``resolved`` (``taxon_id`` set), ``unresolved``
    (``candidates`` lists every taxon considered, possibly none) or
    ``missing`` (the input was null or a sentinel).
    """

    query: str | None
    status: str
    taxon_id: int | None = None
    matched_class: str | None = None
    matched_name: str | None = None
    candidates: tuple[int, ...] = ()
    flags: tuple[str, ...] = field(default=())


def strip_author(name: str) -> str | None:
    """Remove a trailing author citation; None when the name has none.

    The citation starts at the first later word that is capitalised or opens
    a parenthesis, and must contain a year, so strain names such as
    ``Escherichia coli str. K-12 substr. MG1655`` are left alone.

    >>> strip_author("Homo sapiens Linnaeus, 1758")
    'Homo sapiens'
    >>> strip_author("Mus musculus (Linnaeus, 1758)")
    'Mus musculus'
    """
    words = name.split()
    for position in range(1, len(words)):
        first_char = words[position][:1]
        if first_char == "(" or first_char.isupper():
            if _YEAR.search(" ".join(words[position:])):
                return " ".join(words[:position])
            return None
    return None


def _query_key(name: str) -> str:
    return name_keys(pa.array([name], pa.string()))[0].as_py()


class TaxonResolver:
    """Resolves organism names and taxon IDs against one taxonomy version.

    The names index stays in Arrow arrays; a batch of queries is matched in
    one vectorised ``is_in`` pass (:meth:`resolve_many`), and only the few
    matching rows are handled in Python. Results without figure context are
    cached per query string.
    """

    def __init__(self, taxonomy: Taxonomy, names: pa.Table):
        names = _to_table(names)
        tier = pc.fill_null(
            pc.index_in(names.column("name_class"), value_set=pa.array(list(NAME_CLASS_TIERS), pa.string())),
            -1)
        tier_values = np.asarray(list(NAME_CLASS_TIERS.values()), dtype=np.int8)
        tier_codes = tier.to_numpy()
        tiers = np.where(tier_codes >= 0, tier_values[np.maximum(tier_codes, 0)], FALLBACK_TIER)
        unique_name = names.column("unique_name")
        self._index = pa.table({
            "tax_id": names.column("tax_id"),
            "name_txt": names.column("name_txt"),
            "name_class": names.column("name_class").dictionary_encode(),  # a dozen distinct values
            "name_key": names.column("name_key") if "name_key" in names.column_names
            else name_keys(names.column("name_txt")),
            "unique_key": name_keys(unique_name),
            "tier": pa.array(tiers.astype(np.int8)),
        })
        self.taxonomy = taxonomy
        self._cache: dict[str, Resolution] = {}
        self._rows_by_key: dict[str, list[dict]] = {}
        self._rows_by_unique: dict[str, list[dict]] = {}

    # --- construction -------------------------------------------------------------

    @classmethod
    def from_tables(cls, tables: Mapping[str, pa.Table]) -> "TaxonResolver":
        """From the tables of :func:`build_taxonomy_tables` (or read back from Parquet)."""
        return cls(Taxonomy.from_tables(tables), tables["taxonomy_names"])

    @classmethod
    def from_taxdump(cls, taxdump_dir: str | Path) -> "TaxonResolver":
        return cls.from_tables(build_taxonomy_tables(taxdump_dir))

    @classmethod
    def from_parquet(cls, names: str | Path, nodes: str | Path, merged: str | Path | None = None,
                     deleted: str | Path | None = None) -> "TaxonResolver":
        """From the Parquet files written once per taxonomy version."""
        from pfocr_etl.parquet_io import read_table

        tables = {"taxonomy_names": read_table(names), "taxonomy_nodes": read_table(nodes)}
        if merged is not None:
            tables["taxonomy_merged"] = read_table(merged)
        if deleted is not None:
            tables["taxonomy_deleted"] = read_table(deleted)
        return cls.from_tables(tables)

    # --- index lookups ------------------------------------------------------------

    def _load_rows(self, keys: set[str]) -> None:
        """Fetch the index rows of not-yet-seen keys in one vectorised pass."""
        new = sorted(k for k in keys if k not in self._rows_by_key)
        if not new:
            return
        value_set = pa.array(new, pa.string())
        mask = pc.or_kleene(pc.is_in(self._index.column("name_key"), value_set=value_set),
                            pc.is_in(self._index.column("unique_key"), value_set=value_set))
        rows = self._index.filter(pc.fill_null(mask, False)).to_pylist()
        for key in new:
            self._rows_by_key[key] = []
            self._rows_by_unique[key] = []
        for row in rows:
            if row["name_key"] in self._rows_by_key:
                self._rows_by_key[row["name_key"]].append(row)
            if row["unique_key"] in self._rows_by_unique:
                self._rows_by_unique[row["unique_key"]].append(row)

    @staticmethod
    def _lookup_keys(name: str) -> tuple[str, str | None]:
        stripped = strip_author(name.strip().strip(_QUOTES))
        return _query_key(name), (_query_key(stripped) if stripped else None)

    # --- public API ------------------------------------------------------------------

    def resolve_many(self, names: Iterable[object]) -> dict[str, Resolution]:
        """Resolve distinct names at once (no figure context); keys are the names as given."""
        queries = {n for n in names if isinstance(n, str) and not is_null(n)}
        keys: set[str] = set()
        for name in queries:
            if name not in self._cache:
                keys.update(k for k in self._lookup_keys(name) if k)
        self._load_rows(keys)
        return {name: self.resolve(name) for name in queries}

    def resolve(self, name: object, context: Iterable[int] = ()) -> Resolution:
        """Resolve one organism name; ``context`` holds the figure's other taxon IDs."""
        if is_null(name):
            return Resolution(query=None if name is None else str(name), status=STATUS_MISSING)
        query = str(name)
        context_taxa = tuple(sorted({int(t) for t in context}))
        if not context_taxa and query in self._cache:
            return self._cache[query]
        full_key, stripped_key = self._lookup_keys(query)
        self._load_rows({k for k in (full_key, stripped_key) if k})
        result = self._resolve_keys(query, full_key, stripped_key, context_taxa)
        if not context_taxa:
            self._cache[query] = result
        return result

    def _resolve_keys(self, query: str, full_key: str, stripped_key: str | None,
                      context: tuple[int, ...]) -> Resolution:
        unique_rows = self._rows_by_unique.get(full_key, [])
        if unique_rows:
            return self._decide(query, unique_rows, context, ("unique_name",))
        attempts = [(full_key, PREFERRED_TIERS, ())]
        if stripped_key and stripped_key != full_key:
            attempts.append((stripped_key, PREFERRED_TIERS, ("author_stripped",)))
        attempts.append((full_key, (FALLBACK_TIER,), ("fallback_class",)))
        if stripped_key and stripped_key != full_key:
            attempts.append((stripped_key, (FALLBACK_TIER,), ("author_stripped", "fallback_class")))
        for key, tiers, flags in attempts:
            rows = self._rows_by_key.get(key, [])
            for tier in tiers:
                tier_rows = [r for r in rows if r["tier"] == tier]
                if tier_rows:
                    return self._decide(query, tier_rows, context, flags)
        return Resolution(query=query, status=STATUS_UNRESOLVED, flags=("not_found",))

    def _decide(self, query: str, rows: list[dict], context: tuple[int, ...],
                flags: tuple[str, ...]) -> Resolution:
        """Pick one taxon among the matching rows of a single tier, or report the tie."""
        flag_list = list(flags)
        by_taxon: dict[int, dict] = {}
        for row in sorted(rows, key=lambda r: (r["tax_id"], r["name_class"], r["name_txt"])):
            taxon, row_flags = self._current_id(row["tax_id"])
            flag_list.extend(row_flags)
            if taxon is not None:
                by_taxon.setdefault(taxon, row)
        candidates = sorted(by_taxon)
        if not candidates:
            return Resolution(query=query, status=STATUS_UNRESOLVED,
                              candidates=tuple(sorted({r["tax_id"] for r in rows})),
                              flags=tuple(dict.fromkeys(flag_list)))
        chosen = candidates
        if len(chosen) > 1:
            chosen = self._prefer_species(chosen)
            if len(chosen) == 1:
                flag_list.append("homonym_rank")
        if len(chosen) > 1 and context:
            related = [t for t in chosen if any(self.taxonomy.is_related(t, c) for c in context)]
            if len(related) == 1:
                chosen = related
                flag_list.append("homonym_context")
        if len(chosen) > 1:
            flag_list.append("homonym")
            return Resolution(query=query, status=STATUS_UNRESOLVED, candidates=tuple(candidates),
                              flags=tuple(dict.fromkeys(flag_list)))
        taxon = chosen[0]
        row = by_taxon[taxon]
        return Resolution(query=query, status=STATUS_RESOLVED, taxon_id=taxon,
                          matched_class=row["name_class"], matched_name=row["name_txt"],
                          candidates=tuple(candidates) if len(candidates) > 1 else (),
                          flags=tuple(dict.fromkeys(flag_list)))

    def _prefer_species(self, taxa: list[int]) -> list[int]:
        """Rank preference for homonyms: species, then below species, then the rest."""
        species = [t for t in taxa if self.taxonomy.rank(t) == SPECIES_RANK]
        if species:
            return species
        below = [t for t in taxa if self.taxonomy.is_species_or_below(t)]
        return below or taxa

    def _current_id(self, tax_id: int) -> tuple[int | None, tuple[str, ...]]:
        """Follow merged.dmp; None for deleted or unknown IDs. Returns (id, flags)."""
        if tax_id in self.taxonomy:
            return tax_id, ()
        merged = self.taxonomy.merged_into(tax_id)
        if merged is not None and merged in self.taxonomy:
            return merged, ("merged_id",)
        if self.taxonomy.is_deleted(tax_id):
            return None, ("deleted_id",)
        return None, ("unknown_id",)

    def resolve_id(self, tax_id: object) -> Resolution:
        """Check a taxon ID (e.g. a genes TSV ``organism_id``) against the taxonomy."""
        if is_null(tax_id):
            return Resolution(query=None, status=STATUS_MISSING)
        try:
            number = int(tax_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return Resolution(query=str(tax_id), status=STATUS_UNRESOLVED, flags=("not_an_id",))
        current, flags = self._current_id(number)
        if current is None:
            return Resolution(query=str(number), status=STATUS_UNRESOLVED, candidates=(number,), flags=flags)
        return Resolution(query=str(number), status=STATUS_RESOLVED, taxon_id=current, flags=flags)

    def resolve_ids(self, tax_ids: Iterable[object]) -> dict[int, Resolution]:
        """:meth:`resolve_id` for distinct integer IDs (nulls skipped)."""
        distinct = {int(t) for t in tax_ids if not is_null(t)}
        return {t: self.resolve_id(t) for t in sorted(distinct)}
