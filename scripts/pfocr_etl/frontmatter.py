"""Front matter of PFOCR figure pages: split, and parse fast without changing the result.

PFOCR pages (``_figures/<figid>.md``) are YAML front matter between two ``---`` lines,
written by PyYAML's emitter (``safe_dump(sort_keys=False, allow_unicode=True)``). Parsing
that YAML is the parse stage's bottleneck: even libyaml (``yaml.CSafeLoader``) spends most
of its time building Python objects token by token.

:func:`fast_load` is a specialised parser for the restricted YAML subset those pages use:

* block mappings with plain keys (``figid:``) or single-quoted keys (``'@context':``),
  nested block mappings (``schema-jsonld:``), block sequences (indented or "indentless"
  ``- x``) and sequences of mappings (``genes:`` with ``- word: ...`` items);
* plain scalars, including multi-line (folded) ones with continuation lines;
* single-quoted scalars (``''`` escapes, line folding) and double-quoted scalars without
  backslash escapes, both possibly multi-line;
* the empty flow collections ``[]`` and ``{}``;
* YAML 1.1 implicit typing exactly as PyYAML's resolver does it: booleans, nulls, decimal
  ints, plain floats and ``.inf``/``.nan``. Implicit resolution is delegated to PyYAML's own
  resolver table (the same compiled regular expressions), so the *decision* str/int/float/...
  is PyYAML's; only the simple constructions are done here.

Anything else makes :func:`fast_load` return ``None`` (never a different answer): comments,
anchors/aliases, tags, merge keys, directives, block scalars (``|``, ``>``), non-empty flow
collections, escapes in double-quoted scalars, tabs, CR, other YAML line breaks, BOMs or
non-printable characters, blank lines, trailing spaces, timestamps, octal/hex/binary/
sexagesimal/underscored numbers, keys that resolve to non-strings, a root that is not a
mapping, and any indentation it does not fully understand. :func:`load_front_matter` then
uses ``yaml.load(text, Loader=yaml.CSafeLoader)``, whose exceptions propagate so that the
caller can reject the file. The identity ``fast_load(t) in (None, yaml.load(t, CSafeLoader))``
(types included) is what ``tests/test_frontmatter.py`` checks differentially.

:data:`STATS` counts fast-path hits and fallbacks (with reasons) for benchmarks/metrics.
"""

from __future__ import annotations

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
_BOOL_PATTERN = (
    "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"
)
_NULL_PATTERN = "^(?:~|null|Null|NULL|)$"
_WORD_FIRST = frozenset("yYnNtTfFoO")

# Plain scalars that resolve to bool/None, with their constructed values
# (SafeConstructor.construct_yaml_bool lower-cases; construct_yaml_null returns None).
_WORDS: dict[str, object] = {"~": None, "null": None, "Null": None, "NULL": None}
for _w, _v in (("yes", True), ("no", False), ("true", True), ("false", False), ("on", True),
               ("off", False)):
    for _form in (_w, _w.capitalize(), _w.upper()):
        _WORDS[_form] = _v
del _w, _v, _form

_IMPLICIT = _SAFE_LOADER.yaml_implicit_resolvers


def _resolver_table_is_standard() -> bool:
    """The letter shortcut (``_WORDS``) is exact only for PyYAML's stock resolver table."""

    def squash(pattern: str) -> str:
        return re.sub(r"\s+", "", pattern)

    letters = {ch for ch in _IMPLICIT if ch.isalpha()}
    if letters != set(_WORD_FIRST):
        return False
    for ch in letters:
        for tag, regexp in _IMPLICIT[ch]:
            expected = {_TAG + "bool": _BOOL_PATTERN, _TAG + "null": _NULL_PATTERN}.get(tag)
            if expected is None or squash(regexp.pattern) != expected:
                return False
    return all(
        any(tag == _TAG + ("null" if v is None else "bool") and r.match(w)
            for tag, r in _IMPLICIT[w[0]])
        for w, v in _WORDS.items()
    )


_ENABLED = _resolver_table_is_standard()

# First characters that need more than the bool/null word lookup: indicators (quotes,
# flow collections, '-', '?', ':' ...) and every non-letter the resolver table knows
# (digits, signs, '.', '~', '<', '=' ...).
_SPECIAL_FIRST = frozenset("'\"-?:,[]{}#&*!|>%@`") | frozenset(
    ch for ch in _IMPLICIT if not ch.isalpha()
)
_INT_TAG = _TAG + "int"
_FLOAT_TAG = _TAG + "float"
_NULL_TAG = _TAG + "null"
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})\Z")
_SIMPLE_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+][0-9]+)?\Z")
_INF = float("inf")
_NAN = float("nan")


def _resolve_special_plain(value: str) -> object:
    """Resolve a plain scalar whose first character has implicit resolvers (not a letter)."""
    for tag, regexp in _IMPLICIT.get(value[0], ()):
        if regexp.match(value):
            if tag == _INT_TAG:
                if _SIMPLE_INT.match(value):
                    return int(value)
                raise _Unsupported("int form")
            if tag == _FLOAT_TAG:
                if _SIMPLE_FLOAT.match(value):
                    return float(value)
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
            raise _Unsupported(tag.rsplit(":", 1)[-1])
    return value


_FOLD_RE = re.compile(r"\n *")


def _plain(value: str, folded: bool) -> object:
    """A plain scalar (already known to start with a plain-safe character)."""
    if ":" in value and (": " in value or ":\n" in value or value[-1] == ":"):
        raise _Unsupported("': ' in plain scalar")
    if "#" in value and (" #" in value or "\n#" in value):
        raise _Unsupported("comment")
    if folded:
        value = _FOLD_RE.sub(" ", value)
    if len(value) <= 5:
        word = _WORDS.get(value, _Unsupported)
        if word is not _Unsupported:
            return word
    if value[0] in _SPECIAL_FIRST:
        return _resolve_special_plain(value)
    return value


def _scalar(val: str, cont: str) -> object:
    """Any scalar value of the subset (``val`` is the first line, ``cont`` the rest)."""
    c = val[0]
    if c == "'":
        text = val + cont if cont else val
        if len(text) < 2 or text[-1] != "'":
            raise _Unsupported("single-quoted scalar not closed at end of line")
        inner = text[1:-1]
        if "'" in inner:
            if "'" in inner.replace("''", ""):
                raise _Unsupported("quote inside single-quoted scalar")
            inner = inner.replace("''", "'")
        return _FOLD_RE.sub(" ", inner) if cont else inner
    if c == '"':
        text = val + cont if cont else val
        if len(text) < 2 or text[-1] != '"':
            raise _Unsupported("double-quoted scalar not closed at end of line")
        inner = text[1:-1]
        if '"' in inner or "\\" in inner:
            raise _Unsupported("escape in double-quoted scalar")
        return _FOLD_RE.sub(" ", inner) if cont else inner
    if c in "-?:":
        if len(val) < 2 or val[1] == " ":
            raise _Unsupported("indicator")
        return _plain(val + cont if cont else val, bool(cont))
    if c == "[" or c == "{":
        if cont or val not in ("[]", "{}"):
            raise _Unsupported("flow collection")
        return [] if c == "[" else {}
    if c in ",#&*!|>%@`":
        raise _Unsupported(f"indicator {c!r}")
    return _plain(val + cont if cont else val, bool(cont))


# --------------------------------------------------------------------------------------
# The line scanner
# --------------------------------------------------------------------------------------

# Characters YAML (and libyaml's reader) accepts in content, minus everything the fast
# path refuses: TAB, CR, NEL/LS/PS line breaks, BOM, C0/C1 controls, DEL, surrogates.
_NOT_OK = r"\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff\ufffe\uffff"
_CH = f"[^{_NOT_OK}]"  # any acceptable character on a line
_NS = f"[^ {_NOT_OK}]"  # ... that is not a space
_NSH = f"[^ #{_NOT_OK}]"  # ... that is not a space nor '#'
_QKEY = f"[^'{_NOT_OK}]"

# One "item": an optional "- ", an optional simple key, an optional value, and when there
# is a value, its continuation lines: lines indented deeper than the enclosing block
# collection (the item's own indentation, or +2 for "- key: value" whose mapping starts
# 2 columns right of the dash). Every line of well-formed input is consumed by some item;
# a line that is not (bad character, trailing space, tab...) matches the `bad` branch.
_ITEM_RE = re.compile(
    rf"""
    (?P<ind>[ ]*)
    (?P<dash>-[ ](?={_NS}))?
    (?:(?P<key>[A-Za-z_][A-Za-z0-9_-]*|'{_QKEY}*'):(?:[ ]+(?={_NS})|(?=\n)|\Z))?
    (?P<val>{_NS}(?:{_CH}*{_NS})?)?
    (?(val)(?P<cont>(?:\n(?P=ind)(?(dash)(?(key)[ ][ ]))[ ]+{_NSH}(?:{_CH}*{_NS})?)*))
    (?:\n|\Z)
    |(?P<bad>[\s\S])
    """,
    re.VERBOSE,
)
_findall = _ITEM_RE.findall


def _fast_load(text: str) -> dict:
    if not _ENABLED:
        raise _Unsupported("non-standard resolver table")
    items = _findall(text)
    # The scan always ends with one empty match at the end of the text.
    if items.pop() != ("", "", "", "", "", ""):
        raise _Unsupported("scanner")
    if not items:
        raise _Unsupported("empty document")

    root: dict = {}
    cur: dict | list = root  # innermost open collection
    cur_ind = 0  # its indentation (a "- key:" mapping sits 2 columns right of its dash)
    cur_list = False
    stack: list = []  # enclosing (collection, indentation, is_list)
    pending = None  # key of `cur` whose value is given by the following lines
    words = _WORDS
    special = _SPECIAL_FIRST
    scalar = _scalar
    plain = _plain

    for ind, dash, key, val, cont, bad in items:
        if bad:
            raise _Unsupported("unsupported line")
        n = len(ind)
        if pending is not None:
            # "key:" with nothing after it: a nested block collection, else null.
            if dash:
                if n >= cur_ind:
                    new: list | dict = []
                    cur[pending] = new
                    stack.append((cur, cur_ind, cur_list))
                    cur, cur_ind, cur_list = new, n, True
            elif n > cur_ind:
                new = {}
                cur[pending] = new
                stack.append((cur, cur_ind, cur_list))
                cur, cur_ind, cur_list = new, n, False
            pending = None
        if n != cur_ind or (cur_list and not dash):
            while n < cur_ind or (cur_list and not dash and n == cur_ind):
                if not stack:
                    raise _Unsupported("indentation")
                cur, cur_ind, cur_list = stack.pop()
            if n != cur_ind:
                raise _Unsupported("indentation")
        if dash:
            if not cur_list:
                raise _Unsupported("sequence entry inside a mapping")
            if not key:
                if val[0] in special:
                    cur.append(scalar(val, cont))
                else:
                    cur.append(plain(val + cont, True) if cont else
                               plain(val, False) if (":" in val or "#" in val or len(val) <= 5)
                               else val)
                continue
            new = {}
            cur.append(new)
            stack.append((cur, cur_ind, cur_list))
            cur, cur_ind, cur_list = new, n + 2, False
        elif not key:
            raise _Unsupported("scalar line inside a mapping")
        if key[0] == "'":
            key = key[1:-1]
        elif key in words:
            raise _Unsupported("non-string key")
        if not val:
            cur[key] = None
            pending = key
        elif val[0] in special:
            cur[key] = scalar(val, cont)
        elif cont:
            cur[key] = plain(val + cont, True)
        elif ":" in val or "#" in val or len(val) <= 5:
            cur[key] = plain(val, False)
        else:
            cur[key] = val
    return root


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
