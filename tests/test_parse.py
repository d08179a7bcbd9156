"""Unit tests of the parse stage: seeds, every sample record kind, every bad-input kind."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from conftest import (BAD_FIGURES, SAMPLE, build_bad_corpus, place_seeds, require_shared, seed_figid,
                      seed_path)
from pfocr_etl import errors
from pfocr_etl.manifest import build_manifest, read_shard_list, scan_inputs
from pfocr_etl.parse import RecordError, decode_text, parse_figure_record, parse_shard, read_tsv


def parse_corpus(root, strict=False):
    """Parse a whole folder as one shard."""
    files = [{"path": f.path, "kind": f.kind} for f in scan_inputs(root)]
    return parse_shard(root, files, strict=strict)


def test_seed_000_gives_its_nine_gene_rows(tmp_path):
    tables = parse_corpus(place_seeds(tmp_path))
    figid = seed_figid("000")
    genes = [g for g in tables.figure_genes.to_pylist() if g["figid"] == figid]
    assert len(genes) == 9
    assert {g["symbol"] for g in genes} == {"NFKB1", "VEGFC", "STAT3", "VEGFD", "VEGFB", "SOCS5", "VEGFA", "IL6",
                                            "PGF"}
    stat3 = next(g for g in genes if g["symbol"] == "STAT3")
    assert stat3 == {**stat3, "word": "STAT3", "lexicon_term": "STAT3", "lexicon_source": "hgnc_symbol",
                     "ncbigene_id": 6774, "taxon_id": None, "evidence": "inline_list"}
    assert [g["word"] for g in genes].count("(VEGF)") == 5  # raw word kept, punctuation and all


def test_every_seed_figure_record_parses(tmp_path):
    tables = parse_corpus(place_seeds(tmp_path))
    assert tables.rejected == []
    by_id = {f["figid"]: f for f in tables.figures}
    assert set(by_id) == {seed_figid(p) for p in ("000", "002", "003", "004")}
    assert by_id[seed_figid("000")]["record_format"] == "inline_lists"
    seed3 = by_id[seed_figid("003")]
    assert seed3["record_format"] == "data_tables"
    assert seed3["doi"] is None and seed3["journal_title"] is None  # .na.character
    assert seed3["organisms_ner"] == ["Homo sapiens", "Mus musculus", "Danio rerio"]
    assert seed3["keywords"][:2] == ["WWOX", "OSM"] and "Breast cancer" in seed3["keywords"]
    assert seed3["pathway_score"] == pytest.approx(0.9615717)
    seed4 = by_id[seed_figid("004")]
    assert seed4["organisms_metadata"] == []  # [NA]
    assert seed4["year"] == 2025 and seed4["doi"] == "10.2147/ITT.S485670"
    assert seed4["keywords"][-2:] == ["Tyrosine residue", "MMP"]


def test_seed_article_page_gives_paper_and_references(tmp_path):
    tables = parse_corpus(place_seeds(tmp_path))
    article = [p for p in tables.papers if p["source"] == "article_page"]
    assert len(article) == 1
    paper = article[0]
    assert paper["doi"] == "10.4161/jkst.23828"
    assert paper["title"] == "Targeting the tumor microenvironment: JAK-STAT3 signaling"
    assert paper["journal"] == "JAKSTAT" and paper["year"] == 2013
    assert paper["abstract"].startswith("Persistent JAK-STAT3 signaling is implicated")
    assert paper["keywords"] == ["IL-6", "JAK-STAT3 signaling", "targeted therapies", "tumor microenvironment"]
    refs = tables.paper_references
    assert [r["position"] for r in refs] == [1, 2, 3, 4, 5]
    assert refs[0]["doi"] == "10.1126/science.277.5332.1630" and refs[1]["doi"] is None
    assert all(r["citing_doi"] == "10.4161/jkst.23828" for r in refs)
    assert not refs[0]["reference_text"].endswith("PubMed")


@pytest.mark.parametrize("figid", ["PMC100008__mb2411709009", "PMC10030845__fimmu-14-1150879-g002",
                                   "PMC10033909__d3sc00173c-s1"])
def test_sample_record_kinds(figid, tmp_path):
    """Older inline-list page with its new-layout TSVs, a current page, a chemicals-only page."""
    require_shared(SAMPLE)
    files = [{"path": f"_figures/{figid}.md", "kind": "figure"}]
    for kind in ("genes", "chemicals", "diseases"):
        if (SAMPLE / "_data" / f"{figid}-{kind}.tsv").exists():
            files.append({"path": f"_data/{figid}-{kind}.tsv", "kind": f"{kind}_tsv"})
    tables = parse_shard(SAMPLE, files)
    assert tables.rejected == []
    assert [f["figid"] for f in tables.figures] == [figid]
    for kind in ("genes", "chemicals", "diseases"):
        path = SAMPLE / "_data" / f"{figid}-{kind}.tsv"
        rows = [r for r in getattr(tables, f"figure_{kind}").to_pylist() if r["evidence"] == f"{kind}_tsv"]
        if path.exists():
            _, numbers, _ = read_tsv(path.read_bytes(), kind)
            assert sum(r["n_source_rows"] for r in rows) == len(numbers)
        else:
            assert rows == []


def test_inline_and_table_rows_of_an_old_record_are_both_kept():
    require_shared(SAMPLE)
    figid = "PMC100008__mb2411709009"
    files = [{"path": f"_figures/{figid}.md", "kind": "figure"},
             {"path": f"_data/{figid}-genes.tsv", "kind": "genes_tsv"},
             {"path": f"_data/{figid}-chemicals.tsv", "kind": "chemicals_tsv"}]
    tables = parse_shard(SAMPLE, files)
    evidence = {g["evidence"] for g in tables.figure_genes.to_pylist()}
    assert evidence == {"inline_list", "genes_tsv"}
    inline_chem = [c for c in tables.figure_chemicals.to_pylist() if c["evidence"] == "inline_list"]
    assert {c["mesh_id"] for c in inline_chem} == {"D001920", "D007545"}
    tsv_chem = [c for c in tables.figure_chemicals.to_pylist() if c["evidence"] == "chemicals_tsv"]
    assert {c["chebi_id"] for c in tsv_chem} == {"CHEBI:3165", "CHEBI:64317"}
    disease = [d for d in tables.figure_diseases.to_pylist() if d["evidence"] == "inline_list"]
    assert disease[0]["word"] == "Cancer" and disease[0]["mesh_id"] is None


def test_na_word_is_a_token_but_na_identifiers_are_null():
    require_shared(SAMPLE)
    hits = []
    for path in sorted((SAMPLE / "_data").glob("*-genes.tsv")):
        _, _, columns = read_tsv(path.read_bytes(), "genes")
        if "NA" in columns["word"]:
            hits.append(path)
    if not hits:
        pytest.skip("no literal NA word in this sample")
    figid = hits[0].name[: -len("-genes.tsv")]
    tables = parse_shard(SAMPLE, [{"path": f"_figures/{figid}.md", "kind": "figure"},
                                  {"path": f"_data/{hits[0].name}", "kind": "genes_tsv"}])
    na_rows = [g for g in tables.figure_genes.to_pylist() if g["word"] == "NA"]
    assert na_rows
    symbol_na = [g for g in tables.figure_genes.to_pylist() if g["symbol"] is None]
    assert all(g["ncbigene_id"] is None or isinstance(g["ncbigene_id"], int) for g in symbol_na)
    assert not any(g["symbol"] == "NA" or g["lexicon_term"] == "NA" for g in tables.figure_genes.to_pylist())


def test_duplicate_tsv_rows_collapse_with_a_count(tmp_path):
    (tmp_path / "_figures").mkdir()
    (tmp_path / "_data").mkdir()
    (tmp_path / "_figures" / "PMC1__f.md").write_text("---\nfigid: PMC1__f\n---\n", encoding="utf-8")
    (tmp_path / "_data" / "PMC1__f-genes.tsv").write_text(
        "organism_id\tword\tmatch\tncbigene_symbol\tncbigene_id\tsource\tcount_direct\n"
        "9606\tIL-1β\tIL1B\tIL1B\t3553\tncbigene_symbol\t4\n"
        "9606\tIL-1β\tIL1B\tIL1B\t3553\tncbigene_symbol\tNA\n"
        "10090\tIL-1β\tIL1B\tIl1b\t16176\tncbigene_symbol\t2\n", encoding="utf-8")
    genes = parse_corpus(tmp_path).figure_genes.to_pylist()
    assert [(g["symbol"], g["taxon_id"], g["n_source_rows"], g["source_line"]) for g in genes] == [
        ("IL1B", 9606, 2, 2), ("Il1b", 10090, 1, 4)]


def test_encodings_bom_crlf_and_greek(tmp_path):
    (tmp_path / "_figures").mkdir()
    text = "---\r\nfigid: PMC5__bom\r\nfigtitle: NF-κB and TGF-β signalling\r\nyear: '2019'\r\n---\r\n"
    (tmp_path / "_figures" / "PMC5__bom.md").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    tables = parse_corpus(tmp_path)
    assert tables.rejected == []
    assert tables.figures[0]["figtitle"] == "NF-κB and TGF-β signalling"
    assert tables.figures[0]["year"] == 2019


def test_every_bad_input_kind_is_rejected_and_good_records_survive(tmp_path):
    expected = build_bad_corpus(tmp_path)
    tables = parse_corpus(tmp_path)
    got = {}
    for row in tables.rejected:
        got.setdefault(row["source_path"], row["reason"])
    assert got == expected
    figids = {f["figid"] for f in tables.figures}
    assert {"PMC7000100__good-1", "PMC7000101__good-2", "PMC7000008__year"} <= figids
    year_row = next(f for f in tables.figures if f["figid"] == "PMC7000008__year")
    assert year_row["year"] is None
    assert not figids & {figid for figid, _ in BAD_FIGURES.values()}
    assert all(row["detail"] for row in tables.rejected)
    assert any(g["word"] == "NA" for g in tables.figure_genes.to_pylist())  # the token survives in a good table


def test_strict_mode_raises_at_the_first_bad_file(tmp_path):
    build_bad_corpus(tmp_path)
    with pytest.raises(errors.InputRejected) as info:
        parse_corpus(tmp_path, strict=True)
    # Files are read in path order: _data/ sorts before _figures/.
    assert info.value.rejection.source_path == "_data/PMC7000100__good-1-chemicals.tsv"
    assert "tsv_ragged_row" in str(info.value)


@pytest.mark.parametrize("reason", sorted(BAD_FIGURES))
def test_bad_record_reason_codes(reason):
    figid, text = BAD_FIGURES[reason]
    with pytest.raises(RecordError) as info:
        parse_figure_record(text.encode("utf-8"), f"_figures/{figid}.md", errors.RejectionLog())
    assert info.value.reason == reason


def test_invalid_utf8_names_the_line():
    with pytest.raises(RecordError) as info:
        decode_text(b"---\nfigid: x\ncaption: caf\xe9\n---\n")
    assert info.value.reason == "invalid_utf8" and "line 3" in info.value.detail


def test_manifest_shards_by_pmc_number(tmp_path):
    place_seeds(tmp_path / "in")
    counts = build_manifest(tmp_path / "in", tmp_path / "shards", 1_000_000)
    assert counts == {"misc": 1, "pmc01000000": 1, "pmc03000000": 1, "pmc07000000": 1, "pmc12000000": 1}
    rows = read_shard_list(tmp_path / "shards" / "misc.tsv")
    assert rows[0]["kind"] == "article" and int(rows[0]["size"]) == seed_path("001").stat().st_size
    assert seed_path("001").name in rows[0]["path"]


def test_parse_records_the_digest_of_every_file_it_read(tmp_path):
    root = place_seeds(tmp_path / "in")
    files = [{"path": f.path, "kind": f.kind, "size": str(f.size)} for f in scan_inputs(root)]
    gone = {"path": "_figures/PMC1__gone.md", "kind": "figure", "size": "7"}
    tables = parse_shard(root, [*files, gone])
    by_path = {row["path"]: row for row in tables.corpus_files}
    assert set(by_path) == {f["path"] for f in [*files, gone]}
    for f in files:
        data = (root / f["path"]).read_bytes()
        assert by_path[f["path"]] == {"path": f["path"], "kind": f["kind"], "size": len(data),
                                      "sha256": hashlib.sha256(data).hexdigest()}
    assert by_path[gone["path"]] == {**gone, "size": 7, "sha256": None}
    assert [r["reason"] for r in tables.rejected if r["source_path"] == gone["path"]] == ["unreadable_file"]
    figure_digests = {row["source_path"]: row["source_sha256"] for row in tables.figures}
    assert all(by_path[path]["sha256"] == digest for path, digest in figure_digests.items())


def test_the_corpus_fingerprint_combines_the_shards_file_digests_in_path_order(tmp_path):
    from pfocr_etl.jobs import fingerprint_corpus
    from pfocr_etl.manifest import corpus_fingerprint
    from pfocr_etl.parse import write_shard

    root = place_seeds(tmp_path / "in")
    counts = build_manifest(root, tmp_path / "shards", 1_000_000)
    parts = []
    for shard in counts:
        parts.append(tmp_path / "work" / shard / "corpus_files.parquet")
        write_shard(root, tmp_path / "shards" / f"{shard}.tsv", {"corpus_files": parts[-1]}, strict=False)
    summary = fingerprint_corpus(parts[::-1], tmp_path / "corpus.json")
    expected = corpus_fingerprint(sorted(
        (f.path, f.kind, f.size, hashlib.sha256((root / f.path).read_bytes()).hexdigest()) for f in scan_inputs(root)),
        n_shards=len(counts))
    assert summary == expected == json.loads((tmp_path / "corpus.json").read_text(encoding="utf-8"))
    assert summary["files"] == 5 and summary["shards"] == 5


def test_files_read_ahead_come_back_in_order_with_errors_in_place(tmp_path, monkeypatch):
    from pfocr_etl import parse

    monkeypatch.setattr(parse, "READ_AHEAD", 3)  # several windows
    names = [f"f{n:02d}" for n in range(10)]
    for n, name in enumerate(names):
        if n != 4:
            (tmp_path / name).write_bytes(name.encode() * n)
    got = list(parse.read_files(tmp_path, names))
    assert [g if isinstance(g, bytes) else type(g) for g in got] == [
        name.encode() * n if n != 4 else FileNotFoundError for n, name in enumerate(names)]


def test_files_are_read_whole_whatever_size_the_manifest_listed(tmp_path):
    from pfocr_etl import parse

    contents = [b"", b"a", b"abc" * 1000, b"x" * (3 << 20), b"grown since listed", b"shrunk"]
    listed = [0, 1, 3000, 10, 4, 1000]
    names = [f"f{n}" for n in range(len(contents))]
    for name, data in zip(names, contents):
        (tmp_path / name).write_bytes(data)
    assert list(parse.read_files(tmp_path, names, listed)) == contents
    assert list(parse.read_files(tmp_path, names)) == contents


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open descriptors in /proc (Linux)")
def test_a_reader_stopped_early_closes_the_files_it_opened_ahead(tmp_path, monkeypatch):
    from pfocr_etl import parse

    monkeypatch.setattr(parse, "READ_AHEAD", 4)
    names = [f"f{n}" for n in range(8)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    opened_before = len(os.listdir("/proc/self/fd"))
    reader = parse.read_files(tmp_path, names)
    next(reader)
    assert len(os.listdir("/proc/self/fd")) > opened_before
    reader.close()
    assert len(os.listdir("/proc/self/fd")) == opened_before


def test_keyword_only_records_offer_their_keywords_as_gene_words(tmp_path):
    tables = parse_corpus(place_seeds(tmp_path))
    seed3 = [g for g in tables.figure_genes.to_pylist() if g["figid"] == seed_figid("003")]
    assert {g["evidence"] for g in seed3} == {"keywords"}
    words = {g["word"] for g in seed3}
    assert {"STAT3", "Stat3", "stat3", "Breast cancer"} <= words
    assert not any(g["evidence"] == "keywords" for g in tables.figure_genes.to_pylist()
                   if g["figid"] in (seed_figid("000"), seed_figid("002")))  # inline lists say it all


def test_tsv_rows_with_bad_ids_are_skipped_and_listed(tmp_path):
    (tmp_path / "_figures").mkdir()
    (tmp_path / "_data").mkdir()
    (tmp_path / "_figures" / "PMC1__f.md").write_text("---\nfigid: PMC1__f\n---\n", encoding="utf-8")
    (tmp_path / "_data" / "PMC1__f-genes.tsv").write_text(
        "organism_id\tword\tmatch\tncbigene_symbol\tncbigene_id\tsource\n"
        "9606\tSTAT3\tSTAT3\tSTAT3\t6774.0\tncbigene_symbol\n"
        "9606\tJAK\tJAK\tJAK1\tnot-an-id\tfamplex_relations\n"
        "9606\t \tX\tX\t1\tncbigene_symbol\n", encoding="utf-8")
    tables = parse_corpus(tmp_path)
    assert [(g["word"], g["ncbigene_id"]) for g in tables.figure_genes.to_pylist()] == [("STAT3", 6774)]
    [rejection] = tables.rejected
    assert rejection["reason"] == "invalid_tsv_row" and rejection["action"] == "rows_skipped"
    assert "2 of 3 rows" in rejection["detail"] and "3, 4" in rejection["detail"]


@pytest.mark.parametrize("value", [None, "", " ", "NA", " NA ", "-", ".na.character", "NaN", "nan", "None", "null",
                                   "x", " x\t", "na", 0, 5, 5.0, float("nan"), True, ["a"]])
def test_null_if_sentinel_is_is_null_then_the_trimmed_text(value):
    from pfocr_etl.nulls import is_null, null_if_sentinel

    assert null_if_sentinel(value) == (None if is_null(value) else str(value).strip())


# --- _data tables: the bulk reader against a line-by-line reader --------------------

def line_by_line_tsv(data: bytes, kind: str) -> tuple[list[str], list[int], dict[str, list[str]]]:
    """The reader the bulk split replaced, kept as the test's oracle: one file, one line at a time."""
    from pfocr_etl.parse import REQUIRED_TSV_COLUMNS

    lines = decode_text(data).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    header = [h.strip() for h in lines[0].split("\t")]
    missing = [c for c in REQUIRED_TSV_COLUMNS[kind] if c not in header]
    if missing:
        raise RecordError("tsv_missing_columns",
                          f"{kind} table lacks column(s) {', '.join(missing)} (header: {', '.join(header)})")
    numbers, rows = [], []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            if not line.strip():
                continue
            raise RecordError("tsv_ragged_row",
                              f"line {number} has {len(cells)} fields but the header has {len(header)}")
        numbers.append(number)
        rows.append(cells)
    columns = dict(zip(header, map(list, zip(*rows)))) if rows else {name: [] for name in header}
    return header, numbers, columns


EDGE_TABLES = [
    b"word\tmesh\nATP\tmesh:D000255\n",
    b"word\tmesh\nATP\tD000255",  # no LF after the last line
    b"\xef\xbb\xbfword\tmesh\r\nATP\tD000255\r\nADP\tNA\r\n",  # BOM, CRLF
    b"word\tmesh\rATP\tD000255\r",  # old Mac line ends
    b"word\tmesh\n\nATP\tD000255\n \n\n",  # blank lines inside and at the end
    b"word\tmesh\n\t\nATP\tD000255\n",  # a whitespace-only line with the header's width is a row
    b"word\tmesh\nATP\tD000255\n\t\n \t \n",  # ... but not at the end
    b"word\tmesh\n\xc2\xa0\nATP\tD1\n\x1c\n",  # lines blank to str.strip only (NBSP, file separator)
    b"word\tmesh\nATP\tD1\n\xe2\x80\x83\n",  # an em space ends the file
    b"word\tmesh\n", b"word\tmesh", b"word\tmesh\n\n\n",  # header only
    b"word\tmesh\nATP\tD1\tx\n", b"word\tmesh\nATP\n", b"word\tmesh\n\nATP\tD1\n\t\tx\nB\n",  # ragged
    b"word\tmesh\n \t \t \nATP\tD1\n",  # blank but too wide: skipped
    b"word\tword\tmesh\na\tb\tD1\n",  # a repeated column name: the last one wins
    b" word \t mesh\t\nNA\t NA \t\n",  # header names stripped, cells kept as written
    b"mesh\tname\tword\tchebi\nD1\t\tATP\tchebi:1\n",  # another column order
    b"word\tmesh\tfile\tsource_line\nATP\tD1\tx\ty\n",  # column names the reader uses itself
    b"organism_id\tword\tncbigene_symbol\tncbigene_id\n9606\tSTAT3\tSTAT3\t6774\n",
    b"word\nATP\n", b"", b"\n \n", b" \t\n", b"word\tmesh\nATP\t\xff\n",  # unusable files
]


def tsv_outcome(read, data: bytes, kind: str):
    try:
        return read(data, kind)
    except RecordError as exc:
        return exc.reason, exc.detail


def corpus_tables(root) -> list[tuple[str, bytes]]:
    return [(path.name.rsplit("-", 1)[1][: -len(".tsv")], path.read_bytes())
            for path in sorted((root / "_data").glob("*.tsv"))]


def generated_tables(n: int, seed: int) -> list[tuple[str, bytes]]:
    from pfocr_etl import synthetic

    return [(kind, text.encode()) for _figid, _text, tables in synthetic.iter_records(n, seed=seed)
            for kind, text in sorted(tables.items())]


def edge_tables() -> list[tuple[str, bytes]]:
    return [("diseases" if b"doid" in data else "genes" if b"ncbigene" in data else "chemicals", data)
            for data in EDGE_TABLES]


@pytest.mark.parametrize("source", ["edge cases", "sample", "generated"])  # the seeds have no _data tables
def test_tsv_reader_matches_a_line_by_line_reader(source):
    if source == "sample":
        require_shared(SAMPLE)
    tables = {"edge cases": edge_tables, "sample": lambda: corpus_tables(SAMPLE),
              "generated": lambda: generated_tables(400, seed=5)}[source]()
    assert tables
    for kind, data in tables:
        assert tsv_outcome(read_tsv, data, kind) == tsv_outcome(line_by_line_tsv, data, kind), data[:300]


def test_one_split_of_many_tables_equals_reading_each():
    """A shard's tables split at once: every usable file's rows, every ragged file named, none lost."""
    from pfocr_etl.parse import TSV_COLUMNS, TsvRows

    tables = [*edge_tables(), *generated_tables(150, seed=9)]
    if SAMPLE.exists():
        tables += corpus_tables(SAMPLE)
    for kind in TSV_COLUMNS:
        rows, expected_rows, expected_ragged, rejected_at_add = TsvRows(kind), [], [], []
        sources = sorted({source for source, _ in TSV_COLUMNS[kind].values()})
        for position, (table_kind, data) in enumerate(tables):
            if table_kind != kind:
                continue
            relpath = f"_data/T{position:04d}-{kind}.tsv"
            expected = tsv_outcome(line_by_line_tsv, data, kind)
            try:
                rows.add(f"T{position:04d}", relpath, data)
            except RecordError as exc:
                rejected_at_add.append((exc.reason, exc.detail))
                assert expected == (exc.reason, exc.detail)
                continue
            if expected[0] == "tsv_ragged_row":
                expected_ragged.append((relpath, expected))
                continue
            _header, numbers, columns = expected
            for i, number in enumerate(numbers):
                expected_rows.append((f"T{position:04d}", relpath, number,
                                      *(columns[name][i] if name in columns else None for name in sources)))
        cells, ragged = rows.split()
        files = cells.files.take(cells.file)
        got = sorted(zip(files["figid"].to_pylist(), files["source_path"].to_pylist(), cells.source_line.to_pylist(),
                         *(cells.cells[name].to_pylist() for name in sources)))
        assert got == sorted(expected_rows)
        assert sorted((relpath, (exc.reason, exc.detail)) for _figid, relpath, exc in ragged) == expected_ragged
        assert expected_ragged or kind != "chemicals"  # the edge cases hold ragged chemical tables


@pytest.mark.parametrize("cells, numbers, invalid", [
    (["6774", "05", "-0", "NA", "NaN", " 12 ", ""], [6774, 5, 0, None, None, 12, None], [False] * 7),  # cast
    (["6774", "+5", "6774.0", "6774.", "0x1F", "1e3", "NA"], [6774, 5, 6774, 6774, None, None, None],
     [False, False, False, False, True, True, False]),  # the patterns: Arrow reads 0x1F as hex, we do not
])
def test_integer_cells_read_alike_by_cast_and_by_pattern(cells, numbers, invalid):
    import pyarrow as pa

    from pfocr_etl.parse import _convert

    values, bad = _convert(pa.array(cells, pa.string()), "integer")
    assert values.to_pylist() == numbers and bad.to_pylist() == invalid
