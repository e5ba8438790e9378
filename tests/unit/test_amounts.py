"""Typed amounts become whole pence exactly, whatever the habit or locale, and nothing typed becomes a negative, zero
or absurd amount."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kiosk.amounts import MIN_PENCE, format_money, parse_amount, url_amount

MAX = 100_000  # £1,000, the bundled pack's maximum


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("£12.50", 1250),
        (" £ 12.50 ", 1250),
        ("12.", 1200),
        ("12,50", 1250),  # decimal comma
        ("12,5", 1250),
        ("1,000", 100_000),  # thousands comma
        ("1 000", 100_000),  # thousands space
        ("999.99", 99_999),
        ("1,00", 100),
        ("150p", 150),
        ("4.35", 435),  # 4.35 * 100 == 434.99999999999994 in floating point
        ("1.15", 115),
        ("０１２.５０", 1250),  # full-width digits
        ("١٢", 1200),  # Arabic-Indic digits
        ("\u00a312\u00a0", 1200),  # no-break space
        ("0012", 1200),
    ],
)
def test_accepted_forms(typed: str, pence: int) -> None:
    assert parse_amount(typed, max_pence=MAX) == (pence, "")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "choose an amount"),
        ("   ", "choose an amount"),
        ("0", "more than zero"),
        ("0.00", "more than zero"),
        ("£0", "more than zero"),
        ("0.99", "smallest pledge we can take is £1"),
        ("50p", "smallest pledge we can take is £1"),
        ("-5", "cannot be negative"),
        ("£-5", "cannot be negative"),
        ("−5", "cannot be negative"),  # Unicode minus
        ("(5)", "cannot be negative"),
        ("1e9", "in figures"),
        ("abc", "in figures"),
        ("ten", "in figures"),
        ("inf", "in figures"),
        ("NaN", "in figures"),
        ("£5.999", "two figures"),
        ("5.999", "two figures"),
        ("1.000", "two figures"),  # European thousands point: refused, never read as £1,000
        ("1.000,50", "does not look like an amount"),
        ("1,000,50", "does not look like an amount"),
        ("12 50", "does not look like an amount"),
        ("1..2", "does not look like an amount"),
        ("1/2", "does not look like an amount"),
        ("½", "does not look like an amount"),
        (".", "does not look like an amount"),
        ("$5", "in pounds (£)"),
        ("5€", "in pounds (£)"),
        ("1000.01", "most we can take here is £1,000"),
        ("1,000,000", "most we can take here is £1,000"),
        ("1000000000", "most we can take here is £1,000"),
        ("9" * 5000, "not an amount we recognise"),
        ("9" * 30, "most we can take here is £1,000"),
    ],
)
def test_refused_with_a_message_that_says_what_to_do(typed: str, message: str) -> None:
    pence, problem = parse_amount(typed, max_pence=MAX)
    assert pence == 0
    assert message in problem


def test_limits_come_from_the_caller() -> None:
    assert parse_amount("5", max_pence=10_000, min_pence=500) == (500, "")
    assert parse_amount("4.99", max_pence=10_000, min_pence=500)[1] == "The smallest pledge we can take is £5."
    assert "£100" in parse_amount("100.01", max_pence=10_000)[1]


def test_formatting() -> None:
    assert [format_money(p) for p in (100, 1250, 100_000, 5)] == ["£1", "£12.50", "£1,000", "£0.05"]
    assert format_money(1250, "EUR") == "€12.50"
    assert format_money(1250, "CHF") == "12.50 CHF"
    assert [url_amount(p) for p in (500, 1250, 100_000, 101)] == ["5", "12.50", "1000", "1.01"]


amounts = st.integers(min_value=MIN_PENCE, max_value=MAX)


def _spellings(pence: int) -> list[str]:
    pounds, rest = divmod(pence, 100)
    grouped = f"{pounds:,}"
    forms = [
        f"{pounds}.{rest:02d}",
        f"£{pounds}.{rest:02d}",
        f"{pounds},{rest:02d}",
        f"{grouped}.{rest:02d}",
        f"{grouped.replace(',', ' ')},{rest:02d}",
        f"{pence}p",
    ]
    if rest == 0:
        forms += [str(pounds), f"£{grouped}", f"{pounds}."]
    if rest % 10 == 0:
        forms += [f"{pounds}.{rest // 10}"]
    return forms


@given(amounts)
def test_every_spelling_of_an_amount_in_range_gives_exactly_that_many_pence(pence: int) -> None:
    for typed in _spellings(pence):
        assert parse_amount(typed, max_pence=MAX) == (pence, ""), typed


@given(st.text(max_size=60))
@example("1e9")
@example("-0")
@example("0,00")
@example("1,000.5")
def test_nothing_typed_raises_or_gives_an_amount_out_of_range(typed: str) -> None:
    pence, problem = parse_amount(typed, max_pence=MAX)
    assert isinstance(pence, int)
    if problem:
        assert pence == 0
    else:
        assert MIN_PENCE <= pence <= MAX


@given(st.from_regex(r"\A[£ ]?-?[0-9., ]{0,14}p?\Z"))
def test_number_like_text_is_either_in_range_or_refused(typed: str) -> None:
    pence, problem = parse_amount(typed, max_pence=MAX)
    assert (pence == 0 and problem) or (MIN_PENCE <= pence <= MAX and not problem)
    if "-" in typed:
        assert pence == 0
