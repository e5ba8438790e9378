"""The command line: check, screenshot, setup and the no-display message, run as a newcomer would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.helpers.kiosk import PASSPHRASE, PIN


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_check_passes_on_a_new_data_dir(tmp_path: Path) -> None:
    result = cli("--data-dir", str(tmp_path / "d"), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
    assert "integrity ok" in result.stdout and "QML files" in result.stdout


def test_check_reads_the_config_and_its_sync_section(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[kiosk]\nname = "stall-2"\n[sync]\nadapter = "webhook"\n', encoding="utf-8")
    result = cli("--data-dir", str(tmp_path / "d"), "--config", str(config), "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'FAIL  config: [sync.webhook] is required when adapter = "webhook"' in result.stdout
    assert "1 check(s) failed" in result.stdout

    config.write_text(
        '[kiosk]\nname = "stall-2"\n[sync]\nadapter = "webhook"\n'
        '[sync.webhook]\nurl = "https://hooks.example.org/sign"\nsecret = "a-long-enough-shared-secret-0123456789"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    result = cli("--data-dir", str(tmp_path / "d"), "--config", str(config), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok    config {config}: kiosk 'stall-2', sync webhook to https://hooks.example.org/sign" in result.stdout
    assert "a-long-enough-shared-secret" not in result.stdout + result.stderr


def test_check_fails_on_a_broken_pack(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "campaign.toml").write_text('title = "x"\n')
    result = cli("--data-dir", str(tmp_path / "d"), "check", "--campaign", str(pack))
    assert result.returncode != 0
    assert "campaign.toml" in result.stdout + result.stderr


def test_screenshot_writes_png_of_requested_size(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    result = cli("screenshot", str(out), "--size", "800x480", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.size == (800, 480)
    # Not blank: the title's campaign red is on the page.
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50


def test_run_without_display_explains(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path), "run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "No display found" in result.stderr and "Xvfb" in result.stderr
    assert "Traceback" not in result.stderr


def test_setup_from_files_then_refuses_a_second_setup(tmp_path: Path) -> None:
    (tmp_path / "pass").write_text(PASSPHRASE + "\n")
    (tmp_path / "pin").write_text(PIN + "\n")
    data = str(tmp_path / "d")
    args = (
        "--data-dir",
        data,
        "setup",
        "--passphrase-file",
        str(tmp_path / "pass"),
        "--pin-file",
        str(tmp_path / "pin"),
        "--kiosk-name",
        "stall-a",
        "--event",
        "market",
    )
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    assert "stall-a" in first.stdout
    second = cli(*args)
    assert second.returncode == 2 and "already set up" in second.stderr


def test_setup_refuses_weak_passphrase(tmp_path: Path) -> None:
    (tmp_path / "pass").write_text("password123\n")
    (tmp_path / "pin").write_text("4826\n")
    result = cli(
        "--data-dir",
        str(tmp_path / "d"),
        "setup",
        "--passphrase-file",
        str(tmp_path / "pass"),
        "--pin-file",
        str(tmp_path / "pin"),
    )
    assert result.returncode == 2 and "too common" in result.stderr


def test_every_subcommand_has_help() -> None:
    from kiosk.commands import COMMANDS

    for module in COMMANDS:
        result = cli(module.NAME, "--help")
        assert result.returncode == 0 and "--data-dir" in result.stdout, module.NAME
