"""The [sync] config section: defaults, https-only targets, secrets from files, and messages that say what to fix."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import load_config
from kiosk.errors import ConfigError
from kiosk.sync.settings import DEFAULT_API_URL, parse_sync_settings, settings_from_config

PETITION = "https://actionnetwork.org/api/v2/petitions/abc-123"


def an(**extra: Any) -> dict[str, Any]:
    return {"adapter": "action_network", "action_network": {"petition_url": PETITION, "token": "t0ken", **extra}}


def test_missing_section_means_sync_off() -> None:
    settings = parse_sync_settings({})
    assert (settings.adapter, settings.enabled, settings.rate_limit_per_s) == ("none", False, 0)


def test_action_network_defaults() -> None:
    settings = parse_sync_settings(an())
    assert settings.rate_limit_per_s == 4
    assert settings.action_network is not None
    assert settings.action_network.api_url == DEFAULT_API_URL
    assert settings.action_network.identifier_prefix == "campaign_kiosk"
    assert settings.action_network.signatures_url == PETITION + "/signatures/"
    assert settings.action_network.people_url == DEFAULT_API_URL + "people/"


def test_secrets_never_show_in_repr_or_errors() -> None:
    settings = parse_sync_settings(an(token="super-secret-token"))
    assert "super-secret-token" not in repr(settings) and "super-secret-token" not in str(settings)
    assert settings.action_network is not None
    assert settings.action_network.token.reveal() == "super-secret-token"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"adapter": "salesforce"}, "adapter: must be one of none, action_network, webhook"),
        ({"adapter": "none", "speed": 3}, "unknown key(s) ['speed']"),
        ({"adapter": "action_network"}, "[sync.action_network] is required"),
        ({"adapter": "action_network", "action_network": {"token": "x"}}, "petition_url is required"),
        (an(token=None) | {"action_network": {"petition_url": PETITION}}, "token or token_file is required"),
        (an(petition_url="http://actionnetwork.org/api/v2/petitions/x"), "plain http:// is refused"),
        (an(petition_url="https://actionnetwork.org/p/x"), "must be the petition's API address"),
        (an(token_file="t", token="x"), "either token or token_file, not both"),
        (an(identifier_prefix="has space"), "identifier_prefix"),
        (an(tags="kiosk"), "tags: must be a list"),
        (an() | {"rate_limit_per_s": -1}, "rate_limit_per_s: must be between 0 and 1000"),
        (an() | {"rate_limit_per_s": "4"}, "rate_limit_per_s: must be a number"),
        ({"adapter": "webhook", "webhook": {"secret": "x" * 20}}, "url is required"),
        ({"adapter": "webhook", "webhook": {"url": "https://h.example/x", "secret": "short"}}, "at least 16"),
        (
            {"adapter": "webhook", "webhook": {"url": "https://u:p@h.example/x", "secret": "x" * 20}},
            "not in the URL",
        ),
        (
            {"adapter": "webhook", "webhook": {"url": "https://h.example", "secret": "x" * 20, "batch_size": 500}},
            "batch_size",
        ),
    ],
)
def test_bad_values_name_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_sync_settings(raw)
    assert message in str(caught.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost"])
def test_plain_http_allowed_only_for_loopback(host: str) -> None:
    settings = parse_sync_settings(
        {"adapter": "webhook", "webhook": {"url": f"http://{host}:8080/hook", "secret": "s" * 16}}
    )
    assert settings.target_url.startswith("http://")
    with pytest.raises(ConfigError, match="plain http:// is refused"):
        parse_sync_settings({"adapter": "webhook", "webhook": {"url": "http://10.0.0.2/hook", "secret": "s" * 16}})


def test_token_file_relative_to_the_config_and_warned_when_readable(tmp_path: Path) -> None:
    token = tmp_path / "an-token"
    token.write_text("file-token\n")
    os.chmod(token, 0o644)
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[sync]\nadapter = "action_network"\n[sync.action_network]\npetition_url = "{PETITION}"\n'
        'token_file = "an-token"\n'
    )
    os.chmod(config, 0o600)
    settings = settings_from_config(load_config(config))
    assert settings.action_network is not None
    assert settings.action_network.token.reveal() == "file-token"
    assert any("chmod 600" in w and "an-token" in w for w in settings.warnings)
    os.chmod(token, 0o600)
    assert settings_from_config(load_config(config)).warnings == ()


def test_unreadable_or_empty_secret_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        parse_sync_settings(
            {"adapter": "webhook", "webhook": {"url": "https://h.example", "secret_file": str(tmp_path / "none")}}
        )
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        parse_sync_settings({"adapter": "webhook", "webhook": {"url": "https://h.example", "secret_file": str(empty)}})


def test_config_holding_a_token_readable_by_others_is_warned(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[sync]\nadapter = "action_network"\n[sync.action_network]\npetition_url = "{PETITION}"\ntoken = "x"\n'
    )
    os.chmod(config, 0o644)
    assert any("chmod 600" in w for w in load_config(config).warnings)
