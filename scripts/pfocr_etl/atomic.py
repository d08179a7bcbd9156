"""Atomic file writing without heavy imports: a reader never sees a partial file.

Kept apart from :mod:`pfocr_etl.parquet_io` so that jobs writing only text (the report,
the manifest's signatures) do not import numpy and pyarrow (~0.1 s of a short job).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def replacing(path: str | os.PathLike) -> Iterator[str]:
    """A temporary file beside ``path`` to write; it replaces ``path`` only if the block succeeds.

    Readers (and published releases) never see a partial file, and a killed writer leaves
    only a hidden ``.<name>.*.tmp`` (pruned by the manifest job).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    os.chmod(tmp_name, 0o666 & ~_UMASK)  # mkstemp makes 0600; published files must be readable
    try:
        yield tmp_name
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Atomically write UTF-8 text with LF line ends (GMT files, JSON, the HTML report)."""
    with replacing(path) as tmp_name, open(tmp_name, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)
