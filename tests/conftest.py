"""Shared test fixtures: paths to ../shared, a bad-input corpus, a Snakemake runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
SAMPLE = SHARED / "pfocr-sample"
REFERENCE = SHARED / "reference"
EXAMPLE_CORPUS = REPO / "resources" / "example" / "corpus"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

SEED_FIGURES = ("000", "002", "003", "004")
SEED_ARTICLE = "001"


def require_shared(path: Path = SHARED) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not present (the shared test data sits beside the repository)")
    return path


def seed_path(prefix: str) -> Path:
    require_shared(SEEDS)
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_figid(prefix: str) -> str:
    text = seed_path(prefix).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])["figid"]


def place_seeds(target: Path) -> Path:
    """An input folder with the seed figure records (named <figid>.md) and the article page."""
    (target / "_figures").mkdir(parents=True, exist_ok=True)
    (target / "papers").mkdir(parents=True, exist_ok=True)
    for prefix in SEED_FIGURES:
        shutil.copyfile(seed_path(prefix), target / "_figures" / f"{seed_figid(prefix)}.md")
    shutil.copyfile(seed_path(SEED_ARTICLE), target / "papers" / seed_path(SEED_ARTICLE).name)
    return target


def copy_sample(target: Path) -> Path:
    require_shared(SAMPLE)
    for sub in ("_figures", "_data"):
        shutil.copytree(SAMPLE / sub, target / sub)
    return target


GOOD_RECORD = """---
figid: {figid}
figtitle: A good record
pmcid: {pmcid}
year: '2021'
organisms:
- Homo sapiens
organisms_ner:
- Homo sapiens
schema-jsonld:
  keywords:
  - STAT3
---
"""

# One file per bad-input kind, keyed by the reason code the parser must give.
BAD_FIGURES = {
    "yaml_error": ("PMC7000001__bad-yaml", "---\nfigid: PMC7000001__bad-yaml\ncaption: [unclosed\nyear: '2020'\n---\n"),
    "missing_front_matter": ("PMC7000002__no-fm", "figid: PMC7000002__no-fm\nyear: 2020\n"),
    "unclosed_front_matter": ("PMC7000003__unclosed", "---\nfigid: PMC7000003__unclosed\nyear: '2020'\n"),
    "empty_file": ("PMC7000004__empty", ""),
    "missing_figid": ("PMC7000006__no-figid", "---\nfigtitle: no id here\nyear: '2020'\n---\n"),
    "figid_mismatch": ("PMC7000007__name", "---\nfigid: PMC7000007__other\nyear: '2020'\n---\n"),
    "yaml_unsafe": ("PMC7000009__object",
                    "---\nfigid: PMC7000009__object\ncaption: !!python/object/apply:os.system ['echo hi']\n---\n"),
    "yaml_alias_bomb": ("PMC7000010__bomb", "---\nfigid: PMC7000010__bomb\n" + "\n".join(
        ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]) + "\n---\n"),
}


def build_bad_corpus(target: Path) -> dict[str, str]:
    """A corpus with every bad-input kind beside good records; returns bad path -> reason."""
    figures, data = target / "_figures", target / "_data"
    figures.mkdir(parents=True)
    data.mkdir()
    for figid, pmcid in (("PMC7000100__good-1", "PMC7000100"), ("PMC7000101__good-2", "PMC7000101")):
        (figures / f"{figid}.md").write_text(GOOD_RECORD.format(figid=figid, pmcid=pmcid), encoding="utf-8")
    (data / "PMC7000100__good-1-genes.tsv").write_text(
        "organism_id\tword\tmatch\tncbigene_symbol\tncbigene_id\tsource\n9606\tSTAT3\tSTAT3\tSTAT3\t6774\t"
        "ncbigene_symbol\n9606\tNA\tNA\tNA\tNaN\tncbigene_symbol\n", encoding="utf-8")
    expected: dict[str, str] = {}
    for reason, (figid, text) in BAD_FIGURES.items():
        (figures / f"{figid}.md").write_text(text, encoding="utf-8")
        expected[f"_figures/{figid}.md"] = reason
    (figures / "PMC7000005__latin1.md").write_bytes(
        "---\nfigid: PMC7000005__latin1\ncaption: caf\u00e9\n---\n".encode("latin-1"))
    expected["_figures/PMC7000005__latin1.md"] = "invalid_utf8"
    (figures / "PMC7000008__year.md").write_text(
        GOOD_RECORD.format(figid="PMC7000008__year", pmcid="PMC7000008").replace("'2021'", "'twenty-twenty'"),
        encoding="utf-8")
    expected["_figures/PMC7000008__year.md"] = "invalid_year"
    # A second copy of a good figid in a sub-folder: the later path is the duplicate.
    (figures / "zz-copies").mkdir()
    (figures / "zz-copies" / "PMC7000101__good-2.md").write_text(
        GOOD_RECORD.format(figid="PMC7000101__good-2", pmcid="PMC7000101"), encoding="utf-8")
    expected["_figures/zz-copies/PMC7000101__good-2.md"] = "duplicate_figid"
    (data / "PMC7000101__good-2-genes.tsv").write_text("organism_id\tword\tncbigene_id\n9606\tSTAT3\t6774\n",
                                                        encoding="utf-8")
    expected["_data/PMC7000101__good-2-genes.tsv"] = "tsv_missing_columns"
    (data / "PMC7000100__good-1-chemicals.tsv").write_text(
        "word\tmesh\tmatch\tname\tchebi\nATP\tmesh:D000255\tATP\tATP\n", encoding="utf-8")
    expected["_data/PMC7000100__good-1-chemicals.tsv"] = "tsv_ragged_row"
    return expected


def absolute_config(target: Path, **overrides) -> Path:
    """The repository's config.yaml with every path made absolute, written to ``target``.

    Tests run Snakemake with ``--directory`` in a temporary folder, where the
    repository-relative paths of the bundled example would not resolve.
    """
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["input_dir"] = str(REPO / config["input_dir"])
    refs = config["references"]
    refs["gene_info"] = {taxon: str(REPO / path) for taxon, path in refs["gene_info"].items()}
    for key in ("gene_history", "gene_orthologs", "hgnc", "hgnc_withdrawn", "famplex", "taxonomy"):
        refs[key] = str(REPO / refs[key])
    refs["dir"] = str(target.parent / "references")
    config.update(overrides)
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def run_snakemake(*args: str, cwd: Path = REPO, check: bool = True, timeout: int = 600,
                  env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    proc = subprocess.run([SNAKEMAKE, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n"
                             f"{proc.stderr[-8000:]}")
    return proc


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return require_shared()
