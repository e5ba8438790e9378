"""Shared fixtures. Tests run offscreen with the on-screen keyboard module, set here before any Qt object exists."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
# Never read the developer's own config or data by accident.
os.environ.pop("KIOSK_DATA_DIR", None)
os.environ.pop("KIOSK_CONFIG", None)

from tests.helpers.kiosk import (
    PASSPHRASE,
    PIN,
    KioskHarness,
    make_options,
    set_up_database,
)

if TYPE_CHECKING:
    from tests.helpers.fake_action_network import FakeActionNetwork
    from tests.helpers.fake_webhook import FakeWebhook

__all__ = ["PASSPHRASE", "PIN"]


@pytest.fixture(scope="session")
def qapp_cls():  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication


@pytest.fixture(scope="session")
def qapp(qapp_args, qapp_cls, pytestconfig):  # type: ignore[no-untyped-def]
    from kiosk.app import create_application

    return create_application()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def set_up_data_dir(data_dir: Path) -> Path:
    """A data folder whose kiosk has organiser keys (passphrase PASSPHRASE, PIN PIN)."""
    set_up_database(data_dir)
    return data_dir


@pytest.fixture
def kiosk(qtbot, qapp, set_up_data_dir: Path) -> Iterator[KioskHarness]:  # type: ignore[no-untyped-def]
    """The real kiosk window, offscreen, on a set-up temporary data folder, storage open."""
    harness = KioskHarness.start(qtbot, make_options(set_up_data_dir))
    yield harness
    harness.close()


@pytest.fixture
def fresh_kiosk(qtbot, qapp, data_dir: Path) -> Iterator[KioskHarness]:  # type: ignore[no-untyped-def]
    """The real kiosk window on an empty data folder (first-run setup pending)."""
    harness = KioskHarness.start(qtbot, make_options(data_dir))
    yield harness
    harness.close()


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a Qt test, collect its windows and view models here, on the GUI thread.

    Left to chance, a later collection can run on a worker thread (a background job, the sync thread) and destroy
    QObjects with timers there, which Qt reports as "Timers cannot be stopped from another thread".
    """
    yield
    if "qtbot" in request.fixturenames:
        gc.collect()


@pytest.fixture
def an() -> Iterator[FakeActionNetwork]:
    """A loopback Action Network (tests/helpers/fake_action_network.py), running for one test."""
    from tests.helpers.fake_action_network import FakeActionNetwork

    server = FakeActionNetwork()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[FakeWebhook]:
    """A loopback webhook receiver (tests/helpers/fake_webhook.py), running for one test."""
    from tests.helpers.fake_webhook import FakeWebhook

    server = FakeWebhook()
    server.start()
    yield server
    server.stop()
