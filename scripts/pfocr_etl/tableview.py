"""Read-only SQL over published Parquet part files, tolerant of absent tables and columns.

The report, gene-set and release steps read the final tables by column *name*
through DuckDB views (``read_parquet([...], union_by_name=true)``), so part files
written by different pipeline versions still combine, and a missing optional
table or column is something a caller can ask about (:meth:`TableSet.has`,
:meth:`TableSet.why_missing`) instead of an exception deep in a query.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

PathLike = str | os.PathLike
TableFiles = Mapping[str, Sequence[PathLike] | PathLike | None]
# Memory DuckDB may use before it spills to the temporary folder (TMPDIR: the job's tmpdir under Snakemake).
DUCKDB_MEMORY_LIMIT = "256MB"
# DuckDB threads when the caller does not pass the job's own thread count.
DUCKDB_THREADS = 2


def part_files(files: Sequence[PathLike] | PathLike | None) -> list[str]:
    """Normalise one table's input: a folder (its ``*.parquet``), one file, or a list of files."""
    if files is None:
        return []
    if isinstance(files, (str, os.PathLike)):
        path = Path(files)
        return sorted(str(p) for p in path.glob("*.parquet")) if path.is_dir() else [str(path)]
    return sorted(str(f) for f in files)


def tables_in(folder: PathLike) -> dict[str, list[str]]:
    """``{table: part files}`` for every sub-folder of ``folder`` holding Parquet files."""
    root = Path(folder)
    if not root.is_dir():
        return {}
    found = {sub.name: part_files(sub) for sub in sorted(root.iterdir()) if sub.is_dir()}
    return {name: files for name, files in found.items() if files}


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _empty_table(name: str):
    """An empty Arrow table of a declared table, else None (imported here: report jobs need no pyarrow)."""
    from pfocr_etl.schemas import SCHEMAS

    return SCHEMAS[name].empty_table() if name in SCHEMAS else None


class TableSet:
    """DuckDB views named after the tables, one per table given with part files.

    A table given as None counts as absent. A table given with an empty file list
    is still a view (no rows) when its schema is declared in
    :mod:`pfocr_etl.schemas`; otherwise it counts as absent.
    """

    def __init__(self, tables: TableFiles, threads: int = DUCKDB_THREADS, memory_limit: str = DUCKDB_MEMORY_LIMIT):
        # Imported here: the release and report jobs import this module but most open no TableSet,
        # and importing DuckDB took ~0.17 s of each (two of them end every rebuild).
        import duckdb

        self.threads = threads
        # DuckDB's default limit is 80% of the machine's memory, so whole-corpus aggregations grew
        # with the corpus (1.1 GB for gene sets at 300k figures); under a limit they spill to disk.
        self.con = duckdb.connect(":memory:", config={"threads": str(threads), "memory_limit": memory_limit,
                                                      "temp_directory": tempfile.gettempdir()})
        # Each query re-read the footers of every part file it touches (29 per table at 100k figures);
        # the report's ~40 queries spent ~0.1 s of ~1.7 s on that. (A SET: as a connect option it
        # fails, since the Parquet reader loads on first use.)
        self.con.execute("SET parquet_metadata_cache = true")
        self.columns: dict[str, list[str]] = {}
        self.files: dict[str, list[str]] = {}
        self._absent: dict[str, str] = {}
        for name, given in sorted(tables.items()):
            if given is None:
                self._absent[name] = f"table {name} was not provided"
                continue
            files = part_files(given)
            missing = [f for f in files if not Path(f).is_file()]
            if missing:
                raise FileNotFoundError(f"table {name}: part file(s) not found: {', '.join(missing[:3])}")
            view = quote_ident(name)
            if files:
                listing = ", ".join(quote_literal(f) for f in files)
                self.con.execute(f"CREATE VIEW {view} AS SELECT * FROM "
                                 f"read_parquet([{listing}], union_by_name = true)")
            elif (empty := _empty_table(name)) is not None:
                self.con.register(f"__empty_{name}", empty)
                self.con.execute(f"CREATE VIEW {view} AS SELECT * FROM {quote_ident('__empty_' + name)}")
            else:
                self._absent[name] = f"table {name} has no part files"
                continue
            self.files[name] = files
            self.columns[name] = [row[0] for row in self.con.execute(f"DESCRIBE {view}").fetchall()]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "TableSet":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- availability ------------------------------------------------------------
    def has(self, table: str, *columns: str) -> bool:
        return table in self.columns and all(c in self.columns[table] for c in columns)

    def why_missing(self, table: str, *columns: str) -> str | None:
        """None when ``table`` and all ``columns`` exist, else a sentence saying what is missing."""
        if table not in self.columns:
            return self._absent.get(table, f"table {table} was not provided")
        absent = [c for c in columns if c not in self.columns[table]]
        if absent:
            return f"table {table} has no column{'s' if len(absent) > 1 else ''} {', '.join(absent)}"
        return None

    def first_missing(self, needs: Iterable[tuple[str, ...]]) -> str | None:
        """The first reason from :meth:`why_missing` over ``(table, *columns)`` tuples."""
        for table, *columns in needs:
            reason = self.why_missing(table, *columns)
            if reason:
                return reason
        return None

    # --- queries -----------------------------------------------------------------
    def query(self, sql: str, params: Sequence | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def records(self, sql: str, params: Sequence | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Sequence | None = None):
        row = self.con.execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def rows(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {quote_ident(table)}"))
