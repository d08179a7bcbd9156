"""Front matter of PFOCR figure pages: split it off, and parse it fast without changing it.

PFOCR pages (``_figures/<figid>.md``) are YAML front matter between two ``---`` lines,
written by PyYAML's emitter (``safe_dump(sort_keys=False, allow_unicode=True)``). Parsing
that YAML is the parse stage's bottleneck: even with libyaml (``yaml.CSafeLoader``) most of
the time goes into building Python objects event by event.

Public API
----------
:func:`split_front_matter` -> ``(yaml_text, body)``; :func:`fast_load` -> ``dict`` or
``None`` ("not handled, use the safe loader"); :func:`load_front_matter` -> fast path,
else ``yaml.load(text, Loader=yaml.CSafeLoader)`` (whose exceptions propagate so that the
caller can reject the file); :data:`STATS` counts fast-path hits and fallbacks (with
reasons).

The fast path
-------------
:func:`fast_load` handles the restricted YAML subset the pages use, block by block: one
regular expression per indentation level splits a block mapping into entries (key, value
with its continuation lines, or nested block), nested blocks recurse, and block
sequences are cut with ``str.split``. It understands

* block mappings with plain keys (``figid:``) or single-quoted keys (``'@context':``),
  nested block mappings (``schema-jsonld:``), block sequences (indented or indentless
  ``- x``) and sequences of mappings (``genes:`` with ``- word: ...`` entries);
* plain scalars, single-quoted scalars (``''`` escapes) and double-quoted scalars without
  backslash escapes, all possibly folded over continuation lines indented the way
  PyYAML's emitter indents them; the empty flow collections ``[]`` and ``{}``;
* YAML 1.1 implicit typing exactly as PyYAML's resolver does it. The resolver table of
  ``CSafeLoader`` is used as is; shortcuts (bool/null words, plain decimal ints and floats
  built with ``int()``/``float()``, "a digit-led scalar with a character no numeric
  resolver accepts is a string") are only enabled when the table is PyYAML 6's stock one.

Anything else makes :func:`fast_load` return ``None``, never a different answer:
comments, anchors/aliases, tags, merge keys, directives, block scalars (``|``, ``>``),
non-empty flow collections, escapes in double-quoted scalars, tabs, CR, other YAML line
breaks, BOMs, control and other non-printable characters, blank lines, trailing spaces,
timestamps, octal/hex/binary/sexagesimal/underscored numbers, keys that resolve to
non-strings, a root that is not a mapping, and any indentation it does not fully
understand. ``fast_load(t)`` is either ``None`` or equal, types included, to
``yaml.load(t, Loader=yaml.CSafeLoader)``; ``tests/test_frontmatter.py`` checks that
differentially (sample and seed pages, a synthetic corpus, adversarial and randomised
documents).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import yaml

__all__ = [
    "FrontMatterError",
    "MissingFrontMatter",
    "UnclosedFrontMatter",
    "FastPathStats",
    "STATS",
    "split_front_matter",
    "fast_load",
    "load_front_matter",
]

_SAFE_LOADER = yaml.CSafeLoader


# --------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------


class FrontMatterError(ValueError):
    """The file has no usable front matter block."""


class MissingFrontMatter(FrontMatterError):
    """The first line of the file is not ``---``."""


class UnclosedFrontMatter(FrontMatterError):
    """The opening ``---`` has no closing ``---`` line."""


def _is_delimiter(line: str) -> bool:
    return line == "---" or (line.startswith("---") and not line[3:].strip(" \t"))


def split_front_matter(text: str) -> tuple[str, str]:
    """Split a page into ``(front matter YAML, body)``.

    The page must start with a ``---`` line (after an optional UTF-8 BOM; trailing blanks on
    the delimiter lines are tolerated); the front matter runs up to the next line that is
    ``---``. CRLF line endings are normalised to LF first. The YAML text keeps the newline
    that ends its last line; the body is everything after the closing delimiter line.

    Raises :class:`MissingFrontMatter` or :class:`UnclosedFrontMatter` (both ``ValueError``).
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if not text.startswith("---"):
        raise MissingFrontMatter("no front matter: the first line is not '---'")
    first_end = text.find("\n")
    if first_end < 0:
        if _is_delimiter(text):
            raise UnclosedFrontMatter("unclosed front matter: no closing '---' line")
        raise MissingFrontMatter("no front matter: the first line is not '---'")
    if not _is_delimiter(text[:first_end]):
        raise MissingFrontMatter(
            f"no front matter: the first line is {text[:first_end][:40]!r}, not '---'"
        )
    pos = first_end  # index of a '\n' that may precede the closing delimiter
    while True:
        idx = text.find("\n---", pos)
        if idx < 0:
            raise UnclosedFrontMatter("unclosed front matter: no closing '---' line")
        line_end = text.find("\n", idx + 1)
        line = text[idx + 1 :] if line_end < 0 else text[idx + 1 : line_end]
        if _is_delimiter(line):
            yaml_text = text[first_end + 1 : idx + 1]
            body = "" if line_end < 0 else text[line_end + 1 :]
            return yaml_text, body
        pos = idx + 1


# --------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------


@dataclass
class FastPathStats:
    """How often :func:`load_front_matter` could use the fast path."""

    fast: int = 0
    fallback: int = 0
    reasons: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.fast + self.fallback

    @property
    def hit_rate(self) -> float:
        return self.fast / self.total if self.total else 0.0

    def reset(self) -> None:
        self.fast = 0
        self.fallback = 0
        self.reasons.clear()


STATS = FastPathStats()


class _Unsupported(Exception):
    """Internal: the fast path does not handle this input (the argument says why)."""


# --------------------------------------------------------------------------------------
# Scalar resolution (PyYAML's YAML 1.1 implicit resolvers)
# --------------------------------------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_IMPLICIT = _SAFE_LOADER.yaml_implicit_resolvers

# Shortcuts below (the bool/null word table, "a digit-led scalar containing '/' is a
# string", direct int()/float() for plain decimal forms) are exact for the implicit
# resolver table PyYAML 6 ships. If the table differs (another PyYAML, or someone added
# resolvers to the safe loader), the fast path switches itself off: always fall back.
_STOCK_RESOLVERS_SHA256 = "3e5cf48e2ae52a8d07caffae6ed0a103117a4d624ef7a2ca32a079ef5c7a39af"


def _resolver_table_is_stock() -> bool:
    items = sorted(
        (ch, [(tag, re.sub(r"\s+", "", regexp.pattern)) for tag, regexp in resolvers])
        for ch, resolvers in _IMPLICIT.items()
    )
    return hashlib.sha256(repr(items).encode()).hexdigest() == _STOCK_RESOLVERS_SHA256


_ENABLED = _resolver_table_is_stock()

# Plain scalars that resolve to bool/None, with their constructed values
# (SafeConstructor.construct_yaml_bool lower-cases; construct_yaml_null returns None).
_WORDS: dict[str, object] = {"~": None, "null": None, "Null": None, "NULL": None}
for _w, _v in (
    ("yes", True),
    ("no", False),
    ("true", True),
    ("false", False),
    ("on", True),
    ("off", False),
):
    for _form in (_w, _w.capitalize(), _w.upper()):
        _WORDS[_form] = _v
del _w, _v, _form

# First characters that need more than the bool/null word lookup: indicators (quotes,
# flow collections, '-', '?', ':' ...) and every non-letter the resolver table knows
# (digits, signs, '.', '~', '<', '=' ...).
_SPECIAL_FIRST = frozenset("'\"-?:,[]{}#&*!|>%@`") | frozenset(
    ch for ch in _IMPLICIT if not ch.isalpha()
)
_FLOAT_TAG = _TAG + "float"
_NULL_TAG = _TAG + "null"
# Forms that PyYAML resolves to int/float and constructs exactly like int()/float() do.
# (Each is a subset of PyYAML's int/float regex, and float is tried before int.)
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})\Z")
_SIMPLE_FLOAT = re.compile(r"(?:[-+]?[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?\Z")
# Every character PyYAML's float/int/timestamp regexes can match: a scalar led by one of
# their first characters (and no other resolver's) that has anything else is a str.
_NUMERIC_FIRST = frozenset("0123456789+-.")
_MAYBE_NUMERIC = re.compile(r"[-+0-9_.:a-fA-FxXiInNtTZ \t]*+\Z")
_INF = float("inf")
_NAN = float("nan")


# One match classifies a scalar led by a digit, sign or '.': group "f" = a plain float
# (construct with float()), "i" = a plain decimal int (int()), "x" = only characters a
# numeric/timestamp resolver could match (ask PyYAML's table); no match = a string.
_NUMERIC = re.compile(
    rf"(?P<f>{_SIMPLE_FLOAT.pattern})|(?P<i>{_SIMPLE_INT.pattern})|(?P<x>{_MAYBE_NUMERIC.pattern})"
).match


def _resolve_special_plain(value: str) -> object:
    """Resolve a plain scalar whose first character has implicit resolvers (not a letter)."""
    if value[0] in _NUMERIC_FIRST:
        m = _NUMERIC(value)
        if m is None:
            return value
        kind = m.lastgroup
        if kind == "f":
            return float(value)
        if kind == "i":
            return int(value)
    for tag, regexp in _IMPLICIT.get(value[0], ()):
        if regexp.match(value):
            if tag == _FLOAT_TAG:
                low = value.lower()
                if low in (".inf", "+.inf"):
                    return _INF
                if low == "-.inf":
                    return -_INF
                if low == ".nan":
                    return _NAN
                raise _Unsupported("float form")
            if tag == _NULL_TAG:
                return None
            raise _Unsupported(tag.rsplit(":", 1)[-1] + " form")
    return value


_SEPS = ["\n" + " " * i for i in range(64)]


def _fold(text: str, indent: int) -> str:
    """YAML line folding of a multi-line scalar whose continuation lines all have exactly
    ``indent`` leading spaces (the scanner guarantees it) and no blank lines or trailing
    spaces: each line break plus indentation becomes one space."""
    return text.replace(_SEPS[indent] if indent < 64 else "\n" + " " * indent, " ")


def _plain(value: str, indent: int) -> object:
    """A plain scalar (known to start with a plain-safe character), possibly spanning
    several lines whose continuation lines are indented ``indent`` (see :func:`_fold`)."""
    if "\n" in value:
        value = _fold(value, indent)
    # After folding, a line that ended in ':' shows up as ': ' too.
    if ":" in value and (": " in value or value[-1] == ":"):
        raise _Unsupported("': ' in plain scalar")
    if "#" in value and " #" in value:
        raise _Unsupported("comment")
    if len(value) <= 5:
        word = _WORDS.get(value, _Unsupported)
        if word is not _Unsupported:
            return word
    if value[0] in _SPECIAL_FIRST:
        return _resolve_special_plain(value)
    return value


def _scalar(text: str, indent: int) -> object:
    r"""Any scalar value of the subset: its first line plus continuation lines (each
    "\n" + exactly ``indent`` spaces + text)."""
    c = text[0]
    if c in _NUMERIC_FIRST and (c != "-" or text[1:2] not in ("", " ")) and "\n" not in text:
        if (":" in text and (": " in text or text[-1] == ":")) or ("#" in text and " #" in text):
            raise _Unsupported("': ' or comment in plain scalar")
        return _resolve_special_plain(text)
    if c == "'":
        if len(text) < 2 or text[-1] != "'":
            raise _Unsupported("single-quoted scalar not closed at end of line")
        inner = text[1:-1]
        if "'" in inner:
            if "'" in inner.replace("''", ""):
                raise _Unsupported("quote inside single-quoted scalar")
            inner = inner.replace("''", "'")
        return _fold(inner, indent) if "\n" in inner else inner
    if c == '"':
        if len(text) < 2 or text[-1] != '"':
            raise _Unsupported("double-quoted scalar not closed at end of line")
        inner = text[1:-1]
        if '"' in inner or "\\" in inner:
            raise _Unsupported("escape in double-quoted scalar")
        return _fold(inner, indent) if "\n" in inner else inner
    if c in "-?:":
        if len(text) < 2 or text[1] == " ":
            raise _Unsupported("indicator")
    elif c == "[" or c == "{":
        if text not in ("[]", "{}"):
            raise _Unsupported("flow collection")
        return [] if c == "[" else {}
    elif c in ",]}#&*!|>%@`":
        raise _Unsupported(f"indicator {c!r}")
    return _plain(text, indent)


# --------------------------------------------------------------------------------------
# Characters
# --------------------------------------------------------------------------------------

# The scanner treats every character but "\n" alike; characters that YAML (libyaml's
# reader) rejects or treats specially are ruled out beforehand: TAB, CR, NEL/LS/PS line
# breaks, BOM, U+FFFE/U+FFFF, C0/C1 controls, DEL, lone surrogates.
_ASCII_BAD = bytes(range(0x00, 0x0A)) + bytes(range(0x0B, 0x20)) + b"\x7f"
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _has_bad_chars(text: str) -> bool:
    if text.isascii():
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_BAD)) != len(raw)
    if (
        "\u2028" in text
        or "\u2029" in text
        or "\ufeff" in text
        or "\ufffe" in text
        or "\uffff" in text
    ):
        return True
    try:
        raw = text.encode("utf-8")  # strict: lone surrogates raise
    except UnicodeEncodeError:
        return True
    # In UTF-8, bytes < 0x80 only ever encode ASCII characters.
    if len(raw.translate(None, _ASCII_BAD)) != len(raw):
        return True
    return b"\xc2" in raw and _C1_UTF8.search(raw) is not None  # U+0080..U+009F


# --------------------------------------------------------------------------------------
# Block structure
# --------------------------------------------------------------------------------------

# Keys: plain (letters, digits, '_', '-') or single-quoted without ''. libyaml rejects
# simple keys longer than 1024 characters; longer keys are left to it.
_KEY = r"(?:[A-Za-z_][A-Za-z0-9_-]{0,255}+|'[^'\n]{0,254}+')"
_ENTRY_CACHE: dict = {}


def _entries(indent: int):
    r"""``findall`` of the entries of a block mapping whose keys sit at column ``indent``.

    One match per entry: ``(key, val, block, bad)``; each entry starts with the "\n"
    that ends the previous line (the text to scan starts with "\n"; a final "\n" is
    ignored). ``key`` is plain or single-quoted (without ''). Either ``val`` is the rest
    of the key's line plus its continuation lines, indented exactly ``indent + 2`` (how
    PyYAML's emitter folds long scalars; other indentations make the fast path give
    up), or ``block`` holds the following lines that are deeper than
    ``indent`` or are ``- `` entries at ``indent`` (an indentless sequence). ``bad`` is
    one character where no entry starts, which makes the fast path give up (comments,
    blank lines, trailing spaces, document markers, misindentation, ...).
    """
    found = _ENTRY_CACHE.get(indent)
    if found is None:
        sp = "\\ " * indent  # literal spaces (VERBOSE ignores bare ones)
        found = _ENTRY_CACHE[indent] = re.compile(
            rf"""
            \n{sp}(?P<key>{_KEY}):
            (?:
                [ ]++(?P<val>[^ \n].*+(?<![ ])(?:\n{sp}\ \ [^ \n].*+(?<![ ]))*+)
              | (?P<block>(?:\n{sp}(?:[ ]|-[ ]).*+)*+)
            )
            (?=\n|\Z)
            | (?P<bad>(?!\n\Z)[\s\S])
            """,
            re.VERBOSE,
        ).findall
    return found


def _entry(key: str, val: str, block: str, continuation: int, block_indent: int) -> tuple[str, object]:
    """One ``key: value`` entry of a block mapping (plain or in a sequence item).

    ``continuation`` is the indent of the value's continuation lines, ``block_indent``
    the indent a nested block is parsed at.
    """
    if key[0] == "'":
        key = key[1:-1]
    elif key in _WORDS:
        raise _Unsupported("non-string key")
    if not val:
        return key, (_block(block, block_indent) if block else None)
    c = val[0]
    if c in _SPECIAL_FIRST:
        if c == "'" and val[-1] == "'" and val.count("'") == 2 and "\n" not in val:
            return key, val[1:-1]
        return key, _scalar(val, continuation)
    if "\n" in val:
        return key, _plain(val, continuation)
    if (":" in val and (": " in val or val[-1] == ":")) or ("#" in val and " #" in val):
        raise _Unsupported("': ' or comment in plain scalar")
    if len(val) <= 5 and val in _WORDS:
        return key, _WORDS[val]
    return key, val


def _mapping(text: str, indent: int) -> dict:
    r"""A block mapping; ``text`` is "\n" + its lines (see :func:`_entries`)."""
    result = {}
    sub = indent + 2
    for key, val, block, bad in _entries(indent)(text):
        if bad:
            raise _Unsupported("unsupported line")
        key, value = _entry(key, val, block, sub, indent)
        result[key] = value
    return result


# Small blocks repeat a lot across records (``creator:``, ``organisms: [NA]``...): their
# parsed value is memoised when it is a flat mapping or sequence of scalars, and handed
# out as a fresh shallow copy (so callers may mutate what they get).
_SMALL_BLOCK = 240
_SMALL_CACHE: dict = {}
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _block(block: str, indent: int) -> dict | list:
    r"""The value of a "key:" line at column ``indent``: the lines after it (``block``
    starts with "\n"), a nested mapping or a sequence (indentless or indented)."""
    if len(block) > _SMALL_BLOCK:
        return _parse_block(block, indent)
    key = (block, indent)
    value = _SMALL_CACHE.get(key)
    if value is not None:
        return value.copy()
    value = _parse_block(block, indent)
    items = value.values() if type(value) is dict else value
    if all(type(v) in _SCALAR_TYPES for v in items):
        if len(_SMALL_CACHE) >= 4096:
            _SMALL_CACHE.clear()
        _SMALL_CACHE[key] = value.copy()
    return value


def _parse_block(block: str, indent: int) -> dict | list:
    if block.startswith("- ", indent + 1):
        return _sequence(block, indent)
    inner = indent + 1  # block lines are deeper than `indent`: find the first one's column
    end = len(block) - 1
    while inner < end and block[inner + 1] == " ":
        inner += 1
    if inner >= end or block[inner + 1] == "\n":
        raise _Unsupported("blank line")
    if block.startswith("- ", inner + 1):
        return _sequence(block, inner)
    return _mapping(block, inner)


_KEY_LINE = re.compile(rf"{_KEY}:(?:[ ]|\n|\Z)").match
# Sequence entries whose first character or word needs a closer look (quotes,
# indicators, digits, signs, '.', '~', bool/null words, or a second space).
_WORDS_ALT = "|".join(sorted((w for w in _WORDS if w != "~"), key=len, reverse=True))
_SEQ_CARE_CACHE: dict = {}


def _seq_care(indent: int):
    """``search`` for a one-line entry "- x" at column ``indent`` whose x needs a closer
    look: a special first character (quote, indicator, digit, sign, '.', '~', a second
    space ...) or a bool/null word."""
    found = _SEQ_CARE_CACHE.get(indent)
    if found is None:
        found = _SEQ_CARE_CACHE[indent] = re.compile(
            "\n"
            + " " * indent
            + "- "  # a literal prefix: a fast scan
            + rf"""(?:[ '"\-?:,\[\]{{}}\#&*!|>%@`~<=.+0-9]|(?:{_WORDS_ALT})(?:\n|\Z))"""
        ).search
    return found


_SEQ_FIRST_OK = frozenset(" ") | _SPECIAL_FIRST  # first characters that need _seq_item
_MAPPING_ITEMS_CACHE: dict = {}
_CONT_CACHE: dict = {}


def _seq_item(item: str, indent: int) -> object:
    """A one-line sequence entry (the text after "- "), exactly."""
    if not item or item[0] == " " or item[-1] == " ":
        raise _Unsupported("sequence entry spacing")
    if item[0] in _SPECIAL_FIRST:
        return _scalar(item, indent)
    return _plain(item, indent)


def _mapping_items(indent: int):
    """``findall`` over a sequence (dashes at column ``indent``) of block mappings: one
    match per mapping entry, ``(dash, key, val, block, bad)``; ``dash`` marks the
    first entry of each mapping ("- key: ..."), the others are indented 2 columns more
    than the dash. Same value rules as :func:`_entries` at ``indent + 2``."""
    found = _MAPPING_ITEMS_CACHE.get(indent)
    if found is None:
        sp = "\\ " * indent
        found = _MAPPING_ITEMS_CACHE[indent] = re.compile(
            rf"""
            \n{sp}(?:(?P<dash>-)[ ]|[ ][ ])(?P<key>{_KEY}):
            (?:
                [ ]++(?P<val>[^ \n].*+(?<![ ])(?:\n{sp}\ \ \ \ [^ \n].*+(?<![ ]))*+)
              | (?P<block>(?:\n{sp}[ ][ ](?:[ ]|-[ ]).*+)*+)
            )
            (?=\n|\Z)
            | (?P<bad>(?!\n\Z)[\s\S])
            """,
            re.VERBOSE,
        ).findall
    return found


def _sequence(block: str, indent: int) -> list:
    r"""A block sequence whose "- " sit at column ``indent``; ``block`` starts with "\n"."""
    sep = (_SEPS[indent] if indent < 64 else "\n" + " " * indent) + "- "
    items = block.split(sep)
    if items[0]:
        raise _Unsupported("sequence indentation")
    del items[0]
    sub = indent + 2
    if block.count("\n") == len(items):
        # One line per entry: usually plain strings that need nothing.
        if (":" in block and (": " in block or ":\n" in block or block[-1] == ":")) or (
            ("#" in block and " #" in block) or " \n" in block or block[-1] == " "
        ):
            return [_seq_item(item, sub) for item in items]
        if _seq_care(indent)(block) is None:
            return items
        care = _SEQ_FIRST_OK
        words = _WORDS
        return [
            _seq_item(item, sub) if item[0] in care or (len(item) <= 5 and item in words) else item
            for item in items
        ]
    if all(map(_KEY_LINE, items)):
        return _mapping_list(block, indent)
    result = []
    for item in items:
        if "\n" not in item:
            result.append(_seq_item(item, sub))
        elif _KEY_LINE(item):
            # "- key: ..." starts a mapping 2 columns right of the dash.
            result.append(_mapping(_SEPS[sub] + item if sub < 64 else "\n" + " " * sub + item, sub))
        else:
            # A scalar entry with continuation lines indented exactly 2 more than "- ".
            check = _CONT_CACHE.get(sub)
            if check is None:
                check = _CONT_CACHE[sub] = re.compile(
                    rf"[^ \n].*+(?<![ ])(?:\n{' ' * sub}[^ \n].*+(?<![ ]))*+\Z"
                ).match
            if not check(item):
                raise _Unsupported("sequence entry continuation")
            result.append(_scalar(item, sub))
    return result


def _mapping_list(block: str, indent: int) -> list:
    """A sequence (dashes at column ``indent``) whose entries are all block mappings."""
    result = []
    cur = None
    sub = indent + 2
    for dash, key, val, nested, bad in _mapping_items(indent)(block):
        if bad:
            raise _Unsupported("unsupported line")
        if dash:
            cur = {}
            result.append(cur)
        elif cur is None:
            raise _Unsupported("sequence indentation")
        key, value = _entry(key, val, nested, sub + 2, sub)
        cur[key] = value
    return result


def _fast_load(text: str) -> dict:
    if not _ENABLED:
        raise _Unsupported("non-standard implicit resolvers")
    if _has_bad_chars(text):
        raise _Unsupported("character outside the fast path's set")
    result = _mapping("\n" + text, 0)
    if not result:
        raise _Unsupported("empty document")
    return result


def fast_load(yaml_text: str) -> dict | None:
    """Parse PFOCR front matter YAML quickly, or return None if the fast path can't.

    A non-None result is equal, types included, to
    ``yaml.load(yaml_text, Loader=yaml.CSafeLoader)``. None means "not handled here": the
    caller must use the safe loader (which may also raise for invalid YAML). The reason is
    counted in ``STATS.reasons``.
    """
    try:
        return _fast_load(yaml_text)
    except _Unsupported as exc:
        STATS.reasons[exc.args[0]] += 1
    except Exception as exc:  # a bug here must never change the result: fall back
        STATS.reasons[f"internal error: {type(exc).__name__}"] += 1
    return None


def load_front_matter(yaml_text: str) -> object:
    """Front matter YAML -> Python object: :func:`fast_load`, else ``yaml.CSafeLoader``.

    PyYAML's exceptions (``yaml.YAMLError``, and ``ValueError`` etc. from its constructors)
    propagate so the caller can reject the file. Updates :data:`STATS`.
    """
    data = fast_load(yaml_text)
    if data is not None:
        STATS.fast += 1
        return data
    STATS.fallback += 1
    return yaml.load(yaml_text, Loader=_SAFE_LOADER)


def same_document(a, b) -> bool:
    """Equal *and* of identical types all the way down (True is not 1, 1 is not 1.0; NaN equals
    NaN): the sense in which the fast path must give what PyYAML's safe loader gives."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_document(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_document(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b
