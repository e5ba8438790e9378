"""What every subcommand gets: the resolved data folder and config, and helpers to open the rest."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kiosk.campaign import CampaignPack, load_campaign
from kiosk.config import KioskConfig, load_config, resolve_config_path, resolve_data_dir
from kiosk.errors import KioskError
from kiosk.services import KioskOptions


class UsageError(KioskError):
    """The command line itself is wrong (bad file, missing option)."""


@dataclass
class CommandContext:
    args: argparse.Namespace

    @cached_property
    def data_dir(self) -> Path:
        return resolve_data_dir(getattr(self.args, "data_dir", None))

    @cached_property
    def config_path(self) -> Path:
        return resolve_config_path(getattr(self.args, "config", None))

    @cached_property
    def config(self) -> KioskConfig:
        config = load_config(self.config_path)
        for warning in config.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return config

    def campaign(self, override: str | None = None) -> CampaignPack:
        return load_campaign(override or self.config.campaign)

    def options(
        self, *, campaign: str | None = None, fullscreen: bool = False, unlock_passphrase: str | None = None
    ) -> KioskOptions:
        return KioskOptions(
            data_dir=self.data_dir,
            config=self.config,
            # A kiosk keeps its pack parsed in its data dir for the next start (kiosk/parsed_toml.py).
            campaign=load_campaign(campaign or self.config.campaign, data_dir=self.data_dir),
            fullscreen=fullscreen,
            unlock_passphrase=unlock_passphrase,
        )


def read_secret_file(path: str, what: str) -> str:
    """The first line of a secret file (passphrase, PIN, token), without its line ending."""
    try:
        with open(path, encoding="utf-8") as fh:
            line = fh.readline().rstrip("\r\n")
    except OSError as exc:
        raise UsageError(f"cannot read the {what} file {path}: {exc.strerror}") from None
    if not line:
        raise UsageError(f"the {what} file {path} is empty; put the {what} on its first line")
    return line


def prompt_secret(prompt: str) -> str:
    """Ask without echo (for people at a terminal)."""
    if not sys.stdin.isatty():
        raise UsageError(f"{prompt.strip(': ')} is needed: give it with a --*-file option when not at a terminal")
    return getpass.getpass(prompt)
