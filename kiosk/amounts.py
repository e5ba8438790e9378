"""Amounts of money as people type them, parsed to whole pence without ever touching a float.

A float cannot hold most amounts in pence exactly (4.35 * 100 is 434.999…), so the typed text is split into pounds
and pence as digit strings and combined as integers. What people type differs by habit and locale; the rules are:

- ``12``, ``12.5``, ``12.50``, ``£12.50``, ``12.`` are pounds with an optional point and up to two figures of pence.
- ``12,50`` and ``12,5`` (a decimal comma, as in most of Europe) mean £12.50.
- ``1,000``, ``1,000.50``, ``1 000`` and ``1 000,50`` use a comma or space to group thousands in threes.
- ``50p`` is fifty pence.
- Anything else (``5.999``, ``1.000,50``, ``1e9``, ``abc``, a minus sign, another currency) is refused with a
  message that says what to type instead. Nothing typed can give a negative, zero or absurd amount.

Each parser returns ``(pence, message)`` like :mod:`kiosk.validation`: exactly one of them is set.
"""

from __future__ import annotations

import re
import unicodedata

PENCE_PER_POUND = 100
MIN_PENCE = 100  # £1: below this a pledge costs more to process than it raises
_INPUT_MAX = 40  # longer text is not an amount; cut it before doing any work on it
_POUNDS_DIGITS_MAX = 9  # far above any pack's maximum, far below anything that costs time to convert

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
_MINUS = set("-−–—‐‑﹣－")

# Pounds, optionally grouped in threes by one kind of separator (comma or space), then optionally a decimal mark
# and pence. "1,000" matches the grouped branch first, so a comma with three figures after it is a thousands
# separator; "12,50" does not, so its comma is a decimal mark.
_NUMBER = re.compile(
    r"(?P<pounds>\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*|\d*)"
    r"(?:(?P<mark>[.,])(?P<pence>\d*))?"
)
_PENCE_ONLY = re.compile(r"(?P<pence>\d+) ?p")

Parsed = tuple[int, str]  # (pence, message to show); exactly one of them is non-zero / non-empty

FORMAT_HINT = "like 12.50"


def currency_symbol(currency: str) -> str:
    return _SYMBOLS.get(currency.upper(), "")


def format_money(pence: int, currency: str = "GBP") -> str:
    """For people: ``£5``, ``£12.50``, ``£1,000`` (pence shown only when there are some)."""
    pounds, rest = divmod(abs(pence), PENCE_PER_POUND)
    number = f"{pounds:,}" if rest == 0 else f"{pounds:,}.{rest:02d}"
    symbol = currency_symbol(currency)
    sign = "-" if pence < 0 else ""
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"


def url_amount(pence: int) -> str:
    """For a donation page's query string: pounds with a point, no grouping: ``5``, ``12.50``, ``1000``."""
    pounds, rest = divmod(pence, PENCE_PER_POUND)
    return str(pounds) if rest == 0 else f"{pounds}.{rest:02d}"


def _ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic, Devanagari, full-width …) as ASCII; everything else unchanged."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def parse_amount(text: str, *, max_pence: int, min_pence: int = MIN_PENCE, currency: str = "GBP") -> Parsed:
    """Parse a typed amount into pence between ``min_pence`` and ``max_pence``, or say what is wrong."""
    symbol = currency_symbol(currency)
    # NFKC folds full-width and compatibility forms (＄, ￡, no-break spaces) into their plain versions.
    value = unicodedata.normalize("NFKC", text[: _INPUT_MAX * 2]).strip()
    if not value:
        return 0, "Please choose an amount or type your own."
    if len(value) > _INPUT_MAX:
        return 0, f"That is not an amount we recognise. Please type it {FORMAT_HINT}."
    if any(ch in _MINUS for ch in value) or value.startswith("("):
        return 0, "The amount cannot be negative."
    if symbol and value.startswith(symbol):
        value = value[len(symbol) :].lstrip()
    if any(unicodedata.category(ch) == "Sc" for ch in value):
        where = f"in pounds ({symbol})" if symbol else f"in {currency.upper()}"
        return 0, f"Please give the amount {where}."
    value = " ".join(_ascii_digits(value).split())

    pence_only = _PENCE_ONLY.fullmatch(value)
    if pence_only:
        digits = pence_only["pence"].lstrip("0")
        if len(digits) > _POUNDS_DIGITS_MAX + 2:
            return 0, _too_much(max_pence, currency)
        return _in_range(int(digits or "0"), min_pence, max_pence, currency)
    if any(ch.isalpha() for ch in value):
        return 0, f"Please type the amount in figures, {FORMAT_HINT}."

    match = _NUMBER.fullmatch(value)
    if match is None or not (match["pounds"] or match["pence"]) or (match["sep"] and match["sep"] == match["mark"]):
        return 0, f"That does not look like an amount. Please type it {FORMAT_HINT}."
    pence_digits = match["pence"] or ""
    if len(pence_digits) > 2:
        return 0, f"Pence can only have two figures. Please type the amount {FORMAT_HINT}."
    pounds_digits = re.sub(r"[, ]", "", match["pounds"]).lstrip("0")
    if len(pounds_digits) > _POUNDS_DIGITS_MAX:
        return 0, _too_much(max_pence, currency)
    pence = int(pounds_digits or "0") * PENCE_PER_POUND + int(pence_digits.ljust(2, "0"))
    return _in_range(pence, min_pence, max_pence, currency)


def _in_range(pence: int, min_pence: int, max_pence: int, currency: str) -> Parsed:
    if pence < min_pence:
        if pence == 0:
            return 0, f"The amount must be more than zero: at least {format_money(min_pence, currency)}."
        return 0, f"The smallest pledge we can take is {format_money(min_pence, currency)}."
    if pence > max_pence:
        return 0, _too_much(max_pence, currency)
    return pence, ""


def _too_much(max_pence: int, currency: str) -> str:
    return (
        f"The most we can take here is {format_money(max_pence, currency)}. "
        "For a bigger gift, please talk to a volunteer - thank you!"
    )
