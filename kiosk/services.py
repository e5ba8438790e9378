"""Everything a running kiosk holds once storage is open: config, pack, database and vault (no Qt)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from kiosk.campaign import CampaignPack
from kiosk.config import DB_FILE_NAME, KioskConfig


class KioskOptions(NamedTuple):
    """What the command line decided: where data lives, which config and pack."""

    data_dir: Path
    config: KioskConfig
    campaign: CampaignPack
    fullscreen: bool = False
    unlock_passphrase: str | None = None

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE_NAME

    @property
    def event_id(self) -> str:
        return self.config.event_id
