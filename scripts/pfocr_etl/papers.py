"""Papers: merge the paper rows that figure records and article pages give.

Rows describing the same paper (sharing a PMCID or a DOI, transitively) become
one row. Article pages are the richer source, so their values win; figure
records fill what the page lacks.
"""

from __future__ import annotations

from collections.abc import Iterable

SCALAR_FIELDS = ("pmcid", "pmid", "doi", "title", "journal", "year", "citation", "abstract")
LIST_FIELDS = ("authors", "keywords", "figure_captions")
SOURCE_PRIORITY = {"article_page": 0, "figure_records": 1}


def _paper_keys(row: dict) -> list[str]:
    keys = []
    if row.get("pmcid"):
        keys.append(f"pmcid:{row['pmcid'].upper()}")
    if row.get("doi"):
        keys.append(f"doi:{row['doi'].lower()}")
    if row.get("pmid"):
        keys.append(f"pmid:{row['pmid']}")
    return keys


def merge_papers(rows: Iterable[dict]) -> list[dict]:
    """One row per paper, ordered by (pmcid, doi)."""
    ordered = sorted(rows, key=lambda r: (SOURCE_PRIORITY.get(r["source"], 9), r["source_paths"]))
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for row in ordered:
        keys = _paper_keys(row) or [f"path:{row['source_paths'][0]}"]
        for other in keys[1:]:
            parent[find(other)] = find(keys[0])
        row["_group"] = keys[0]
    groups: dict[str, list[dict]] = {}
    for row in ordered:
        groups.setdefault(find(row.pop("_group")), []).append(row)

    merged = []
    for members in groups.values():
        paper = {f: next((m[f] for m in members if m[f] is not None), None) for f in SCALAR_FIELDS}
        paper.update({f: next((m[f] for m in members if m[f]), []) for f in LIST_FIELDS})
        paper["source"] = "+".join(sorted({m["source"] for m in members}, key=lambda s: SOURCE_PRIORITY.get(s, 9)))
        paper["source_paths"] = sorted({p for m in members for p in m["source_paths"]})
        merged.append(paper)
    merged.sort(key=lambda p: (p["pmcid"] or "~", p["doi"] or "~", p["source_paths"]))
    return merged

