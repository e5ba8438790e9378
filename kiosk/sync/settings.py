"""The ``[sync]`` section of kiosk.toml, checked and typed. Key by key in docs/sync.md.

Tokens and secrets are held in :class:`Secret`, whose ``repr`` and ``str`` never show the value, so a settings
object can be logged or shown in an error without leaking them.
"""

from __future__ import annotations

import ipaddress
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kiosk.errors import ConfigError

ADAPTERS = ("none", "action_network", "webhook")
DEFAULT_API_URL = "https://actionnetwork.org/api/v2/"
DEFAULT_IDENTIFIER_PREFIX = "campaign_kiosk"
# Action Network allows 4 requests a second per API key; a webhook receiver is ours to size, batches are large.
DEFAULT_RATE_LIMITS = {"none": 0.0, "action_network": 4.0, "webhook": 5.0}
LOOPBACK_HOSTS = ("localhost",)

_TOP_KEYS = {"adapter", "rate_limit_per_s", "timeout_s", "action_network", "webhook"}
_AN_KEYS = {"api_url", "petition_url", "token", "token_file", "identifier_prefix", "tags", "source", "pledge_tags"}
_WEBHOOK_KEYS = {"url", "secret", "secret_file", "batch_size"}


class Secret:
    """A token or shared secret: the value is only reachable through :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


@dataclass(frozen=True)
class ActionNetworkSettings:
    petition_url: str
    token: Secret
    api_url: str = DEFAULT_API_URL
    identifier_prefix: str = DEFAULT_IDENTIFIER_PREFIX
    tags: tuple[str, ...] = ()
    source: str = "kiosk"
    pledge_tags: tuple[str, ...] = ()

    @property
    def people_url(self) -> str:
        return self.api_url + "people/"

    @property
    def signatures_url(self) -> str:
        return self.petition_url.rstrip("/") + "/signatures/"


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: Secret
    batch_size: int = 100


@dataclass(frozen=True)
class SyncSettings:
    """Where and how fast to deliver. ``rate_limit_per_s`` 0 means no limit (benchmarks only)."""

    adapter: str = "none"
    rate_limit_per_s: float = 0.0
    timeout_s: float = 15.0
    action_network: ActionNetworkSettings | None = None
    webhook: WebhookSettings | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def enabled(self) -> bool:
        return self.adapter != "none"

    @property
    def target_url(self) -> str:
        """The URL the connectivity probe asks (no secrets in it)."""
        if self.action_network is not None:
            return self.action_network.api_url
        if self.webhook is not None:
            return self.webhook.url
        return ""


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(value: Any, key: str) -> str:
    """An https URL, or http only to this machine (tests, a local relay). Raises ConfigError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"[sync] {key}: must be a URL, got {value!r}")
    url = value.strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ConfigError(f"[sync] {key}: must start with https:// and name a host, got {url!r}")
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"[sync] {key}: plain http:// is refused (signers' data would travel unencrypted); use https://"
            " - http:// is allowed only for 127.0.0.1, ::1 and localhost"
        )
    if parts.username or parts.password:
        raise ConfigError(f"[sync] {key}: put credentials in token/secret (or a file), not in the URL")
    return url


def _read_secret(
    table: dict[str, Any], inline_key: str, file_key: str, section: str, base_dir: Path | None
) -> tuple[Secret, list[str]]:
    inline, path_value = table.get(inline_key), table.get(file_key)
    if inline is not None and path_value is not None:
        raise ConfigError(f"[{section}] give either {inline_key} or {file_key}, not both")
    if inline is not None:
        if not isinstance(inline, str) or not inline.strip():
            raise ConfigError(f"[{section}] {inline_key}: must be a non-empty string")
        return Secret(inline.strip()), []
    if path_value is None:
        raise ConfigError(f"[{section}] {inline_key} or {file_key} is required")
    if not isinstance(path_value, str) or not path_value.strip():
        raise ConfigError(f"[{section}] {file_key}: must be a file path")
    path = Path(path_value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"[{section}] {file_key}: cannot read {path} ({exc.strerror})") from None
    first = text.splitlines()[0].strip() if text.strip() else ""
    if not first:
        raise ConfigError(f"[{section}] {file_key}: {path} is empty; put the {inline_key} on its first line")
    warnings = []
    if path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.append(f"{path} holds the sync {inline_key} and is readable by other users: run chmod 600 {path}")
    return Secret(first), warnings


def _str_list(table: dict[str, Any], key: str, section: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ConfigError(f"[{section}] {key}: must be a list of non-empty strings, got {value!r}")
    return tuple(item.strip() for item in value)


def _number(raw: dict[str, Any], key: str, default: float, *, minimum: float, maximum: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"[sync] {key}: must be a number, got {value!r}")
    if not minimum <= float(value) <= maximum:
        raise ConfigError(f"[sync] {key}: must be between {minimum:g} and {maximum:g}, got {value!r}")
    return float(value)


def _unknown(table: dict[str, Any], known: set[str], section: str) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise ConfigError(f"[{section}] unknown key(s) {extra}; known: {sorted(known)}")


def _action_network(raw: Any, base_dir: Path | None) -> tuple[ActionNetworkSettings, list[str]]:
    section = "sync.action_network"
    if not isinstance(raw, dict):
        raise ConfigError(f'[{section}] is required when adapter = "action_network"')
    _unknown(raw, _AN_KEYS, section)
    api_url = check_url(raw.get("api_url", DEFAULT_API_URL), "action_network.api_url")
    if not api_url.endswith("/"):
        api_url += "/"
    if "petition_url" not in raw:
        raise ConfigError(
            f'[{section}] petition_url is required, e.g. "{DEFAULT_API_URL}petitions/<petition id>"'
            " (the API address of the petition, not its public page)"
        )
    petition_url = check_url(raw["petition_url"], "action_network.petition_url").rstrip("/")
    if "/petitions/" not in urlsplit(petition_url).path or urlsplit(petition_url).query:
        raise ConfigError(
            f"[{section}] petition_url: must be the petition's API address ending in /petitions/<id>,"
            f" got {petition_url!r}"
        )
    token, warnings = _read_secret(raw, "token", "token_file", section, base_dir)
    prefix = raw.get("identifier_prefix", DEFAULT_IDENTIFIER_PREFIX)
    if not isinstance(prefix, str) or not prefix or not all(c.isalnum() or c in "_-" for c in prefix):
        raise ConfigError(f"[{section}] identifier_prefix: letters, digits, '_' and '-' only, got {prefix!r}")
    if prefix == "action_network":
        raise ConfigError(f"[{section}] identifier_prefix: 'action_network' is Action Network's own; choose another")
    source = raw.get("source", "kiosk")
    if not isinstance(source, str):
        raise ConfigError(f"[{section}] source: must be a string, got {source!r}")
    return (
        ActionNetworkSettings(
            petition_url=petition_url,
            token=token,
            api_url=api_url,
            identifier_prefix=prefix,
            tags=_str_list(raw, "tags", section),
            source=source.strip(),
            pledge_tags=_str_list(raw, "pledge_tags", section),
        ),
        warnings,
    )


def _webhook(raw: Any, base_dir: Path | None) -> tuple[WebhookSettings, list[str]]:
    section = "sync.webhook"
    if not isinstance(raw, dict):
        raise ConfigError(f'[{section}] is required when adapter = "webhook"')
    _unknown(raw, _WEBHOOK_KEYS, section)
    if "url" not in raw:
        raise ConfigError(f"[{section}] url is required (the https:// address that receives record batches)")
    url = check_url(raw["url"], "webhook.url")
    secret, warnings = _read_secret(raw, "secret", "secret_file", section, base_dir)
    if len(secret.reveal()) < 16:
        raise ConfigError(f"[{section}] secret: use at least 16 characters (it signs every batch)")
    batch_size = raw.get("batch_size", 100)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= 100:
        raise ConfigError(f"[{section}] batch_size: must be a whole number from 1 to 100, got {batch_size!r}")
    return WebhookSettings(url=url, secret=secret, batch_size=batch_size), warnings


def parse_sync_settings(raw: dict[str, Any], *, base_dir: Path | None = None) -> SyncSettings:
    """Check the raw ``[sync]`` table. ``base_dir`` resolves relative token/secret file paths (the config's folder).

    Raises:
        ConfigError: a key is unknown, missing or has a bad value; the message names it and says what is wanted.
    """
    if not isinstance(raw, dict):
        raise ConfigError("[sync] must be a table")
    _unknown(raw, _TOP_KEYS, "sync")
    adapter = raw.get("adapter", "none")
    if adapter not in ADAPTERS:
        raise ConfigError(f"[sync] adapter: must be one of {', '.join(ADAPTERS)}; got {adapter!r}")
    rate = _number(raw, "rate_limit_per_s", DEFAULT_RATE_LIMITS[adapter], minimum=0, maximum=1000)
    timeout = _number(raw, "timeout_s", 15.0, minimum=0.1, maximum=300)
    warnings: list[str] = []
    action_network = webhook = None
    if adapter == "action_network":
        action_network, warnings = _action_network(raw.get("action_network"), base_dir)
    elif adapter == "webhook":
        webhook, warnings = _webhook(raw.get("webhook"), base_dir)
    return SyncSettings(
        adapter=adapter,
        rate_limit_per_s=rate,
        timeout_s=timeout,
        action_network=action_network,
        webhook=webhook,
        warnings=tuple(warnings),
    )


def settings_from_config(config: Any) -> SyncSettings:
    """Sync settings of a :class:`kiosk.config.KioskConfig` (relative files are next to the config file)."""
    source = getattr(config, "source", None)
    return parse_sync_settings(config.sync, base_dir=source.parent if isinstance(source, Path) else None)
