"""Validation and normalisation of what people type. Each function returns (value, message): the normalised value
when it is fine, else a friendly message to show next to the field. Nothing typed may raise."""

from __future__ import annotations

import re
import unicodedata

import email_validator
import phonenumbers
import pycountry

NAME_MAX = 100
EMAIL_MAX = 254
ADDRESS_MAX = 200
PHONE_MAX = 30
POSTCODE_MAX = 12

Result = tuple[str, str]  # (normalised value, error message); exactly one of them is non-empty

# Letters a name may hold besides letters and combining marks: apostrophes, hyphens, dots, spaces.
_NAME_PUNCT = set(" '’ʼ‘-‐‑.")
# Zero-width (non-)joiners are needed to spell names in Persian, Indic and other scripts.
_JOINERS = {"\u200c", "\u200d"}

# UK postcodes (Royal Mail rules): letters that may appear in each position, plus GIR 0AA.
_POSTCODE = re.compile(
    r"^(?:GIR0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def _clean(text: str, limit: int) -> str:
    """Trim, fold runs of whitespace to one space, and NFC-normalise; cut absurd input before work is done on it."""
    text = unicodedata.normalize("NFC", text[: limit * 4])
    return " ".join(text.split())


def normalise_name(text: str, *, required: bool = True, what: str = "name") -> Result:
    value = _clean(text, NAME_MAX)
    if not value:
        return ("", f"Please enter your {what}.") if required else ("", "")
    if len(value) > NAME_MAX:
        return "", f"That is longer than we can store ({NAME_MAX} characters)."
    letters = 0
    for ch in value:
        category = unicodedata.category(ch)
        if category[0] == "L":
            letters += 1
        elif category[0] == "M" or ch in _NAME_PUNCT or ch in _JOINERS:
            continue
        elif category in ("So", "Sk", "Cs", "Co") or ord(ch) >= 0x1F000:
            return "", "Please use letters only - no emoji or symbols."
        elif category[0] == "N":
            return "", "Names do not usually contain digits - please check."
        else:
            return (
                "",
                f"Please remove the character {ch!r}." if ch.isprintable() else "Please remove hidden characters.",
            )
    if letters == 0:
        return "", f"Please enter your {what} in letters."
    return value, ""


def normalise_email(text: str, *, required: bool = True) -> Result:
    value = text.strip()
    if not value:
        return ("", "Please enter your email address.") if required else ("", "")
    if len(value) > EMAIL_MAX:
        return "", "That email address is too long."
    try:
        # No DNS: the kiosk is offline. Syntax and normalisation only.
        info = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return "", "That does not look like an email address. Please check it (like name@example.org)."
    except (UnicodeError, ValueError):
        return "", "That does not look like an email address."
    return info.normalized, ""


class EmailMemo:
    """The last email address one attendee typed and what :func:`normalise_email` made of it.

    The details step checks the address when the attendee moves on, and the submit checks the whole form again
    while they wait for the thank-you: this spares the second parse (the dearest check, ~0.2 ms with cold caches)
    when the address has not changed since. It holds what the attendee typed, like their draft does: call
    :meth:`forget` whenever the draft is wiped.
    """

    def __init__(self) -> None:
        self._last: tuple[str, bool, Result] | None = None

    def normalise(self, text: str, *, required: bool = True) -> Result:
        last = self._last
        if last is not None and last[0] == text and last[1] == required:
            return last[2]
        result = normalise_email(text, required=required)
        self._last = (text, required, result)
        return result

    def forget(self) -> None:
        self._last = None


class FormMemo:
    """The last check of one attendee's typed fields and its answer, and their :class:`EmailMemo`.

    The details step checks what was typed when the attendee moves on; the submit checks the form again while they
    wait for the thank-you, and only the ticks of the consent step can have changed since. The caller keys each
    check by everything its answer depends on (what was typed, which fields are required): an equal key gives back
    the earlier answer, normalised values and messages by field, which the caller must not change. Validation is
    deterministic, so that answer is exactly what checking again would give (tests/reliability/test_bad_input.py).
    It holds what the attendee typed, like their draft does: call :meth:`forget` whenever the draft is wiped.
    """

    def __init__(self) -> None:
        self.emails = EmailMemo()
        self._last: tuple[tuple[object, ...], dict[str, str], dict[str, str]] | None = None

    def recall(self, key: tuple[object, ...]) -> tuple[dict[str, str], dict[str, str]] | None:
        """The (values, messages) kept for an equal key, else None."""
        last = self._last
        if last is not None and last[0] == key:
            return last[1], last[2]
        return None

    def keep(self, key: tuple[object, ...], values: dict[str, str], messages: dict[str, str]) -> None:
        self._last = (key, values, messages)

    def forget(self) -> None:
        self.emails.forget()
        self._last = None


def normalise_postcode(text: str, *, required: bool = True) -> Result:
    compact = re.sub(r"\s+", "", text[: POSTCODE_MAX * 4]).upper()
    if not compact:
        return ("", "Please enter your postcode.") if required else ("", "")
    if len(compact) > 8 or not _POSTCODE.match(compact):
        return "", "That is not a UK postcode (like SW1A 1AA). Outside the UK? Tick 'I live outside the UK'."
    return f"{compact[:-3]} {compact[-3:]}", ""


def normalise_phone(text: str, *, required: bool = False, region: str = "GB") -> Result:
    value = text.strip()
    if not value:
        return ("", "Please enter your mobile number.") if required else ("", "")
    if len(value) > PHONE_MAX:
        return "", "That phone number is too long."
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return "", "That does not look like a phone number. Please check it."
    if not phonenumbers.is_valid_number(number):
        return "", "That phone number is not valid. Please check it (include the country code if not UK)."
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def is_mobile(e164: str) -> bool:
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalise_country(code: str, *, required: bool = True) -> Result:
    value = code.strip().upper()
    if not value:
        return ("", "Please choose your country.") if required else ("", "")
    if pycountry.countries.get(alpha_2=value) is None:
        return "", "Please choose your country from the list."
    if value == "GB":
        return "", "For the UK, please untick 'I live outside the UK' and enter your postcode."
    return value, ""


def normalise_address_line(text: str, *, required: bool = True) -> Result:
    value = _clean(text, ADDRESS_MAX)
    if not value:
        return ("", "Please enter the first line of your home address.") if required else ("", "")
    if len(value) > ADDRESS_MAX:
        return "", f"That is longer than we can store ({ADDRESS_MAX} characters)."
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in _JOINERS for ch in value):
        return "", "Please remove hidden characters."
    return value, ""


def countries() -> list[tuple[str, str]]:
    """(ISO 3166 alpha-2 code, English name) for every country except the UK, sorted by name."""
    pairs = [(c.alpha_2, getattr(c, "common_name", c.name)) for c in pycountry.countries if c.alpha_2 != "GB"]
    return sorted(pairs, key=lambda pair: unicodedata.normalize("NFKD", pair[1]).casefold())
