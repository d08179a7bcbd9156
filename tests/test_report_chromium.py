"""The summary report in real headless Chromium: renders cleanly, offline, with every plot drawn.

Skips (with the reason) when Chromium is missing, unless CI=true: then it must run.
Artifacts (gitignored): test-artifacts/report-summary.png (full page, screen),
report-summary-print.png (print media) and report-summary.pdf.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import REPO
from headless_chromium import DEFAULT_BINARY, Chromium, chromium_binary
from pfocr_etl.genesets import write_gmt_sets
from pfocr_etl.report import SECTIONS, compute_metrics, render_html, write_report
from release_fixtures import build_release
from test_report import check_displayed

pytestmark = pytest.mark.chromium
ARTIFACTS = REPO / "test-artifacts"

DOM_QUERY = """(() => {
  const metrics = [...document.querySelectorAll('[data-metric]')].map(e => ({
      path: e.dataset.metric, kind: e.dataset.kind, value: e.dataset.value, text: e.textContent}));
  const sections = [...document.querySelectorAll('section[data-section]')].map(s => ({
      id: s.id, heading: (s.querySelector('h2') || {}).textContent || '',
      height: s.getBoundingClientRect().height, notAvailable: s.querySelectorAll('.na').length}));
  const plots = [...document.querySelectorAll('figure.plot')].map(f => {
      const svg = f.querySelector('svg');
      const box = svg.getBoundingClientRect();
      const bars = [...svg.querySelectorAll('.bar')].map(b => b.getBoundingClientRect());
      return {name: f.dataset.plot, width: box.width, height: box.height,
              drawnBars: bars.filter(b => b.width >= 1 && b.height >= 1).length,
              labels: [...svg.querySelectorAll('text')].filter(t => t.getBBox().width > 0).length,
              title: (svg.querySelector('title') || {}).textContent || '',
              barTitles: [...svg.querySelectorAll('g > title')].map(t => t.textContent)};
  });
  const root = document.documentElement;
  return {metrics, sections, plots, title: document.title,
          horizontalOverflow: root.scrollWidth > root.clientWidth,
          resources: performance.getEntriesByType('resource').map(r => r.name)};
})()"""


@pytest.fixture(scope="module")
def chromium():
    binary = chromium_binary()
    if binary is None:
        wanted = os.environ.get("CHROMIUM", DEFAULT_BINARY)
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Chromium is not installed at {wanted} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {wanted} (install the Debian package 'chromium' or set "
                    f"CHROMIUM=/path/to/chromium); this test runs unconditionally when CI=true")
    with Chromium(binary) as browser:
        yield browser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("chromium")
    build_release(root / "previous", "base")
    tables = build_release(root / "out", "next")
    write_gmt_sets(tables["figure_genes"], tables["figures"], tables["organisms"], root / "out" / "gmt",
                   figure_gene_orthologs_parts=tables["figure_gene_orthologs"])
    html = root / "out" / "report" / "summary.html"
    write_report(tables, root / "out" / "report" / "metrics.json", html, benchmarks_dir=root / "out" / "benchmarks",
                 references_json=root / "out" / "references.json", previous_release=root / "previous",
                 manifest_dir=root / "out" / "manifest", gmt_dir=root / "out" / "gmt")
    return root, tables, html


def _open(browser: Chromium, html: Path) -> dict:
    first_event = len(browser.events)
    browser.navigate(html.resolve().as_uri())
    page = browser.evaluate(DOM_QUERY)
    events = browser.events[first_event:]
    page["requests"] = [e["params"]["request"]["url"] for e in events
                        if e.get("method") == "Network.requestWillBeSent"]
    return page


def test_report_renders_offline_without_errors(chromium, report):
    root, tables, html = report
    page = _open(chromium, html)
    ARTIFACTS.mkdir(exist_ok=True)
    chromium.screenshot(ARTIFACTS / "report-summary.png")
    assert page["title"] == "PFOCR release summary"
    # No console errors or warnings, no exceptions, nothing fetched but the page itself.
    assert chromium.problems() == []
    assert page["requests"] == [html.resolve().as_uri()], page["requests"]
    assert page["resources"] == []
    # All sections, each with content; nothing is "not available" in a full build.
    assert [s["id"] for s in page["sections"]] == [sid for sid, _, _ in SECTIONS]
    assert all(s["height"] > 40 and s["notAvailable"] == 0 for s in page["sections"]), page["sections"]
    assert not page["horizontalOverflow"]
    # Every plot drawn, with bars and labels.
    assert sorted(p["name"] for p in page["plots"]) == ["match-tiers", "organism-status", "organisms", "runtime",
                                                        "years"]
    for plot in page["plots"]:
        assert plot["width"] > 300 and plot["height"] > 40, plot
        assert plot["drawnBars"] >= 1 and plot["labels"] >= 2 and plot["title"], plot


def test_rendered_numbers_equal_metrics_and_the_tables(chromium, report):
    root, tables, html = report
    page = _open(chromium, html)
    metrics = json.loads((root / "out" / "report" / "metrics.json").read_text())
    assert len(page["metrics"]) > 150
    for m in page["metrics"]:
        check_displayed(metrics, m["kind"], m["path"], m["text"], m["value"])
    # The same numbers, computed here straight from the Parquet files.
    shown = {m["path"]: json.loads(m["value"]) for m in page["metrics"]}

    def rows(name):
        return [r for p in tables[name] for r in pq.read_table(p).to_pylist()]

    figures, genes, rejected = rows("figures"), rows("figure_genes"), rows("rejected")
    assert shown["overview.figures"] == len(figures)
    assert shown["rows.figure_genes"] == len(genes)
    by_year = Counter(f["year"] for f in figures if f["year"] is not None)
    assert shown["years.figures_with_year"] == sum(by_year.values())
    assert shown["years.first_year"] == min(by_year) and shown["years.last_year"] == max(by_year)
    # The year chart's bars (their tooltips) show the same counts.
    plot = next(p for p in page["plots"] if p["name"] == "years")
    drawn = dict(t.split(" figures")[0].split(": ") for t in plot["barTitles"])
    assert {int(y): int(n) for y, n in drawn.items()} == dict(by_year)
    primary = Counter(f["primary_taxon_id"] for f in figures if f["primary_taxon_id"] is not None)
    assert shown["organisms.top.0.figures"] == primary.most_common(1)[0][1]
    assert shown["organisms.figures_with_primary"] == sum(primary.values())
    tiers = Counter(g["match_tier"] or "(none)" for g in genes if g["match_tier"] != "pfocr_recorded")
    listed = metrics["gene_mapping"]["match_tiers"]
    assert {t["match_tier"]: shown[f"gene_mapping.match_tiers.{i}.mentions"] for i, t in enumerate(listed)} == \
        dict(tiers)
    assert shown["gene_mapping.ambiguous"] == sum(1 for g in genes if g["ambiguous"])
    assert shown["gene_mapping.recorded_rows"] == sum(1 for g in genes if g["match_tier"] == "pfocr_recorded")
    reasons = Counter(r["reason"] for r in rejected)
    assert {metrics["rejected"]["by_reason"][i]["reason"]: shown[f"rejected.by_reason.{i}.rows"]
            for i in range(len(reasons))} == dict(reasons)
    assert shown["release_diff.added.count"] == 3 and shown["release_diff.removed.count"] == 1
    assert shown["release_diff.changed.count"] == 1


def test_report_prints(chromium, report):
    _, _, html = report
    _open(chromium, html)
    chromium.send("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        chromium.screenshot(ARTIFACTS / "report-summary-print.png")
        assert chromium.evaluate("getComputedStyle(document.querySelector('nav.toc')).display") == "none"
    finally:
        chromium.send("Emulation.setEmulatedMedia", {"media": ""})
    chromium.pdf(ARTIFACTS / "report-summary.pdf")
    pdf = (ARTIFACTS / "report-summary.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert chromium.problems() == []


def test_degraded_report_renders_too(chromium, report, tmp_path):
    _, tables, _ = report
    html = tmp_path / "summary.html"
    html.write_text(render_html(compute_metrics({"figures": tables["figures"]})), encoding="utf-8")
    page = _open(chromium, html)
    assert chromium.problems() == []
    assert page["requests"] == [html.resolve().as_uri()]
    assert [s["id"] for s in page["sections"]] == [sid for sid, _, _ in SECTIONS]
    assert sum(s["notAvailable"] for s in page["sections"]) >= 8
    for plot in page["plots"]:
        assert plot["drawnBars"] >= 1, plot
