"""Where the kiosk's view models are assembled. Each feature adds its view model here, and nowhere else.

Importing this module registers the @QmlElement types the attract screen uses under ``import Kiosk``; the other
features' modules (and their types) are imported by ``_attach_remaining``, right after the first frame.
"""

from __future__ import annotations

from PySide6.QtQml import QQmlApplicationEngine

from kiosk.bridge.controller import SCREENS, KioskController
from kiosk.bridge.idle import IdleViewModel
from kiosk.bridge.organiser import OrganiserViewModel
from kiosk.bridge.sync import SyncViewModel
from kiosk.bridge.wins import WinsViewModel
from kiosk.services import KioskOptions
from kiosk.wins_fit import FIT_FILE


def build_controller(options: KioskOptions) -> KioskController:
    """The root view model with the attract screen's view models attached (wins, idle, organiser hotspot, sync
    status); the rest attach with ``controller.complete_features()``, which KioskWindow calls after the first frame
    and the controller itself before storage opens or another screen shows."""
    controller = KioskController(options)
    controller.attach("wins", _wins_view_model(controller, options))
    idle = IdleViewModel(controller, timeout_s=options.config.idle_timeout_s)
    controller.attach("idle", idle)
    organiser = OrganiserViewModel(controller)
    controller.attach("organiser", organiser)
    idle.filter.activity.connect(organiser.activity)
    # Starts its worker thread on controller.runtimeReady; stopped with the QML engine (install_image_providers).
    sync = SyncViewModel(controller)
    controller.attach("sync", sync)
    organiser.unlockedChanged.connect(sync.vault_changed)
    controller.set_remaining_features(_attach_remaining)
    return controller


def register_all_types() -> None:
    """Register every feature's QML types now, not only the attract screen's (``campaign-kiosk check`` compiles every
    QML file without building a controller)."""
    import kiosk.bridge.dashboard
    import kiosk.bridge.exports
    import kiosk.bridge.pledge
    import kiosk.bridge.printing
    import kiosk.bridge.setup
    import kiosk.bridge.signing  # noqa: F401


def _attach_remaining(controller: KioskController) -> None:
    """The features no part of the attract screen uses: importing them registers their QML types, in time for the
    screens that use them (the StackView creates those on demand)."""
    from kiosk.bridge.dashboard import DashboardViewModel
    from kiosk.bridge.exports import ExportsViewModel
    from kiosk.bridge.pledge import PledgeViewModel
    from kiosk.bridge.printing import PrintingViewModel
    from kiosk.bridge.setup import SetupViewModel
    from kiosk.bridge.signing import SigningViewModel

    controller.attach("setup", SetupViewModel(controller))
    controller.attach("signing", SigningViewModel(controller))
    controller.attach("pledge", PledgeViewModel(controller))
    controller.attach("printing", PrintingViewModel(controller))
    # The export panel reaches its tools as kiosk.dashboard.exports (the controller has no "exports" property).
    dashboard = DashboardViewModel(controller, ExportsViewModel(controller))
    controller.attach("dashboard", dashboard)
    organiser = controller.feature("organiser")
    assert isinstance(organiser, OrganiserViewModel)
    organiser.unlockedChanged.connect(dashboard.vault_changed)


def _wins_view_model(controller: KioskController, options: KioskOptions) -> WinsViewModel:
    wins = WinsViewModel(options.campaign.wins, options.campaign.path, controller, fit_file=options.data_dir / FIT_FILE)
    controller.add_screen_listener(wins.screen_changed)
    controller.add_wipeable(wins.reset)
    # The carousel's popups and its check of the kept card size come after the first frame, with the other features.
    controller.featuresChanged.connect(wins.build_late_parts)
    return wins


def install_image_providers(engine: QQmlApplicationEngine, controller: KioskController) -> None:
    """Image providers (``image://name/...``) the screens use."""
    from kiosk.bridge.card_images import CACHE_DIR, CardImageProvider
    from kiosk.bridge.card_images import PROVIDER_NAME as CARD_IMAGES
    from kiosk.bridge.qr_provider import PROVIDER_NAME, QrImageProvider

    engine.addImageProvider(PROVIDER_NAME, QrImageProvider())
    options = controller.options
    engine.addImageProvider(CARD_IMAGES, CardImageProvider(options.campaign.path, options.data_dir / CACHE_DIR))
    # KioskWindow.close() destroys the engine first, then closes the runtime: stop the sync thread in between.
    sync = controller.feature("sync")
    assert isinstance(sync, SyncViewModel)
    engine.destroyed.connect(sync.stop)
    # The print preview's provider comes with the printing view model (complete_features emits featuresChanged
    # once); only the organiser screen, shown after that, asks it for images.
    controller.featuresChanged.connect(lambda: _install_preview_provider(engine, controller))


def _install_preview_provider(engine: QQmlApplicationEngine, controller: KioskController) -> None:
    from kiosk.bridge.printing import PREVIEW_PROVIDER, PreviewImageProvider, PrintingViewModel

    printing = controller.feature("printing")
    assert isinstance(printing, PrintingViewModel)
    engine.addImageProvider(PREVIEW_PROVIDER, PreviewImageProvider(printing))


def prepare_screen_for_screenshot(controller: KioskController, screen: str) -> None:
    """Bring a screen up for ``campaign-kiosk screenshot`` (some screens need demo state first)."""
    if screen not in SCREENS:
        raise ValueError(f"unknown screen {screen!r}; known: {', '.join(SCREENS)}")
    if screen == "pledgeThankYou":
        from kiosk.bridge.pledge import PledgeViewModel

        pledge = controller.feature("pledge")
        assert isinstance(pledge, PledgeViewModel)
        pledge.show_example_receipt()
    controller.show(screen)
