"""Readers for NCBI Gene, HGNC and FamPlex files, and the checksum-recording downloader."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import shutil
import threading
from functools import partial
from pathlib import Path
from urllib.error import HTTPError

import pandas as pd
import pytest

from pfocr_etl.references import (ReferenceFormatError, build_gene_id_history, explode_multi, fetch_reference,
                                  read_famplex, read_gene_history, read_gene_info, read_hgnc, read_hgnc_withdrawn,
                                  resolve_gene_history)

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
EXAMPLE = REPO / "resources" / "example" / "reference"


def shared(relative: str) -> Path:
    path = REFERENCE / relative
    if not path.exists():
        pytest.skip(f"{path} is missing (shared reference fixtures sit beside the repository)")
    return path


# --- gene_info --------------------------------------------------------------------------------

def test_gene_info_16_columns_by_header_name():
    genes = read_gene_info(shared("ncbi-gene/ncbi_info_20260421.tsv"))
    assert len(genes) == 24
    assert str(genes["ncbigene_id"].dtype) == "int64" and str(genes["taxon_id"].dtype) == "int64"
    assert str(genes["symbol"].dtype) == "str"
    abl1 = genes.set_index("symbol").loc["ABL1"]
    assert "p150" in abl1["synonyms"].split("|")
    assert abl1["db_xrefs"].startswith("MIM:189980|HGNC:HGNC:76")
    assert pd.isna(abl1["locus_tag"])  # '-' is null
    assert pd.isna(genes.set_index("symbol").loc["ADCP1", "synonyms"])
    assert set(genes["gene_type"]) >= {"protein-coding", "unknown", "biological-region"}


def test_gene_info_15_columns_gzip_gives_null_feature_type(tmp_path):
    source = shared("ncbi-gene/ncbi_info_20260421.tsv")
    lines = source.read_text(encoding="utf-8").splitlines()
    old_layout = "\n".join("\t".join(line.split("\t")[:15]) for line in lines) + "\n"
    path = tmp_path / "Homo_sapiens.gene_info.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(old_layout)
    old, new = read_gene_info(path), read_gene_info(source)
    assert old["feature_type"].isna().all()
    pd.testing.assert_frame_equal(old.drop(columns="feature_type"), new.drop(columns="feature_type"))


def test_gene_info_taxon_filter_and_missing_column(tmp_path):
    mouse = read_gene_info(EXAMPLE / "ncbi-gene" / "Mus_musculus.gene_info", taxa=[10090])
    assert len(mouse) > 0 and set(mouse["taxon_id"]) == {10090}
    assert read_gene_info(EXAMPLE / "ncbi-gene" / "Mus_musculus.gene_info", taxa=[9606]).empty
    broken = tmp_path / "broken.gene_info"
    broken.write_text("#tax_id\tGeneID\tdescription\n9606\t1\tx\n", encoding="utf-8")
    with pytest.raises(ReferenceFormatError, match="Symbol"):
        read_gene_info(broken)


def test_explode_multi_drops_empty_values():
    frame = pd.DataFrame({"id": [1, 2, 3], "synonyms": ["a|b", None, "c||"]})
    exploded = explode_multi(frame, "synonyms")
    assert list(zip(exploded["id"], exploded["synonyms"])) == [(1, "a"), (1, "b"), (3, "c")]


# --- gene_history ------------------------------------------------------------------------------

def test_gene_history_myh7_merges_and_withdrawn_ids():
    history = read_gene_history(shared("ncbi-gene/ncbi_history_20260421.tsv"))
    assert str(history["ncbigene_id"].dtype) == "Int64"
    resolved = resolve_gene_history(history).set_index("discontinued_ncbigene_id")
    for old_id in (1226, 4347, 8090, 619511):  # CMH1, MPD1, SPPM, MHB -> MYH7
        assert resolved.loc[old_id, "current_ncbigene_id"] == 4625
        assert resolved.loc[old_id, "status"] == "replaced"
    for old_id, symbol in ((544580, "AASTH23"), (103344718, "HOTS")):
        assert pd.isna(resolved.loc[old_id, "current_ncbigene_id"])
        assert resolved.loc[old_id, "status"] == "discontinued"
        assert resolved.loc[old_id, "discontinued_symbol"] == symbol


def _history(rows):
    return pd.DataFrame(rows, columns=["taxon_id", "ncbigene_id", "discontinued_ncbigene_id", "discontinued_symbol",
                                       "discontinue_date"]).astype({"ncbigene_id": "Int64"})


def test_gene_history_chains_are_followed():
    # Synthetic IDs: 1 -> 2 -> 3 (current), 10 -> 11 -> withdrawn.
    history = _history([(9606, 2, 1, "A", "2001"), (9606, 3, 2, "B", "2002"),
                        (9606, 11, 10, "C", "2001"), (9606, None, 11, "D", "2003")])
    resolved = resolve_gene_history(history).set_index("discontinued_ncbigene_id")
    assert resolved.loc[1, "current_ncbigene_id"] == 3 and resolved.loc[1, "chain_length"] == 2
    assert resolved.loc[2, "current_ncbigene_id"] == 3 and resolved.loc[2, "chain_length"] == 1
    assert pd.isna(resolved.loc[10, "current_ncbigene_id"]) and resolved.loc[10, "status"] == "discontinued"
    table = build_gene_id_history(history)
    assert table.schema.metadata is None and table.column("discontinued_ncbigene_id").to_pylist() == [1, 2, 10, 11]


def test_gene_history_cycle_is_an_error():
    with pytest.raises(ReferenceFormatError, match="cycle"):
        resolve_gene_history(_history([(9606, 2, 1, "A", "x"), (9606, 1, 2, "B", "x")]))


# --- HGNC ------------------------------------------------------------------------------------

def test_hgnc_json_aliases_previous_symbols_and_missing_entrez():
    hgnc = read_hgnc(shared("hgnc/hgnc_20260424.json")).set_index("symbol")
    assert len(hgnc) == 23
    assert "p150" in hgnc.loc["ABL1", "alias_symbols"].split("|")
    assert "p150" in hgnc.loc["ANPEP", "alias_symbols"].split("|")
    assert "P150" in hgnc.loc["CHAF1A", "alias_symbols"].split("|")
    assert hgnc.loc["ABL1", "prev_symbols"] == "ABL"
    assert "p53" in hgnc.loc["TP53", "alias_symbols"].split("|")
    assert hgnc.loc["ABL1", "ncbigene_id"] == 25 and pd.isna(hgnc.loc["MT-7SDNA", "ncbigene_id"])


def test_hgnc_tsv_equals_json_and_tolerates_header_drift(tmp_path):
    """The same entries written as an HGNC TSV (quoted lists, older header names) read identically."""
    docs = json.loads(shared("hgnc/hgnc_20260424.json").read_text(encoding="utf-8"))["response"]["docs"]
    header = ["hgnc_id", "symbol", "name", "locus_group", "locus_type", "status", "location", "alias_symbol",
              "prev_symbol", "gene_family", "entrez_id", "ensembl_gene_id", "uniprot_ids", "mgd_id", "rgd_id",
              "rna_central_ids"]

    def cell(doc, field):
        value = doc.get("gene_group" if field == "gene_family" else field, "")
        return f'"{"|".join(map(str, value))}"' if isinstance(value, list) else str(value)

    lines = ["\t".join(header)] + ["\t".join(cell(doc, field) for field in header) for doc in docs]
    path = tmp_path / "hgnc_complete_set.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_tsv, from_json = read_hgnc(path), read_hgnc(shared("hgnc/hgnc_20260424.json"))
    pd.testing.assert_frame_equal(from_tsv, from_json)


def test_hgnc_withdrawn_reports_current_and_old_separator(tmp_path):
    withdrawn = read_hgnc_withdrawn(EXAMPLE / "hgnc" / "withdrawn.txt")
    split = withdrawn[withdrawn["withdrawn_symbol"] == "CBBM"]
    assert list(split["merged_into_symbol"]) == ["OPN1MW", "OPN1LW"]
    gone = withdrawn[withdrawn["withdrawn_symbol"] == "ALPPL1"].iloc[0]
    assert gone["status"] == "Entry Withdrawn" and pd.isna(gone["merged_into_hgnc_id"])
    old = tmp_path / "withdrawn.txt"
    old.write_text("HGNC_ID\tSTATUS\tWITHDRAWN_SYMBOL\tMERGED_INTO_REPORT(S) (i.e HGNC_ID/SYMBOL/STATUS)\n"
                   "HGNC:354\tMerged/Split\tAIH2\tHGNC:3344/ENAM/Approved\n", encoding="utf-8")
    row = read_hgnc_withdrawn(old).iloc[0]
    assert (row["merged_into_hgnc_id"], row["merged_into_symbol"], row["merged_into_status"]) == \
        ("HGNC:3344", "ENAM", "Approved")


# --- FamPlex ---------------------------------------------------------------------------------

def test_famplex_crlf_headerless_and_quoted():
    famplex = read_famplex(shared("famplex"))
    relations = famplex.relations
    assert len(relations) == 5284
    assert not relations.apply(lambda column: column.str.contains("\r", regex=False)).any().any()
    counts = relations.groupby(["ns1", "rel"]).size()
    assert counts[("HGNC", "isa")] == 4156 and counts[("HGNC", "partof")] == 759 and counts[("UP", "isa")] == 9
    assert len(famplex.entities) == 783 and len(famplex.equivalences) == 2540
    assert len(famplex.hgnc_symbol_map) == 4643
    assert famplex.hgnc_symbol_map.set_index("symbol").loc["VEGFD", "hgnc_id"] == "HGNC:3708"
    grounding = famplex.grounding_map.set_index("text")
    assert grounding.loc["AMPK (alpha 1, beta 1, gamma 1)", "id1"] == "AMPK_A1B1G1"  # quoted text with commas
    assert grounding.loc["NF-kB", "id1"] == "NFkappaB"


# --- downloader --------------------------------------------------------------------------------

@pytest.fixture
def local_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving a folder with one fixture file."""
    served = tmp_path / "served"
    served.mkdir()
    shutil.copyfile(EXAMPLE / "ncbi-gene" / "gene_history", served / "gene_history")
    handler = partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


def test_fetch_reference_records_checksum(local_server, tmp_path):
    base, served = local_server
    expected = hashlib.sha256((served / "gene_history").read_bytes()).hexdigest()
    record = fetch_reference(f"{base}/gene_history", tmp_path / "dest")
    assert record["sha256"] == expected and record["url"] == f"{base}/gene_history"
    assert Path(record["path"]).read_bytes() == (served / "gene_history").read_bytes()
    assert record["retrieved"].endswith("+00:00") and record["size"] == (served / "gene_history").stat().st_size
    again = fetch_reference(f"{base}/gene_history", tmp_path / "dest", expected_sha256=expected.upper())
    assert again["path"] == record["path"]


def test_fetch_reference_failures_leave_no_file(local_server, tmp_path):
    base, _ = local_server
    dest = tmp_path / "dest"
    with pytest.raises(ValueError, match="checksum mismatch"):
        fetch_reference(f"{base}/gene_history", dest, expected_sha256="0" * 64)
    with pytest.raises(HTTPError):
        fetch_reference(f"{base}/missing.gz", dest)
    assert list(dest.iterdir()) == []
