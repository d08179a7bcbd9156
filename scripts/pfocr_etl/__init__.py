"""PFOCR ETL: turn Pathway Figure OCR records into query-ready Parquet tables.

One module per pipeline stage; the Snakemake rules under ``workflow/rules`` only
call into these modules (through the thin entry scripts in ``scripts/``).
"""

__version__ = "0.1.0"
