"""Null sentinels shared by every parser.

PFOCR records spell "missing" in several ways (R's ``NA`` and ``.na.character``,
NCBI's ``-``, pandas' ``NaN``). They mean null in identifier, name and organism
fields, but never in the OCR ``word`` column, where ``NA`` is a real token
(sodium), so callers choose per field whether to apply :func:`null_if_sentinel`.
"""

from __future__ import annotations

import math

NULL_SENTINELS = frozenset({"", "-", "NA", "NaN", "nan", ".na.character", "None", "null"})


def is_null(value: object) -> bool:
    """True for None, float NaN and sentinel strings (after trimming)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip() in NULL_SENTINELS
    return False


def null_if_sentinel(value: object) -> str | None:
    """Return the trimmed string, or None when it is a null sentinel (as :func:`is_null`)."""
    if isinstance(value, str):  # first: called for every list item of every record, strip once
        text = value.strip()
        return None if text in NULL_SENTINELS else text
    if is_null(value):
        return None
    return str(value).strip()


def text_or_none(value: object) -> str | None:
    """Like :func:`null_if_sentinel` but for free text: only None/empty are null.

    Titles and captions may legitimately be ``NA`` (an abbreviation); only an
    empty value or R's ``.na.character`` marker means missing.
    """
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value).strip()
    if text in ("", ".na.character"):
        return None
    return text


def int_or_none(value: object) -> int | None:
    """Parse an integer identifier (``'4790'``, ``4790``, ``4790.0``); sentinels -> None.

    Raises ValueError for non-null values that are not integers, so callers can
    report the bad value instead of silently dropping it.
    """
    if is_null(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"not an integer: {value!r}")
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)  # raises ValueError for non-numeric text
        if number.is_integer():
            return int(number)
        raise ValueError(f"not an integer: {value!r}") from None
