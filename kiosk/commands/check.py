"""campaign-kiosk check: a self-test of this installation."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from kiosk.commands.context import CommandContext
from kiosk.errors import KioskError

NAME = "check"
HELP = "self-test: read the config, load the campaign pack, open and migrate the database, compile every QML file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--campaign", metavar="PATH_OR_NAME", help="campaign pack to check")


def _check_config(ctx: CommandContext) -> str:
    """The config file, its [sync] section included (which the kiosk reads only once its window is up)."""
    from kiosk.sync.settings import settings_from_config

    config = ctx.config
    settings = settings_from_config(config)
    where = str(config.source) if config.source else f"{ctx.config_path} (no such file: defaults)"
    sync = f"sync {settings.adapter} to {settings.target_url}" if settings.enabled else "sync off"
    return f"config {where}: kiosk {config.name!r}, {sync}"


def _check_pack(ctx: CommandContext, campaign: str | None) -> str:
    pack = ctx.campaign(campaign)
    return f"campaign pack {pack.id!r} at {pack.path}: {len(pack.wins)} wins cards, {len(pack.consents)} consent texts"


def _check_database(ctx: CommandContext) -> str:
    from local_db.migrations import HEAD_REVISION
    from local_db.session import open_database

    path = ctx.data_dir / "kiosk.db"
    db = open_database(path)
    with db.engine.connect() as conn:
        result = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    db.close()
    if result != "ok":
        raise KioskError(f"database {path} failed its integrity check: {result}")
    return f"database {path}: schema {HEAD_REVISION}, journal {journal}, integrity ok"


def _check_qml() -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QUrl
    from PySide6.QtQml import QQmlComponent, QQmlEngine

    from kiosk.app import _register_qml_types, create_application
    from kiosk.resources import ui_dir

    create_application()
    _register_qml_types()
    engine = QQmlEngine()
    engine.addImportPath(str(ui_dir()))
    files = sorted(ui_dir().rglob("*.qml"))
    errors: list[str] = []
    for file in files:
        component = QQmlComponent(engine, QUrl.fromLocalFile(str(file)))
        if component.isError():
            errors.extend(error.toString() for error in component.errors())
    if errors:
        raise KioskError("QML failed to compile:\n  " + "\n  ".join(errors))
    return f"{len(files)} QML files in {ui_dir()} compile"


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    checks: list[tuple[str, Callable[[], str]]] = [
        ("config", lambda: _check_config(ctx)),
        ("campaign pack", lambda: _check_pack(ctx, getattr(args, "campaign", None))),
        ("database", lambda: _check_database(ctx)),
        ("QML", _check_qml),
        ("fonts", _check_fonts),
        ("sealing", _check_sealing),
    ]
    failed = 0
    for name, check in checks:
        try:
            print(f"ok    {check()}")
        except (KioskError, OSError, RuntimeError) as exc:
            failed += 1
            print(f"FAIL  {name}: {exc}")
    print("all checks passed" if not failed else f"{failed} check(s) failed")
    return 1 if failed else 0


def _check_fonts() -> str:
    from kiosk.resources import fonts_dir

    fonts = sorted(p.name for p in fonts_dir().glob("*.ttf"))
    if not fonts:
        raise KioskError(f"no fonts in {fonts_dir()}")
    return f"fonts: {', '.join(fonts)}"


def _check_sealing() -> str:
    """Seal and open a record in a throw-away database: proves the crypto stack works here."""
    from kiosk.vault import Vault, setup_vault
    from local_db.session import open_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "check.db")
        try:
            setup_vault(db, "check-only passphrase 7Kq", "2580", "check", "check")
            vault = Vault(db)
            key_id, blob = vault.seal("check-record", {"first_name": "Zoë"})
            vault.unlock("check-only passphrase 7Kq")
            if vault.open_blob("check-record", key_id, blob) != {"first_name": "Zoë"}:
                raise KioskError("sealed data did not round-trip")
        finally:
            db.close()
    return "sealing: X25519 + AES-256-GCM round trip ok"
