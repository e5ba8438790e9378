"""Where the QML and the bundled assets are: beside the package in a wheel, at the repository top in a checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(installed: str, checkout: str) -> Path:
    inside = _PACKAGE / installed
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


def ui_dir() -> Path:
    """The folder holding Main.qml and the screens."""
    return _locate("_ui", "ui")


def assets_dir() -> Path:
    """The folder holding campaigns/, fonts/ and icons/."""
    return _locate("_assets", "assets")


def campaigns_dir() -> Path:
    return assets_dir() / "campaigns"


def fonts_dir() -> Path:
    return assets_dir() / "fonts"
