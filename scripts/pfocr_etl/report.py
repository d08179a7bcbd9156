"""Summary report: metrics.json (for machines) and summary.html (for people).

Every number the HTML shows comes from the metrics dictionary, and every metric
is computed from the published Parquet tables, so the three always agree.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pyarrow.compute as pc

from pfocr_etl.parquet_io import read_parts

REPORTED_TABLES = ("figures", "papers", "paper_references", "figure_genes", "figure_chemicals",
                   "figure_diseases", "rejected")


def _value_counts(table, column: str) -> dict[str, int]:
    if table.num_rows == 0:
        return {}
    counts = pc.value_counts(table[column]).to_pylist()
    return {str(c["values"]): int(c["counts"]) for c in sorted(counts, key=lambda c: str(c["values"]))}


def compute_metrics(table_files: dict[str, list[str]]) -> dict:
    """Metrics from the part files of each table (``{table: [part paths]}``)."""
    tables = {name: read_parts(table_files[name], name) for name in REPORTED_TABLES}
    return {
        "rows": {name: t.num_rows for name, t in tables.items()},
        "figures_by_record_format": _value_counts(tables["figures"], "record_format"),
        "rejected_by_reason": _value_counts(tables["rejected"], "reason"),
        "rejected_files": sorted(set(tables["rejected"]["source_path"].to_pylist())),
    }


def _table(rows: dict, key: str, value: str) -> str:
    body = "".join(f"<tr><td>{html.escape(str(k))}</td><td class=num>{v}</td></tr>" for k, v in rows.items())
    return f"<table><thead><tr><th>{key}</th><th>{value}</th></tr></thead><tbody>{body}</tbody></table>"


def render_html(metrics: dict) -> str:
    sections = [
        ("Tables", _table(metrics["rows"], "table", "rows")),
        ("Figures by record format", _table(metrics["figures_by_record_format"], "record format", "figures")),
        ("Rejected inputs by reason", _table(metrics["rejected_by_reason"], "reason", "inputs")),
    ]
    body = "".join(f"<section><h2>{html.escape(t)}</h2>{content}</section>" for t, content in sections)
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>PFOCR release summary</title>"
            "<style>body{font-family:sans-serif;margin:2em}td.num{text-align:right}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}</style></head>"
            f"<body><h1>PFOCR release summary</h1>{body}</body></html>\n")


def write_report(table_files: dict[str, list[str]], metrics_path: str | Path, html_path: str | Path) -> dict:
    metrics = compute_metrics(table_files)
    Path(metrics_path).write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    Path(html_path).write_text(render_html(metrics), encoding="utf-8")
    return metrics
