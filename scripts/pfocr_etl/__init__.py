"""PFOCR ETL: turn Pathway Figure OCR records into query-ready Parquet tables.

One module per pipeline stage; the Snakemake rules under ``workflow/rules`` only
call into these modules (through the thin entry scripts in ``scripts/``).
"""

import os

__version__ = "0.1.0"

# Arrow's memory from the C library's allocator, not Arrow's default (mimalloc), unless the
# environment says otherwise. It is read when pyarrow first allocates, so here, before any
# stage module does. Every job is one thread that builds and frees tables of hundreds of MB;
# with mimalloc the kernel spent twice the time mapping fresh pages: a 9,528-figure shard's
# annotate job took 1.33-1.39 s of system time against 0.61-0.68 s (4.6-4.9 s against
# 3.9-4.2 s in all, peak RSS 920 against 845 MB), its parse job 0.63-0.96 against 0.52-0.67 s.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
