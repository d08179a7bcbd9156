"""Job set-up: a job that refuses pandas still parses a shard with pyarrow."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import EXAMPLE_CORPUS

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
PARSE_OUTPUTS = ("figures", "figure_genes", "papers", "figure_chemicals", "figure_diseases", "paper_references",
                 "rejected", "corpus_files", "figure_inputs")


def run_fresh(code: str) -> subprocess.CompletedProcess:
    """``code`` in a new interpreter: the test session itself has pandas loaded."""
    return subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(SCRIPTS)!r})\n"
                           + textwrap.dedent(code)], capture_output=True, text=True)


def test_a_job_that_refuses_pandas_builds_arrow_tables_without_loading_it():
    proc = run_fresh("""
        from pfocr_etl.logs import refuse_pandas
        refuse_pandas()
        import pyarrow as pa
        table = pa.table({"figid": pa.array(["PMC1__a", None]), "n": [1, 2]})
        assert table.column("figid").null_count == 1
        assert "pandas" not in sys.modules
        try:
            import pandas  # noqa: F401
        except ModuleNotFoundError as exc:
            print(exc)
        """)
    assert proc.returncode == 0, proc.stderr
    assert "refuses pandas" in proc.stdout


def test_a_parse_job_writes_its_tables_without_pandas(tmp_path):
    outputs = {name: str(tmp_path / f"{name}.parquet") for name in PARSE_OUTPUTS}
    proc = run_fresh(f"""
        from pfocr_etl.logs import refuse_pandas
        refuse_pandas()
        from pfocr_etl.jobs import parse_shard
        from pfocr_etl.manifest import build_manifest
        shards = build_manifest({str(EXAMPLE_CORPUS)!r}, {str(tmp_path / "shards")!r}, shard_width=10**9)
        for shard in shards:  # one shard of figures, one of article pages
            counts = parse_shard({str(EXAMPLE_CORPUS)!r}, {str(tmp_path / "shards")!r} + f"/{{shard}}.tsv",
                                 {outputs!r}, False)
            print(shard, counts["figures"], counts["figure_genes"], counts["papers"])
        print("pandas" in sys.modules)
        """)
    assert proc.returncode == 0, proc.stderr
    *shards, loaded = proc.stdout.splitlines()
    assert loaded == "False"
    figures = {shard.split()[0]: int(shard.split()[1]) for shard in shards}
    assert sum(figures.values()) == len(list((EXAMPLE_CORPUS / "_figures").glob("*.md")))
