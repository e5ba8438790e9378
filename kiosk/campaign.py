"""Campaign packs: the words, links and consent texts of one campaign, loaded into typed, validated objects.

A pack is a folder with ``campaign.toml`` (see docs/campaign-pack.md) and ``wins.toml``. Any problem is one
:class:`~kiosk.errors.CampaignPackError` naming the file, the field and what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from kiosk.errors import CampaignPackError
from kiosk.parsed_toml import PARSED_FILE, ParsedFiles
from kiosk.resources import campaigns_dir
from kiosk.wins import load_wins

# gift_aid is the HMRC declaration for the pledged gift; gift_aid_enduring extends it to the past 4 years and future
# gifts and is shown (and recorded) only when Gift Aid is ticked.
CONSENT_PURPOSES = (
    "sign",
    "email_updates",
    "sms_updates",
    "follow_up_email",
    "follow_up_phone",
    "gift_aid",
    "gift_aid_enduring",
)
# The {fields} a donation url_template may use (see kiosk/pledges.py::donation_url).
DONATION_TEMPLATE_FIELDS = ("amount", "amount_pence", "frequency")
SIGNATURE_FIELDS = ("first_name", "last_name", "email", "postcode", "phone")
DEFAULT_REQUIRED = ("first_name", "last_name", "email", "postcode")


class ConsentText(NamedTuple):
    """The exact words shown for one consent purpose, and their version."""

    purpose: str
    version: str
    text: str

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the UTF-8 text exactly as shown: the proof of what a person agreed to."""
        import hashlib  # here, not at the top: not needed before the attract screen's first frame (~3 ms)

        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class Petition(NamedTuple):
    id: str
    title: str
    target: str
    text: str
    url: str
    required_fields: tuple[str, ...] = DEFAULT_REQUIRED


class Donation(NamedTuple):
    url_template: str
    currency: str = "GBP"
    presets_pounds: tuple[int, ...] = (5, 10, 20, 50)
    max_pounds: int = 1000


class CampaignPack(NamedTuple):
    """One campaign, as loaded from its folder."""

    path: Path
    id: str
    title: str
    pitch: str
    organisation: str
    petition: Petition
    donation: Donation
    privacy_url: str
    privacy_notice: str
    consents: dict[str, ConsentText]
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    wins: tuple[Any, ...] = ()

    def consent(self, purpose: str) -> ConsentText:
        return self.consents[purpose]


class _Reader:
    """Reads typed values out of parsed TOML, raising errors that name the file and the dotted field."""

    def __init__(self, file: Path, data: dict[str, Any]) -> None:
        self.file, self.data = file, data

    def fail(self, key: str, problem: str) -> CampaignPackError:
        return CampaignPackError(str(self.file), key, problem)

    def _get(self, key: str) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def text(self, key: str, *, default: str | None = None, max_len: int = 5000) -> str:
        value = self._get(key)
        if value is None:
            if default is not None:
                return default
            raise self.fail(key, "is missing")
        if not isinstance(value, str):
            raise self.fail(key, f"must be text, not {type(value).__name__}")
        value = value.strip()
        if not value:
            raise self.fail(key, "must not be empty")
        if len(value) > max_len:
            raise self.fail(key, f"is {len(value)} characters long; the limit is {max_len}")
        return value

    def url(self, key: str) -> str:
        value = self.text(key, max_len=2000)
        parts = urlsplit(value.replace("{", "").replace("}", ""))
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise self.fail(key, f"must be an http(s) address, got {value!r}")
        return value

    def int_list(self, key: str, default: tuple[int, ...]) -> tuple[int, ...]:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not value or not all(type(v) is int and v > 0 for v in value):
            raise self.fail(key, "must be a non-empty list of positive whole numbers")
        return tuple(value)

    def str_list(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "must be a non-empty list of text values")
        return tuple(value)

    def positive_int(self, key: str, default: int) -> int:
        value = self._get(key)
        if value is None:
            return default
        if type(value) is not int or value <= 0:
            raise self.fail(key, "must be a positive whole number")
        return value


def resolve_pack_path(path_or_name: str | Path) -> Path:
    """A pack given as a folder path, or as the name of a bundled pack (``hikvision``)."""
    candidate = Path(path_or_name).expanduser()
    if candidate.is_dir():
        return candidate.resolve()
    bundled = campaigns_dir() / str(path_or_name)
    if bundled.is_dir():
        return bundled
    known = ", ".join(sorted(p.name for p in campaigns_dir().iterdir() if p.is_dir()))
    raise CampaignPackError(str(path_or_name), "", f"no such campaign pack folder (bundled packs: {known})")


def load_campaign(path_or_name: str | Path, *, data_dir: Path | None = None) -> CampaignPack:
    """Load and validate a campaign pack folder (or a bundled pack by name).

    With ``data_dir``, the parsed TOML files are kept there for the next start (kiosk/parsed_toml.py).
    """
    parsed = ParsedFiles(data_dir / PARSED_FILE if data_dir is not None else None)
    pack = _load(resolve_pack_path(path_or_name), parsed)
    parsed.save()
    return pack


def _load(folder: Path, parsed: ParsedFiles) -> CampaignPack:
    file = folder / "campaign.toml"
    r = _Reader(file, parsed.read(file))

    required = r.str_list("petition.required_fields", DEFAULT_REQUIRED)
    unknown = sorted(set(required) - set(SIGNATURE_FIELDS))
    if unknown:
        raise r.fail("petition.required_fields", f"unknown field(s) {unknown}; known: {list(SIGNATURE_FIELDS)}")
    petition = Petition(
        id=r.text("petition.id", max_len=100),
        title=r.text("petition.title", max_len=200),
        target=r.text("petition.target", max_len=200),
        text=r.text("petition.text", max_len=3000),
        url=r.url("petition.url"),
        required_fields=required,
    )
    presets = r.int_list("donation.presets_pounds", (5, 10, 20, 50))
    max_pounds = r.positive_int("donation.max_pounds", 1000)
    if max(presets) > max_pounds:
        raise r.fail("donation.presets_pounds", f"a preset is above donation.max_pounds ({max_pounds})")
    url_template = r.url("donation.url_template")
    template_fields = re.findall(r"{([^{}]*)}", url_template)
    unknown = sorted(set(template_fields) - set(DONATION_TEMPLATE_FIELDS))
    if unknown:
        raise r.fail(
            "donation.url_template", f"unknown template field(s) {unknown}; known: {list(DONATION_TEMPLATE_FIELDS)}"
        )
    if url_template.count("{") != len(template_fields) or url_template.count("}") != len(template_fields):
        raise r.fail("donation.url_template", "has a { or } that is not part of a {field}")
    donation = Donation(
        url_template=url_template,
        currency=r.text("donation.currency", default="GBP", max_len=3),
        presets_pounds=presets,
        max_pounds=max_pounds,
    )
    consents = {
        purpose: ConsentText(
            purpose=purpose,
            version=r.text(f"consent.{purpose}.version", max_len=100),
            text=r.text(f"consent.{purpose}.text", max_len=2000),
        )
        for purpose in CONSENT_PURPOSES
    }
    languages = r.str_list("languages", ("en",))
    default_language = r.text("default_language", default=languages[0], max_len=20)
    if default_language not in languages:
        raise r.fail("default_language", f"{default_language!r} is not in languages {list(languages)}")

    pack = CampaignPack(
        path=folder,
        id=r.text("id", max_len=100),
        title=r.text("title", max_len=120),
        pitch=r.text("pitch", max_len=400),
        organisation=r.text("organisation", max_len=200),
        petition=petition,
        donation=donation,
        privacy_url=r.url("privacy.url"),
        privacy_notice=r.text("privacy.notice", max_len=1000),
        consents=consents,
        languages=languages,
        default_language=default_language,
        wins=tuple(load_wins(folder, parsed)),
    )
    return pack
