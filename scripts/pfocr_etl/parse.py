"""Parse stage: PFOCR figure records and their ``_data`` tables into table rows.

Two record generations are read (see ``../shared/pfocr-sample/README.md``):

* ``inline_lists``: older pages with ``genes:``/``chemicals:``/``diseases:``
  lists in the front matter (``word, symbol, source, hgnc_symbol, entrez``);
* ``data_tables``: current pages with ``organisms_ner``, ``doi``,
  ``automl_pathway`` … whose mentions live in ``_data/<figid>-*.tsv``.

A record with neither inline lists nor tables still carries its
``schema-jsonld.keywords``; the gene stage maps those.

De-duplication: rows of one source file that are identical in every column we
keep (the TSVs' per-organism ``count_*`` totals are dropped) collapse into one
row whose ``n_source_rows`` says how many there were and whose ``source_line``
is the first of them. Nothing else is merged.

Every unusable input becomes a rejection (see :mod:`pfocr_etl.errors`); the rest
of the shard still goes through.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from pfocr_etl import errors
from pfocr_etl.frontmatter import load_front_matter, split_front_matter
from pfocr_etl.nulls import NULL_SENTINELS, int_or_none, is_null, null_if_sentinel, text_or_none
from pfocr_etl.parquet_io import group_rows
from pfocr_etl.schemas import schema
from pfocr_etl.shard_cache import dependency_key, figure_input_digests

# A record expanding to more YAML nodes than this is an alias bomb ("billion laughs").
MAX_YAML_NODES = 200_000
YEAR_RANGE = (1800, 2100)

INLINE_KEYS = ("genes", "chemicals", "diseases")
MENTION_TABLES = {"genes": "figure_genes_raw", "chemicals": "figure_chemicals", "diseases": "figure_diseases"}
TABLE_KINDS = {"genes_tsv": "genes", "chemicals_tsv": "chemicals", "diseases_tsv": "diseases"}
REQUIRED_TSV_COLUMNS = {
    "genes": ("word", "ncbigene_symbol", "ncbigene_id"),
    "chemicals": ("word", "mesh"),
    "diseases": ("word", "mesh"),
}
_TABLE_NAME = re.compile(r"^(?P<figid>.+)-(?P<kind>genes|chemicals|diseases)\.tsv$")


class RecordError(Exception):
    """An input cannot be used; carries the rejection reason code."""

    def __init__(self, reason: str, detail: str, action: str = errors.FILE_SKIPPED):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.action = action


# --- reading ------------------------------------------------------------------

# Reading a cold corpus waits on the disk for every file. Opening files a window ahead and
# asking the kernel to read them (POSIX_FADV_WILLNEED) overlaps those waits with parsing, with
# no threads: reader threads fought the parser for the GIL and made a warm 12,868-file shard
# 1.5x slower (3.1-3.5 s against 2.0-2.1 s).
READ_AHEAD = 256  # files opened but not yet parsed, at most
_PREFETCH = getattr(os, "posix_fadvise", None)  # absent on macOS: plain reads there


def _open_ahead(path: str) -> int | OSError:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        return exc
    if _PREFETCH is not None:
        try:
            _PREFETCH(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass  # only a hint (some file systems refuse it)
    return fd


def _read_opened(opened: int | OSError, listed_size: int) -> bytes | OSError:
    """The whole file, in one read() when it has its listed size (a buffered file object made
    four system calls of it: fstat, two reads and a seek), closing the descriptor."""
    if isinstance(opened, OSError):
        return opened
    try:
        wanted = max(listed_size, 0) + 1
        data = os.read(opened, wanted)
        if len(data) == wanted:  # larger than listed: read on to the end
            chunks = [data]
            while chunk := os.read(opened, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        return data  # a regular file reads short only at its end
    except OSError as exc:
        return exc
    finally:
        os.close(opened)


def read_files(root: str | os.PathLike, relpaths: Iterable[str],
               listed_sizes: Iterable[int] | None = None) -> Iterator[bytes | OSError]:
    """Each file's bytes (or the error opening or reading it), in order, prefetched a window ahead.

    ``listed_sizes`` (the manifest's) let most files be read in one system call; any size works.
    """
    base = os.fspath(root)
    pending: deque = deque()
    sizes = iter(listed_sizes) if listed_sizes is not None else itertools.repeat(0)
    try:
        for relpath in relpaths:
            pending.append((_open_ahead(os.path.join(base, relpath)), next(sizes)))
            if len(pending) >= READ_AHEAD:
                yield _read_opened(*pending.popleft())
        while pending:
            yield _read_opened(*pending.popleft())
    finally:  # a consumer that stops early must not leak descriptors
        for opened, _ in pending:
            if not isinstance(opened, OSError):
                os.close(opened)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) with CRLF/CR normalised to LF."""
    if not data.strip():
        raise RecordError("empty_file", "the file is empty; remove it or restore its content")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecordError("invalid_utf8",
                          f"not valid UTF-8 at byte {exc.start} (line {line}): re-save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def count_nodes(value: object, budget: int = MAX_YAML_NODES) -> int:
    """Count nodes as a consumer would see them (shared aliases count each time)."""
    seen = 0
    stack = [value]
    while stack:
        item = stack.pop()
        seen += 1
        if seen > budget:
            raise RecordError("yaml_alias_bomb",
                              f"front matter expands to more than {budget} YAML nodes "
                              "(anchors/aliases used to inflate it); refusing to load it")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return seen


def load_record_yaml(text: str) -> dict:
    if not text.startswith("---"):
        raise RecordError("missing_front_matter",
                          "no YAML front matter: a figure record must start with a '---' line")
    try:
        yaml_text, _body = split_front_matter(text)
    except ValueError as exc:
        raise RecordError("unclosed_front_matter", f"front matter is not closed by a '---' line ({exc})") from None
    try:
        data = load_front_matter(yaml_text)
    except yaml.constructor.ConstructorError as exc:
        raise RecordError("yaml_unsafe",
                          f"YAML asks to build an object or uses an unknown tag, refused by the safe loader: "
                          f"{_one_line(exc)}") from None
    except yaml.YAMLError as exc:
        raise RecordError("yaml_error", f"malformed YAML front matter: {_one_line(exc)}") from None
    except RecursionError:
        raise RecordError("yaml_alias_bomb", "front matter nests too deeply to load") from None
    if "*" in yaml_text:  # only aliases can make a small text expand; most records have none
        count_nodes(data)
    if not isinstance(data, dict):
        raise RecordError("front_matter_not_mapping",
                          f"front matter is a {type(data).__name__}, expected a mapping of keys to values")
    return data


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# --- field conversion ---------------------------------------------------------

def scalar_text(value: object) -> str | None:
    """Free-text field value; lists/dicts are not scalars."""
    if isinstance(value, (list, dict)):
        raise ValueError(f"expected a single value, got a {type(value).__name__}")
    if isinstance(value, bool):
        return "true" if value else "false"
    return text_or_none(value)


def identifier_text(value: object) -> str | None:
    if isinstance(value, (list, dict)):
        raise ValueError(f"expected a single value, got a {type(value).__name__}")
    return null_if_sentinel(value)


def text_list(value: object) -> list[str]:
    """A YAML scalar or list as a list of non-null strings, order kept."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, (list, dict)):
            continue
        text = null_if_sentinel(item)
        if text is not None:
            out.append(text)
    return out


def split_keywords(value: object) -> list[str]:
    """Paper keywords: a ``a | b | c`` string (or a list)."""
    parts: list[str] = []
    for item in text_list(value):
        parts.extend(p.strip() for p in item.split("|"))
    return [p for p in parts if p and not is_null(p)]


def parse_year(value: object) -> int | None:
    """Year as an integer; raises ValueError for a present but invalid year."""
    if is_null(value):
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"year {value!r} is not a four-digit year")
    year = int(text)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValueError(f"year {year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    return year


def parse_score(value: object) -> float | None:
    if is_null(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"score {value!r} is not a number")
    number = float(value)
    if math.isnan(number):
        return None
    return number


def word_text(value: object) -> str | None:
    """The OCR word: kept as written; only a truly empty value is missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if text.strip() else None


def mesh_accession(value: object) -> str | None:
    text = null_if_sentinel(value)
    if text is None:
        return None
    return re.sub(r"^mesh:", "", text, flags=re.IGNORECASE)


def prefixed_curie(value: object, prefix: str) -> str | None:
    """``chebi:3165`` / ``3165`` -> ``CHEBI:3165`` (the registry's own spelling)."""
    text = null_if_sentinel(value)
    if text is None:
        return None
    local = re.sub(rf"^{prefix}:", "", text, flags=re.IGNORECASE)
    return f"{prefix}:{local}"


# --- results ------------------------------------------------------------------

@dataclass
class ShardTables:
    """Rows of every table produced from one shard's files."""

    def count(self, table: str) -> int:
        value = getattr(self, table)
        return value.num_rows if isinstance(value, pa.Table) else len(value)

    figures: list[dict] = field(default_factory=list)
    figure_genes: pa.Table | None = None  # mention tables are Arrow: a shard has ~10^5-10^6 rows
    figure_chemicals: pa.Table | None = None
    figure_diseases: pa.Table | None = None
    papers: list[dict] = field(default_factory=list)
    paper_references: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    corpus_files: list[dict] = field(default_factory=list)  # path, kind, size, sha256 of every file read
    figure_inputs: list[dict] = field(default_factory=list)  # figid, input_sha256 of every accepted figure


FIGURE_FIELDS_TEXT = ("pmcid", "number", "figtitle", "caption", "filename", "figlink", "papertitle",
                      "reftext", "journal_title", "figid_alias", "figtype")


@dataclass
class FigureRecord:
    row: dict
    inline: dict[str, list]
    paper_keywords: list[str]
    journal_nlm_ta: str | None


def parse_figure_record(data: bytes, relpath: str, rejections: errors.RejectionLog,
                        sha256: str | None = None) -> FigureRecord:
    """Parse one ``_figures/<figid>.md``; raises RecordError when it is unusable.

    ``sha256``: the digest of ``data``, when the caller has it already.
    """
    text = decode_text(data)
    meta = load_record_yaml(text)
    figid = identifier_text(meta.get("figid")) if not isinstance(meta.get("figid"), (list, dict)) else None
    if figid is None:
        raise RecordError("missing_figid", "the front matter has no 'figid' value")
    stem = relpath.rsplit("/", 1)[-1][: -len(".md")]
    if figid != stem:
        raise RecordError("figid_mismatch",
                          f"figid '{figid}' disagrees with the file name '{stem}.md': "
                          f"rename the file to '{figid}.md' or fix the figid")

    def field_nulled(reason: str, detail: str) -> None:
        rejections.add(relpath, reason, detail, errors.FIELD_NULLED)

    row: dict = {"figid": figid}
    for key in FIGURE_FIELDS_TEXT:
        converter = identifier_text if key in ("pmcid", "figid_alias") else scalar_text
        try:
            row[key] = converter(meta.get(key))
        except ValueError as exc:
            field_nulled("invalid_field", f"field '{key}': {exc}; stored as null")
            row[key] = None
    try:
        row["doi"] = identifier_text(meta.get("doi"))
    except ValueError as exc:
        field_nulled("invalid_field", f"field 'doi': {exc}; stored as null")
        row["doi"] = None
    try:
        row["year"] = parse_year(meta.get("year"))
    except ValueError as exc:
        field_nulled("invalid_year", f"{exc}; stored as null")
        row["year"] = None
    score_key = "pathway_score" if "pathway_score" in meta else "automl_pathway"
    try:
        row["pathway_score"] = parse_score(meta.get(score_key))
    except (TypeError, ValueError):
        field_nulled("invalid_number", f"field '{score_key}' value {meta.get(score_key)!r} is not a number; "
                                       "stored as null")
        row["pathway_score"] = None
    schema_ld = meta.get("schema-jsonld")
    row["keywords"] = text_list(schema_ld.get("keywords")) if isinstance(schema_ld, dict) else []
    row["organisms_metadata"] = text_list(meta.get("organisms"))
    row["organisms_ner"] = text_list(meta.get("organisms_ner"))
    row["primary_taxon_id"] = None
    row["source_path"] = relpath
    row["source_sha256"] = sha256 or hashlib.sha256(data).hexdigest()
    inline = {key: meta[key] for key in INLINE_KEYS if key in meta}
    row["record_format"] = "inline_lists" if inline else "data_tables"
    return FigureRecord(row=row, inline=inline, paper_keywords=split_keywords(meta.get("keywords")),
                        journal_nlm_ta=identifier_text(meta.get("journal_nlm_ta"))
                        if not isinstance(meta.get("journal_nlm_ta"), (list, dict)) else None)


# --- mention rows -------------------------------------------------------------

def _collapse(rows: Iterable[dict], keys: tuple[str, ...]) -> list[dict]:
    """Merge rows of one source file identical on ``keys``; first occurrence wins, counts add up."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = (row["source_path"], *(row[k] for k in keys))
        if key in merged:
            merged[key]["n_source_rows"] += row["n_source_rows"]
        else:
            merged[key] = row
    return list(merged.values())


GENE_KEYS = ("figid", "word", "lexicon_term", "lexicon_source", "ncbigene_id", "symbol", "taxon_id", "evidence")
CHEMICAL_KEYS = ("figid", "word", "name", "mesh_id", "chebi_id", "evidence")
DISEASE_KEYS = ("figid", "word", "name", "mesh_id", "doid", "evidence")


def _mention(figid: str, relpath: str, evidence: str, line: int | None, **values) -> dict:
    return {"figid": figid, **values, "evidence": evidence, "source_path": relpath,
            "source_line": line, "n_source_rows": 1}


def inline_gene_row(item: dict, figid: str, relpath: str) -> dict:
    return _mention(figid, relpath, "inline_list", None,
                    word=word_text(item.get("word")),
                    lexicon_term=identifier_text(item.get("symbol")),
                    lexicon_source=identifier_text(item.get("source")),
                    ncbigene_id=int_or_none(item.get("entrez")),
                    symbol=identifier_text(item.get("hgnc_symbol")),
                    taxon_id=None)


def _inline_identifiers(item: dict, id_fields: dict[str, str]) -> dict:
    """Inline lists give ``source: MESH`` + ``identifier: D001920``."""
    values = {column: None for column in id_fields.values()}
    source = (null_if_sentinel(item.get("source")) or "").upper()
    identifier = null_if_sentinel(item.get("identifier"))
    column = id_fields.get(source)
    if identifier and column:
        values[column] = mesh_accession(identifier) if column == "mesh_id" else identifier
    elif identifier:
        raise ValueError(f"identifier {identifier!r} has unknown source {item.get('source')!r}")
    return values


def _inline_identified_row(item: dict, figid: str, relpath: str, curie_source: str, curie_column: str) -> dict:
    """A chemical or disease item: MeSH or one registry's identifier (CHEBI/DOID, CURIE-spelled)."""
    ids = _inline_identifiers(item, {"MESH": "mesh_id", curie_source: curie_column})
    if ids[curie_column]:
        ids[curie_column] = prefixed_curie(ids[curie_column], curie_source)
    return _mention(figid, relpath, "inline_list", None, word=word_text(item.get("word")),
                    name=identifier_text(item.get("name")), **ids)


def inline_chemical_row(item: dict, figid: str, relpath: str) -> dict:
    return _inline_identified_row(item, figid, relpath, "CHEBI", "chebi_id")


def inline_disease_row(item: dict, figid: str, relpath: str) -> dict:
    return _inline_identified_row(item, figid, relpath, "DOID", "doid")


INLINE_ROW_BUILDERS: dict[str, Callable[[dict, str, str], dict]] = {
    "genes": inline_gene_row, "chemicals": inline_chemical_row, "diseases": inline_disease_row,
}


def inline_mentions(record: FigureRecord, rejections: errors.RejectionLog) -> dict[str, list[dict]]:
    figid, relpath = record.row["figid"], record.row["source_path"]
    out: dict[str, list[dict]] = {key: [] for key in INLINE_KEYS}
    for key, items in record.inline.items():
        if items is None:
            continue
        if not isinstance(items, list):
            rejections.add(relpath, "invalid_inline_list", f"'{key}' is not a list; ignored", errors.ROWS_SKIPPED)
            continue
        bad = []
        for position, item in enumerate(items, start=1):
            try:
                if not isinstance(item, dict):
                    raise ValueError("item is not a mapping")
                row = INLINE_ROW_BUILDERS[key](item, figid, relpath)
                if row["word"] is None:
                    raise ValueError("item has no 'word'")
                out[key].append(row)
            except ValueError as exc:
                bad.append(f"item {position}: {exc}")
        if bad:
            rejections.add(relpath, "invalid_inline_item",
                           f"{len(bad)} of {len(items)} '{key}' items skipped ({'; '.join(bad[:3])})",
                           errors.ROWS_SKIPPED)
    return out


_UTF8_BOM = b"\xef\xbb\xbf"


def tsv_parts(data: bytes) -> tuple[bytes, bytes | memoryview]:
    """Header line and body of a ``_data`` table: UTF-8 with LF line ends, every body line ending
    in LF, trailing blank lines dropped. Raises RecordError for an empty or non-UTF-8 file."""
    if b"\r" in data or data.startswith(_UTF8_BOM) or not data.strip():
        data = decode_text(data).encode()
    else:
        try:
            data.decode()
        except UnicodeDecodeError:
            decode_text(data)  # raises, naming the line
    end = data.find(b"\n")
    if end < 0:
        return data, b""
    if not data.endswith(b"\n"):
        data += b"\n"
    if not data[data.rfind(b"\n", end, len(data) - 1) + 1:-1].decode().strip():  # rare: a blank last line
        lines = data[end + 1:].decode().split("\n")[:-1]
        while lines and not lines[-1].strip():
            lines.pop()
        return data[:end], "".join(f"{line}\n" for line in lines).encode()
    return data[:end], memoryview(data)[end + 1:]  # no copy of the body


def read_tsv(data: bytes, kind: str) -> tuple[list[str], list[int], dict[str, list[str]]]:
    """Header, line numbers and cells by column name of one table; raises RecordError on a bad layout."""
    rows = TsvRows(kind, check_each_file=True)
    header = rows.add(None, "", data)
    cells = rows.split(header)[0]
    return list(header), cells.source_line.to_pylist(), cells.cells.to_pydict()


# Output column -> (TSV column, conversion), per table kind. Conversions are vectorised
# (Arrow compute over a whole shard), since a shard holds hundreds of thousands of rows.
TSV_COLUMNS = {
    "genes": {"word": ("word", "word"), "lexicon_term": ("match", "text"), "lexicon_source": ("source", "text"),
              "ncbigene_id": ("ncbigene_id", "integer"), "symbol": ("ncbigene_symbol", "text"),
              "taxon_id": ("organism_id", "integer")},
    "chemicals": {"word": ("word", "word"), "name": ("name", "text"), "mesh_id": ("mesh", "mesh"),
                  "chebi_id": ("chebi", "chebi")},
    "diseases": {"word": ("word", "word"), "name": ("name", "text"), "mesh_id": ("mesh", "mesh"),
                 "doid": ("doid", "doid")},
}
_SENTINELS = pa.array(sorted(NULL_SENTINELS), pa.string())
_INTEGER = r"^[+-]?[0-9]+(\.0*)?$"


def _null_sentinels(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.is_in(trimmed, value_set=_SENTINELS), pa.scalar(None, pa.string()), trimmed)


def _curie(values: pa.Array, prefix: str) -> pa.Array:
    local = pc.replace_substring_regex(_null_sentinels(values), f"(?i)^{prefix}:", "")
    return pc.binary_join_element_wise(pa.scalar(f"{prefix.upper()}:"), local, "")


def _convert(values: pa.Array, conversion: str) -> tuple[pa.Array, pa.Array | None]:
    """Converted column and, for conversions that can fail, a mask of invalid rows."""
    if conversion == "word":  # kept as written; only an empty word is unusable
        return values, pc.equal(pc.utf8_trim_whitespace(values), "")
    if conversion == "text":
        return _null_sentinels(values), None
    if conversion == "integer":
        text = _null_sentinels(values)
        # Arrow's cast reads plain digits (and 0x hex, which the pattern refuses); the regexes
        # run only when some cell is neither.
        if not pc.any(pc.match_substring(text, "x", ignore_case=True)).as_py():
            try:
                return pc.cast(text, pa.int64()), pa.array(np.zeros(len(text), bool))
            except pa.ArrowInvalid:
                pass
        valid = pc.match_substring_regex(text, _INTEGER)
        digits = pc.replace_substring_regex(text, r"^\+|\.0*$", "")  # Arrow reads neither "+" nor ".0"
        numbers = pc.cast(pc.if_else(valid, digits, pa.scalar(None, pa.string())), pa.int64())
        return numbers, pc.fill_null(pc.invert(valid), False)
    if conversion == "mesh":
        return pc.replace_substring_regex(_null_sentinels(values), "(?i)^mesh:", ""), None
    return _curie(values, {"chebi": "chebi", "doid": "doid"}[conversion]), None


class TsvRows:
    """Every ``_data`` table of one kind in a shard, split into cells and converted all at once.

    Files are kept as bytes and split in one go (:func:`_split_files`): splitting each file in
    Python and converting its cells to Arrow took a third of a parse job. Whether every line has
    the header's number of cells is checked in that split too, so a ragged file is found after
    all files are read; ``check_each_file`` (strict mode) checks each file as it comes, to stop
    at the first bad one.
    """

    def __init__(self, kind: str, check_each_file: bool = False):
        self.kind = kind
        self.check_each_file = check_each_file
        self.source_columns = sorted({source for source, _ in TSV_COLUMNS[kind].values()})
        self._headers: dict[bytes, tuple[str, ...]] = {}  # header line -> its checked column names
        self._files: dict[tuple[str, ...], list[tuple[str | None, str, bytes]]] = {}  # by header

    def add(self, figid: str | None, relpath: str, data: bytes) -> tuple[str, ...]:
        """Take one table's bytes; raises RecordError for an unusable file. Returns its header."""
        header_line, body = tsv_parts(data)
        header = self._headers.get(header_line) or self._checked_header(header_line)
        if self.check_each_file:
            try:
                _split_files([(figid, relpath, body)], header, ())
            except _RaggedFiles as found:
                raise found.files[0][2] from None
        self._files.setdefault(header, []).append((figid, relpath, body))
        return header

    def _checked_header(self, header_line: bytes) -> tuple[str, ...]:
        header = tuple(h.strip() for h in header_line.decode().split("\t"))
        missing = [c for c in REQUIRED_TSV_COLUMNS[self.kind] if c not in header]
        if missing:
            raise RecordError("tsv_missing_columns",
                              f"{self.kind} table lacks column(s) {', '.join(missing)} (header: {', '.join(header)})")
        self._headers[header_line] = header
        return header

    def split(self, wanted: Sequence[str] | None = None) -> tuple[TsvCells, list[tuple[str | None, str, RecordError]]]:
        """The cells of the ``wanted`` columns (default: the source columns) of every line, and
        (figid, path, error) of each ragged file, whose lines are left out."""
        wanted = self.source_columns if wanted is None else list(dict.fromkeys(wanted))
        parts, named, ragged = [], [], []
        for header, files in self._files.items():
            for batch in _batches(files):
                try:
                    lines = _split_files(batch, header, wanted, first_file=len(named))
                except _RaggedFiles as found:
                    ragged.extend(found.files)
                    bad = {relpath for _, relpath, _ in found.files}
                    batch = [file for file in batch if file[1] not in bad]
                    lines = _split_files(batch, header, wanted, first_file=len(named))
                parts.append(lines)
                named.extend((figid, relpath) for figid, relpath, _ in batch)
        files = pa.table({"figid": pa.array([figid for figid, _ in named], pa.string()),
                          "source_path": pa.array([relpath for _, relpath in named], pa.string())})
        if not parts:
            parts.append(_split_files([], (), wanted))
        file, source_line, cells = zip(*parts)
        return TsvCells(files, pa.concat_arrays(file), pa.concat_arrays(source_line), pa.concat_tables(cells)), ragged

    def table(self, cells: TsvCells, accepted: set[str], rejections: errors.RejectionLog) -> pa.Table:
        """Rows of accepted figures, converted; identical rows of a file collapsed with a count."""
        outputs = TSV_COLUMNS[self.kind]
        columns = {"file": cells.file}
        invalid = pa.array(np.zeros(len(cells.file), bool))
        for output, (source, conversion) in outputs.items():
            values, bad = _convert(cells.cells[source].combine_chunks(), conversion)
            columns[output] = values
            if bad is not None:
                invalid = pc.or_(invalid, bad)
        columns["source_line"] = cells.source_line
        rows = pa.table(columns)
        self._reject_invalid(rows, invalid, cells.files, rejections)
        accepted_file = pc.is_in(cells.files["figid"], value_set=pa.array(sorted(accepted), pa.string()))
        rows = rows.filter(pc.and_(pc.invert(invalid), accepted_file.take(rows["file"])))
        # Grouped by file number, not by path and figid (the same groups: one file, one path and figid).
        # Group order does not matter: the shard's tables are written sorted, and (source_path, source_line) is unique.
        collapsed = group_rows(rows, ["file", *outputs], [("source_line", "min"), ("source_line", "count")])
        file = collapsed["file"]
        return pa.table({"source_path": cells.files["source_path"].take(file), "figid": cells.files["figid"].take(file),
                         **{output: collapsed[output] for output in outputs},
                         "source_line": collapsed["source_line_min"], "n_source_rows": collapsed["source_line_count"],
                         "evidence": pa.array([f"{self.kind}_tsv"] * collapsed.num_rows, pa.string())})

    def _reject_invalid(self, rows: pa.Table, invalid: pa.Array, files: pa.Table,
                        rejections: errors.RejectionLog) -> None:
        paths = files["source_path"].to_pylist()
        by_file: dict[str, list[int]] = {}
        for row in rows.filter(invalid).select(["file", "source_line"]).to_pylist():
            by_file.setdefault(paths[row["file"]], []).append(row["source_line"])
        if not by_file:
            return
        counts = pc.value_counts(rows["file"]).flatten()
        totals = {paths[file]: count for file, count in zip(*(column.to_pylist() for column in counts))}
        for relpath, numbers in sorted(by_file.items()):
            rejections.add(relpath, "invalid_tsv_row",
                           f"{len(numbers)} of {totals[relpath]} rows skipped (empty word or non-integer ID "
                           f"on line(s) {', '.join(map(str, numbers[:5]))})", errors.ROWS_SKIPPED)


class TsvCells(NamedTuple):
    """Lines of ``_data`` tables split into cells: for each line its ``file`` number (a row of
    ``files``: figid, source_path), its ``source_line`` and its ``cells`` by column name."""

    files: pa.Table
    file: pa.Array
    source_line: pa.Array
    cells: pa.Table


class _RaggedFiles(Exception):
    def __init__(self, files: list[tuple[str | None, str, RecordError]]):
        super().__init__(f"{len(files)} ragged file(s)")
        self.files = files


_BATCH_BYTES = 1 << 28  # Arrow string arrays hold at most 2 GiB; a shard's tables are ~0.1 GiB


def _batches(files: list[tuple[str | None, str, bytes]]) -> Iterator[list[tuple[str | None, str, bytes]]]:
    batch, size = [], 0
    for file in files:
        if batch and size + len(file[2]) > _BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(file)
        size += len(file[2])
    if batch:
        yield batch


def _split_files(files: list[tuple[str | None, str, bytes | memoryview]], header: tuple[str, ...],
                 wanted: Sequence[str], first_file: int = 0) -> tuple[pa.Array, pa.Array, pa.Table]:
    """The lines of ``files`` (bodies from tsv_parts, all under ``header``) split into cells in one go.

    As a line-by-line reader would: a line with another cell count than the header is skipped when
    blank and makes its file ragged otherwise (raises _RaggedFiles naming every such file, with its
    first such line); a cell is the text between tabs, as written. Columns by header name (the last
    of repeated names); a wanted column missing from the header is null. Returns each line's file
    (numbered from ``first_file`` in the order given), its line number and its cells.

    The bodies are joined into one buffer, where every tab and LF ends a cell. Arrow sees the buffer
    as one string per cell, each with the tab or LF that ends it; a column takes its cells from
    there and drops that last byte. Nothing is copied but the joined buffer and the wanted columns.
    """
    data = b"".join(body for _, _, body in files)
    text = np.frombuffer(data, np.uint8)
    cell_ends = np.flatnonzero((text - np.uint8(9)) <= 1)  # tabs and LFs; smaller bytes wrap around to >= 247
    cells_through = np.flatnonzero(text[cell_ends] == 10) + 1  # cells up to each line's end
    line_ends = cell_ends[cells_through - 1]
    cells_per_line = np.diff(cells_through, prepend=0)
    file_sizes = np.array([len(body) for _, _, body in files], np.int64)
    file_ends = np.cumsum(file_sizes)
    file_index = np.searchsorted(file_ends, line_ends, side="right")
    lines_before_file = np.searchsorted(line_ends, file_ends - file_sizes)
    numbers = np.arange(len(line_ends)) - lines_before_file[file_index] + 2  # the header is line 1
    width = len(header)
    wrong = np.flatnonzero(cells_per_line != width)
    keep = slice(None)
    if wrong.size:  # rare: blank lines or a ragged file
        ragged: dict[int, RecordError] = {}
        for line in wrong.tolist():
            index = int(file_index[line])
            start = int(line_ends[line - 1]) + 1 if line else 0
            if index not in ragged and data[start:line_ends[line]].decode().strip():
                ragged[index] = RecordError("tsv_ragged_row", f"line {numbers[line]} has {cells_per_line[line]} "
                                                              f"fields but the header has {width}")
        if ragged:
            raise _RaggedFiles([(files[i][0], files[i][1], error) for i, error in sorted(ragged.items())])
        keep = cells_per_line == width
    first_cell = (cells_through - cells_per_line)[keep]
    offsets = np.zeros(len(cell_ends) + 1, np.int32)  # batches stay below 2 GiB
    np.add(cell_ends, 1, out=offsets[1:], casting="unsafe")
    ended_cells = pa.StringArray.from_buffers(len(cell_ends), pa.py_buffer(offsets), pa.py_buffer(data))
    column_of = {name: position for position, name in enumerate(header)}
    cells = {name: (pc.utf8_slice_codeunits(ended_cells.take(first_cell + column_of[name]), 0, -1)
                    if name in column_of else pa.nulls(len(first_cell), pa.string())) for name in wanted}
    return (pa.array((file_index[keep] + first_file).astype(np.int32)), pa.array(numbers[keep].astype(np.int32)),
            pa.table(cells))


def keyword_mentions(figure_row: dict) -> list[dict]:
    """Gene candidates of a keyword-only record: its schema-jsonld keywords, as words.

    Used only for records with neither inline lists nor any ``_data`` table, where the
    keywords are all PFOCR kept of the figure's genes (mixed with non-gene terms such
    as 'Breast cancer', which the gene stage keeps apart).
    """
    return [_mention(figure_row["figid"], figure_row["source_path"], "keywords", None, word=keyword,
                     lexicon_term=None, lexicon_source=None, ncbigene_id=None, symbol=None, taxon_id=None)
            for keyword in figure_row["keywords"]]


def table_figid(relpath: str) -> str | None:
    match = _TABLE_NAME.match(relpath.rsplit("/", 1)[-1])
    return match.group("figid") if match else None


# --- papers from figure records --------------------------------------------------

_REFTEXT_AUTHORS = re.compile(r"^(?P<authors>.+?),? et al\.")


def paper_from_figure(record: FigureRecord) -> dict | None:
    row = record.row
    if not (row["pmcid"] or row["doi"]):
        return None
    reftext = row["reftext"] or ""
    match = _REFTEXT_AUTHORS.match(reftext)
    authors = [a.strip() for a in match.group("authors").split(",")] if match else []
    return {
        "pmcid": row["pmcid"], "pmid": None, "doi": row["doi"].lower() if row["doi"] else None,
        "title": (row["papertitle"] or "").rstrip(".") or None,
        "journal": row["journal_title"] or record.journal_nlm_ta,
        "year": row["year"], "citation": row["reftext"], "authors": authors, "abstract": None,
        "keywords": record.paper_keywords, "figure_captions": [], "source": "figure_records",
        "source_paths": [row["source_path"]],
    }


# --- one shard ----------------------------------------------------------------

def parse_shard(input_dir: str | Path, shard_files: list[dict], strict: bool = False,
                code_key: str = "") -> ShardTables:
    """Parse every file of one shard (rows of a manifest shard list), in path order.

    Tables are attached to their figure after all files are read, so a table of a
    rejected or missing figure record is itself listed as rejected. ``code_key`` (a digest of
    the parsing code and settings) goes into each figure's input digest.
    """
    from pfocr_etl import articles  # local: only article shards need it

    rejections = errors.RejectionLog(strict=strict)
    out = ShardTables()
    accepted: dict[str, str] = {}  # figid -> source path
    figure_rows: dict[str, dict[str, list[dict]]] = {}
    table_files: dict[str, list[str]] = {}  # figid -> its _data table paths
    tsv_rows = {kind: TsvRows(kind, check_each_file=strict) for kind in TSV_COLUMNS}

    entries = sorted(shard_files, key=lambda e: e["path"])
    for entry, data in zip(entries, read_files(input_dir, [e["path"] for e in entries],
                                                          [int(e.get("size") or 0) for e in entries])):
        relpath, kind = entry["path"], entry["kind"]
        if isinstance(data, OSError):
            listed_size = int(entry.get("size") or 0)
            out.corpus_files.append({"path": relpath, "kind": kind, "size": listed_size, "sha256": None})
            rejections.add(relpath, "unreadable_file", f"cannot read the file: {data.strerror or data}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        out.corpus_files.append({"path": relpath, "kind": kind, "size": len(data), "sha256": digest})
        try:
            if kind == "figure":
                record = parse_figure_record(data, relpath, rejections, digest)
                figid = record.row["figid"]
                if figid in accepted:
                    raise RecordError("duplicate_figid",
                                      f"figid '{figid}' is already defined by {accepted[figid]}; this copy is ignored",
                                      errors.RECORD_SKIPPED)
                accepted[figid] = relpath
                out.figures.append(record.row)
                figure_rows[figid] = inline_mentions(record, rejections)
                paper = paper_from_figure(record)
                if paper:
                    out.papers.append(paper)
            elif kind in TABLE_KINDS:
                figid = table_figid(relpath)
                tsv_rows[TABLE_KINDS[kind]].add(figid, relpath, data)
                table_files.setdefault(figid, []).append(relpath)
            elif kind == "article":
                text = decode_text(data)
                article = articles.parse_article(text, is_html=relpath.lower().endswith((".html", ".htm")))
                out.papers.append(articles.paper_row(article, relpath))
                out.paper_references.extend(articles.reference_rows(article, relpath))
            else:
                raise RecordError("unrecognized_file",
                                  "not a figure record (_figures/<figid>.md), a figure table "
                                  "(_data/<figid>-genes|chemicals|diseases.tsv) or an article page (papers/*.txt|html)")
        except RecordError as exc:
            rejections.add(relpath, exc.reason, exc.detail, exc.action)
        except articles.ArticleError as exc:
            rejections.add(relpath, "unparseable_article", str(exc))

    tsv_cells = {}
    for kind, rows in tsv_rows.items():
        tsv_cells[kind], ragged = rows.split()
        for figid, relpath, exc in ragged:
            rejections.add(relpath, exc.reason, exc.detail, exc.action)
            table_files[figid].remove(relpath)
            if not table_files[figid]:
                del table_files[figid]

    for figid, paths in sorted(table_files.items()):
        if figid in accepted:
            continue
        figure_path = f"_figures/{figid}.md"
        rejected_figure = any(r.source_path == figure_path for r in rejections.rejections)
        reason, detail = (("figure_rejected", f"its figure record {figure_path} was rejected") if rejected_figure
                          else ("orphan_table", f"no figure record {figure_path} in the corpus"))
        for relpath in paths:
            rejections.add(relpath, reason, detail)

    for record_row in out.figures:
        figid = record_row["figid"]
        if record_row["record_format"] == "data_tables" and figid not in table_files:
            figure_rows[figid]["genes"].extend(keyword_mentions(record_row))

    collapse_keys = {"genes": GENE_KEYS, "chemicals": CHEMICAL_KEYS, "diseases": DISEASE_KEYS}
    for kind, keys in collapse_keys.items():
        listed = [row for figid in sorted(figure_rows) for row in _collapse(figure_rows[figid][kind], keys)]
        table = MENTION_TABLES[kind]
        from_lists = pa.Table.from_pylist(listed, schema=schema(table))
        from_tsvs = tsv_rows[kind].table(tsv_cells[kind], set(accepted), rejections).select(schema(table).names).cast(schema(table))
        setattr(out, f"figure_{kind}", pa.concat_tables([from_lists, from_tsvs]))
    out.rejected = rejections.rows()
    out.figure_inputs = figure_input_digests(
        accepted, ((f["path"], f["sha256"]) for f in out.corpus_files),
        {f["path"]: _figure_of(f["path"], f["kind"]) for f in out.corpus_files}, code_key)
    return out


def _figure_of(relpath: str, kind: str) -> str | None:
    """The figid whose rows a file can change: a record's file name, a table's figid."""
    if kind == "figure":
        name = relpath.rsplit("/", 1)[-1]
        return name[: -len(".md")] if name.endswith(".md") else None
    return table_figid(relpath) if kind in TABLE_KINDS else None


# ShardTables attributes whose rows are an intermediate form of a published table.
RAW_TABLE_SCHEMAS = {"figure_genes": "figure_genes_raw"}


def write_shard(input_dir: str | Path, shard_list: str | Path, outputs: dict[str, str], strict: bool,
                code: Sequence[str | Path] = ()) -> ShardTables:
    """Parse one manifest shard list and write one Parquet file per table in ``outputs``.

    ``code``: the job's code files, whose content goes into each figure's input digest, with the
    settings and the YAML library's version.
    """
    from pfocr_etl.manifest import read_shard_list
    from pfocr_etl.parquet_io import write_table
    from pfocr_etl.schemas import SORT_KEYS

    settings = {"strict": strict, "pyyaml": [yaml.__version__, yaml.__with_libyaml__]}
    tables = parse_shard(input_dir, read_shard_list(shard_list), strict=strict,
                         code_key=dependency_key(content=code, settings=settings))
    for attribute, path in outputs.items():
        table = RAW_TABLE_SCHEMAS.get(attribute, attribute)
        write_table(getattr(tables, attribute), path, table, SORT_KEYS[table])
    return tables
