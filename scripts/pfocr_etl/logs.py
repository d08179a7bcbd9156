"""Logging set-up for the Snakemake entry scripts.

Messages go to the rule's ``log:`` file and to stderr, so a failing job's
reason is visible both in Snakemake's output and in the log it points to.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from pfocr_etl.errors import InputRejected

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def logged(log_path: str | None, name: str = "pfocr_etl") -> Iterator[logging.Logger]:
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
