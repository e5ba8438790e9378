"""What the pledge form holds while an attendee fills it in, and the amount arithmetic the form shows. Kept apart
from kiosk.pledges, which needs the database, so the pledge screen's view model exists before storage opens (issue 2:
first frame before SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.amounts import PENCE_PER_POUND, format_money, parse_amount, url_amount
from kiosk.campaign import Donation

FREQUENCIES = ("one_off", "monthly")


@dataclass
class PledgeDraft:
    """What the attendee chose, ticked and typed, exactly as given.

    The amount is ``custom_amount`` when anything is typed there, else the chosen preset (whole pounds).
    """

    preset_pounds: int = 0
    custom_amount: str = ""
    frequency: str = "one_off"
    over_18: bool = False
    gift_aid: bool = False
    gift_aid_enduring: bool = False
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    address_line: str = ""
    postcode: str = ""
    follow_up_email: bool = False
    follow_up_phone: bool = False
    optin_email: bool = False
    language: str = "en"


@dataclass(frozen=True)
class PledgeReceipt:
    """What the thank-you screen needs once a pledge is stored: no personal data."""

    record_id: str
    amount_pence: int
    currency: str
    frequency: str
    gift_aid: bool
    donation_url: str

    @property
    def amount_text(self) -> str:
        return describe_amount(self.amount_pence, self.frequency, self.currency)


def describe_amount(amount_pence: int, frequency: str, currency: str = "GBP") -> str:
    """``a one-off gift of £10`` or ``£10 a month``."""
    money = format_money(amount_pence, currency)
    return f"{money} a month" if frequency == "monthly" else f"a one-off gift of {money}"


def pledge_amount(draft: PledgeDraft, donation: Donation) -> tuple[int, str]:
    """The draft's amount in pence, or the message to show next to the amount."""
    max_pence = donation.max_pounds * PENCE_PER_POUND
    if draft.custom_amount.strip():
        return parse_amount(draft.custom_amount, max_pence=max_pence, currency=donation.currency)
    if draft.preset_pounds in donation.presets_pounds:
        return draft.preset_pounds * PENCE_PER_POUND, ""
    if draft.preset_pounds:
        return 0, "Please choose one of the amounts shown, or type your own."
    return 0, "Please choose an amount or type your own."


def donation_url(template: str, amount_pence: int, frequency: str) -> str:
    """The donation page address for this pledge: the pack's template with ``{amount}`` (pounds, like ``12.50``),
    ``{amount_pence}`` and ``{frequency}`` (``one_off`` or ``monthly``) filled in; a template without them is used
    as it is."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    return (
        template.replace("{amount_pence}", str(amount_pence))
        .replace("{amount}", url_amount(amount_pence))
        .replace("{frequency}", frequency)
    )
