"""Rejections: how the pipeline reports inputs it could not use.

Every problem with an input becomes a :class:`Rejection` (a ``rejected`` table
row). Non-strict runs collect them and carry on; strict runs raise
:class:`InputRejected` at the first one, naming the file and the reason.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# What the pipeline did about the problem.
FILE_SKIPPED = "file_skipped"  # nothing from the file was used
RECORD_SKIPPED = "record_skipped"  # a figure record was not used (e.g. duplicate figid)
FIELD_NULLED = "field_nulled"  # the record was kept, one bad field became null
ROWS_SKIPPED = "rows_skipped"  # the file was used, some rows in it were not


@dataclass(frozen=True)
class Rejection:
    source_path: str
    reason: str
    detail: str
    action: str = FILE_SKIPPED

    def as_row(self) -> dict:
        return asdict(self)

    def message(self) -> str:
        return f"{self.source_path}: {self.reason}: {self.detail}"


class InputRejected(Exception):
    """Raised in strict mode at the first unusable input."""

    def __init__(self, rejection: Rejection):
        super().__init__(f"strict mode: rejected input {rejection.message()}")
        self.rejection = rejection


class RejectionLog:
    """Collects rejections; in strict mode the first one raises."""

    def __init__(self, strict: bool = False):
        self.strict = strict
        self.rejections: list[Rejection] = []

    def add(self, source_path: str, reason: str, detail: str, action: str = FILE_SKIPPED) -> None:
        rejection = Rejection(source_path, reason, detail, action)
        if self.strict:
            raise InputRejected(rejection)
        self.rejections.append(rejection)

    def rows(self) -> list[dict]:
        return [r.as_row() for r in self.rejections]
