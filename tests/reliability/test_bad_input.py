"""Bad input never crashes the kiosk or corrupts what it stores (hypothesis; thorough variants marked slow).

- Every validator in kiosk/validation.py: never raises, gives a value or a message, and what it accepts is
  already normalised (accepting it again gives it back unchanged) and free of hidden characters.
- A signature typed with anything at all: validation answers; what it accepts is saved, and the sealed record
  decrypts to exactly the normalised values. The same for a pledge's validation.
- Campaign packs and config files with random values, or random bytes: nothing but CampaignPackError /
  ConfigError ever comes out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from kiosk import validation as v
from kiosk.campaign import CampaignPack, load_campaign
from kiosk.config import KioskConfig, load_config
from kiosk.errors import CampaignPackError, ConfigError
from kiosk.pledges import PledgeDraft, validate_pledge
from kiosk.resources import campaigns_dir
from kiosk.runtime import KioskRuntime, open_runtime
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from kiosk.sync.settings import settings_from_config
from kiosk.vault import Vault
from tests.helpers.kiosk import PASSPHRASE, make_options, set_up_database
from tests.reliability.strategies import (
    MOBILES,
    examples,
    leaf_paths,
    nasty_text,
    plausible_name,
    set_path,
    toml_document,
    toml_value,
)

PACK = load_campaign("hikvision")
# Unassigned code points (Cn) are allowed: a newer Unicode may have assigned them.
HIDDEN = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


def accepted_is_normal(value: str) -> None:
    assert value == value.strip() and "  " not in value
    assert unicodedata.is_normalized("NFC", value)
    assert not any(unicodedata.category(ch) in HIDDEN and ch not in "\u200c\u200d" for ch in value)


def check_result(result: Any, *, blank_ok: bool) -> tuple[str, str]:
    assert isinstance(result, tuple) and len(result) == 2
    value, message = result
    assert isinstance(value, str) and isinstance(message, str)
    if blank_ok:
        assert not (value and message)
    else:
        assert bool(value) != bool(message), result
    return value, message


# --- each validator ---------------------------------------------------------------------------------------


def _name(text: str, required: bool) -> None:
    value, _ = check_result(v.normalise_name(text, required=required), blank_ok=not required)
    if value:
        accepted_is_normal(value)
        assert len(value) <= v.NAME_MAX
        assert v.normalise_name(value, required=required) == (value, "")


test_name, test_name_thorough = examples(_name, nasty_text | plausible_name, st.booleans())


def _email(text: str, required: bool) -> None:
    value, _ = check_result(v.normalise_email(text, required=required), blank_ok=not required)
    if value:
        accepted_is_normal(value)
        assert "@" in value and len(value) <= v.EMAIL_MAX and not any(ch.isspace() for ch in value)
        assert v.normalise_email(value, required=required) == (value, "")


test_email, test_email_thorough = examples(_email, nasty_text | st.emails(), st.booleans())

_MEMO = v.EmailMemo()  # one attendee typing address after address: each answer must be the parser's own


def _email_memo(text: str, required: bool) -> None:
    assert _MEMO.normalise(text, required=required) == v.normalise_email(text, required=required)
    assert _MEMO.normalise(text, required=not required) == v.normalise_email(text, required=not required)


test_email_memo, test_email_memo_thorough = examples(_email_memo, nasty_text | st.emails(), st.booleans())


POSTCODE_SHAPE = re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2})$")
typed_postcodes = st.tuples(st.from_regex(v._POSTCODE, fullmatch=True), st.text(" \t", max_size=2), st.booleans()).map(
    lambda t: (t[0][:-3] + t[1] + t[0][-3:]).lower() if t[2] else t[0][:-3] + t[1] + t[0][-3:]
)


def _postcode(text: str, required: bool) -> None:
    value, _ = check_result(v.normalise_postcode(text, required=required), blank_ok=not required)
    if value:
        assert POSTCODE_SHAPE.match(value), value
        assert v.normalise_postcode(value) == (value, "")


test_postcode, test_postcode_thorough = examples(_postcode, nasty_text | typed_postcodes, st.booleans())


def _every_valid_postcode_is_accepted(typed: str) -> None:
    value, message = v.normalise_postcode(typed)
    assert message == "" and value.replace(" ", "") == re.sub(r"\s", "", typed).upper()


test_valid_postcodes, test_valid_postcodes_thorough = examples(_every_valid_postcode_is_accepted, typed_postcodes)


def _phone(text: str, required: bool) -> None:
    value, _ = check_result(v.normalise_phone(text, required=required), blank_ok=not required)
    assert isinstance(v.is_mobile(text), bool)
    if value:
        assert re.fullmatch(r"\+[1-9][0-9]{6,14}", value), value
        assert v.normalise_phone(value) == (value, "")


test_phone, test_phone_thorough = examples(_phone, nasty_text | st.sampled_from(MOBILES), st.booleans())


def _country(text: str, required: bool) -> None:
    value, _ = check_result(v.normalise_country(text, required=required), blank_ok=not required)
    if value:
        assert re.fullmatch(r"[A-Z]{2}", value) and value != "GB"
        assert v.normalise_country(value) == (value, "")


codes = st.sampled_from([code for code, _ in v.countries()]).map(lambda c: c.lower())
test_country, test_country_thorough = examples(_country, nasty_text | codes, st.booleans())


def _address(text: str, required: bool) -> None:
    value, _ = check_result(v.normalise_address_line(text, required=required), blank_ok=not required)
    if value:
        accepted_is_normal(value)
        assert len(value) <= v.ADDRESS_MAX
        assert v.normalise_address_line(value) == (value, "")


test_address, test_address_thorough = examples(_address, nasty_text, st.booleans())


# --- a whole signature: validate, save, decrypt -----------------------------------------------------------


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KioskRuntime, Vault]]:
    """One kiosk for every example: a runtime that seals (locked, so no duplicate folding) and an unlocked
    reader on the same file."""
    data_dir = tmp_path_factory.mktemp("bad-input")
    set_up_database(data_dir)
    rt = open_runtime(make_options(data_dir))
    reader = Vault(rt.db)
    reader.unlock(PASSPHRASE)
    yield rt, reader
    rt.close()


signature_drafts = st.builds(
    SignatureDraft,
    first_name=nasty_text | plausible_name,
    last_name=nasty_text | plausible_name,
    email=nasty_text | st.emails(),
    postcode=nasty_text | typed_postcodes,
    outside_uk=st.booleans(),
    country=nasty_text | codes,
    phone=nasty_text | st.sampled_from(MOBILES),
    consent_sign=st.booleans(),
    optin_email=st.booleans(),
    optin_sms=st.booleans(),
)


def _signature_round_trip(runtime: tuple[KioskRuntime, Vault], draft: SignatureDraft) -> None:
    rt, reader = runtime
    valid, errors = validate_signature(draft, PACK)
    assert (valid is None) == bool(errors)
    assert set(errors) <= {"first_name", "last_name", "email", "postcode", "country", "phone", "consent_sign"}
    assert all(isinstance(m, str) and m for m in errors.values())
    if valid is None:
        return
    record_id = save_signature(rt, valid).record_id
    with rt.db.begin() as session:
        from local_db.models import Signature

        record = session.get(Signature, record_id)
        assert record is not None
        assert reader.open_record(record) == valid.personal_fields()


_signature_fast, _signature_slow = examples(_signature_round_trip, signature_drafts, fast=40)

# The same campaign asking for other fields: a form memo must not carry an answer from one set of required fields
# over to another.
PACK_PHONE = PACK._replace(petition=PACK.petition._replace(required_fields=("first_name", "phone")))
PACK_ALL = PACK._replace(
    petition=PACK.petition._replace(required_fields=("first_name", "last_name", "email", "postcode", "phone")),
)
# One attendee going back and forth through the form: each step changes some fields or ticks (often only ticks,
# so the memo's answer is taken), sometimes under another campaign's requirements, sometimes after a wipe.
form_steps = st.lists(
    st.tuples(
        st.fixed_dictionaries(
            {},
            optional={
                "first_name": nasty_text | plausible_name,
                "email": nasty_text | st.emails(),
                "postcode": nasty_text | typed_postcodes,
                "outside_uk": st.booleans(),
                "country": nasty_text | codes,
                "phone": nasty_text | st.sampled_from(MOBILES),
                "consent_sign": st.booleans(),
                "optin_email": st.booleans(),
                "optin_sms": st.booleans(),
            },
        ),
        st.sampled_from([PACK, PACK, PACK_PHONE, PACK_ALL]),
        st.sampled_from([False, False, False, True]),  # the form wiped before this step
    ),
    max_size=8,
)


def _form_memo_answers_as_a_fresh_check(
    draft: SignatureDraft, steps: list[tuple[dict[str, Any], CampaignPack, bool]]
) -> None:
    """Whatever was checked before, the memo's answer is exactly a fresh validation's (valid signature and messages)."""
    memo = v.FormMemo()
    pack = PACK
    for changes, next_pack, wipe in [({}, PACK, False), *steps]:
        if wipe:
            memo.forget()
        draft, pack = dataclasses.replace(draft, **changes), next_pack
        fresh = validate_signature(draft, pack)
        assert validate_signature(draft, pack, memo) == fresh
        assert validate_signature(draft, pack, memo) == fresh  # and again: an answer taken does not change it
        # The details step checks the form with the sign box ticked and no opt-ins, then the consent step's ticks.
        details = dataclasses.replace(draft, consent_sign=True, optin_email=False, optin_sms=False)
        assert validate_signature(details, pack, memo) == validate_signature(details, pack)


test_form_memo, test_form_memo_thorough = examples(_form_memo_answers_as_a_fresh_check, signature_drafts, form_steps)


def test_signature_round_trip(runtime: tuple[KioskRuntime, Vault]) -> None:
    _signature_fast(runtime)


@pytest.mark.slow
def test_signature_round_trip_thorough(runtime: tuple[KioskRuntime, Vault]) -> None:
    _signature_slow(runtime)


def _plausible_signature_is_accepted_and_kept_exactly(
    runtime: tuple[KioskRuntime, Vault], first: str, last: str, email: str, postcode: str
) -> None:
    """Odd but real names (any script, marks, right-to-left) are accepted and come back exactly as normalised."""
    draft = SignatureDraft(first_name=first, last_name=last, email=email, postcode=postcode, consent_sign=True)
    valid, errors = validate_signature(draft, PACK)
    name_errors = {k: m for k, m in errors.items() if k in ("first_name", "last_name")}
    assert set(errors) == set(name_errors), errors  # the email and postcode are good by construction
    if valid is None:
        return
    assert valid.first_name == " ".join(unicodedata.normalize("NFC", first).split())
    _signature_round_trip(runtime, draft)


_plausible_fast, _plausible_slow = examples(
    _plausible_signature_is_accepted_and_kept_exactly,
    plausible_name,
    plausible_name,
    st.emails(),
    typed_postcodes,
    fast=30,
)


def test_plausible_signature(runtime: tuple[KioskRuntime, Vault]) -> None:
    _plausible_fast(runtime)


@pytest.mark.slow
def test_plausible_signature_thorough(runtime: tuple[KioskRuntime, Vault]) -> None:
    _plausible_slow(runtime)


pledge_drafts = st.builds(
    PledgeDraft,
    preset_pounds=st.integers(min_value=-(2**40), max_value=2**40),
    custom_amount=nasty_text | st.from_regex(r"\A£?[0-9]{1,4}(\.[0-9]{2})?\Z"),
    frequency=nasty_text | st.sampled_from(["one_off", "monthly"]),
    over_18=st.booleans(),
    gift_aid=st.booleans(),
    gift_aid_enduring=st.booleans(),
    first_name=nasty_text | plausible_name,
    last_name=nasty_text | plausible_name,
    email=nasty_text | st.emails(),
    phone=nasty_text | st.sampled_from(MOBILES),
    address_line=nasty_text,
    postcode=nasty_text | typed_postcodes,
    follow_up_email=st.booleans(),
    follow_up_phone=st.booleans(),
    optin_email=st.booleans(),
)


def _pledge(draft: PledgeDraft) -> None:
    valid, errors = validate_pledge(draft, PACK)
    assert (valid is None) == bool(errors)
    assert all(isinstance(m, str) and m for m in errors.values())
    if valid is not None:
        assert PACK.donation.max_pounds * 100 >= valid.amount_pence > 0
        assert valid.frequency in ("one_off", "monthly")
        for value in valid.personal_fields().values():
            accepted_is_normal(value)


test_pledge_validation, test_pledge_validation_thorough = examples(_pledge, pledge_drafts)


# --- campaign packs ---------------------------------------------------------------------------------------

PACK_DATA = tomllib.loads((campaigns_dir() / "hikvision" / "campaign.toml").read_text(encoding="utf-8"))
WINS_DATA = tomllib.loads((campaigns_dir() / "hikvision" / "wins.toml").read_text(encoding="utf-8"))
PACK_PATHS = [*leaf_paths(PACK_DATA), ("petition", "extra"), ("consent", "sign", "extra"), ("unknown",)]
WINS_PATHS = [("card",), ("card", "0")] + [
    ("card", str(i), key) for i, card in enumerate(WINS_DATA["card"][:2]) for key in card
]


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pack") / "pack"
    shutil.copytree(campaigns_dir() / "hikvision", folder)
    return folder


def _with_card_value(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    import copy

    data = copy.deepcopy(WINS_DATA)
    if len(path) == 1:
        data["card"] = value
    elif len(path) == 2:
        data["card"][0] = value
    else:
        data["card"][int(path[1])][path[2]] = value
    return data


def _pack_loads_or_says_why(pack_dir: Path, target: tuple[str, tuple[str, ...]], value: Any) -> None:
    which, path = target
    campaign, wins = PACK_DATA, WINS_DATA
    if which == "campaign":
        campaign = set_path(PACK_DATA, path, value)
    else:
        wins = _with_card_value(path, value)
    (pack_dir / "campaign.toml").write_text(toml_document(campaign), encoding="utf-8")
    (pack_dir / "wins.toml").write_text(toml_document(wins), encoding="utf-8")
    try:
        pack = load_campaign(pack_dir)
    except CampaignPackError as exc:
        assert exc.file and str(exc)
        return
    assert isinstance(pack, CampaignPack)
    for consent in pack.consents.values():
        assert len(consent.sha256) == 64


_pack_fast, _pack_slow = examples(
    _pack_loads_or_says_why,
    st.tuples(st.just("campaign"), st.sampled_from(PACK_PATHS))
    | st.tuples(st.just("wins"), st.sampled_from(WINS_PATHS)),
    toml_value,
    fast=80,
)


def test_campaign_pack_values(pack_dir: Path) -> None:
    _pack_fast(pack_dir)


@pytest.mark.slow
def test_campaign_pack_values_thorough(pack_dir: Path) -> None:
    _pack_slow(pack_dir)


def _pack_bytes(pack_dir: Path, which: str, data: bytes) -> None:
    shutil.copy(campaigns_dir() / "hikvision" / "campaign.toml", pack_dir / "campaign.toml")
    shutil.copy(campaigns_dir() / "hikvision" / "wins.toml", pack_dir / "wins.toml")
    (pack_dir / which).write_bytes(data)
    with contextlib.suppress(CampaignPackError):
        load_campaign(pack_dir)


random_bytes = st.binary(max_size=2000) | st.text().map(lambda t: t.encode("utf-8", "surrogatepass"))
_pack_bytes_fast, _pack_bytes_slow = examples(
    _pack_bytes, st.sampled_from(["campaign.toml", "wins.toml"]), random_bytes, fast=40
)


def test_campaign_pack_bytes(pack_dir: Path) -> None:
    _pack_bytes_fast(pack_dir)


@pytest.mark.slow
def test_campaign_pack_bytes_thorough(pack_dir: Path) -> None:
    _pack_bytes_slow(pack_dir)


# --- the kiosk config file --------------------------------------------------------------------------------

CONFIG_KEYS = (
    "name",
    "event_id",
    "fullscreen",
    "idle_timeout_s",
    "campaign",
    "retention_days",
    "purge_after",
    "language",
    "utm_source",
)
SYNC_KEYS = ("adapter", "rate_limit_per_s", "timeout_s", "action_network", "webhook")
config_tables = st.fixed_dictionaries(
    {},
    optional={
        "kiosk": st.dictionaries(st.sampled_from(CONFIG_KEYS) | nasty_text, toml_value, max_size=4),
        "sync": st.dictionaries(st.sampled_from(SYNC_KEYS) | nasty_text, toml_value, max_size=4)
        | st.fixed_dictionaries(
            {"adapter": st.sampled_from(["action_network", "webhook", "none"]) | nasty_text},
            optional={"action_network": toml_value, "webhook": toml_value, "timeout_s": toml_value},
        ),
        "extra": toml_value,
    },
)


def _config(config_file: Path, data: dict[str, Any]) -> None:
    config_file.write_text(toml_document(data), encoding="utf-8")
    try:
        config = load_config(config_file)
        settings_from_config(config)
    except ConfigError as exc:
        assert str(exc)
        return
    assert isinstance(config, KioskConfig)


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("config") / "kiosk.toml"


_config_fast, _config_slow = examples(_config, config_tables, fast=80)


def test_config_values(config_file: Path) -> None:
    _config_fast(config_file)


@pytest.mark.slow
def test_config_values_thorough(config_file: Path) -> None:
    _config_slow(config_file)


def _config_bytes(config_file: Path, data: bytes) -> None:
    config_file.write_bytes(data)
    with contextlib.suppress(ConfigError):
        load_config(config_file)


_config_bytes_fast, _config_bytes_slow = examples(_config_bytes, random_bytes, fast=40)


def test_config_bytes(config_file: Path) -> None:
    _config_bytes_fast(config_file)


@pytest.mark.slow
def test_config_bytes_thorough(config_file: Path) -> None:
    _config_bytes_slow(config_file)


@pytest.mark.parametrize("image", ["\x00", "images/\x00.svg", "é" * 200], ids=["NUL", "NUL in path", "too long"])
def test_wins_image_that_cannot_be_a_file_name(pack_dir: Path, image: str) -> None:
    """Found by the property above: these raised ValueError / OSError from the filesystem instead of a message."""
    (pack_dir / "campaign.toml").write_text(toml_document(PACK_DATA), encoding="utf-8")
    (pack_dir / "wins.toml").write_text(toml_document(_with_card_value(("card", "0", "image"), image)), "utf-8")
    with pytest.raises(CampaignPackError, match="image"):
        load_campaign(pack_dir)
