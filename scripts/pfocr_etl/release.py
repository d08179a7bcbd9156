"""Release manifest (release.json), Frictionless Data Package (datapackage.json), release diff.

``release.json``
    Every output file with its sha256, size and row count (Parquet: from the file
    metadata; GMT: lines), the input corpus fingerprint (``corpus.json``, combined
    from the parse jobs' per-file ``(path, kind, size, sha256)`` rows), reference names,
    versions and checksums, the pipeline version (``git describe --always
    --dirty``, else the package ``__version__``) and the installed versions of the
    packages in ``requirements.txt``. The only time stamp is ``built_at`` (taken
    from the ``built_at`` argument, else ``$PFOCR_BUILT_AT``, else
    ``$SOURCE_DATE_EPOCH``, else the clock); ``content_sha256`` hashes everything
    else, so two builds of the same inputs compare equal by that one field. The
    report files carry run times (``metrics.json`` key ``runtime``, the
    ``summary.html`` section ``runtime``), so their entries also get a
    ``stable_sha256`` of the file without them, and ``content_sha256`` uses that
    instead of their ``sha256`` and ``bytes`` (which :func:`verify_release` still
    checks).

``datapackage.json``
    One tabular resource per table folder (its Parquet part files as a
    multi-part ``path``), fields with Table Schema types and the one-line
    descriptions of :data:`pfocr_etl.schemas.TABLE_COLUMNS`.
    :func:`validate_datapackage` checks it with the ``frictionless`` package:
    the descriptor itself, then every resource's rows as read by pyarrow from
    the actual Parquet files (frictionless' own Parquet reader goes through
    pandas, which turns nullable integers into floats and lists into numpy
    arrays, so it rejects valid files).

Release diff (:func:`diff_releases`)
    Figures added, removed and changed between a previous release folder and the
    current tables (changed: same figid, different ``source_sha256`` or a
    different confident gene set), and per-figure gene-count changes.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import re
import subprocess
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from pfocr_etl import __version__
from pfocr_etl.genesets import confident_condition, gmt_line_count
from pfocr_etl.manifest import sha256_file
from pfocr_etl.atomic import write_text
from pfocr_etl.tableview import DUCKDB_THREADS, TableSet, part_files, tables_in

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

REPO_DIR = Path(__file__).resolve().parents[2]
RELEASE_FORMAT = "pfocr-etl-release/1"
BUILT_AT_ENV = "PFOCR_BUILT_AT"
DEFAULT_OUTPUTS = ("tables/*/*.parquet", "gmt/*.gmt", "report/summary.html", "report/metrics.json",
                   "datapackage.json")
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"

TABLE_DESCRIPTIONS = {
    "figures": "One row per figure record (figid unique).",
    "papers": "One row per paper, merged from figure records and article pages.",
    "paper_references": "One row per reference listed on an article page.",
    "figure_genes": "One row per gene mention of a figure, with its mapping to NCBI Gene.",
    "figure_gene_families": "One row per member gene of a gene family (FamPlex) mentioned in a figure.",
    "figure_gene_orthologs": "One row per human ortholog of a figure gene.",
    "genes": "One row per NCBI Gene found in the figures.",
    "figure_organisms": "One row per organism evidence of a figure (source and taxon).",
    "figure_primary_organisms": "One row per figure: its primary organism and how sure that is.",
    "organisms": "One row per organism (NCBI Taxonomy) found in the figures.",
    "figure_chemicals": "One row per chemical mention of a figure.",
    "figure_diseases": "One row per disease mention of a figure.",
    "rejected": "One row per input (or part of one) that could not be used, with the reason.",
}
PRIMARY_KEYS = {"figures": ["figid"], "organisms": ["taxon_id"], "genes": ["ncbigene_id"],
                "figure_primary_organisms": ["figid"]}


# =============================================================================
# Small helpers
# =============================================================================

def _canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_json(path: str | os.PathLike, data) -> None:
    """Atomic, deterministic JSON (sorted keys, 2-space indent, final newline)."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def resolve_built_at(built_at: str | None = None) -> str:
    """``built_at`` argument, else $PFOCR_BUILT_AT, else $SOURCE_DATE_EPOCH, else now (UTC, ISO 8601)."""
    if built_at:
        return built_at
    if os.environ.get(BUILT_AT_ENV):
        return os.environ[BUILT_AT_ENV]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def pipeline_version(repo_dir: str | os.PathLike | None = None) -> str:
    """``git describe --always --dirty`` of the pipeline checkout, else the package ``__version__``."""
    repo = Path(repo_dir or REPO_DIR).resolve()
    try:
        top = subprocess.run(["git", "-C", str(repo), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=30)
        if top.returncode == 0 and Path(top.stdout.strip()).resolve() == repo:
            described = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty"],
                                       capture_output=True, text=True, timeout=30)
            if described.returncode == 0 and described.stdout.strip():
                return described.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return __version__


def requirement_names(requirements_path: str | os.PathLike | None = None) -> list[str]:
    path = Path(requirements_path or REPO_DIR / "requirements.txt")
    if not path.is_file():
        return []
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.append(re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0])
    return names


def package_versions(requirements_path: str | os.PathLike | None = None) -> dict[str, str | None]:
    """Installed version of every package named in requirements.txt (None if not installed)."""
    versions = {}
    for name in requirement_names(requirements_path):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return dict(sorted(versions.items(), key=lambda kv: kv[0].lower()))


# =============================================================================
# Corpus fingerprint and references
# =============================================================================

def corpus_fingerprint(manifest_dir: str | os.PathLike) -> dict:
    """File count, bytes, per-kind counts and one sha256 over the corpus files, from ``corpus.json``.

    Written by the ``fingerprint_corpus`` rule from the parse jobs' per-file digests.
    """
    from pfocr_etl import manifest

    summary = Path(manifest_dir) / manifest.FINGERPRINT_FILE
    try:
        return json.loads(summary.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{summary} is missing: the corpus fingerprint is written by the "
                                "fingerprint_corpus rule") from None


def load_references(references_json: str | os.PathLike | None) -> dict | None:
    """``{"release", "files": [{name, path, url, sha256, version}]}`` sorted by name, or None."""
    if not references_json:
        return None
    data = json.loads(Path(references_json).read_text(encoding="utf-8"))
    files = [{"name": f.get("name"), "version": f.get("version"), "sha256": f.get("sha256"),
              "url": f.get("url"), "path": f.get("path")} for f in data.get("files", [])]
    return {"release": data.get("release"), "files": sorted(files, key=lambda f: (str(f["name"]), str(f["path"])))}


# =============================================================================
# release.json
# =============================================================================

# Time-dependent parts of the report files (pfocr_etl.report): left out of their stable_sha256.
METRICS_TIME_KEYS = ("runtime",)
HTML_TIME_SECTIONS = ("runtime",)


def stable_sha256(path: str | os.PathLike) -> str | None:
    """sha256 of a report file without its run times; None for other files.

    ``*.json`` with a top-level ``runtime`` key (metrics.json): the canonical JSON
    without the keys in :data:`METRICS_TIME_KEYS`. ``*.html`` with a
    ``<section id="runtime"`` (summary.html): the bytes with those sections cut out.
    """
    path = Path(path)
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        if not isinstance(data, dict) or not any(k in data for k in METRICS_TIME_KEYS):
            return None
        return hashlib.sha256(_canonical({k: v for k, v in data.items() if k not in METRICS_TIME_KEYS})).hexdigest()
    if path.suffix == ".html":
        text = path.read_bytes()
        found = False
        for section in HTML_TIME_SECTIONS:
            start = text.find(f'<section id="{section}"'.encode())
            if start < 0:
                continue
            end = text.find(b"</section>", start)
            if end < 0:
                return None
            text = text[:start] + text[end + len(b"</section>"):]
            found = True
        return hashlib.sha256(text).hexdigest() if found else None
    return None


def describe_output(path: Path, output_dir: Path) -> dict:
    import pyarrow.parquet as pq  # here, as in every pyarrow use below: the table metrics job needs none

    rel = path.relative_to(output_dir).as_posix()
    entry = {"path": rel, "bytes": path.stat().st_size, "sha256": sha256_file(path), "rows": None}
    if rel.startswith("report/"):
        stable = stable_sha256(path)
        if stable:
            entry["stable_sha256"] = stable
    if path.suffix == ".parquet":
        entry["kind"] = "parquet"
        entry["rows"] = pq.ParquetFile(path).metadata.num_rows
        if rel.startswith("tables/"):
            entry["table"] = rel.split("/")[1]
    elif path.suffix == ".gmt":
        entry["kind"] = "gmt"
        entry["rows"] = gmt_line_count(path)
    else:
        entry["kind"] = path.suffix.lstrip(".") or "file"
    return entry


def content_sha256(manifest: Mapping) -> str:
    """sha256 of the canonical JSON of the manifest without ``built_at`` and ``content_sha256``.

    Outputs with a ``stable_sha256`` (report files holding run times) count by it,
    not by their ``sha256`` and ``bytes``.
    """
    content = {k: v for k, v in manifest.items() if k not in ("built_at", "content_sha256")}
    if isinstance(content.get("outputs"), list):
        content["outputs"] = [{k: v for k, v in e.items() if k not in ("sha256", "bytes")}
                              if isinstance(e, Mapping) and e.get("stable_sha256") else e
                              for e in content["outputs"]]
    return hashlib.sha256(_canonical(content)).hexdigest()


def build_release_manifest(output_dir: str | os.PathLike, manifest_dir: str | os.PathLike | None,
                           references_json: str | os.PathLike | None = None, built_at: str | None = None,
                           outputs: Sequence[str] = DEFAULT_OUTPUTS,
                           requirements_path: str | os.PathLike | None = None,
                           exclude: Sequence[str] = ("release.json",)) -> dict:
    out_dir = Path(output_dir)
    files = sorted({p for pattern in outputs for p in out_dir.glob(pattern) if p.is_file()
                    and p.relative_to(out_dir).as_posix() not in exclude})
    entries = [describe_output(p, out_dir) for p in files]
    tables: dict[str, dict] = {}
    for e in entries:
        if "table" in e:
            t = tables.setdefault(e["table"], {"rows": 0, "parts": 0})
            t["rows"] += e["rows"]
            t["parts"] += 1
    manifest = {
        "format": RELEASE_FORMAT,
        "built_at": resolve_built_at(built_at),
        "pipeline": {"version": pipeline_version(), "package_version": __version__,
                     "python": platform.python_version()},
        "packages": package_versions(requirements_path),
        "corpus": corpus_fingerprint(manifest_dir) if manifest_dir else None,
        "references": load_references(references_json),
        "outputs": entries,
        "tables": dict(sorted(tables.items())),
        "gmt": {e["path"]: e["rows"] for e in entries if e["kind"] == "gmt"},
    }
    manifest["content_sha256"] = content_sha256(manifest)
    return manifest


def write_release_manifest(output_dir: str | os.PathLike, manifest_dir: str | os.PathLike | None,
                           references_json: str | os.PathLike | None = None,
                           out_path: str | os.PathLike | None = None, built_at: str | None = None,
                           **options) -> dict:
    """Write ``release.json`` (default ``{output_dir}/release.json``) and return it.

    ``options``: ``outputs`` (glob patterns relative to ``output_dir``),
    ``requirements_path``, ``exclude`` (relative paths left out).
    """
    manifest = build_release_manifest(output_dir, manifest_dir, references_json, built_at, **options)
    write_json(out_path or Path(output_dir) / "release.json", manifest)
    return manifest


def verify_release(output_dir: str | os.PathLike, release_path: str | os.PathLike | None = None) -> list[str]:
    """Problems found re-checking a release.json against the files (empty list: all good)."""
    out_dir = Path(output_dir)
    manifest = json.loads(Path(release_path or out_dir / "release.json").read_text(encoding="utf-8"))
    problems = []
    if manifest.get("content_sha256") != content_sha256(manifest):
        problems.append("content_sha256 does not match the manifest content")
    for entry in manifest.get("outputs", []):
        path = out_dir / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
            continue
        now = describe_output(path, out_dir)
        # stable_sha256 only when recorded (release.json files written before it existed lack it)
        for key in ("bytes", "sha256", "rows", *(("stable_sha256",) if "stable_sha256" in entry else ())):
            if now.get(key) != entry.get(key):
                problems.append(f"{entry['path']}: {key} is {now.get(key)}, release.json says {entry.get(key)}")
    return problems


# =============================================================================
# datapackage.json
# =============================================================================

def table_schema_type(arrow_type: pa.DataType) -> str:
    """Frictionless Table Schema type of an Arrow type."""
    import pyarrow as pa

    if pa.types.is_dictionary(arrow_type):
        return table_schema_type(arrow_type.value_type)
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "number"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return "array"
    if pa.types.is_struct(arrow_type) or pa.types.is_map(arrow_type):
        return "object"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "datetime"
    if pa.types.is_time(arrow_type):
        return "time"
    return "any"


def _parquet_fields(files: Sequence[str]) -> list[pa.Field]:
    import pyarrow.parquet as pq

    fields: dict[str, pa.Field] = {}
    for f in files:
        for fld in pq.read_schema(f):
            fields.setdefault(fld.name, fld)
    return list(fields.values())


def resource_descriptor(table: str, files: Sequence[str], base: Path) -> dict:
    from pfocr_etl.schemas import TABLE_COLUMNS

    declared = {c.name: c for c in TABLE_COLUMNS.get(table, [])}
    fields = []
    for fld in _parquet_fields(files):
        column = declared.get(fld.name)
        entry = {"name": fld.name, "type": table_schema_type(fld.type),
                 "description": column.description if column else
                 "Not declared in pfocr_etl.schemas (type taken from the Parquet file)."}
        if column is not None and not column.nullable:
            entry["constraints"] = {"required": True}
        if column is not None and column.type != fld.type:
            log.warning("%s.%s: Parquet type %s differs from the declared %s", table, fld.name, fld.type, column.type)
        fields.append(entry)
    schema: dict = {"fields": fields}
    keys = PRIMARY_KEYS.get(table)
    if keys and all(k in {f["name"] for f in fields} for k in keys):
        schema["primaryKey"] = keys
    return {
        "name": table,
        "title": table.replace("_", " ").capitalize(),
        "description": TABLE_DESCRIPTIONS.get(table, f"Table {table}."),
        "profile": "tabular-data-resource",
        "path": [Path(os.path.relpath(f, base)).as_posix() for f in files],
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        "schema": schema,
    }


def build_datapackage(tables_dir: str | os.PathLike, base_dir: str | os.PathLike, name: str = "pfocr",
                      title: str = "Pathway Figure OCR (PFOCR) tables", version: str | None = None) -> dict:
    base = Path(base_dir).resolve()
    tables = tables_in(Path(tables_dir).resolve())
    for files in tables.values():
        for f in files:
            if not Path(f).resolve().is_relative_to(base):
                raise ValueError(f"{f} is outside {base}: data package paths must be relative and inside it")
    package = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": ("Query-ready tables built from the Pathway Figure OCR corpus by the PFOCR ETL pipeline. "
                        "Each resource is one table stored as Parquet part files (a multi-part path)."),
        "resources": [resource_descriptor(t, [str(Path(f).resolve()) for f in files], base)
                      for t, files in sorted(tables.items())],
    }
    if version:
        package["version"] = version
    return package


def write_datapackage(tables_dir: str | os.PathLike, out_path: str | os.PathLike, **options) -> dict:
    """Write ``datapackage.json`` describing every table under ``tables_dir``; returns the descriptor.

    Paths are relative to the folder of ``out_path`` (normally ``{output_dir}``).
    ``options``: ``name``, ``title``, ``version``.
    """
    package = build_datapackage(tables_dir, Path(out_path).parent, **options)
    write_json(out_path, package)
    return package


def validate_datapackage(path: str | os.PathLike, max_rows: int | None = None) -> dict:
    """Validate ``datapackage.json`` and its tables with frictionless.

    Returns ``{"valid": bool, "errors": [str], "rows": {resource: rows checked}}``.
    ``max_rows`` limits the rows checked per resource (None: all).
    """
    import pyarrow.parquet as pq
    from frictionless import Package, Resource, Schema

    path = Path(path)
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    errors: list[str] = []
    report = Package.validate_descriptor(descriptor, basepath=str(path.parent))
    errors += [f"descriptor: {t}: {note}" for t, note in report.flatten(["type", "note"])]
    checked: dict[str, int] = {}
    if errors:
        return {"valid": False, "errors": errors, "rows": checked}
    for res in descriptor["resources"]:
        names = [f["name"] for f in res["schema"]["fields"]]
        paths = res["path"] if isinstance(res["path"], list) else [res["path"]]
        rows: list[list] = []
        for rel in paths:
            part = path.parent / rel
            if not part.is_file():
                errors.append(f"{res['name']}: part file {rel} not found")
                continue
            arrow = pq.read_table(part)
            if arrow.column_names != names:
                errors.append(f"{res['name']}: {rel} has columns {arrow.column_names}, descriptor says {names}")
                continue
            if max_rows is not None:
                arrow = arrow.slice(0, max(0, max_rows - len(rows)))
            columns = [arrow[n].to_pylist() for n in names]
            rows.extend([list(r) for r in zip(*columns)])
        resource = Resource(data=[names, *rows], schema=Schema.from_descriptor(res["schema"]), name=res["name"])
        result = resource.validate()
        for row, fld, typ, note in result.flatten(["rowNumber", "fieldName", "type", "note"]):
            errors.append(f"{res['name']}: row {row} field {fld}: {typ}: {note}")
        checked[res["name"]] = len(rows)
    return {"valid": not errors, "errors": errors, "rows": checked}


# =============================================================================
# Release diff
# =============================================================================

def release_tables(release: str | os.PathLike | Mapping) -> dict[str, list[str]]:
    """``{table: part files}`` of a release: an output folder, its ``tables`` folder, or a mapping."""
    if isinstance(release, Mapping):
        return {name: part_files(files) for name, files in release.items()}
    root = Path(release)
    tables_dir = root / "tables" if (root / "tables").is_dir() else root
    return tables_in(tables_dir)


def _figure_state(ts: TableSet, prefix: str) -> tuple[dict[str, tuple[str | None, frozenset]], list[str]]:
    notes = []
    figures, genes = f"{prefix}figures", f"{prefix}figure_genes"
    sha = "source_sha256" if ts.has(figures, "source_sha256") else "NULL"
    if sha == "NULL":
        notes.append(f"{figures} has no source_sha256: record changes are not detected")
    state = {figid: (digest, frozenset()) for figid, digest in ts.query(f"SELECT figid, {sha} FROM {figures}")}
    if ts.has(genes, "figid", "ncbigene_id"):
        cond = confident_condition(ts.columns[genes])
        for figid, ids in ts.query(f"SELECT figid, list(DISTINCT ncbigene_id) FROM {genes} WHERE {cond} "
                                   f"GROUP BY figid"):
            if figid in state:
                state[figid] = (state[figid][0], frozenset(int(i) for i in ids))
    else:
        notes.append(f"{genes} not available: gene set changes are not detected")
    return state, notes


def diff_releases(current: str | os.PathLike | Mapping, previous_release: str | os.PathLike | Mapping,
                  max_listed: int = 100, threads: int = DUCKDB_THREADS) -> dict:
    """Figures added / removed / changed and gene-count changes from ``previous_release`` to ``current``.

    Both sides are an output folder (or its ``tables`` folder) or ``{table: part files}``.
    Gene sets are the distinct confident NCBI Gene IDs per figure (as in the
    ``confident`` GMT files, before the size filter). Lists hold at most
    ``max_listed`` figids (sorted); counts are always complete.
    """
    cur, prev = release_tables(current), release_tables(previous_release)
    label = str(previous_release) if not isinstance(previous_release, Mapping) else "(tables given)"
    if "figures" not in prev:
        return {"available": False, "reason": f"no figures table in previous release {label}",
                "previous_release": label}
    if "figures" not in cur:
        return {"available": False, "reason": "no figures table in the current release", "previous_release": label}
    tables = {f"cur_{n}": cur[n] for n in ("figures", "figure_genes") if n in cur}
    tables.update({f"prev_{n}": prev[n] for n in ("figures", "figure_genes") if n in prev})
    with TableSet(tables, threads=threads) as ts:
        before, notes_before = _figure_state(ts, "prev_")
        after, notes_after = _figure_state(ts, "cur_")
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    common = sorted(set(after) & set(before))
    record_changed = [f for f in common if before[f][0] != after[f][0]]
    genes_changed = [f for f in common if before[f][1] != after[f][1]]
    changed = sorted(set(record_changed) | set(genes_changed))
    count_changes = sorted(({"figid": f, "previous": len(before[f][1]), "current": len(after[f][1]),
                             "delta": len(after[f][1]) - len(before[f][1])}
                            for f in common if len(before[f][1]) != len(after[f][1])),
                           key=lambda c: (-abs(c["delta"]), c["figid"]))
    distinct = lambda state: len(set().union(*(genes for _, genes in state.values()))) if state else 0  # noqa: E731
    return {
        "available": True,
        "previous_release": label,
        "max_listed": max_listed,
        "figures": {"previous": len(before), "current": len(after)},
        "added": {"count": len(added), "figids": added[:max_listed]},
        "removed": {"count": len(removed), "figids": removed[:max_listed]},
        "changed": {"count": len(changed), "figids": changed[:max_listed],
                    "record_changed": len(record_changed), "genes_changed": len(genes_changed)},
        "unchanged": len(common) - len(changed),
        "gene_counts": {
            "previous_total": sum(len(g) for _, g in before.values()),
            "current_total": sum(len(g) for _, g in after.values()),
            "previous_distinct_genes": distinct(before),
            "current_distinct_genes": distinct(after),
            "figures_changed": len(count_changes),
            "figures_gained": sum(1 for c in count_changes if c["delta"] > 0),
            "figures_lost": sum(1 for c in count_changes if c["delta"] < 0),
            "changes": count_changes[:max_listed],
        },
        "notes": notes_before + notes_after,
    }
