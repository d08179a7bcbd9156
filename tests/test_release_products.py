"""Release products on REAL pipeline output: the PFOCR sample records plus the seed records, built by Snakemake.

One module-scoped build of ``/work/shared/pfocr-sample`` + the seed figure records and article
(bundled example references, ``shard_width=1000000``, ranges not merged, so there are several shards), and a second
build of the same corpus with 3 figures added, 1 removed and 1 changed, diffed against the first
(``previous_release``). Checked here:

(a) ``summary.html`` in real headless Chromium (all sections, no console errors, no network
    requests, every plot drawn; screenshots in ``test-artifacts/``), every number on the page equal
    to ``metrics.json``, and the key numbers equal to counts computed here from the Parquet tables;
(b) the GMT files (strict parser; seed 000's human set; direct sets without alias/family matches);
(c) ``release.json`` checksums and ``datapackage.json`` against the actual tables (frictionless);
(d) the release diff (added / removed / changed figids, gene-count changes) in metrics and page;
(e) ``snakemake --report report.zip`` with the release products and their captions;
(f) every query in ``docs/querying.md`` on the built tables;
and that ``metrics.json`` / ``summary.html`` are reproducible (everything but run times).

Chromium tests skip with the reason when Chromium is missing (they must run when CI=true).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import (EXAMPLE_CORPUS, REPO, absolute_config, copy_sample, place_seeds, require_shared, run_snakemake,
                      seed_figid)
from pfocr_etl.genesets import parse_gmt
from pfocr_etl.release import build_release_manifest, validate_datapackage, verify_release
from pfocr_etl.report import DISAGREEMENTS_LISTED, SECTIONS, compute_metrics, render_html
from pfocr_etl.tableview import tables_in
from test_report import check_displayed, parse_html
from test_report_chromium import DOM_QUERY, chromium  # noqa: F401  (module-scoped fixture, skips without Chromium)

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts"
HUMAN, MOUSE = 9606, 10090
MIN_GENES = 3  # config.yaml gmt_min_genes
RECORDED = "pfocr_recorded"
# The second corpus: the first with these changes.
ADDED = ("PMC9000001__example-g2", "PMC9000002__example-g1", "PMC9000003__example-g4")  # from the bundled example
REMOVED = "PMC10025411__fncel-17-1105247-g0001"
CHANGED = "PMC10034056__fendo-14-1109296-g003"
CHANGED_CAPTION = ("Bifidobacterium mainly produces SCFA", "Bifidobacterium mostly produces SCFA")
CHANGED_TSV_ROW = ("9606\tHomo sapiens\tPrimates\tTNF-a\tTNF-A\tTNF\t7124\tncbigene_synonym\t1\t12\t8\n",
                   "9606\tHomo sapiens\tPrimates\tSTAT3\tSTAT3\tSTAT3\t6774\tncbigene_symbol\t1\t12\t8\n")
EXPECTED_PLOTS = ["match-tiers", "organism-disagreements", "organism-status", "organisms", "runtime", "years"]


@dataclass
class Build:
    name: str
    root: Path  # Snakemake --directory (shared by both builds, with one config and one reference folder)
    config: Path
    corpus: Path
    out: Path
    extra: tuple[str, ...] = ()

    def args(self) -> list[str]:
        return ["--snakefile", str(REPO / "Snakefile"), "--configfile", str(self.config), "--directory",
                str(self.root), "--cores", "2", "--config", f"input_dir={self.corpus}", f"output_dir={self.out}",
                "shard_width=1000000", "shard_max_figures=0", *self.extra]

    def snakemake(self, *more: str):
        return run_snakemake(*self.args(), *more)

    def table(self, name: str) -> str:
        return f"read_parquet('{self.out}/tables/{name}/*.parquet', union_by_name = true)"

    def sql(self, query: str) -> list[tuple]:
        con = duckdb.connect()
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

    def one(self, query: str):
        return self.sql(query)[0][0]

    def metrics(self) -> dict:
        return json.loads((self.out / "report" / "metrics.json").read_text(encoding="utf-8"))

    @property
    def html(self) -> Path:
        return self.out / "report" / "summary.html"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> tuple[Path, Path]:
    require_shared()
    root = tmp_path_factory.mktemp("products")
    return root, absolute_config(root / "config.yaml")


@pytest.fixture(scope="module")
def first(workdir) -> Build:
    root, config = workdir
    corpus = place_seeds(copy_sample(root / "first" / "corpus"))
    build = Build("first", root, config, corpus, root / "first" / "out")
    build.snakemake()
    return build


@pytest.fixture(scope="module")
def second(first) -> Build:
    corpus = first.root / "second" / "corpus"
    shutil.copytree(first.corpus, corpus)
    for figid in ADDED:
        shutil.copyfile(EXAMPLE_CORPUS / "_figures" / f"{figid}.md", corpus / "_figures" / f"{figid}.md")
        for tsv in (EXAMPLE_CORPUS / "_data").glob(f"{figid}-*.tsv"):
            shutil.copyfile(tsv, corpus / "_data" / tsv.name)
    for path in [corpus / "_figures" / f"{REMOVED}.md", *(corpus / "_data").glob(f"{REMOVED}-*.tsv")]:
        path.unlink()
    record = corpus / "_figures" / f"{CHANGED}.md"
    text = record.read_text(encoding="utf-8")
    assert CHANGED_CAPTION[0] in text
    record.write_text(text.replace(*CHANGED_CAPTION), encoding="utf-8")
    genes = corpus / "_data" / f"{CHANGED}-genes.tsv"
    text = genes.read_text(encoding="utf-8")
    assert text.count(CHANGED_TSV_ROW[0]) == 1
    genes.write_text(text.replace(*CHANGED_TSV_ROW), encoding="utf-8")
    build = Build("second", first.root, first.config, corpus, first.root / "second" / "out",
                  (f"previous_release={first.out}",))
    build.snakemake()
    return build


@pytest.fixture(params=["first", "second"])
def any_build(request) -> Build:
    return request.getfixturevalue(request.param)


def confident_sets(build: Build, taxon: int | None = None, where: str = "TRUE") -> dict[str, set[int]]:
    """figid -> distinct confident, unambiguous NCBI Gene IDs (optionally of one taxon), straight from Parquet."""
    taxon_sql = f"AND taxon_id = {int(taxon)}" if taxon is not None else ""
    rows = build.sql(f"SELECT figid, list(DISTINCT ncbigene_id) FROM {build.table('figure_genes')} "
                     f"WHERE confident AND NOT ambiguous AND ncbigene_id IS NOT NULL {taxon_sql} AND ({where}) "
                     f"GROUP BY figid")
    return {figid: {int(g) for g in genes} for figid, genes in rows}


# =============================================================================
# (a) the report in headless Chromium; numbers equal metrics.json and the tables
# =============================================================================

def _open(browser, html: Path) -> dict:
    first_event = len(browser.events)
    browser.navigate(html.resolve().as_uri())
    page = browser.evaluate(DOM_QUERY)
    page["requests"] = [e["params"]["request"]["url"] for e in browser.events[first_event:]
                        if e.get("method") == "Network.requestWillBeSent"]
    page["problems"] = browser.problems()
    page["disagreement_rows"] = browser.evaluate(
        "document.querySelectorAll('#organisms table.disagreements tbody tr').length")
    page["toc"] = browser.evaluate("[...document.querySelectorAll('nav.toc a')].map(a => a.getAttribute('href'))")
    return page


@pytest.mark.chromium
def test_report_renders_offline_with_every_section_and_plot(chromium, any_build):  # noqa: F811
    build = any_build
    page = _open(chromium, build.html)
    ARTIFACTS.mkdir(exist_ok=True)
    chromium.screenshot(ARTIFACTS / f"report-sample-{build.name}.png")
    assert page["title"] == "PFOCR release summary"
    assert page["problems"] == []
    assert page["requests"] == [build.html.resolve().as_uri()], page["requests"]
    assert page["resources"] == []
    assert [s["id"] for s in page["sections"]] == [sid for sid, _, _ in SECTIONS]
    assert all(s["height"] > 40 for s in page["sections"]), page["sections"]
    # Only the first build lacks something: it has no previous release to compare with.
    not_available = {s["id"] for s in page["sections"] if s["notAvailable"]}
    assert not_available == ({"release-diff"} if build.name == "first" else set()), page["sections"]
    assert not page["horizontalOverflow"]
    assert "#organism-disagreements" in page["toc"]
    assert sorted(p["name"] for p in page["plots"]) == EXPECTED_PLOTS
    for plot in page["plots"]:
        assert plot["width"] > 300 and plot["height"] > 40, plot
        assert plot["drawnBars"] >= 1 and plot["labels"] >= 2 and plot["title"], plot
    metrics = build.metrics()
    assert page["disagreement_rows"] == min(metrics["organism_disagreements"]["rows"], DISAGREEMENTS_LISTED) > 0
    # Every number on the page is the one in metrics.json.
    assert len(page["metrics"]) > 200
    for m in page["metrics"]:
        check_displayed(metrics, m["kind"], m["path"], m["text"], m["value"])
    shown = {m["path"] for m in page["metrics"]}
    for key in ("organisms.unresolved_share", "organisms.conflicting_share", "organisms.without_primary_share",
                "organisms.status.0.figures", "organism_disagreements.rows", "organism_disagreements.tsv_rows",
                "organism_disagreements.by_reason.0.rows", "organism_disagreements.listed.0.tsv_taxon_id",
                "organism_disagreements.listed.0.harmonized_taxon_id", "gene_mapping.ambiguous_share",
                "gene_mapping.match_tiers.0.mentions", "rows.organism_disagreements"):
        assert key in shown, key
    if build.name == "second":
        for key in ("release_diff.added.figids.2", "release_diff.removed.figids.0", "release_diff.changed.figids.0",
                    "release_diff.gene_counts.changes.0.delta"):
            assert key in shown, key


def test_metrics_equal_counts_from_the_parquet_tables(any_build):
    b = any_build
    m = b.metrics()
    t = b.table
    # Rows of every table (Parquet metadata), figures = records in the corpus.
    for name, files in tables_in(b.out / "tables").items():
        assert m["rows"][name] == sum(pq.read_metadata(f).num_rows for f in files), name
    assert "organism_disagreements" in m["rows"]
    figures = b.one(f"SELECT count(*) FROM {t('figures')}")
    assert m["overview"]["figures"] == figures == len(list((b.corpus / "_figures").glob("*.md")))
    assert m["overview"]["gene_mentions"] == b.one(f"SELECT count(*) FROM {t('figure_genes')}")
    assert m["overview"]["rejected"] == m["rejected"]["rows"] == b.one(f"SELECT count(*) FROM {t('rejected')}") == 0

    # Gene mapping: tiers, ambiguous and confident shares of our mapped rows.
    g = m["gene_mapping"]
    mapped = f"match_tier IS DISTINCT FROM '{RECORDED}'"
    n_mapped = b.one(f"SELECT count(*) FROM {t('figure_genes')} WHERE {mapped}")
    assert g["mapped_rows"] == n_mapped
    assert g["recorded_rows"] == b.one(f"SELECT count(*) FROM {t('figure_genes')} WHERE match_tier = '{RECORDED}'")
    assert {r["match_tier"]: r["mentions"] for r in g["match_tiers"]} == dict(b.sql(
        f"SELECT coalesce(match_tier, '(none)'), count(*) FROM {t('figure_genes')} WHERE {mapped} GROUP BY 1"))
    ambiguous = b.one(f"SELECT count(*) FROM {t('figure_genes')} WHERE ambiguous AND {mapped}")
    assert g["ambiguous"] == ambiguous > 0
    assert g["ambiguous_share"] == pytest.approx(ambiguous / n_mapped, abs=1e-6)
    confident = b.one(f"SELECT count(*) FROM {t('figure_genes')} WHERE confident AND NOT ambiguous "
                      f"AND ncbigene_id IS NOT NULL AND {mapped}")
    assert g["confident"] == confident and g["confident_share"] == pytest.approx(confident / n_mapped, abs=1e-6)
    sets = confident_sets(b)
    assert m["genes"]["figures_with_genes"] == len(sets)
    assert m["genes"]["distinct_genes"] == len(set().union(*sets.values()))

    # Organisms: primary organisms, status per figure, unresolved and conflicting shares.
    o = m["organisms"]
    primary = Counter(dict(b.sql(f"SELECT primary_taxon_id, count(*) FROM {t('figures')} "
                                 f"WHERE primary_taxon_id IS NOT NULL GROUP BY 1")))
    assert o["figures_with_primary"] == sum(primary.values())
    assert {r["taxon_id"]: r["figures"] for r in o["top"]} == dict(primary)
    assert o["figures_without_primary"] == figures - sum(primary.values())
    conflicting = b.one(f"SELECT count(*) FROM {t('figure_primary_organisms')} WHERE conflicting")
    unresolved = b.one(f"SELECT count(DISTINCT figid) FROM {t('figure_organisms')} WHERE status = 'unresolved'")
    assert o["figures_conflicting"] == conflicting > 0
    assert o["conflicting_share"] == pytest.approx(conflicting / figures, abs=1e-6)
    assert o["figures_with_unresolved_names"] == unresolved > 0
    assert o["unresolved_share"] == pytest.approx(unresolved / figures, abs=1e-6)
    status = dict(b.sql(f"SELECT CASE WHEN primary_status = 'resolved' AND conflicting THEN 'conflicting' "
                        f"WHEN primary_status = 'missing' THEN 'none' ELSE primary_status END, count(*) "
                        f"FROM {t('figure_primary_organisms')} GROUP BY 1"))
    assert {s["status"]: s["figures"] for s in o["status"] if s["figures"]} == status
    assert sum(s["figures"] for s in o["status"]) == figures

    # Genes-TSV organism disagreements: all counted, the first rows listed in table order.
    d = m["organism_disagreements"]
    od = t("organism_disagreements")
    assert (d["rows"], d["tsv_rows"], d["figures"]) == b.sql(
        f"SELECT count(*), sum(n_rows), count(DISTINCT figid) FROM {od}")[0]
    assert d["rows"] > 0
    assert {r["reason"]: (r["rows"], r["tsv_rows"], r["figures"]) for r in d["by_reason"]} == {
        r: (n, s, f) for r, n, s, f in b.sql(f"SELECT reason, count(*), sum(n_rows), count(DISTINCT figid) "
                                             f"FROM {od} GROUP BY reason")}
    compared = b.sql(f"SELECT sum(n_source_rows), count(DISTINCT figid) FROM {t('figure_genes')} "
                     f"WHERE evidence = 'genes_tsv' AND match_tier = '{RECORDED}' AND taxon_id IS NOT NULL")[0]
    assert (d["compared_tsv_rows"], d["compared_figures"]) == compared
    assert d["tsv_rows_share"] == pytest.approx(d["tsv_rows"] / compared[0], abs=1e-6)
    listed = b.sql(f"SELECT figid, word, tsv_taxon_id, harmonized_taxon_id, reason, n_rows FROM {od} "
                   f"ORDER BY figid, word, tsv_taxon_id, reason, harmonized_taxon_id, n_rows "
                   f"LIMIT {DISAGREEMENTS_LISTED}")
    assert [(r["figid"], r["word"], r["tsv_taxon_id"], r["harmonized_taxon_id"], r["reason"], r["n_rows"])
            for r in d["listed"]] == listed
    assert d["not_listed"] == d["rows"] - len(listed)
    names = dict(b.sql(f"SELECT taxon_id, scientific_name FROM {t('organisms')}"))
    assert all(r["tsv_organism"] == names[r["tsv_taxon_id"]] for r in d["listed"])


def test_disagreement_list_is_capped_with_a_note(first):
    tables = tables_in(first.out / "tables")
    metrics = compute_metrics(tables, disagreements_listed=5)
    d = metrics["organism_disagreements"]
    assert len(d["listed"]) == 5 and d["not_listed"] == d["rows"] - 5 > 0
    html = render_html(metrics)
    page = parse_html(html)
    for attrs, text in page.metrics:
        check_displayed(metrics, attrs["data-kind"], attrs["data-metric"], text, attrs["data-value"])
    assert "The first 5 rows; <span data-metric=\"organism_disagreements.not_listed\"" in html
    assert re.search(r">{}</span> more are in the <code>organism_disagreements</code> table".format(
        d["not_listed"]), html)


# =============================================================================
# (b) gene sets
# =============================================================================

def _figure_names(build: Build) -> dict[str, str]:
    """figid -> GMT set name: figid_alias when one figure uses it (and it is no other figure's figid), else figid."""
    rows = build.sql(f"SELECT figid, nullif(trim(figid_alias), '') FROM {build.table('figures')}")
    figids = {f for f, _ in rows}
    uses = Counter(a for _, a in rows if a)
    return {f: a if a and uses[a] == 1 and (a == f or a not in figids) else f for f, a in rows}


def _gmt(build: Build, name: str) -> dict[str, set[int]]:
    return {s.name: set(s.genes) for s in parse_gmt(build.out / "gmt" / name, min_genes=MIN_GENES,
                                                    require_sorted=True)}


def test_gmt_files_parse_strictly_and_match_figure_genes(first):
    files = sorted(p.name for p in (first.out / "gmt").glob("*.gmt"))
    assert {"pfocr-homo-sapiens-confident.gmt", "pfocr-homo-sapiens-direct.gmt", "pfocr-human-projected.gmt"} <= \
        set(files)
    metrics = first.metrics()
    assert {f["file"]: f["sets"] for f in metrics["gene_sets"]["files"]} == {
        f: len(parse_gmt(first.out / "gmt" / f, min_genes=MIN_GENES, require_sorted=True)) for f in files}
    names = _figure_names(first)
    slugs = {HUMAN: "homo-sapiens", MOUSE: "mus-musculus"}
    direct_tier = "match_tier = 'official_symbol' AND famplex_id IS NULL"
    for taxon, slug in slugs.items():
        for variant, where in (("confident", "TRUE"), ("direct", direct_tier)):
            expected = {names[f]: genes for f, genes in confident_sets(first, taxon, where).items()
                        if len(genes) >= MIN_GENES}
            path = f"pfocr-{slug}-{variant}.gmt"
            assert (_gmt(first, path) if expected or (first.out / "gmt" / path).exists() else {}) == expected, path


def test_seed_000_is_in_the_human_confident_set_with_its_genes(first):
    figid = seed_figid("000")
    assert figid == "PMC3670266__jkst-2-e22996-g1"
    alias, title = first.sql(f"SELECT figid_alias, figtitle FROM {first.table('figures')} WHERE figid = '{figid}'")[0]
    assert alias is None  # so the set is named by its figid
    expected = confident_sets(first, HUMAN)[figid]
    assert expected == {3569, 6774, 9655}  # IL6, STAT3, SOCS5 (the example reference maps no other of its genes)
    sets = {s.name: s for s in parse_gmt(first.out / "gmt" / "pfocr-homo-sapiens-confident.gmt")}
    assert set(sets[figid].genes) == expected and sets[figid].description == title
    # Its gene-family words (VEGF, NF-KB) are family rows without a gene ID: not in the set.
    families = first.sql(f"SELECT DISTINCT famplex_id FROM {first.table('figure_genes')} "
                         f"WHERE figid = '{figid}' AND famplex_id IS NOT NULL")
    assert sorted(f for f, in families) == ["FPLX:NFkappaB", "FPLX:VEGF"]
    projected = {s.name: set(s.genes) for s in parse_gmt(first.out / "gmt" / "pfocr-human-projected.gmt")}
    assert projected[figid] == expected


def test_direct_sets_leave_out_alias_and_family_matches(first):
    names = _figure_names(first)
    confident = _gmt(first, "pfocr-homo-sapiens-confident.gmt")
    direct = _gmt(first, "pfocr-homo-sapiens-direct.gmt")
    # Genes a figure names only through an alias/synonym (never by official symbol).
    alias_only = first.sql(
        f"SELECT figid, ncbigene_id FROM {first.table('figure_genes')} WHERE confident AND NOT ambiguous "
        f"AND taxon_id = {HUMAN} AND ncbigene_id IS NOT NULL GROUP BY figid, ncbigene_id "
        f"HAVING bool_and(match_tier <> 'official_symbol')")
    assert alias_only
    in_confident = [(names[f], g) for f, g in alias_only if g in confident.get(names[f], ())]
    assert in_confident  # alias matches do enter the confident sets ...
    for name, gene in in_confident:  # ... never the direct ones
        assert gene not in direct.get(name, set()), (name, gene)
    # Members of named gene families (figure_gene_families) enter a direct set only when the figure
    # also names that gene by its official symbol.
    members = first.sql(
        f"SELECT m.figid, m.ncbigene_id FROM {first.table('figure_gene_families')} m "
        f"WHERE NOT EXISTS (SELECT 1 FROM {first.table('figure_genes')} g WHERE g.figid = m.figid "
        f"AND g.ncbigene_id = m.ncbigene_id AND g.match_tier = 'official_symbol' AND g.famplex_id IS NULL)")
    assert members
    for figid, gene in members:
        assert gene not in direct.get(names[figid], set()), (figid, gene)
    for name, genes in direct.items():
        assert genes <= confident[name], name


# =============================================================================
# (c) release.json and datapackage.json
# =============================================================================

def test_release_checksums_verify_and_datapackage_validates(first):
    assert verify_release(first.out) == []
    release = json.loads((first.out / "release.json").read_text())
    listed = {e["path"] for e in release["outputs"]}
    for part in (first.out / "tables").glob("*/*.parquet"):
        assert part.relative_to(first.out).as_posix() in listed
    assert {"report/summary.html", "report/metrics.json", "datapackage.json"} <= listed
    assert {p.relative_to(first.out).as_posix() for p in (first.out / "gmt").glob("*.gmt")} <= listed
    assert release["corpus"]["files"] == len([p for p in first.corpus.rglob("*") if p.is_file()])
    result = validate_datapackage(first.out / "datapackage.json")
    assert result["valid"], result["errors"][:20]
    assert result["rows"] == {name: sum(pq.read_metadata(f).num_rows for f in files)
                              for name, files in tables_in(first.out / "tables").items()}


# =============================================================================
# (d) release diff
# =============================================================================

def test_release_diff_reports_exactly_the_changes(first, second):
    d = second.metrics()["release_diff"]
    assert d["available"] and d["previous_release"] == str(first.out)
    n_first = first.one(f"SELECT count(*) FROM {first.table('figures')}")
    assert d["figures"] == {"previous": n_first, "current": n_first + len(ADDED) - 1}
    assert d["added"] == {"count": 3, "figids": sorted(ADDED)}
    assert d["removed"] == {"count": 1, "figids": [REMOVED]}
    assert d["changed"] == {"count": 1, "figids": [CHANGED], "record_changed": 1, "genes_changed": 1}
    assert d["unchanged"] == n_first - 2
    # What changed in the tables: the caption, and the edited TSV row now maps STAT3.
    for build, caption in ((first, CHANGED_CAPTION[0]), (second, CHANGED_CAPTION[1])):
        assert caption in build.one(f"SELECT caption FROM {build.table('figures')} WHERE figid = '{CHANGED}'")
    before, after = confident_sets(first), confident_sets(second)
    assert after[CHANGED] - before[CHANGED] == {6774} and before[CHANGED] <= after[CHANGED]
    # Gene counts from the two builds' figure_genes.
    kept = (set(before) | set(after)) - set(ADDED) - {REMOVED}
    changes = sorted(({"figid": f, "previous": len(before.get(f, ())), "current": len(after.get(f, ())),
                       "delta": len(after.get(f, ())) - len(before.get(f, ()))} for f in kept
                      if len(before.get(f, ())) != len(after.get(f, ()))),
                     key=lambda c: (-abs(c["delta"]), c["figid"]))
    assert changes == [{"figid": CHANGED, "previous": len(before[CHANGED]), "current": len(before[CHANGED]) + 1,
                        "delta": 1}]
    gc = d["gene_counts"]
    assert gc["changes"] == changes
    assert (gc["figures_changed"], gc["figures_gained"], gc["figures_lost"]) == (1, 1, 0)
    assert gc["previous_total"] == sum(len(g) for g in before.values())
    assert gc["current_total"] == sum(len(g) for g in after.values())
    assert gc["previous_distinct_genes"] == len(set().union(*before.values()))
    assert gc["current_distinct_genes"] == len(set().union(*after.values()))
    # The page shows the same (every tagged number equals metrics.json, checked in Chromium too).
    page = parse_html(second.html.read_text())
    shown = {a["data-metric"]: json.loads(a["data-value"]) for a, _ in page.metrics}
    assert [shown[f"release_diff.added.figids.{i}"] for i in range(3)] == sorted(ADDED)
    assert shown["release_diff.removed.figids.0"] == REMOVED and shown["release_diff.changed.figids.0"] == CHANGED
    assert shown["release_diff.gene_counts.changes.0.figid"] == CHANGED
    assert shown["release_diff.gene_counts.changes.0.delta"] == 1
    assert shown["release_diff.gene_counts.previous_total"] == gc["previous_total"]


# =============================================================================
# (e) snakemake --report
# =============================================================================

CAPTIONS = {
    "summary.html": "Summary of the release as one self-contained page",
    "metrics.json": "Machine-readable twin of",
    "datapackage.json": "Frictionless Data Package",
    "release.json": "Release manifest",
    "confident.gmt": "Gene sets per organism, all confident genes",
    "direct.gmt": "Gene sets per organism, direct official-symbol matches only",
    "pfocr-human-projected.gmt": "Human-projected gene sets",
}


def test_snakemake_report_zip_holds_the_release_products_with_captions(second):
    report = second.root / "second-report.zip"
    second.snakemake("--report", str(report))
    with zipfile.ZipFile(report) as archive:
        entries = {Path(n).name: n for n in archive.namelist()}
        html = archive.read(entries["report.html"]).decode("utf-8")
        for name in ("summary.html", "metrics.json", "datapackage.json", "release.json"):
            assert name in entries, sorted(entries)
        assert archive.read(entries["summary.html"]) == second.html.read_bytes()
        gmt = sorted(p.name for p in (second.out / "gmt").glob("*.gmt"))
        assert gmt and all(archive.read(entries[g]) == (second.out / "gmt" / g).read_bytes() for g in gmt)
    results = json.loads(re.search(r"var results = (\{.*?\});\n", html, flags=re.S).group(1))
    by_name = {r["name"]: r for r in results.values()}
    assert {"summary.html", "metrics.json", "datapackage.json", "release.json", *gmt} <= set(by_name)
    for name, record in by_name.items():
        phrase = next(text for key, text in CAPTIONS.items() if name == key or name.endswith("-" + key))
        assert phrase in record["caption"], (name, record["caption"][:200])
    # Each GMT file's caption names that file (one caption serves the gmt/ folder).
    for g in gmt:
        assert g in by_name[g]["caption"].replace('<span class="pre">', "").replace("</span>", ""), g


# =============================================================================
# (f) docs/querying.md on the built tables
# =============================================================================

def _doc_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (REPO / "docs" / "querying.md").read_text(), flags=re.S)


def test_every_query_in_querying_md_runs_on_the_built_tables(first, tmp_path, monkeypatch):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "example").symlink_to(first.out, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    empty = []
    for index, sql in enumerate(_doc_blocks("sql")):
        con = duckdb.connect()
        try:
            rows = con.execute(sql).fetchall()  # several statements: the last one's rows
        except duckdb.Error as exc:
            pytest.fail(f"querying.md SQL block {index} fails on the built tables: {exc}\n{sql}")
        finally:
            con.close()
        if not rows:
            empty.append(sql)
    # Only the rejected-input query may come back empty: nothing in this corpus was rejected.
    assert all("tables/rejected/" in sql for sql in empty), empty
    for index, code in enumerate(_doc_blocks("python")):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"querying.md python block {index}", "exec"), {})
        assert out.getvalue().strip() and "Empty DataFrame" not in out.getvalue(), (index, out.getvalue())


# =============================================================================
# Reproducibility: everything but run times
# =============================================================================

def _without_version(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if k != "pipeline_version"}


def test_metrics_and_page_are_reproducible_apart_from_run_times(first):
    stored_json = (first.out / "report" / "metrics.json").read_text(encoding="utf-8")
    stored_html = first.html.read_text(encoding="utf-8")
    stored = json.loads(stored_json)
    # Recomputed in this process, from the same inputs as rule summarize.
    again = compute_metrics(tables_in(first.out / "tables"), first.out / "benchmarks", first.out / "references.json",
                            manifest_dir=first.out / "manifest", gmt_dir=first.out / "gmt")
    again["pipeline_version"] = stored["pipeline_version"]  # the checkout may move while tests run
    assert json.dumps(again, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == stored_json
    assert render_html(again) == stored_html
    # Rule summarize run again by Snakemake (only it and the release manifest: the tables stay as they are
    # even if the pipeline code moved meanwhile). The benchmark files are unchanged, so even the run
    # times are: everything is byte-identical but pipeline_version, which follows the checkout.
    first.snakemake("--forcerun", "summarize", "--allowed-rules", "summarize", "write_release_manifest", "all")
    rerun_json = (first.out / "report" / "metrics.json").read_text(encoding="utf-8")
    rerun = json.loads(rerun_json)
    assert _without_version(rerun) == _without_version(stored)
    if rerun["pipeline_version"] == stored["pipeline_version"]:
        assert rerun_json == stored_json and first.html.read_text(encoding="utf-8") == stored_html
    assert verify_release(first.out) == []


def test_release_content_hash_ignores_only_the_run_times(first, tmp_path):
    """Two builds differ in run times only: same content_sha256, different file sha256 (still verified)."""
    twin = tmp_path / "out"
    shutil.copytree(first.out, twin, ignore=shutil.ignore_patterns("work", "logs"))
    metrics = json.loads((twin / "report" / "metrics.json").read_text(encoding="utf-8"))
    metrics["runtime"]["total_s"] += 12.5
    metrics["runtime"]["rules"].reverse()
    (twin / "report" / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n",
                                                  encoding="utf-8")
    html = (twin / "report" / "summary.html").read_text(encoding="utf-8")
    start = html.index('<section id="runtime"')
    html = html[:start] + html[start:].replace(" s wall time", " s of wall time", 1)
    (twin / "report" / "summary.html").write_text(html, encoding="utf-8")
    one = build_release_manifest(first.out, first.out / "manifest", first.out / "references.json")
    two = build_release_manifest(twin, twin / "manifest", twin / "references.json")
    assert one["content_sha256"] == two["content_sha256"]
    changed = {a["path"] for a, b in zip(one["outputs"], two["outputs"]) if a["sha256"] != b["sha256"]}
    assert changed == {"report/metrics.json", "report/summary.html"}
    problems = verify_release(twin, first.out / "release.json")  # the exact bytes are still checked
    assert any(p.startswith("report/metrics.json: sha256") for p in problems), problems
    assert not any(p.startswith("report/metrics.json: stable_sha256") for p in problems), problems
    # Anything else changes the content hash.
    metrics["organisms"]["figures"] += 1
    (twin / "report" / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    assert build_release_manifest(twin, twin / "manifest", twin / "references.json")["content_sha256"] != \
        one["content_sha256"]
