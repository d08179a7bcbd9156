"""Set-up for the Snakemake entry scripts: logging, garbage collection tuned for batch jobs, and
keeping pandas out of the jobs that do not use it.

Messages go to the rule's ``log:`` file and to stderr, so a failing job's
reason is visible both in Snakemake's output and in the log it points to.
"""

from __future__ import annotations

import gc
import importlib.abc
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from pfocr_etl.errors import InputRejected

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Parsing creates millions of small dicts and lists that live until the shard is written; with
# Python's default threshold (700) the cyclic collector re-scans them over and over, which took
# half of a parse job's time. Our data has no reference cycles to reclaim, so collect rarely.
BATCH_GC_THRESHOLD = 200_000


def tune_gc_for_batch_job() -> None:
    """Collect young objects rarely.

    (Not gc.freeze(): frozen objects are never freed, and DuckDB's bindings then report
    "leaked" types at exit.)
    """
    gc.set_threshold(BATCH_GC_THRESHOLD, 50, 100)


class _RefusePandas(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r}: this job refuses pandas (pfocr_etl.logs.refuse_pandas)",
                                      name=name)
        return None


def refuse_pandas() -> None:
    """Make ``import pandas`` fail in this process; call it before anything imports pandas.

    pyarrow imports pandas on its first ``pa.array()`` call only to ask whether the input is
    a pandas object, which cost a parse job ~0.3 s of its ~0.5 s start-up. pyarrow takes a
    failed import as "no pandas". Only for jobs whose code never uses pandas: the
    integration tests run every such job.
    """
    if "pandas" not in sys.modules and not any(isinstance(f, _RefusePandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _RefusePandas())


@contextmanager
def logged(log_path: str | None, name: str = "pfocr_etl") -> Iterator[logging.Logger]:
    """Context of one job: its logger; errors are logged, strict-mode rejections exit with 1."""
    tune_gc_for_batch_job()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format=FORMAT, handlers=handlers, force=True)
    logger = logging.getLogger(name)
    try:
        yield logger
    except InputRejected as exc:
        logger.error("%s", exc)
        logger.error("strict mode is on (config 'strict: true'): fix or remove the file, or run with strict: false "
                     "to list it in the 'rejected' table and continue")
        raise SystemExit(1) from None
    except Exception:
        logger.exception("failed")
        raise
