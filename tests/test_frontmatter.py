"""Differential tests: pfocr_etl.frontmatter.fast_load vs yaml.load(..., CSafeLoader).

For every input, ``fast_load`` must either decline (None) or return exactly what PyYAML's
safe loader returns, types included (True is not 1, '1' is not 1). Inputs: every sample
record, every seed figure record, a synthetic corpus across seeds, adversarial snippets,
mutated records and randomly generated documents dumped by PyYAML.
"""

from __future__ import annotations

import filecmp
import glob
import math
import os
import random
from pathlib import Path

import pytest
import yaml

from pfocr_etl import frontmatter as fm
from pfocr_etl import synthetic

# The public PFOCR sample and the seed pages live outside the repository.
SAMPLE = Path(os.environ.get("PFOCR_SAMPLE_DIR", "/work/shared/pfocr-sample"))
SEEDS = Path(os.environ.get("PFOCR_SEEDS_DIR", "/work/shared/seeds"))
SAMPLE_FILES = sorted(glob.glob(str(SAMPLE / "_figures" / "*.md")))
SEED_FIGURES = sorted(
    p
    for pattern in ("000_*.txt", "002_*.txt", "003_*.txt", "004_*.txt")
    for p in glob.glob(str(SEEDS / pattern))
)
needs_sample = pytest.mark.skipif(not SAMPLE_FILES, reason="PFOCR sample not available")
needs_seeds = pytest.mark.skipif(len(SEED_FIGURES) != 4, reason="seed pages not available")




def check(text: str):
    """Assert fast_load(text) is None or identical to the safe loader; return it."""
    fm.STATS.reasons.clear()
    got = fm.fast_load(text)
    internal = [r for r in fm.STATS.reasons if r.startswith("internal")]
    assert not internal, (internal, text)
    if got is None:
        return None
    try:
        expected = yaml.load(text, Loader=yaml.CSafeLoader)
    except Exception as exc:  # pragma: no cover - a failure message
        pytest.fail(f"fast path accepted YAML the safe loader rejects ({exc!r}): {text!r}")
    assert fm.same_document(got, expected), (text, got, expected)
    return got


def read(path) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


# --------------------------------------------------------------------------------------
# Real records
# --------------------------------------------------------------------------------------


def test_fast_path_enabled_for_installed_pyyaml():
    assert fm._ENABLED, "resolver table differs from PyYAML 6's: fast path switched off"


@needs_sample
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=os.path.basename)
def test_sample_record(path):
    yaml_text, body = fm.split_front_matter(read(path))
    assert body == ""
    assert check(yaml_text) is not None, fm.STATS.reasons  # every sample record is fast


@needs_seeds
@pytest.mark.parametrize("path", SEED_FIGURES, ids=os.path.basename)
def test_seed_record(path):
    yaml_text, _ = fm.split_front_matter(read(path))
    assert check(yaml_text) is not None, fm.STATS.reasons


@needs_seeds
def test_seed_article_page_has_no_front_matter():
    (article,) = glob.glob(str(SEEDS / "001_*.txt"))
    with pytest.raises(fm.MissingFrontMatter):
        fm.split_front_matter(read(article))


@needs_sample
def test_sample_quirks_keep_their_types():
    docs = {Path(p).stem: fm.fast_load(fm.split_front_matter(read(p))[0]) for p in SAMPLE_FILES}
    old = docs["PMC100008__mb2411709009"]
    assert old["year"] == "2001" and old["pmc_ranked_result_index"] == "90377"
    assert isinstance(old["pathway_score"], float) and old["annotations"] == []
    assert old["genes"][0] == {
        "word": "PLC,",
        "symbol": "PLC",
        "source": "bioentities_symbol",
        "hgnc_symbol": "PLCB3",
        "entrez": "5331",
    }
    assert old["diseases"] == [{"word": "Cancer", "source": "", "identifier": ""}]
    new = docs["PMC10030845__fimmu-14-1150879-g002"]
    assert new["organisms"] == ["NA"] and new["ndex"] == ""
    assert isinstance(new["automl_pathway"], float)
    assert any("On" in d["schema-jsonld"].get("keywords", []) for d in docs.values())


# --------------------------------------------------------------------------------------
# Synthetic corpus
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 7])
def test_generated_corpus(seed):
    n = 1500
    fast = 0
    for _figid, text, _tables in synthetic.iter_records(n, seed=seed):
        yaml_text, body = fm.split_front_matter(text)
        assert body == ""
        fast += check(yaml_text) is not None
    assert fast >= 0.98 * n  # only the rare control-character captions fall back


def test_generated_front_matter_is_pyyaml_output():
    """The generator's emitter writes what yaml.safe_dump writes (the PFOCR format)."""
    for i, (_figid, text, _tables) in enumerate(synthetic.iter_records(600, seed=3)):
        if i % 3:
            continue
        yaml_text = fm.split_front_matter(text)[0]
        data = yaml.load(yaml_text, Loader=yaml.CSafeLoader)
        assert yaml.safe_dump(data, sort_keys=False, allow_unicode=True) == yaml_text


@needs_sample
def test_sample_front_matter_is_pyyaml_output():
    for path in SAMPLE_FILES:
        yaml_text = fm.split_front_matter(read(path))[0]
        data = yaml.load(yaml_text, Loader=yaml.CSafeLoader)
        assert synthetic.dump_front_matter(data) == yaml_text


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_generate_corpus_layout_and_determinism(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    summary = synthetic.generate_corpus(a, 300, seed=11)
    synthetic.generate_corpus(b, 300, seed=11)
    synthetic.generate_corpus(c, 300, seed=12)
    files = _tree(a)
    assert files == _tree(b)
    assert all(filecmp.cmp(a / f, b / f, shallow=False) for f in files)
    assert files != _tree(c)
    figures = [f for f in files if f.startswith("_figures/")]
    assert len(figures) == summary.n_records == 300
    assert all(f.endswith(".md") for f in figures)
    data = [f for f in files if f.startswith("_data/")]
    assert data and all(f.endswith(("-genes.tsv", "-chemicals.tsv", "-diseases.tsv")) for f in data)
    assert sum(summary.tables.values()) == len(data)
    figids = {Path(f).stem for f in figures}
    assert {Path(f).name.rsplit("-", 1)[0] for f in data} <= figids


def test_generate_corpus_start_pmc(tmp_path):
    summary = synthetic.generate_corpus(tmp_path, 50, seed=2, start_pmc=9_000_000)
    pmcs = [int(p.name[3:].split("__")[0]) for p in (tmp_path / "_figures").iterdir()]
    assert min(pmcs) >= 9_000_000 and summary.first_pmc >= 9_000_000


@needs_sample
def test_generated_tables_look_like_the_sample():
    headers = {}
    for kind in ("genes", "chemicals", "diseases"):
        first, *_ = sorted(glob.glob(str(SAMPLE / "_data" / f"*-{kind}.tsv")))
        headers[kind] = read(first).split("\n", 1)[0]
    records = list(synthetic.iter_records(2000, seed=5))
    seen = {"genes": 0, "chemicals": 0, "diseases": 0}
    organisms_per_table, na_rows, dup_rows, non_ascii = [], 0, 0, 0
    for _figid, text, tables in records:
        non_ascii += not text.isascii()
        for kind, tsv in tables.items():
            seen[kind] += 1
            lines = tsv.rstrip("\n").split("\n")
            assert lines[0] == headers[kind]
            rows = [line.split("\t") for line in lines[1:]]
            assert all(len(r) == len(lines[0].split("\t")) for r in rows)
            na_rows += any("NA" in r for r in rows)
            dup_rows += len(set(lines[1:])) < len(lines) - 1
            if kind == "genes":
                organisms_per_table.append(len({r[1] for r in rows}))
    assert all(seen.values())
    assert max(organisms_per_table) >= 3 and sum(o > 1 for o in organisms_per_table) > 100
    assert na_rows > 100 and dup_rows > 100 and non_ascii > 1000


def test_generated_records_cover_both_generations_and_skew():
    summary = synthetic.CorpusSummary()
    docs = []
    for _figid, text, tables in synthetic.iter_records(2000, seed=9, summary=summary):
        docs.append((fm.load_front_matter(fm.split_front_matter(text)[0]), tables))
    old = [d for d, _ in docs if "genes" in d]
    new = [d for d, _ in docs if "organisms_ner" in d]
    assert len(old) + len(new) == len(docs) and len(old) > 150 and len(new) > 1000
    assert summary.n_keyword_only > 40
    assert any(not t and d["schema-jsonld"].get("keywords") for d, t in docs)  # keyword-only
    pmcs = [int(d["pmcid"][3:]) for d, _ in docs]
    assert pmcs == sorted(pmcs)
    papers = {}
    for p in pmcs:
        papers[p] = papers.get(p, 0) + 1
    assert max(papers.values()) >= 5  # several figures per paper
    lo, hi = min(pmcs), max(pmcs)
    middle = (lo + hi) / 2
    assert sum(p > middle for p in pmcs) > 2 * sum(p <= middle for p in pmcs)  # skew
    assert any(isinstance(d["organisms"], str) for d in old)  # early papers: a string
    assert any(d["keywords"] == "" for d in new) and any("'" in str(d) for d in new)


# --------------------------------------------------------------------------------------
# Adversarial snippets
# --------------------------------------------------------------------------------------

SNIPPETS = [
    # booleans / null in every casing PyYAML knows (and some it does not)
    "a: 'On'\n",
    "a: On\n",
    "a: on\n",
    "a: ON\n",
    "a: oN\n",
    "a: 'yes'\n",
    "a: yes\n",
    "a: Yes\n",
    "a: YES\n",
    "a: yEs\n",
    "a: y\n",
    "a: n\n",
    "a: Y\n",
    "a: NO\n",
    "a: No\n",
    "a: off\n",
    "a: OFF\n",
    "a: True\n",
    "a: TRUE\n",
    "a: tRUE\n",
    "a: false\n",
    "a: ~\n",
    "a: '~'\n",
    "a: null\n",
    "a: Null\n",
    "a: NULL\n",
    "a: nULL\n",
    "a:\n",
    "a: ''\n",
    'a: ""\n',
    "a: '''\n",
    "a: ''''\n",
    # numbers
    "a: 1e3\n",
    "a: '1e3'\n",
    "a: 1.0e3\n",
    "a: 1.0e+3\n",
    "a: 1.e-3\n",
    "a: 1E+3\n",
    "a: 0x1F\n",
    "a: '0x1F'\n",
    "a: 0x1f_ff\n",
    "a: 0o17\n",
    "a: 0b101\n",
    "a: 1_000\n",
    "a: '1_000'\n",
    "a: 1_000.5\n",
    "a: 685_230.15\n",
    "a: 12:30\n",
    "a: '12:30'\n",
    "a: 1:30:00\n",
    "a: 190:20:30.15\n",
    "a: -1:30\n",
    "a: .NaN\n",
    "a: .nan\n",
    "a: .NAN\n",
    "a: -.nan\n",
    "a: .inf\n",
    "a: -.inf\n",
    "a: +.INF\n",
    "a: .Inf\n",
    "a: '-.inf'\n",
    "a: -.5\n",
    "a: .5\n",
    "a: +.5\n",
    "a: 5.\n",
    "a: -0\n",
    "a: +0\n",
    "a: +1\n",
    "a: -1\n",
    "a: 010\n",
    "a: 09\n",
    "a: 0\n",
    "a: 00\n",
    "a: 08.5\n",
    "a: 123456789012345678901234567890\n",
    "a: 0.9582439\n",
    "a: 1.0\n",
    "a: -0.0\n",
    "a: 1e400\n",
    "a: 1.5e400\n",
    "a: 1.5e+400\n",
    "a: 10.3389/fimmu.2023.1150879\n",
    "a: 10.1101/2023.03.03.530734\n",
    "a: 12964_2020_527_Fig4_HTML.jpg\n",
    "a: 1.2.3\n",
    # dates and timestamps
    "a: 2023-01-01\n",
    "a: '2023-01-01'\n",
    "a: 2023-1-1\n",
    "a: 2001-12-14t21:59:43.10-05:00\n",
    "a: 2001-12-14 21:59:43.10 -5\n",
    "a: 2023-01-01 extra\n",
    # colons, comments, indicators
    "a: b: c\n",
    "a: b:c\n",
    "a: 'b: c'\n",
    "a: b:\n",
    "a: http://x.org/a#b\n",
    "a: https://schema.org/\n",
    "# comment\na: b\n",
    "a: b # comment\n",
    "a: b#c\n",
    "a: 'b # c'\n",
    "a: b\n# comment\n",
    "a: b\n  # comment\n",
    "a:\n  # c\n  b: 1\n",
    "a: b #\n",
    "a: '#b'\n",
    "a: #b\n",
    "a: &x b\nc: *x\n",
    "a: !!str 1\n",
    "a: !foo b\n",
    "? a\n: b\n",
    "a: |\n  b\n",
    "a: >\n  b\n  c\n",
    "a: %b\n",
    "a: @b\n",
    "a: `b\n",
    "a: ,b\n",
    "a: ]b\n",
    "a: }b\n",
    "a: [b\n",
    "a: {b\n",
    "a: ?b\n",
    "a: :b\n",
    "a: -b\n",
    "a: - b\n",
    "a: ? b\n",
    "a: =\n",
    "a: <<\n",
    "<<: {a: 1}\n",
    "a: '<<'\n",
    "a: *\n",
    "a: b, c\n",
    "a: b]\n",
    "a: (b)\n",
    "a: b'c\n",
    'a: b"c\n',
    "a: it's\n",
    # whitespace
    "a: b \n",
    "a: b  \n",
    "a:  b\n",
    "a: b\n  \n",
    "a: 'b '\n",
    "a: ' b'\n",
    "a: b  c\n",
    "a:\tb\n",
    "a: b\tc\n",
    "a:\n\t- b\n",
    "\ta: b\n",
    "a: b\t\n",
    "a: b\n\n",
    "\na: b\n",
    "a: b\n\nc: d\n",
    # unicode, BOM, line breaks
    "a: β-AR\n",
    "a: NFκB\n",
    "a: ΜΑΡΚ\n",
    "a: ↑Atf6\n",
    "a: MSTN↓↓\n",
    "a: 3′UTR\n",
    "a: miRNÁ-675\n",
    "a: 😀\n",
    "ключ: значение\n",
    "a: \u00a0b\n",
    "a: b\u00a0\n",
    "a: \u2028\n",
    "a: b\u2029c\n",
    "a: b\x85c\n",
    "a: b\x07\n",
    "a: b\x7f\n",
    "a: b\x00\n",
    "a: b\x9f\n",
    "a: \ufeffb\n",
    "\ufeffa: b\n",
    "a: b\ufeff\n",
    "a: b\ufffe\n",
    "a: b\ud800\n",
    "a: b\r\nc: d\r\n",
    "a: b\rc: d\n",
    "a: b\r\n",
    # sequences
    "a:\n- \n- b\n",
    "a:\n-\n- b\n",
    "a:\n- ''\n",
    "a:\n- ~\n",
    "a:\n- null\n",
    "a:\n- 'On'\n- On\n- .na.character\n- NA\n",
    "a:\n- - b\n",
    "a:\n- - b\n  - c\n",
    "a:\n  - - b\n",
    "a:\n- [b]\n",
    "a:\n- []\n",
    "a:\n- {}\n",
    "a: []\n",
    "a: {}\n",
    "a: [ ]\n",
    "a: [b, c]\n",
    "a: {b: c}\n",
    "a:\n- b\n- c\nd: e\n",
    "a:\n  - b\n  - c\n",
    "a:\n    - b\n    - c\nd: e\n",
    "a:\n- b\n  c\n",
    "a:\n- b\n c\n",
    "a:\n  - b\n - c\n",
    "a:\n- b\n   c\n",
    "a:\n- b: c\n- d\n",
    "a:\n- b\n- c: d\n",
    "a:\n- b: c\n  d: e\n",
    "a:\n- b: c\n   d\n",
    "a:\n- b: c\n    d\n",
    "a:\n- b: c\n  d:\n  - e\n",
    "a:\n- b: c\n  d:\n    e: f\n",
    "a:\n- b:\n  c: d\n",
    "a:\n- 'b': c\n",
    "a:\n- yes: c\n",
    "a:\n- b: c\n  b: d\n",
    "a:\n-  b\n",
    "a:\n- b # c\n",
    "a:\n- b: c # d\n",
    "a:\n- b\n-\n",
    "a:\n- b \n",
    "- a\n- b\n",
    "a:\n- b\n  - c\n",
    "a:\n- b: 'c\n    d'\n",
    # nesting and indentation
    "a:\n  b:\n    c: d\n",
    "a:\n  - b: c\n    d: e\n",
    "a:\n  b: c\n d: e\n",
    "a:\n  b: c\n  - d\n",
    "a:\n  - b\n  c: d\n",
    "a:\n- b\nc: d\n",
    "a: b\n  c: d\n",
    "a:\n   b: c\n   d: e\n",
    "a:\n  b: c\n    d: e\n",
    "  a: b\n",
    "a:\n  b:\nc: d\n",
    "a:\n  b:\n  - c\n",
    "a:\n  b:\n    - c\n  d: e\n",
    # multi-line scalars
    "a: b\n  c\n",
    "a: b\n   c\n",
    "a: b\n c\n",
    "a: b\n\n  c\n",
    "a: b\n  c\n  d\n",
    "a: b\n  c: d\n",
    "a: b\n  - c\n",
    "a: b\n  #c\n",
    "a: b\n  'c'\n",
    "a: b\n  c #d\n",
    "a: 'b\n  c'\n",
    "a: 'b\n\n  c'\n",
    "a: 'b''c'\n",
    "a: 'b''\n  ''c'\n",
    "a: 'b\nc'\n",
    "a: 'b\n   c'\n",
    'a: "b\n  c"\n',
    'a: "b\\tc"\n',
    'a: "b\\\n  c"\n',
    'a: "b\'c"\n',
    "a: 'b: c\n  d # e'\n",
    "a: 'b\n  c' d\n",
    "a: 'b' 'c'\n",
    "a: 'b\n",
    "a: b\n  ---\n",
    "a: b\n  ...\n",
    # keys
    "'a': b\n",
    "'': b\n",
    '"a": b\n',
    "'a''b': c\n",
    "yes: b\n",
    "Off: b\n",
    "on: b\n",
    "null: b\n",
    "~: b\n",
    "1: b\n",
    "1.5: b\n",
    "a b: c\n",
    "a: b\na: c\n",
    "_a: b\n",
    "a-b: c\n",
    "a_b: c\n",
    "a : b\n",
    "a:b\n",
    "'@context': https://schema.org/\n",
    "schema-jsonld:\n  '@type': Dataset\n",
    "k" * 256 + ": v\n",
    "k" * 1030 + ": v\n",
    "'" + "k" * 1030 + "': v\n",
    "a:\n- " + "k" * 1030 + ": v\n",
    "a:\n- " + "k" * 1030 + ": v\n  b: c\n",
    # documents
    "---\na: b\n",
    "--- a: b\n",
    "a: b\n---\n",
    "a: b\n...\n",
    "%YAML 1.1\n---\na: b\n",
    "",
    "\n",
    "a\n",
    "a",
    "a: b",
    "a:",
    "1\n",
    "'a'\n",
    "[]\n",
    "{}\n",
    "- a\n",
    "~\n",
    "a: b\n--- \nc: d\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippet(text):
    check(text)


# The fast path must actually handle the PFOCR subset (not just decline everything).
HANDLED = {
    "a: 'On'\n": {"a": "On"},
    "a: On\n": {"a": True},
    "a: NO\n": {"a": False},
    "a: ~\n": {"a": None},
    "a:\n": {"a": None},
    "a: ''\n": {"a": ""},
    "a: '''x'''\n": {"a": "'x'"},
    "a: 0.9582439\n": {"a": 0.9582439},
    "a: -.inf\n": {"a": -math.inf},
    "a: +1\n": {"a": 1},
    "a: '2023'\n": {"a": "2023"},
    "a: 1e3\n": {"a": "1e3"},
    "a: 10.3389/fimmu.2023.1150879\n": {"a": "10.3389/fimmu.2023.1150879"},
    "a: b\n  c\n": {"a": "b c"},
    "a: 'b: c\n  d'\n": {"a": "b: c d"},
    "a: []\n": {"a": []},
    "a: {}\n": {"a": {}},
    "a:\n- 'On'\n- .na.character\n- β\n": {"a": ["On", ".na.character", "β"]},
    "'@id': x\nb:\n  c:\n    d: e\n": {"@id": "x", "b": {"c": {"d": "e"}}},
    "g:\n- word: PLC,\n  entrez: '5331'\n- word: NA\n  entrez: '1'\n": {
        "g": [{"word": "PLC,", "entrez": "5331"}, {"word": "NA", "entrez": "1"}]
    },
    "k:\n  - a\n  - b\n": {"k": ["a", "b"]},
    "a: http://x/#y\n": {"a": "http://x/#y"},
}


@pytest.mark.parametrize("text", sorted(HANDLED))
def test_fast_path_handles(text):
    assert fm.same_document(check(text), HANDLED[text])


# --------------------------------------------------------------------------------------
# Randomised differential tests (deterministic seeds)
# --------------------------------------------------------------------------------------

TOKENS = [
    " ",
    "  ",
    "\n",
    ":",
    ": ",
    "-",
    "- ",
    "#",
    " #",
    "'",
    "''",
    '"',
    "\\",
    "\t",
    "\r",
    "~",
    "?",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a",
    "*a",
    "!",
    "|",
    ">",
    "%",
    "@",
    "`",
    "0",
    "1",
    ".5",
    "1e3",
    "0x1F",
    "010",
    "1_000",
    "12:30",
    "2023-01-01",
    "yes",
    "No",
    "ON",
    "null",
    ".inf",
    "-.Inf",
    ".NaN",
    "+1",
    "β",
    "\u2028",
    "\x85",
    "\ufeff",
    "\x00",
    "---",
    "...",
    "<<",
    "=",
    "key: ",
    "\n  ",
    "\n- ",
    "\n  - ",
    "\n    ",
    "a: b: c",
]


def _corpus_texts():
    texts = [fm.split_front_matter(read(p))[0] for p in SAMPLE_FILES + SEED_FIGURES]
    texts += [fm.split_front_matter(t)[0] for _, t, _ in synthetic.iter_records(40, seed=21)]
    return texts


def test_mutated_records():
    rng = random.Random(20240601)
    texts = _corpus_texts()
    for _ in range(6000):
        lines = rng.choice(texts).split("\n")
        if rng.random() < 0.7:
            a = rng.randrange(len(lines))
            lines = lines[a : a + rng.randint(1, 12)]
            if rng.random() < 0.5:
                strip = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
                lines = [x[strip:] for x in lines]
        text = "\n".join(lines)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(text) + 1)
            op = rng.random()
            if op < 0.6:
                text = text[:pos] + rng.choice(TOKENS) + text[pos:]
            elif op < 0.8:
                text = text[:pos] + text[pos + rng.randint(1, 3) :]
            else:
                parts = text.split("\n")
                j = rng.randrange(len(parts))
                parts[j] = " " * rng.randint(0, 6) + parts[j].lstrip(" ")
                text = "\n".join(parts)
        check(text + ("\n" if rng.random() < 0.5 else ""))


ATOMS = [
    "On",
    "yes",
    "NO",
    "null",
    "~",
    "",
    " ",
    "a b",
    "a  b",
    " lead",
    "trail ",
    "1e3",
    "1.0e+3",
    "0x1F",
    "010",
    "09",
    "1_000",
    "12:30",
    "2023-01-01",
    ".NaN",
    "-.inf",
    ".5",
    "-.5",
    "+1",
    "-0",
    "1.",
    "3.14",
    "a: b",
    "a:b",
    "a #b",
    "a#b",
    "#x",
    "- x",
    "-x",
    "? x",
    ":x",
    "@x",
    "%x",
    "!x",
    "&x",
    "*x",
    "|",
    ">",
    "[x]",
    "{x}",
    "]x",
    ",x",
    "it's",
    '"q"',
    "'q'",
    "β-AR",
    "3′UTR",
    "a\tb",
    "a\nb",
    "a\n\nb",
    "x\u2028y",
    "x\x85y",
    "ΜΑΡΚ",
    ".na.character",
    "NA",
    "=",
    "<<",
    "http://x.y/#z",
    "10.3389/fimmu.2023.1",
    "a" * 90,
    " ".join(["word"] * 40),
    " ".join(["w: x"] * 12),
    " ".join(["x'y"] * 30),
    True,
    False,
    None,
    0,
    1,
    -5,
    2**70,
    1.5,
    -0.0,
    float("inf"),
    float("nan"),
    1e300,
]
KEYS = [
    "figid",
    "caption",
    "@context",
    "on",
    "Yes",
    "null",
    "1",
    "a b",
    "k-1",
    "_x",
    "",
    "word",
    "a:b",
    "x#",
    "ä",
    "'q'",
]


def _random_value(rng, depth=0):
    r = rng.random()
    if depth < 3 and r < 0.15:
        return {rng.choice(KEYS): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if depth < 3 and r < 0.3:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    atom = rng.choice(ATOMS)
    if isinstance(atom, str) and rng.random() < 0.3:
        atom = f"{atom} {rng.choice([a for a in ATOMS if isinstance(a, str)])}"
    return atom


def test_random_documents_dumped_by_pyyaml():
    rng = random.Random(7)
    handled = 0
    for _ in range(4000):
        doc = {rng.choice(KEYS): _random_value(rng) for _ in range(rng.randint(1, 8))}
        text = yaml.dump(
            doc,
            Dumper=yaml.CSafeDumper,
            sort_keys=False,
            allow_unicode=rng.random() < 0.8,
            width=rng.choice([80, 80, 40, 1000]),
            default_flow_style=rng.choice([False, False, None]),
        )
        handled += check(text) is not None
    assert handled > 250  # not vacuous: plenty of these are in the subset


def _substitute(rng, value):
    """The same structure with some scalars replaced by tricky atoms."""
    if isinstance(value, dict):
        return {k: _substitute(rng, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(rng, v) for v in value]
    return rng.choice(ATOMS) if rng.random() < 0.15 else value


@needs_sample
def test_pfocr_structure_with_tricky_values():
    rng = random.Random(99)
    docs = [
        yaml.load(fm.split_front_matter(read(p))[0], Loader=yaml.CSafeLoader)
        for p in SAMPLE_FILES + SEED_FIGURES
    ]
    handled = 0
    for _ in range(400):
        doc = _substitute(rng, rng.choice(docs))
        text = yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
        handled += check(text) is not None
    assert handled > 40


def test_results_are_fresh_objects():
    text = "creator:\n  '@type': Organization\n  name: WikiPathways\norganisms:\n- NA\n"
    first = fm.fast_load(text)
    first["creator"]["name"] = "changed"
    first["organisms"].append("x")
    assert fm.fast_load(text) == {
        "creator": {"@type": "Organization", "name": "WikiPathways"},
        "organisms": ["NA"],
    }


# --------------------------------------------------------------------------------------
# Fallback, errors, statistics
# --------------------------------------------------------------------------------------


def test_non_mapping_and_empty_documents_are_declined():
    for text in ("", "\n", "- a\n", "a\n", "1\n", "[a]\n"):
        assert fm.fast_load(text) is None


def test_load_front_matter_falls_back_and_counts():
    fm.STATS.reset()
    assert fm.load_front_matter("a: b\n") == {"a": "b"}
    assert fm.load_front_matter("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
    assert fm.load_front_matter("a: 2023-01-01\n")["a"].isoformat() == "2023-01-01"
    assert fm.load_front_matter("- x\n") == ["x"]
    assert (fm.STATS.fast, fm.STATS.fallback, fm.STATS.total) == (1, 3, 4)
    assert fm.STATS.hit_rate == 0.25 and sum(fm.STATS.reasons.values()) == 3


@pytest.mark.parametrize(
    "text", ["a: b: c\n", "a: [b\n", "a:\n  b: c\n d: e\n", "a: 'b\n", "a: b\x00\n", "a: !foo b\n"]
)
def test_load_front_matter_propagates_pyyaml_errors(text):
    assert fm.fast_load(text) is None
    with pytest.raises(yaml.YAMLError):
        fm.load_front_matter(text)


def test_non_stock_resolver_table_disables_fast_path(monkeypatch):
    table = {k: list(v) for k, v in fm._IMPLICIT.items()}
    table.setdefault("F", []).append(("tag:example,2024:x", yaml.resolver.re.compile("^Figure$")))
    monkeypatch.setattr(fm, "_IMPLICIT", table)
    assert not fm._resolver_table_is_stock()
    monkeypatch.setattr(fm, "_ENABLED", False)
    assert fm.fast_load("a: b\n") is None
    assert fm.load_front_matter("a: b\n") == {"a": "b"}


# --------------------------------------------------------------------------------------
# split_front_matter
# --------------------------------------------------------------------------------------


def test_split_basic_and_body():
    assert fm.split_front_matter("---\na: b\n---\n") == ("a: b\n", "")
    assert fm.split_front_matter("---\na: b\n---\nbody\n---\nmore\n") == (
        "a: b\n",
        "body\n---\nmore\n",
    )
    assert fm.split_front_matter("---\na: b\n---") == ("a: b\n", "")
    assert fm.split_front_matter("---\n---\n") == ("", "")
    assert fm.split_front_matter("--- \na: b\n---  \nx") == ("a: b\n", "x")
    assert fm.split_front_matter("---\na: ----\n----\nb: c\n---\n") == ("a: ----\n----\nb: c\n", "")


def test_split_bom_and_crlf():
    assert fm.split_front_matter("\ufeff---\na: b\n---\n") == ("a: b\n", "")
    assert fm.split_front_matter("---\r\na: b\r\nc: d\r\n---\r\nbody\r\n") == (
        "a: b\nc: d\n",
        "body\n",
    )
    assert fm.split_front_matter("\ufeff---\r\na: b\r\n---\r\n") == ("a: b\n", "")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a: b\n",
        "\n---\na: b\n---\n",
        "----\na: b\n---\n",
        "--- a: b\n---\n",
        " ---\na: b\n---\n",
        "# x\n---\n---\n",
    ],
)
def test_split_missing(text):
    with pytest.raises(fm.MissingFrontMatter, match="no front matter"):
        fm.split_front_matter(text)


@pytest.mark.parametrize(
    "text",
    ["---", "---\n", "---\na: b\n", "---\na: b\n ---\n", "---\na: b\n----\n", "---\na: b\n-- -\n"],
)
def test_split_unclosed(text):
    with pytest.raises(fm.UnclosedFrontMatter, match="unclosed front matter"):
        fm.split_front_matter(text)


def test_split_errors_are_value_errors():
    assert issubclass(fm.MissingFrontMatter, ValueError)
    assert issubclass(fm.UnclosedFrontMatter, fm.FrontMatterError)
    assert issubclass(fm.FrontMatterError, ValueError)


# --------------------------------------------------------------------------------------
# Command-line scripts (smoke tests)
# --------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def test_generate_corpus_cli(tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "generate_corpus.py"),
            str(tmp_path),
            "--n",
            "25",
            "--seed",
            "3",
            "--start-pmc",
            "5000000",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote 25 records" in out.stdout
    assert len(list((tmp_path / "_figures").glob("*.md"))) == 25


def test_bench_parse_cli_verifies(tmp_path):
    import subprocess
    import sys

    synthetic.generate_corpus(tmp_path, 40, seed=4)
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "bench_parse.py"),
            str(tmp_path),
            "--rounds",
            "1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ratio (c)/(b)" in out.stdout and "40/40 files" in out.stdout
