"""Reference download rules, exercised against a local HTTP server serving fixture files.

URLs in the config are downloaded into <references.dir>/<release>/downloads/<name>/,
with SHA-256 recorded; a configured checksum that does not match fails the run.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import json
import shutil
import tarfile
import threading
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from conftest import REPO, absolute_config, run_snakemake

pytestmark = pytest.mark.slow
EXAMPLE_REFERENCE = REPO / "resources" / "example" / "reference"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Fixture files (gzipped gene_info, a taxdump archive, FamPlex CSVs) on a loopback HTTP server."""
    root = tmp_path_factory.mktemp("www")
    for name in ("Homo_sapiens", "Mus_musculus"):
        source = EXAMPLE_REFERENCE / "ncbi-gene" / f"{name}.gene_info"
        with open(source, "rb") as raw, gzip.GzipFile(root / f"{name}.gene_info.gz", "wb", mtime=0) as packed:
            shutil.copyfileobj(raw, packed)
    for name in ("gene_history", "gene_orthologs"):
        shutil.copyfile(EXAMPLE_REFERENCE / "ncbi-gene" / name, root / name)
    shutil.copyfile(EXAMPLE_REFERENCE / "hgnc" / "hgnc_complete_set.txt", root / "hgnc_complete_set.txt")
    (root / "famplex").mkdir()
    for csv in (EXAMPLE_REFERENCE / "famplex").glob("*.csv"):
        shutil.copyfile(csv, root / "famplex" / csv.name)
    with tarfile.open(root / "taxdump.tar.gz", "w:gz") as archive:
        for dmp in sorted((EXAMPLE_REFERENCE / "taxonomy").glob("*.dmp")):
            archive.add(dmp, arcname=dmp.name)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def url_config(tmp_path: Path, base: str, **reference_overrides) -> Path:
    config_path = absolute_config(tmp_path / "config.yaml")
    config = yaml.safe_load(config_path.read_text())
    config["organisms"] = [9606, 10090]
    config["references"].update({
        "release": "served-1",
        "gene_info": {9606: f"{base}/Homo_sapiens.gene_info.gz", 10090: f"{base}/Mus_musculus.gene_info.gz"},
        "gene_history": f"{base}/gene_history",
        "gene_orthologs": f"{base}/gene_orthologs",
        "hgnc": f"{base}/hgnc_complete_set.txt",
        "famplex": {name: f"{base}/famplex/{name}.csv"
                    for name in ("relations", "entities", "equivalences", "grounding_map", "hgnc_symbol_map")},
        "taxonomy": f"{base}/taxdump.tar.gz",
        **reference_overrides,
    })
    config["references"].pop("hgnc_withdrawn", None)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return config_path


def build_references(tmp_path: Path, config: Path, check: bool = True):
    out = tmp_path / "out"
    targets = [f"{out}/references.json", str(tmp_path / "references" / "served-1" / "built" / "lexicon.parquet"),
               str(tmp_path / "references" / "served-1" / "built" / "taxonomy" / "names.parquet")]
    return run_snakemake(*targets, "--snakefile", str(REPO / "Snakefile"), "--configfile", str(config),
                         "--directory", str(tmp_path), "--cores", "2", "--config", f"output_dir={out}", check=check)


def test_urls_are_downloaded_into_a_versioned_folder_with_checksums(tmp_path, served):
    root, base = served
    build_references(tmp_path, url_config(tmp_path, base))
    downloads = tmp_path / "references" / "served-1" / "downloads"
    human = downloads / "gene_info_9606" / "Homo_sapiens.gene_info.gz"
    assert human.read_bytes() == (root / "Homo_sapiens.gene_info.gz").read_bytes()
    provenance = json.loads((downloads / "gene_info_9606" / "Homo_sapiens.gene_info.gz.provenance.json").read_text())
    assert provenance["sha256"] == hashlib.sha256(human.read_bytes()).hexdigest()
    assert provenance["url"] == f"{base}/Homo_sapiens.gene_info.gz"
    assert (downloads / "taxonomy" / "taxdump" / "names.dmp").exists()  # archive unpacked

    manifest = json.loads((tmp_path / "out" / "references.json").read_text())
    entries = {e["name"]: e for e in manifest["files"]}
    assert manifest["release"] == "served-1"
    assert entries["gene_info_9606"]["url"] == f"{base}/Homo_sapiens.gene_info.gz"
    assert entries["gene_info_9606"]["sha256"] == provenance["sha256"] and entries["gene_info_9606"]["retrieved"]
    assert entries["famplex_relations"]["url"].endswith("/famplex/relations.csv")

    lexicon = pq.read_table(tmp_path / "references" / "served-1" / "built" / "lexicon.parquet").to_pandas()
    assert {9606, 10090} <= set(lexicon["taxon_id"].dropna().astype(int))
    assert "FPLX:VEGF" in set(lexicon["famplex_id"].dropna())


def test_a_checksum_mismatch_fails_the_download(tmp_path, served):
    _, base = served
    config = url_config(tmp_path, base, sha256={"gene_history": "0" * 64})
    proc = build_references(tmp_path, config, check=False)
    assert proc.returncode != 0
    assert "checksum mismatch" in proc.stdout + proc.stderr
    assert not (tmp_path / "references" / "served-1" / "downloads" / "gene_history" / "gene_history").exists()
