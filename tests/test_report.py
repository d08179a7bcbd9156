"""Report metrics (checked against counts computed here from the Parquet tables), HTML and plots."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pfocr_etl import plots
from pfocr_etl.genesets import parse_gmt, write_gmt_sets
from pfocr_etl.report import (SECTIONS, compute_metrics, finish_report, read_benchmarks, render_html, write_report,
                               write_table_metrics)
from release_fixtures import BENCHMARKS, REFERENCES, build_release


def frame(tables: dict, name: str) -> pd.DataFrame:
    return pd.concat([pq.read_table(p).to_pandas() for p in tables[name]], ignore_index=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    build_release(root / "previous", "base")
    tables = build_release(root / "out", "next")
    write_gmt_sets(tables["figure_genes"], tables["figures"], tables["organisms"], root / "out" / "gmt")
    metrics = write_report(tables, root / "out" / "report" / "metrics.json", root / "out" / "report" / "summary.html",
                           benchmarks_dir=root / "out" / "benchmarks", references_json=root / "out" / "references.json",
                           previous_release=root / "previous", manifest_dir=root / "out" / "manifest",
                           gmt_dir=root / "out" / "gmt")
    return root, tables, metrics


# =============================================================================
# Metrics equal counts computed directly from the Parquet tables
# =============================================================================

def test_corpus_and_record_formats(built):
    _, tables, m = built
    figures = frame(tables, "figures")
    assert m["rows"] == {name: sum(pq.read_metadata(p).num_rows for p in parts) for name, parts in tables.items()}
    assert m["overview"]["figures"] == len(figures) == 14
    assert m["overview"]["figure_pmcids"] == figures["pmcid"].nunique()
    assert {r["record_format"]: r["figures"] for r in m["overview"]["record_formats"]} == \
        dict(Counter(figures["record_format"]))
    assert m["overview"]["input_files"]["files"] == 26


def test_years(built):
    _, tables, m = built
    years = frame(tables, "figures")["year"].dropna().astype(int)
    assert {r["year"]: r["figures"] for r in m["years"]["by_year"]} == dict(Counter(years))
    assert m["years"]["figures_without_year"] == 0
    assert (m["years"]["first_year"], m["years"]["last_year"]) == (years.min(), years.max())


def test_organisms(built):
    _, tables, m = built
    figures = frame(tables, "figures")
    primary = figures["primary_taxon_id"].dropna().astype(int)
    o = m["organisms"]
    assert {t["taxon_id"]: t["figures"] for t in o["top"]} == dict(Counter(primary))
    assert [t["scientific_name"] for t in o["top"]] == ["Homo sapiens", "Mus musculus", "Danio rerio"]
    fpo = frame(tables, "figure_primary_organisms")
    conflicting = set(fpo.loc[fpo["conflicting"], "figid"])
    fo = frame(tables, "figure_organisms")
    unresolved = set(fo.loc[fo["status"] == "unresolved", "figid"])
    assert o["figures_conflicting"] == len(conflicting) == 1
    assert o["figures_with_unresolved_names"] == len(unresolved) == 1
    assert o["unresolved_share"] == pytest.approx(1 / 14, abs=1e-6)
    status = {s["status"]: s["figures"] for s in o["status"]}
    assert status == {"resolved": len(primary) - 1, "conflicting": 1, "unresolved": 1,
                      "none": len(figures) - len(primary) - 1}
    assert sum(status.values()) == len(figures)


def test_top_genes_and_families(built):
    _, tables, m = built
    fg = frame(tables, "figure_genes")
    ok = fg[fg["confident"] & ~fg["ambiguous"] & fg["ncbigene_id"].notna()]
    per_gene = ok.groupby("ncbigene_id")["figid"].nunique()
    top = m["genes"]["top_genes"]
    expected = sorted(((int(k), int(v)) for k, v in per_gene.items()), key=lambda kv: (-kv[1], kv[0]))[:20]
    assert [(t["ncbigene_id"], t["figures"]) for t in top] == expected
    assert top[0]["symbol"] == "TP53" and top[0]["organism"] == "Homo sapiens"
    assert m["genes"]["distinct_genes"] == ok["ncbigene_id"].nunique()
    assert m["genes"]["figures_with_genes"] == ok["figid"].nunique()
    fam = frame(tables, "figure_gene_families")
    assert {r["famplex_id"]: (r["figures"], r["member_genes"]) for r in m["genes"]["top_families"]["rows"]} == {
        k: (g["figid"].nunique(), g["ncbigene_id"].nunique()) for k, g in fam.groupby("famplex_id")}


def test_gene_mapping_quality(built):
    _, tables, m = built
    fg = frame(tables, "figure_genes")
    g = m["gene_mapping"]
    assert g["mentions"] == len(fg)
    mapped = fg[fg["match_tier"] != "pfocr_recorded"]
    assert g["recorded_rows"] == len(fg) - len(mapped) == 5 and g["mapped_rows"] == len(mapped)
    tiers = Counter(mapped["match_tier"].fillna("(none)"))
    assert "pfocr_recorded" not in tiers
    assert {t["match_tier"]: t["mentions"] for t in g["match_tiers"]} == dict(tiers)
    assert {t["match_tier"]: t["share"] for t in g["match_tiers"]} == pytest.approx(
        {k: v / len(mapped) for k, v in tiers.items()}, abs=1e-6)
    assert g["ambiguous"] == int(mapped["ambiguous"].sum()) == 2
    assert g["ambiguous_share"] == pytest.approx(2 / len(mapped), abs=1e-6)
    assert g["confident_share"] == pytest.approx(int(fg["confident"].sum()) / len(mapped), abs=1e-6)
    assert g["ids_refreshed"] == int(((fg["input_ncbigene_id"].notna()) & (fg["ncbigene_id"].notna())
                                      & (fg["input_ncbigene_id"] != fg["ncbigene_id"])).sum()) == 1
    assert g["ids_discontinued"] == int((fg["id_status"] == "discontinued").sum()) == 1
    assert g["confident"] == int(fg["confident"].sum())


def test_chemicals_and_diseases(built):
    _, tables, m = built
    chem = frame(tables, "figure_chemicals")
    atp = chem[chem["mesh_id"] == "D000255"]["figid"].nunique()
    assert m["chemicals"]["top"][0] == {"name": "ATP", "figures": atp, "mesh_id": "D000255", "chebi_id": "CHEBI:15422"}
    assert m["chemicals"]["mentions"] == len(chem)
    assert m["chemicals"]["figures"] == chem["figid"].nunique()
    dis = frame(tables, "figure_diseases")
    assert m["diseases"]["top"][0]["name"] == "Neoplasms"
    assert m["diseases"]["top"][0]["figures"] == dis[dis["doid"] == "DOID:162"]["figid"].nunique() == 2


def test_rejected(built):
    _, tables, m = built
    rej = frame(tables, "rejected")
    r = m["rejected"]
    assert r["rows"] == len(rej) and r["files"] == rej["source_path"].nunique()
    assert {x["reason"]: x["rows"] for x in r["by_reason"]} == dict(Counter(rej["reason"]))
    assert {x["action"]: x["rows"] for x in r["by_action"]} == dict(Counter(rej["action"]))
    assert [x["source_path"] for x in r["listed"]] == sorted(rej["source_path"])


def test_references_and_runtime(built):
    root, _, m = built
    assert m["references"]["release"] == REFERENCES["release"]
    assert {f["name"]: f["sha256"] for f in m["references"]["files"]} == \
        {f["name"]: f["sha256"] for f in REFERENCES["files"]}
    rt = {r["rule"]: r for r in m["runtime"]["rules"]}
    assert set(rt) == {"parse_shard", "map_genes", "summarize"}
    for rule in rt:
        rows = [row for rel, rs in BENCHMARKS.items() if rel.split("/")[0].removesuffix(".tsv") == rule for row in rs]
        assert rt[rule]["total_s"] == pytest.approx(sum(float(s) for s, _, _ in rows))
        assert rt[rule]["runs"] == len(rows)
    assert rt["parse_shard"]["jobs"] == 2 and rt["map_genes"]["jobs"] == 1
    assert rt["parse_shard"]["max_rss_mb"] == 110.25  # "-" ignored
    assert rt["summarize"]["cpu_time_s"] is None  # "NA"
    assert m["runtime"]["total_s"] == pytest.approx(10.75)
    assert [r["rule"] for r in m["runtime"]["rules"]] == ["map_genes", "parse_shard", "summarize"]


def test_benchmarks_are_parsed_by_header(tmp_path):
    (tmp_path / "rule_a").mkdir()
    (tmp_path / "rule_a" / "x.tsv").write_text("max_rss\tcpu_time\ts\th:m:s\n12.5\t0.5\t2.0\t0:00:02\n")
    (tmp_path / "rule_a" / "not-a-benchmark.tsv").write_text("a\tb\n1\t2\n")
    assert read_benchmarks(tmp_path) == [{"rule": "rule_a", "file": "rule_a/x.tsv", "s": 2.0, "max_rss": 12.5,
                                          "cpu_time": 0.5}]


def test_gene_set_counts(built):
    root, _, m = built
    assert {f["file"]: f["sets"] for f in m["gene_sets"]["files"]} == {
        p.name: len(parse_gmt(p)) for p in (root / "out" / "gmt").glob("*.gmt")}


def test_metrics_json_is_what_was_returned(built):
    root, _, m = built
    assert json.loads((root / "out" / "report" / "metrics.json").read_text()) == m


# =============================================================================
# HTML
# =============================================================================

class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.metrics: list[tuple[dict, str]] = []
        self.stack: list[tuple[dict, list]] = []
        self.tags: Counter = Counter()
        self.urls: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] += 1
        for key in ("src", "href", "xlink:href", "action", "poster", "data"):
            if key in a:
                self.urls.append(a[key])
        if "data-section" in a:
            self.sections.append(a["data-section"])
        if "data-metric" in a:
            self.stack.append((a, []))

    def handle_data(self, data):
        for _, parts in self.stack:
            parts.append(data)

    def handle_endtag(self, tag):
        if self.stack and tag in ("td", "span", "dd"):
            a, parts = self.stack.pop()
            self.metrics.append((a, "".join(parts)))


def lookup(metrics: dict, path: str):
    value = metrics
    for key in path.split("."):
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def check_displayed(metrics: dict, kind: str, path: str, text: str, raw: str) -> None:
    value = lookup(metrics, path)
    assert json.loads(raw) == value, path
    text = text.replace("\u00a0", " ").strip()
    if kind == "int":
        assert int(text.replace(",", "")) == value, (path, text)
    elif kind == "share":
        assert text.endswith(" %") and abs(float(text[:-2]) - 100 * value) <= 0.05 + 1e-9, (path, text)
    elif kind in ("seconds", "mb"):
        assert abs(float(text.replace(",", "")) - value) <= 0.051, (path, text)
    else:
        assert text == str(value), (path, text)


def parse_html(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    return parser


def test_every_number_on_the_page_comes_from_the_metrics(built):
    root, _, m = built
    page = parse_html((root / "out" / "report" / "summary.html").read_text())
    assert len(page.metrics) > 150
    for attrs, text in page.metrics:
        check_displayed(m, attrs["data-kind"], attrs["data-metric"], text, attrs["data-value"])
    shown = {a["data-metric"] for a, _ in page.metrics}
    for key in ("overview.figures", "years.figures_with_year", "organisms.unresolved_share",
                "organisms.conflicting_share", "genes.top_genes.0.figures", "genes.top_families.rows.0.figures",
                "gene_mapping.match_tiers.0.share", "gene_mapping.ambiguous_share", "gene_mapping.ids_refreshed",
                "gene_mapping.ids_discontinued", "chemicals.top.0.figures", "diseases.top.0.figures",
                "rejected.by_reason.0.rows", "references.files.0.sha256", "runtime.rules.0.total_s",
                "release_diff.added.count"):
        assert key in shown, key


def test_page_is_self_contained(built):
    root, _, _ = built
    html = (root / "out" / "report" / "summary.html").read_text()
    page = parse_html(html)
    assert page.sections == [sid for sid, _, _ in SECTIONS]
    assert all(u.startswith("#") for u in page.urls), page.urls
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base"):
        assert page.tags[tag] == 0, tag
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    assert page.tags["svg"] == 5  # years, organism status, organisms, match tiers, run time
    assert "Not available" not in html


def test_text_is_escaped(tmp_path):
    out = tmp_path / "out"
    tables = build_release(out)
    html = render_html(compute_metrics(tables))
    assert "<signalling>" not in html
    bad = json.loads(json.dumps(compute_metrics(tables)))
    bad["organisms"]["top"][0]["scientific_name"] = "<script>alert(1)</script>"
    bad["rejected"]["listed"][0]["detail"] = "</td><script>x</script>"
    html = render_html(bad)
    assert "<script" not in html and "&lt;script&gt;" in html


def test_sections_degrade_when_tables_or_columns_are_missing(tmp_path):
    out = tmp_path / "out"
    tables = build_release(out)
    # Only figures: every other section says why it is not available.
    m = compute_metrics({"figures": tables["figures"]})
    assert m["overview"]["available"] and m["years"]["available"]
    assert m["genes"] == {"available": False, "reason": "table figure_genes was not provided"}
    assert m["organisms"]["available"]  # figures.primary_taxon_id is enough
    assert "conflicting share not available" in " ".join(m["organisms"]["notes"])
    for key in ("gene_mapping", "chemicals", "diseases", "rejected", "references", "runtime", "gene_sets",
                "release_diff"):
        assert m[key]["available"] is False and m[key]["reason"], key
    html = render_html(m)
    page = parse_html(html)
    assert page.sections == [sid for sid, _, _ in SECTIONS]
    assert html.count("Not available:") >= 8
    for attrs, text in page.metrics:
        check_displayed(m, attrs["data-kind"], attrs["data-metric"], text, attrs["data-value"])
    # Raw (unmapped) figure_genes: the pre-mapping columns only.
    raw = tmp_path / "raw_genes.parquet"
    fg = pq.read_table(tables["figure_genes"][0]).select(["figid", "word", "ncbigene_id", "symbol", "taxon_id",
                                                         "evidence", "source_path"])
    pq.write_table(fg, raw)
    m = compute_metrics({"figures": tables["figures"], "figure_genes": [raw]})
    assert m["gene_mapping"]["match_tiers"] is None and m["gene_mapping"]["ambiguous"] is None
    assert m["genes"]["top_families"]["available"] is False
    assert m["genes"]["top_genes"]
    render_html(m)
    # Figures without year / organism columns.
    minimal = tmp_path / "figures.parquet"
    pq.write_table(pq.read_table(tables["figures"][0]).select(["figid"]), minimal)
    m = compute_metrics({"figures": [minimal]})
    assert m["years"] == {"available": False, "reason": "table figures has no column year"}
    assert m["organisms"]["available"] is False
    assert m["overview"]["record_formats"] is None
    render_html(m)


def test_empty_tables_render_without_plots(tmp_path):
    import pyarrow as pa
    empty = tmp_path / "figures.parquet"
    pq.write_table(pa.table({"figid": pa.array([], pa.string()), "year": pa.array([], pa.int32()),
                             "primary_taxon_id": pa.array([], pa.int64()),
                             "record_format": pa.array([], pa.string())}), empty)
    m = compute_metrics({"figures": [empty], "rejected": []})
    assert m["overview"]["figures"] == 0 and m["rejected"]["rows"] == 0
    html = render_html(m)
    assert "<svg" not in html and "No input was rejected" in html


def test_write_report_keeps_the_summarize_entry_working(tmp_path):
    """write_report(table_files, metrics, html) works with a subset of the tables and logs metrics['rows']."""
    tables = build_release(tmp_path / "out")
    subset = {k: tables[k] for k in ("figures", "figure_genes", "figure_chemicals", "figure_diseases",
                                     "paper_references", "rejected", "papers")}
    m = write_report(subset, tmp_path / "r" / "metrics.json", tmp_path / "r" / "summary.html")
    assert m["rows"]["figures"] == 12
    assert "PFOCR" in (tmp_path / "r" / "summary.html").read_text()


def test_table_metrics_then_finish_report_write_what_write_report_writes(built, tmp_path):
    """The pipeline's two steps (rules compute_table_metrics and summarize) give write_report's files."""
    root, tables, m = built
    out = root / "out"
    write_table_metrics(tables, tmp_path / "table_metrics.json", references_json=out / "references.json",
                        previous_release=root / "previous", manifest_dir=out / "manifest")
    finished = finish_report(tmp_path / "table_metrics.json", tmp_path / "m.json", tmp_path / "s.html",
                             gmt_dir=out / "gmt", benchmarks_dir=out / "benchmarks")
    assert finished == m
    assert (tmp_path / "s.html").read_bytes() == (out / "report" / "summary.html").read_bytes()
    assert (tmp_path / "m.json").read_bytes() == (out / "report" / "metrics.json").read_bytes()


def test_report_is_deterministic(built, tmp_path):
    root, tables, m = built
    again = write_report(tables, tmp_path / "m.json", tmp_path / "s.html",
                         benchmarks_dir=root / "out" / "benchmarks", references_json=root / "out" / "references.json",
                         previous_release=root / "previous", manifest_dir=root / "out" / "manifest",
                         gmt_dir=root / "out" / "gmt")
    assert again == m
    assert (tmp_path / "s.html").read_bytes() == (root / "out" / "report" / "summary.html").read_bytes()


# =============================================================================
# Plots
# =============================================================================

def _svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML


def test_hbar_chart_is_accessible_and_escaped():
    svg = plots.hbar_chart([("a<b>&c", 3), ("long " * 20, 1), ("zero", 0)], title="T & t", chart_id="x")
    root = _svg(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.find(f"{ns}title").text == "T & t"
    assert root.get("aria-labelledby") == "x-title x-desc"
    bars = root.findall(f".//{ns}rect[@class='bar']")
    assert len(bars) == 3 and float(bars[0].get("width")) > float(bars[1].get("width")) > 0
    assert float(bars[2].get("width")) == 0
    assert "a&lt;b&gt;&amp;c" in svg and "\u2026" in svg  # truncated long label
    with pytest.raises(ValueError):
        plots.hbar_chart([], title="empty")


def test_column_chart_and_share_bar():
    svg = plots.column_chart([(str(y), n) for y, n in zip(range(1990, 2026), range(36))], title="Years",
                             x_label="year", y_label="figures")
    root = _svg(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f".//{ns}rect[@class='bar']")) == 35  # the zero year draws no bar height
    assert len([t for t in root.iter(f"{ns}text") if re.fullmatch(r"\d{4}", t.text or "")]) < 36  # thinned labels
    share = _svg(plots.share_bar([("a", 3), ("b", 1), ("c", 0)], title="Shares"))
    widths = [float(r.get("width")) for r in share.findall(f".//{ns}rect[@class='bar']")]
    assert widths == pytest.approx([675, 225])
    with pytest.raises(ValueError):
        plots.share_bar([("a", 0)], title="none")


def test_nice_ticks():
    assert plots.nice_ticks(12) == [0, 3, 6, 9, 12]
    assert plots.nice_ticks(1) == [0, 1]
    assert plots.nice_ticks(1000) == [0, 200, 400, 600, 800, 1000]
    assert plots.nice_ticks(0.5, integer=False)[-1] >= 0.5
    assert plots.fmt_number(1234567) == "1,234,567" and plots.fmt_number(2.5) == "2.5"
