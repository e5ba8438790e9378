"""The campaign pack's words and links, as constant QML properties."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject
from PySide6.QtQml import QmlElement, QmlUncreatable

from kiosk.bridge import QML_IMPORT_MAJOR_VERSION, QML_IMPORT_NAME  # noqa: F401  (read by QmlElement)
from kiosk.campaign import CampaignPack


@QmlElement
@QmlUncreatable("CampaignInfo is provided by the kiosk")
class CampaignInfo(QObject):
    def __init__(self, pack: CampaignPack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pack = pack

    @property
    def pack(self) -> CampaignPack:
        return self._pack

    def _title(self) -> str:
        return self._pack.title

    def _pitch(self) -> str:
        return self._pack.pitch

    def _organisation(self) -> str:
        return self._pack.organisation

    def _petition_title(self) -> str:
        return self._pack.petition.title

    def _petition_text(self) -> str:
        return self._pack.petition.text

    def _petition_target(self) -> str:
        return self._pack.petition.target

    def _privacy_notice(self) -> str:
        return self._pack.privacy_notice

    def _privacy_url(self) -> str:
        return self._pack.privacy_url

    def _petition_url(self) -> str:
        return self._pack.petition.url

    title = Property(str, _title, constant=True)
    pitch = Property(str, _pitch, constant=True)
    organisation = Property(str, _organisation, constant=True)
    petitionTitle = Property(str, _petition_title, constant=True)
    petitionText = Property(str, _petition_text, constant=True)
    petitionTarget = Property(str, _petition_target, constant=True)
    privacyNotice = Property(str, _privacy_notice, constant=True)
    privacyUrl = Property(str, _privacy_url, constant=True)
    petitionUrl = Property(str, _petition_url, constant=True)
