"""The kiosk config file (TOML) and where the kiosk keeps its data. Key by key in docs/configuration.md."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

from kiosk.errors import ConfigError

APP_NAME = "campaign-kiosk"
CONFIG_FILE_NAME = "kiosk.toml"
DB_FILE_NAME = "kiosk.db"

_KIOSK_KEYS = {
    "name": str,
    "event_id": str,
    "fullscreen": bool,
    "idle_timeout_s": int,
    "campaign": str,
    "retention_days": int,
    "purge_after": str,
    "language": str,
    "utm_source": str,
}


class KioskConfig(NamedTuple):
    """Settings of one kiosk. A missing file means all defaults."""

    name: str = "kiosk-1"
    # Empty: use the event named at setup. Set it to move the kiosk to a new event without a new setup.
    event_id: str = ""
    fullscreen: bool = False
    idle_timeout_s: int = 60
    campaign: str = "hikvision"
    retention_days: int = 30
    # "synced" purges personal data once synced; "synced_and_exported" waits for an export too.
    purge_after: str = "synced"
    language: str = "en"
    utm_source: str = "kiosk"
    sync: dict[str, Any] = {}  # noqa: RUF012  (read only, as every field is)
    source: Path | None = None
    warnings: tuple[str, ...] = ()


def default_data_dir() -> Path:
    import platformdirs  # here, not at the top: ~4 ms that a start given its folders need not pay

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILE_NAME


def resolve_data_dir(cli_value: str | None) -> Path:
    """``--data-dir``, else ``KIOSK_DATA_DIR``, else the platform's user data folder."""
    chosen = cli_value or os.environ.get("KIOSK_DATA_DIR") or default_data_dir()
    return Path(chosen).expanduser().resolve()


def resolve_config_path(cli_value: str | None) -> Path:
    """``--config``, else ``KIOSK_CONFIG``, else kiosk.toml in the platform's user config folder."""
    chosen = cli_value or os.environ.get("KIOSK_CONFIG") or default_config_path()
    return Path(chosen).expanduser()


def load_config(path: Path) -> KioskConfig:
    """Read the config file; a missing file gives defaults, a broken one a :class:`ConfigError`."""
    if not path.exists():
        return KioskConfig()
    import tomllib  # here, not at the top: a kiosk without a config file starts without it (~1.5 ms)

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None

    unknown_sections = sorted(set(data) - {"kiosk", "sync"})
    if unknown_sections:
        raise ConfigError(f"{path}: unknown section(s) {unknown_sections}; known: ['kiosk', 'sync']")
    kiosk = data.get("kiosk", {})
    values: dict[str, Any] = {}
    for key, value in kiosk.items():
        expected = _KIOSK_KEYS.get(key)
        if expected is None:
            raise ConfigError(f"{path}: [kiosk] {key}: unknown key; known: {sorted(_KIOSK_KEYS)}")
        if type(value) is not expected:
            raise ConfigError(f"{path}: [kiosk] {key}: must be {expected.__name__}, got {value!r}")
        values[key] = value
    if values.get("idle_timeout_s", 60) < 15:
        raise ConfigError(f"{path}: [kiosk] idle_timeout_s: must be at least 15 seconds")
    if values.get("retention_days", 30) < 1:
        raise ConfigError(f"{path}: [kiosk] retention_days: must be at least 1")
    if values.get("purge_after", "synced") not in ("synced", "synced_and_exported"):
        raise ConfigError(f"{path}: [kiosk] purge_after: must be 'synced' or 'synced_and_exported'")
    sync = data.get("sync", {})
    if not isinstance(sync, dict):
        raise ConfigError(f"{path}: [sync] must be a table")
    return KioskConfig(**values, sync=sync, source=path, warnings=tuple(_permission_warnings(path, sync)))


def _permission_warnings(path: Path, sync: dict[str, Any]) -> list[str]:
    """A config holding a token or secret must not be readable by other users."""
    holds_secret = any(
        isinstance(section, dict) and ("token" in section or "secret" in section) for section in sync.values()
    )
    if holds_secret and path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
        return [f"{path} holds a sync token or secret and is readable by other users: run chmod 600 {path}"]
    return []
