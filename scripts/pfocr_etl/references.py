"""Readers for the gene reference files, and a checksum-recording downloader.

Every reader parses by header name (never by position), turns the NCBI/HGNC null
markers into real nulls and returns a pandas DataFrame with explicit dtypes:
identifiers are ``int64`` (``Int64`` when they may be missing), text is pandas'
``str`` dtype. Multi-valued cells stay ``|``-joined strings (NCBI's own
separator); :func:`explode_multi` turns such a column into one row per value.

Formats handled (see ``shared/notes/gene-and-organism-references.md`` section 1):

* NCBI ``gene_info``: 16 columns, or 15 in older copies without ``Feature_type``
  (missing optional columns come back as nulls); gzip or plain; ``-`` is null.
  Large files (``All_Data.gene_info.gz``) are streamed in batches and filtered by
  taxon, so only the wanted rows are ever held in memory.
* NCBI ``gene_history``: one row per discontinued GeneID, ``GeneID`` ``-`` when the
  ID was withdrawn without replacement. Replacements can chain;
  :func:`resolve_gene_history` follows the chains with vectorised lookups.
* NCBI ``gene_orthologs`` is read by :func:`pfocr_etl.orthologs.read_gene_orthologs`.
* HGNC complete set, JSON (``response.docs``) or TSV (drifting header:
  ``location_sortable``, ``rna_central_id(s)``, ``gene_family`` vs ``gene_group``).
  List fields become ``|``-joined strings in both cases.
* HGNC ``withdrawn.txt``: one row per (withdrawn entry, replacement report);
  reports look like ``HGNC:5|A1BG|Approved`` (``/``-separated in old copies),
  several separated by ``, ``.
* FamPlex CSVs: headerless, CRLF (or mixed) line endings, quoted texts with commas,
  ``grounding_map.csv`` rows padded to a varying width.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pfocr_etl.schemas import SORT_KEYS, schema

NCBI_NULL = "-"

# NCBI gene_info header -> our column name. Order is the 16-column layout.
GENE_INFO_COLUMNS = {
    "#tax_id": "taxon_id",
    "GeneID": "ncbigene_id",
    "Symbol": "symbol",
    "LocusTag": "locus_tag",
    "Synonyms": "synonyms",
    "dbXrefs": "db_xrefs",
    "chromosome": "chromosome",
    "map_location": "map_location",
    "description": "description",
    "type_of_gene": "gene_type",
    "Symbol_from_nomenclature_authority": "authority_symbol",
    "Full_name_from_nomenclature_authority": "authority_full_name",
    "Nomenclature_status": "nomenclature_status",
    "Other_designations": "other_designations",
    "Modification_date": "modification_date",
    "Feature_type": "feature_type",
}
GENE_INFO_REQUIRED = ("#tax_id", "GeneID", "Symbol", "Synonyms", "type_of_gene")

GENE_HISTORY_COLUMNS = {
    "#tax_id": "taxon_id",
    "GeneID": "ncbigene_id",
    "Discontinued_GeneID": "discontinued_ncbigene_id",
    "Discontinued_Symbol": "discontinued_symbol",
    "Discontinue_Date": "discontinue_date",
}

# HGNC field -> our column. Alternatives are older header spellings of the same field.
HGNC_FIELDS = {
    "hgnc_id": ("hgnc_id",),
    "symbol": ("symbol",),
    "name": ("name",),
    "status": ("status",),
    "locus_group": ("locus_group",),
    "locus_type": ("locus_type",),
    "alias_symbols": ("alias_symbol",),
    "prev_symbols": ("prev_symbol",),
    "entrez_id": ("entrez_id",),
    "ensembl_gene_id": ("ensembl_gene_id",),
    "uniprot_ids": ("uniprot_ids",),
    "mgd_id": ("mgd_id",),
    "rgd_id": ("rgd_id",),
    "gene_group": ("gene_group", "gene_family"),
}
HGNC_REQUIRED = ("hgnc_id", "symbol")

WITHDRAWN_REPORT = re.compile(r"(HGNC:\d+)[|/]([^|/,]*)[|/]([^,]*)")

_STREAM_BLOCK = 16 << 20  # bytes per CSV block when streaming large NCBI files


class ReferenceFormatError(ValueError):
    """A reference file lacks required columns or is not in the expected layout."""


# --- generic helpers -----------------------------------------------------------------------

def explode_multi(frame: pd.DataFrame, column: str, separator: str = "|") -> pd.DataFrame:
    """One row per value of a ``separator``-joined column; nulls and empty values dropped."""
    exploded = frame.assign(**{column: frame[column].str.split(separator, regex=False)}).explode(column)
    exploded[column] = exploded[column].str.strip()
    exploded = exploded[exploded[column].notna() & (exploded[column] != "")]
    return exploded.reset_index(drop=True)


def _read_header(path: Path) -> list[str]:
    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return handle.readline().rstrip("\r\n").split("\t")


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _stream_ncbi_tsv(path: str | os.PathLike, columns: dict[str, str], required: Iterable[str],
                     taxa: Iterable[int] | None) -> pa.Table:
    """Read an NCBI tab file (gz or plain) as strings, renamed, filtered to ``taxa``."""
    path = Path(path)
    header = _read_header(path)
    missing = [name for name in required if name not in header]
    if missing:
        raise ReferenceFormatError(f"{path}: missing column(s) {missing}; header is {header}")
    present = [name for name in columns if name in header]
    compression = "gzip" if _is_gzip(path) else None
    stream = pa.input_stream(str(path), compression=compression)
    reader = pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(block_size=_STREAM_BLOCK),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, double_quote=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            include_columns=present,
            null_values=[NCBI_NULL, ""],
            strings_can_be_null=True,
        ),
    )
    wanted = pa.array(sorted({str(t) for t in taxa}), pa.string()) if taxa is not None else None
    batches = []
    for batch in reader:
        if wanted is not None:
            batch = batch.filter(pc.is_in(batch.column("#tax_id"), value_set=wanted))
        batches.append(batch)
    table = pa.Table.from_batches(batches, schema=reader.schema)
    # Optional columns absent from older layouts (e.g. Feature_type) come back as nulls.
    for name in columns:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table.select(list(columns)).rename_columns(list(columns.values()))


def _to_frame(table: pa.Table, int_columns: Iterable[str] = (), nullable_int_columns: Iterable[str] = ()
              ) -> pd.DataFrame:
    frame = table.to_pandas()
    for name in frame.columns:
        if name in int_columns:
            frame[name] = frame[name].astype("int64")
        elif name in nullable_int_columns:
            frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        else:
            frame[name] = frame[name].astype("str")
    return frame


def frame_to_arrow(frame: pd.DataFrame, table: str) -> pa.Table:
    """Cast a DataFrame to the declared schema of ``table``, rows sorted by its SORT_KEYS.

    The remaining columns break ties, so the row order never depends on the input
    order; no pandas metadata is attached (byte-identical Parquet for equal input).
    """
    target = schema(table)
    frame = frame.reindex(columns=target.names)
    arrays = [pa.array(frame[column.name], type=column.type, from_pandas=True) for column in target]
    arrow = pa.Table.from_arrays(arrays, schema=target)
    keys = [*SORT_KEYS[table], *(name for name in target.names if name not in SORT_KEYS[table])]
    order = pc.sort_indices(arrow, sort_keys=[(key, "ascending", "at_end") for key in keys])
    return arrow.take(order)


# --- NCBI Gene ---------------------------------------------------------------------------

def read_gene_info(path: str | os.PathLike, taxa: Iterable[int] | None = None) -> pd.DataFrame:
    """NCBI ``gene_info`` (15 or 16 columns, gz or plain) -> one row per gene.

    Columns are :data:`GENE_INFO_COLUMNS` values; ``taxon_id`` and ``ncbigene_id`` are
    int64, everything else ``str`` with ``-`` as null. ``synonyms``, ``db_xrefs`` and
    ``other_designations`` stay ``|``-joined. ``taxa`` keeps only those tax_ids.
    """
    table = _stream_ncbi_tsv(path, GENE_INFO_COLUMNS, GENE_INFO_REQUIRED, taxa)
    return _to_frame(table, int_columns=("taxon_id", "ncbigene_id"))


def read_gene_history(path: str | os.PathLike, taxa: Iterable[int] | None = None) -> pd.DataFrame:
    """NCBI ``gene_history`` -> one row per discontinued GeneID.

    ``ncbigene_id`` (the replacement) is ``Int64`` and null when the ID was withdrawn
    without replacement.
    """
    table = _stream_ncbi_tsv(path, GENE_HISTORY_COLUMNS, tuple(GENE_HISTORY_COLUMNS), taxa)
    return _to_frame(table, int_columns=("taxon_id", "discontinued_ncbigene_id"),
                     nullable_int_columns=("ncbigene_id",))


def resolve_gene_history(history: pd.DataFrame, max_steps: int = 50) -> pd.DataFrame:
    """Follow replacement chains to the current GeneID of every discontinued GeneID.

    Returns ``taxon_id, discontinued_ncbigene_id, discontinued_symbol, current_ncbigene_id``
    (``Int64``, null when the chain ends in a withdrawal), ``status`` (``replaced`` or
    ``discontinued``) and ``chain_length`` (replacement steps followed). Each step is
    one vectorised lookup over all unresolved IDs, so the cost grows with the longest
    chain, not with the number of rows.
    """
    withdrawn = np.int64(-1)  # sentinel for "no replacement" inside the int64 arrays
    history = history.drop_duplicates("discontinued_ncbigene_id", keep="last")
    discontinued = history["discontinued_ncbigene_id"].to_numpy(dtype="int64")
    replacement = pd.Series(history["ncbigene_id"].fillna(withdrawn).to_numpy(dtype="int64"), index=discontinued)
    current = replacement.to_numpy(copy=True)
    steps = np.ones(len(current), dtype="int32")
    for _ in range(max_steps):
        still_discontinued = np.isin(current, discontinued) & (current != withdrawn)
        if not still_discontinued.any():
            break
        current[still_discontinued] = replacement.reindex(current[still_discontinued]).to_numpy()
        steps[still_discontinued] += 1
    else:
        raise ReferenceFormatError("gene_history has a replacement cycle or a chain longer than "
                                   f"{max_steps} steps")
    resolved = pd.DataFrame({
        "taxon_id": history["taxon_id"].to_numpy(),
        "discontinued_ncbigene_id": discontinued,
        "discontinued_symbol": history["discontinued_symbol"].to_numpy(),
        "current_ncbigene_id": pd.array(np.where(current == withdrawn, None, current), dtype="Int64"),
        "chain_length": steps,
    })
    resolved["status"] = resolved["current_ncbigene_id"].notna().map({True: "replaced", False: "discontinued"})
    resolved["status"] = resolved["status"].astype("str")
    resolved["discontinued_symbol"] = resolved["discontinued_symbol"].astype("str")
    return resolved.sort_values("discontinued_ncbigene_id", kind="stable").reset_index(drop=True)


def build_gene_id_history(history: pd.DataFrame) -> pa.Table:
    """:func:`resolve_gene_history` of a raw history as an Arrow table (schema ``gene_id_history``)."""
    return frame_to_arrow(resolve_gene_history(history), "gene_id_history")


# --- HGNC ----------------------------------------------------------------------------------

def read_hgnc(path: str | os.PathLike) -> pd.DataFrame:
    """HGNC complete set (JSON ``response.docs`` or TSV) -> one row per HGNC entry.

    Columns: the keys of :data:`HGNC_FIELDS` plus ``ncbigene_id`` (``Int64`` from
    ``entrez_id``). List fields (aliases, previous symbols, UniProt IDs, MGI/RGD IDs,
    gene groups) are ``|``-joined strings; absent fields are null.
    """
    path = Path(path)
    opener = gzip.open if _is_gzip(path) else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        text = handle.read()
    if text.lstrip().startswith("{"):
        records = _hgnc_json_records(json.loads(text), path)
        raw = pd.DataFrame.from_records(records)
    else:
        raw = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False, quotechar='"')
    missing = [name for name in HGNC_REQUIRED if name not in raw.columns]
    if missing:
        raise ReferenceFormatError(f"{path}: missing HGNC field(s) {missing}")
    frame = pd.DataFrame(index=raw.index)
    for column, spellings in HGNC_FIELDS.items():
        source = next((name for name in spellings if name in raw.columns), None)
        values = raw[source] if source else pd.Series(None, index=raw.index, dtype="object")
        frame[column] = values.map(_hgnc_cell).astype("str")
    frame["ncbigene_id"] = pd.to_numeric(frame.pop("entrez_id")).astype("Int64")
    return frame.sort_values("hgnc_id", key=_hgnc_number, kind="stable").reset_index(drop=True)


def _hgnc_json_records(document: dict, path: Path) -> list[dict]:
    try:
        return list(document["response"]["docs"])
    except (KeyError, TypeError):
        raise ReferenceFormatError(f"{path}: HGNC JSON without response.docs") from None


def _hgnc_cell(value: object) -> str | None:
    """JSON lists and TSV strings alike -> trimmed ``|``-joined text, or None when empty."""
    if isinstance(value, list):
        parts = [str(v).strip() for v in value if v is not None and str(v).strip()]
        return "|".join(parts) if parts else None
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip().strip('"')
    return text or None


def _hgnc_number(ids: pd.Series) -> pd.Series:
    return pd.to_numeric(ids.str.removeprefix("HGNC:"), errors="coerce")


def read_hgnc_withdrawn(path: str | os.PathLike) -> pd.DataFrame:
    """HGNC ``withdrawn.txt`` -> one row per (withdrawn entry, replacement report).

    Columns: ``hgnc_id, status, withdrawn_symbol, merged_into_hgnc_id,
    merged_into_symbol, merged_into_status``; the ``merged_into_*`` columns are null for
    ``Entry Withdrawn`` rows. The report column is found by its ``MERGED_INTO_REPORT``
    prefix because its full header text changed between releases.
    """
    path = Path(path)
    raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    report_column = next((c for c in raw.columns if c.upper().startswith("MERGED_INTO_REPORT")), None)
    missing = [c for c in ("HGNC_ID", "STATUS", "WITHDRAWN_SYMBOL") if c not in raw.columns]
    if missing or report_column is None:
        raise ReferenceFormatError(f"{path}: missing withdrawn.txt column(s) {missing or ['MERGED_INTO_REPORT(S)']}")
    rows = []
    for hgnc_id, status, symbol, report in raw[["HGNC_ID", "STATUS", "WITHDRAWN_SYMBOL", report_column]].itertuples(
            index=False):
        reports = WITHDRAWN_REPORT.findall(report or "")
        for target_id, target_symbol, target_status in reports or [(None, None, None)]:
            rows.append((hgnc_id.strip(), status.strip(), symbol.strip(), target_id,
                         (target_symbol or "").strip() or None, (target_status or "").strip() or None))
    columns = ["hgnc_id", "status", "withdrawn_symbol", "merged_into_hgnc_id", "merged_into_symbol",
               "merged_into_status"]
    frame = pd.DataFrame(rows, columns=columns).astype("str")
    return frame.sort_values(["hgnc_id", "merged_into_hgnc_id"], key=_hgnc_number, kind="stable"
                             ).reset_index(drop=True)


# --- FamPlex -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FamPlex:
    """The FamPlex CSVs we use, each as a DataFrame of ``str`` columns."""

    relations: pd.DataFrame        # ns1, id1, rel, ns2, id2
    entities: pd.DataFrame         # famplex_id
    equivalences: pd.DataFrame     # namespace, external_id, famplex_id
    grounding_map: pd.DataFrame    # text, ns1, id1, ns2, id2, ns3, id3
    hgnc_symbol_map: pd.DataFrame  # symbol, hgnc_id (as 'HGNC:<n>')


def _read_headerless_csv(path: str | os.PathLike, names: list[str]) -> pd.DataFrame:
    """Headerless CSV with any line endings; short rows padded, extra cells dropped."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    width = len(names)
    cells = [[cell.strip() or None for cell in (row + [""] * width)[:width]] for row in rows]
    return pd.DataFrame(cells, columns=names).astype("str")


def read_famplex_relations(path: str | os.PathLike) -> pd.DataFrame:
    return _read_headerless_csv(path, ["ns1", "id1", "rel", "ns2", "id2"])


def read_famplex_entities(path: str | os.PathLike) -> pd.DataFrame:
    return _read_headerless_csv(path, ["famplex_id"])


def read_famplex_equivalences(path: str | os.PathLike) -> pd.DataFrame:
    return _read_headerless_csv(path, ["namespace", "external_id", "famplex_id"])


def read_famplex_grounding_map(path: str | os.PathLike) -> pd.DataFrame:
    return _read_headerless_csv(path, ["text", "ns1", "id1", "ns2", "id2", "ns3", "id3"])


def read_famplex_hgnc_symbol_map(path: str | os.PathLike) -> pd.DataFrame:
    frame = _read_headerless_csv(path, ["symbol", "hgnc_number"])
    frame["hgnc_id"] = ("HGNC:" + frame.pop("hgnc_number")).astype("str")
    return frame


def read_famplex(directory: str | os.PathLike) -> FamPlex:
    """All FamPlex CSVs from one folder (``hgnc_symbol_map.csv`` may sit in ``export/``)."""
    directory = Path(directory)
    symbol_map = directory / "hgnc_symbol_map.csv"
    if not symbol_map.exists():
        symbol_map = directory / "export" / "hgnc_symbol_map.csv"
    return FamPlex(
        relations=read_famplex_relations(directory / "relations.csv"),
        entities=read_famplex_entities(directory / "entities.csv"),
        equivalences=read_famplex_equivalences(directory / "equivalences.csv"),
        grounding_map=read_famplex_grounding_map(directory / "grounding_map.csv"),
        hgnc_symbol_map=read_famplex_hgnc_symbol_map(symbol_map),
    )


# --- download ------------------------------------------------------------------------------

def fetch_reference(url: str, dest_dir: str | os.PathLike, expected_sha256: str | None = None,
                    filename: str | None = None, timeout: float = 120.0) -> dict:
    """Download ``url`` into ``dest_dir`` atomically and record its checksum.

    The body is streamed to a temporary file in ``dest_dir`` while hashing, then
    renamed into place, so a failed or interrupted download never leaves a partial
    file under the final name. With ``expected_sha256`` a mismatch raises
    ``ValueError`` and nothing is written. Returns ``{path, sha256, url, retrieved,
    size}`` (``retrieved`` in UTC, ISO 8601) for the reference manifest.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = filename or Path(urllib.parse.urlparse(url).path).name
    if not name:
        raise ValueError(f"cannot derive a file name from {url!r}; pass filename=")
    target = dest_dir / name
    digest = hashlib.sha256()
    size = 0
    handle, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=dest_dir)
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        if expected_sha256 and sha256 != expected_sha256.lower():
            raise ValueError(f"checksum mismatch for {url}: expected {expected_sha256}, got {sha256}")
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    retrieved = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    return {"path": str(target), "sha256": sha256, "url": url, "retrieved": retrieved, "size": size}
