"""Small, hand-made release folders for the report, gene-set and release tests.

Built with plain pyarrow (own schemas, no pipeline modules), laid out like a real
``{output_dir}``: ``tables/<table>/part-<shard>.parquet``, ``benchmarks/<rule>/*.tsv``,
``manifest/corpus.json`` and a ``references.json``.

``variant="next"`` is the following run: 3 figures added (F13-F15), 1 removed
(F10) and 1 changed (F05: new record bytes and one more gene).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HUMAN, MOUSE, FISH, FLY = 9606, 10090, 7955, 7227
ORGANISMS = {HUMAN: ("Homo sapiens", "species", "primates"), MOUSE: ("Mus musculus", "species", "rodents"),
             FISH: ("Danio rerio", "species", "bony fishes"), FLY: ("Drosophila melanogaster", "species", "insects")}

# NCBI gene id -> (symbol, taxon, human ortholog)
GENES = {
    7157: ("TP53", HUMAN, 7157), 4193: ("MDM2", HUMAN, 4193), 1026: ("CDKN1A", HUMAN, 1026),
    207: ("AKT1", HUMAN, 207), 208: ("AKT2", HUMAN, 208), 10000: ("AKT3", HUMAN, 10000),
    1956: ("EGFR", HUMAN, 1956), 3845: ("KRAS", HUMAN, 3845), 6774: ("STAT3", HUMAN, 6774),
    3569: ("IL6", HUMAN, 3569), 3716: ("JAK1", HUMAN, 3716), 5594: ("MAPK1", HUMAN, 5594),
    5595: ("MAPK3", HUMAN, 5595), 847: ("CAT", HUMAN, 847),
    22059: ("Trp53", MOUSE, 7157), 17246: ("Mdm2", MOUSE, 4193), 13649: ("Egfr", MOUSE, 1956),
    16653: ("Kras", MOUSE, 3845), 20848: ("Stat3", MOUSE, 6774), 16193: ("Il6", MOUSE, 3569),
    30590: ("tp53", FISH, 7157), 30231: ("egfra", FISH, 1956), 445289: ("kras", FISH, 3845),
    30767: ("stat3", FISH, 6774),
}
# As in pfocr_etl.genes: our lexicon tiers can be confident; PFOCR's recorded rows, families
# (one row with famplex_id and no gene ID; members in figure_gene_families), stop-list and
# no-match rows never are.
CONFIDENT_TIERS = {"official_symbol", "hgnc_prev_symbol", "hgnc_alias"}
RECORDED = "pfocr_recorded"


def g(word, gene_id, tier="official_symbol", *, ambiguous=False, famplex=None, id_status="current",
      input_id=None, evidence="genes_tsv"):
    return dict(word=word, ncbigene_id=gene_id, tier=tier, ambiguous=ambiguous, famplex=famplex,
                id_status=id_status, input_id=input_id, evidence=evidence)


def family(word, famplex, members):
    """One family row (no gene ID); its members go to figure_gene_families."""
    return [dict(g(word, None, "famplex_entity", famplex=famplex, id_status=None), members=members)]


def recorded(word, gene_id):
    """PFOCR's own recorded row: kept for audit, never confident."""
    return g(word, gene_id, RECORDED, input_id=gene_id)


@dataclass
class Fig:
    figid: str
    alias: str | None
    title: str | None
    year: int | None
    fmt: str
    primary: int | None
    genes: list
    shard: str
    conflicting: bool = False
    unresolved: bool = False
    sha_salt: str = ""


def figures_spec(variant: str = "base") -> list[Fig]:
    figs = [
        Fig("PMC1000001__F1", "PMC1000001__F1", "p53 signalling\tand the cell cycle", 2019, "data_tables", HUMAN,
            [g("TP53", 7157), g("MDM2", 4193), g("CDKN1A", 1026), g("p21", 1026, "hgnc_alias"),
             g("PKB", 207, "hgnc_alias"), *family("AKT", "FPLX:AKT", [207, 208, 10000]),
             g("CAT", 847, "official_symbol", ambiguous=True), recorded("TP53", 7157)], "a"),
        Fig("PMC1000002__F2", "PMC1000002__F2", "EGFR to ERK", 2020, "data_tables", HUMAN,
            [g("EGFR", 1956), g("KRAS", 3845), g("p44", 5595, "hgnc_alias"),
             *family("ERK", "FPLX:ERK", [5594, 5595])], "a"),
        Fig("PMC1000003__F1", "PMC1000003__F1", "IL-6 / JAK / STAT3 <signalling> & more", 2020, "inline_lists", HUMAN,
            [g("STAT3", 6774, evidence="inline_list"), g("IL6", 3569, evidence="inline_list"),
             g("JAK1", 3716, id_status="replaced", input_id=99999, evidence="inline_list"),
             g("FOO1", None, "pfocr_recorded", id_status="discontinued", input_id=88888, evidence="inline_list"),
             g("QQQ", None, "pfocr_recorded", id_status=None, evidence="inline_list")], "a"),
        Fig("PMC1000004__F3", "PMC1000004__F3", "Mouse p53 and RAS", 2021, "data_tables", MOUSE,
            [g("Trp53", 22059), g("Mdm2", 17246), g("Egfr", 13649), g("Ki-ras", 16653, "hgnc_alias"),
             recorded("Trp53", 22059)], "a"),
        Fig("PMC1000005__F1", "PMC1000005__F1", "Mouse inflammation", 2021, "data_tables", MOUSE,
            [g("Stat3", 20848), g("Il6", 16193), g("Tp53", 22059, "hgnc_prev_symbol")], "a"),
        Fig("PMC1000006__F2", "PMC1000006__F2", "Zebrafish development", 2022, "data_tables", FISH,
            [g("tp53", 30590), g("egfra", 30231), g("kras", 445289), g("stat3", 30767)], "a"),
        Fig("PMC1000007__F1", "PMC1000007__F1", "Conflicting organisms", 2022, "data_tables", HUMAN,
            [g("TP53", 7157), g("EGFR", 1956), g("KRAS", 3845), g("STAT3", 6774),
             g("CAT", 847, ambiguous=True), recorded("ERK2", 5595)], "b", conflicting=True),
        Fig("PMC1000008__F1", "PMC1000008__F1", "Too few genes", 2023, "data_tables", HUMAN,
            [g("TP53", 7157), g("MDM2", 4193)], "b"),
        Fig("PMC1000009__F1", "PMC1000009__F1", "Unresolved organism", 2023, "inline_lists", None, [], "b",
            unresolved=True),
        Fig("PMC1000010__F1", "PMC1000010__F1", None, None, "inline_lists", None, [], "b"),
        Fig("PMC1000011__F4", "PMC1000011__F4", "Human and mouse genes", 2023, "data_tables", HUMAN,
            [g("TP53", 7157), g("MDM2", 4193), g("EGFR", 1956), g("Stat3", 20848), g("Il6", 16193),
             g("Kras", 16653)], "b"),
        Fig("PMC1000012__F1", None, "No alias", 2024, "data_tables", HUMAN,
            [g("KRAS", 3845), g("EGFR", 1956), g("MAPK1", 5594)], "b"),
    ]
    if variant == "base":
        return figs
    if variant != "next":
        raise ValueError(variant)
    figs = [f for f in figs if f.figid != "PMC1000010__F1"]
    for f in figs:
        if f.figid == "PMC1000005__F1":
            f.genes = [*f.genes, g("Egfr", 13649)]
            f.sha_salt = "v2"
    figs += [
        Fig("PMC1000013__F1", "PMC1000013__F1", "New human figure", 2025, "data_tables", HUMAN,
            [g("TP53", 7157), g("KRAS", 3845), g("STAT3", 6774)], "b"),
        Fig("PMC1000014__F1", "PMC1000014__F1", "New mouse figure", 2025, "data_tables", MOUSE,
            [g("Trp53", 22059), g("Kras", 16653), g("Stat3", 20848)], "b"),
        Fig("PMC1000015__F2", "PMC1000015__F2", "New figure without genes", 2025, "inline_lists", None, [], "b"),
    ]
    return figs


def _sha(fig: Fig) -> str:
    return hashlib.sha256(f"{fig.figid}{fig.sha_salt}".encode()).hexdigest()


def corpus_file_rows(figs: list[Fig]) -> list[tuple[str, str, int, str]]:
    """The parse jobs' ``corpus_files`` rows of the fixture corpus, in path order."""
    rows = []
    for f in figs:
        rows.append((f"_figures/{f.figid}.md", "figure", 100 + len(f.figid), _sha(f)))
        if f.genes:
            rows.append((f"_data/{f.figid}-genes.tsv", "genes_tsv", 50 + len(f.genes),
                         hashlib.sha256((f.figid + "genes" + f.sha_salt).encode()).hexdigest()))
    return sorted(rows)


def _write(root: Path, table: str, shard: str, rows: list[dict], schema: pa.Schema) -> Path:
    path = root / "tables" / table / f"part-{shard}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="zstd")
    return path


S, I64, I32, B, F = pa.string(), pa.int64(), pa.int32(), pa.bool_(), pa.float64()
SCHEMAS = {
    "figures": pa.schema([("figid", S), ("pmcid", S), ("figtitle", S), ("year", I32), ("keywords", pa.list_(S)),
                          ("figid_alias", S), ("primary_taxon_id", I64), ("source_path", S), ("source_sha256", S),
                          ("record_format", S)]),
    "figure_genes": pa.schema([("figid", S), ("word", S), ("ncbigene_id", I64), ("symbol", S), ("taxon_id", I64),
                               ("match_tier", S), ("ambiguous", B), ("n_candidates", I32), ("id_status", S),
                               ("input_ncbigene_id", I64), ("famplex_id", S), ("confident", B),
                               ("human_ncbigene_id", I64), ("ortholog_kind", S), ("evidence", S),
                               ("source_path", S), ("source_line", I32), ("n_source_rows", I32)]),
    "figure_gene_families": pa.schema([("figid", S), ("word", S), ("famplex_id", S), ("ncbigene_id", I64),
                                       ("symbol", S), ("membership", S), ("depth", I32)]),
    "figure_gene_orthologs": pa.schema([("figid", S), ("taxon_id", I64), ("ncbigene_id", I64),
                                        ("human_ncbigene_id", I64), ("ortholog_kind", S)]),
    "genes": pa.schema([("ncbigene_id", I64), ("taxon_id", I64), ("symbol", S), ("description", S),
                        ("gene_type", S), ("hgnc_id", S), ("n_figures", I64)]),
    "figure_organisms": pa.schema([("figid", S), ("source", S), ("taxon_id", I64), ("name_as_given", S),
                                   ("status", S), ("candidates", pa.list_(I64)), ("n_genes", I32)]),
    "figure_primary_organisms": pa.schema([("figid", S), ("primary_taxon_id", I64), ("primary_evidence", S),
                                           ("primary_confidence", S), ("conflicting", B)]),
    "organisms": pa.schema([("taxon_id", I64), ("scientific_name", S), ("rank", S), ("group", S), ("lineage", S),
                            ("n_figures", I64)]),
    "figure_chemicals": pa.schema([("figid", S), ("word", S), ("name", S), ("mesh_id", S), ("chebi_id", S),
                                   ("evidence", S), ("source_path", S), ("source_line", I32),
                                   ("n_source_rows", I32)]),
    "figure_diseases": pa.schema([("figid", S), ("word", S), ("name", S), ("mesh_id", S), ("doid", S),
                                  ("evidence", S), ("source_path", S), ("source_line", I32),
                                  ("n_source_rows", I32)]),
    "papers": pa.schema([("pmcid", S), ("doi", S), ("title", S), ("year", I32), ("authors", pa.list_(S)),
                         ("source", S)]),
    "paper_references": pa.schema([("citing_pmcid", S), ("position", I32), ("reference_text", S), ("doi", S),
                                   ("source_path", S)]),
    "rejected": pa.schema([("source_path", S), ("reason", S), ("detail", S), ("action", S)]),
}

CHEMICALS = {  # figid -> (word, name, mesh, chebi)
    "PMC1000001__F1": [("ATP", "ATP", "D000255", "CHEBI:15422"), ("glucose", "Glucose", "D005947", "CHEBI:17234")],
    "PMC1000002__F2": [("ATP", "ATP", "D000255", "CHEBI:15422")],
    "PMC1000003__F1": [("adenosine triphosphate", "ATP", "D000255", "CHEBI:15422"), ("XYZ-9", None, None, None)],
    "PMC1000006__F2": [("Glucose", "Glucose", "D005947", None)],
}
DISEASES = {
    "PMC1000001__F1": [("cancer", "Neoplasms", "D009369", "DOID:162")],
    "PMC1000002__F2": [("tumor", "Neoplasms", "D009369", "DOID:162")],
    "PMC1000004__F3": [("diabetes", "Diabetes Mellitus", "D003920", "DOID:9351")],
}
REJECTED = [
    {"source_path": "_figures/PMC7000001__bad.md", "reason": "yaml_error", "detail": "line 3: unclosed '['",
     "action": "file_skipped"},
    {"source_path": "_figures/PMC1000003__F1.md", "reason": "invalid_year", "detail": "year 'MMXX' is not a year",
     "action": "field_nulled"},
    {"source_path": "_data/PMC1000002__F2-genes.tsv", "reason": "tsv_ragged_row", "detail": "line 4 has 3 cells, "
     "header has 6 <cells>", "action": "record_skipped"},
]
BENCHMARK_HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
BENCHMARKS = {  # relative path -> rows of (s, max_rss, cpu_time)
    "parse_shard/pmc01000000.tsv": [("1.5000", "110.25", "1.20")],
    "parse_shard/misc.tsv": [("0.5000", "-", "0.40")],
    "map_genes/pmc01000000.tsv": [("4.2500", "512.00", "4.00"), ("3.7500", "498.10", "3.60")],
    "summarize.tsv": [("0.7500", "90.00", "NA")],
}
REFERENCES = {"release": "refs-2025-01", "files": [
    {"name": "ncbi_gene_info", "path": "references/gene_info.gz",
     "url": "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene_info.gz", "sha256": "a" * 64, "version": "2025-01-05"},
    {"name": "famplex", "path": "references/famplex", "url": None, "sha256": "b" * 64, "version": "0.0.6"},
]}


def build_release(root: Path, variant: str = "base") -> dict[str, list[str]]:
    """Write a release folder under ``root``; returns ``{table: part files}``."""
    root = Path(root)
    figs = figures_spec(variant)
    parts: dict[str, list[str]] = {}
    for shard in ("a", "b"):
        shard_figs = [f for f in figs if f.shard == shard]
        rows: dict[str, list[dict]] = {t: [] for t in SCHEMAS}
        for f in shard_figs:
            pmc = f.figid.split("__")[0]
            rows["figures"].append(dict(figid=f.figid, pmcid=pmc, figtitle=f.title, year=f.year,
                                        keywords=["pathway"] if f.genes else [], figid_alias=f.alias,
                                        primary_taxon_id=f.primary, source_path=f"_figures/{f.figid}.md",
                                        source_sha256=_sha(f), record_format=f.fmt))
            for line, x in enumerate(f.genes, start=2):
                gid = x["ncbigene_id"]
                symbol, taxon, human = GENES.get(gid, (x["famplex"], None, None))
                confident = gid is not None and not x["ambiguous"] and x["tier"] in CONFIDENT_TIERS
                rows["figure_genes"].append(dict(
                    figid=f.figid, word=x["word"], ncbigene_id=gid, symbol=symbol, taxon_id=taxon,
                    match_tier=x["tier"], ambiguous=x["ambiguous"], n_candidates=2 if x["ambiguous"] else 1,
                    id_status=x["id_status"], input_ncbigene_id=x["input_id"], famplex_id=x["famplex"],
                    confident=confident, human_ncbigene_id=human if gid else None,
                    ortholog_kind=("self" if taxon == HUMAN else "one_to_one") if gid else None,
                    evidence=x["evidence"], source_path=f"_data/{f.figid}-genes.tsv", source_line=line,
                    n_source_rows=1))
                for member in x.get("members", []):
                    rows["figure_gene_families"].append(dict(figid=f.figid, word=x["word"], famplex_id=x["famplex"],
                                                             ncbigene_id=member, symbol=GENES[member][0],
                                                             membership="isa", depth=1))
                if confident:
                    rows["figure_gene_orthologs"].append(dict(
                        figid=f.figid, taxon_id=taxon, ncbigene_id=gid, human_ncbigene_id=human,
                        ortholog_kind="self" if taxon == HUMAN else "one_to_one"))
            if f.primary:
                rows["figure_organisms"].append(dict(figid=f.figid, source="metadata", taxon_id=f.primary,
                                                     name_as_given=ORGANISMS[f.primary][0], status="resolved",
                                                     candidates=[], n_genes=len(f.genes)))
            if f.conflicting:
                rows["figure_organisms"].append(dict(figid=f.figid, source="ner", taxon_id=FLY, name_as_given="fly",
                                                     status="resolved", candidates=[], n_genes=0))
            if f.unresolved:
                rows["figure_organisms"].append(dict(figid=f.figid, source="metadata", taxon_id=None,
                                                     name_as_given="mice", status="unresolved",
                                                     candidates=[MOUSE, 10088], n_genes=0))
            if not f.primary and not f.unresolved:
                rows["figure_organisms"].append(dict(figid=f.figid, source="metadata", taxon_id=None,
                                                     name_as_given=None, status="missing", candidates=[], n_genes=0))
            rows["figure_primary_organisms"].append(dict(
                figid=f.figid, primary_taxon_id=f.primary, primary_evidence="metadata" if f.primary else None,
                primary_confidence=("low" if f.conflicting else "high") if f.primary else None,
                conflicting=f.conflicting))
            for word, name, mesh, chebi in CHEMICALS.get(f.figid, []):
                rows["figure_chemicals"].append(dict(figid=f.figid, word=word, name=name, mesh_id=mesh, chebi_id=chebi,
                                                     evidence="chemicals_tsv",
                                                     source_path=f"_data/{f.figid}-chemicals.tsv", source_line=2,
                                                     n_source_rows=1))
            for word, name, mesh, doid in DISEASES.get(f.figid, []):
                rows["figure_diseases"].append(dict(figid=f.figid, word=word, name=name, mesh_id=mesh, doid=doid,
                                                    evidence="diseases_tsv",
                                                    source_path=f"_data/{f.figid}-diseases.tsv", source_line=2,
                                                    n_source_rows=1))
            rows["paper_references"].append(dict(citing_pmcid=pmc, position=1, reference_text=f"Ref of {pmc}",
                                                 doi=None, source_path=f"papers/{pmc}.html"))
        if shard == "a":
            rows["rejected"] = REJECTED[:1]
        else:
            rows["rejected"] = REJECTED[1:]
        for table in ("figures", "figure_genes", "figure_gene_families", "figure_gene_orthologs", "figure_organisms",
                      "figure_primary_organisms", "figure_chemicals", "figure_diseases", "paper_references",
                      "rejected"):
            parts.setdefault(table, []).append(str(_write(root, table, f"pmc0100000{shard}", rows[table],
                                                          SCHEMAS[table])))
    # gathered tables (one part)
    gene_figs: dict[int, set] = {}
    for f in figs:
        for x in f.genes:
            gid = x["ncbigene_id"]
            if gid is not None and not x["ambiguous"] and x["tier"] in CONFIDENT_TIERS:
                gene_figs.setdefault(gid, set()).add(f.figid)
    parts["genes"] = [str(_write(root, "genes", "all", [
        dict(ncbigene_id=gid, taxon_id=GENES[gid][1], symbol=GENES[gid][0], description=f"{GENES[gid][0]} gene",
             gene_type="protein-coding", hgnc_id=None, n_figures=len(fs)) for gid, fs in sorted(gene_figs.items())],
        SCHEMAS["genes"]))]
    org_figs = {t: sum(1 for f in figs if f.primary == t) for t in ORGANISMS}
    parts["organisms"] = [str(_write(root, "organisms", "all", [
        dict(taxon_id=t, scientific_name=n, rank=r, group=grp, lineage=f"cellular organisms; {n}",
             n_figures=org_figs[t]) for t, (n, r, grp) in sorted(ORGANISMS.items())], SCHEMAS["organisms"]))]
    parts["papers"] = [str(_write(root, "papers", "all", [
        dict(pmcid=f.figid.split("__")[0], doi=None, title=f.title, year=f.year, authors=["A. Author"],
             source="figure_records") for f in figs if f.figid.endswith(("F1", "F3"))], SCHEMAS["papers"]))]
    # benchmarks, manifest, references
    for rel, bench_rows in BENCHMARKS.items():
        path = root / "benchmarks" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BENCHMARK_HEADER + "".join(
            f"{s}\t0:00:0{int(float(s))}\t{rss}\t200.0\t100.0\t100.0\t0.10\t0.00\t50.0\t{cpu}\n"
            for s, rss, cpu in bench_rows), encoding="utf-8")
    rows = corpus_file_rows(figs)
    kinds = sorted({kind for _, kind, _, _ in rows})
    fingerprint = {
        "files": len(rows), "bytes": sum(size for _, _, size, _ in rows), "shards": 2,
        "sha256": hashlib.sha256("".join(f"{p}\t{k}\t{s}\t{d}\n" for p, k, s, d in rows).encode()).hexdigest(),
        "by_kind": {kind: sum(row[1] == kind for row in rows) for kind in kinds},
        "hash_of": "sha256 of 'path\\tkind\\tsize\\tsha256\\n' lines sorted by path"}
    (root / "manifest").mkdir(parents=True, exist_ok=True)
    (root / "manifest" / "corpus.json").write_text(json.dumps(fingerprint), encoding="utf-8")
    (root / "references.json").write_text(json.dumps(REFERENCES, indent=2), encoding="utf-8")
    return parts
