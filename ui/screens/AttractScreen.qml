pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../components"

// What passers-by see: why the campaign matters, and two big ways to act.
Rectangle {
    id: root

    required property KioskController kiosk

    objectName: "attractScreen"
    color: Theme.background

    RowLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.margin

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 3
            spacing: Theme.spacing

            QQC2.Label {
                objectName: "campaignTitle"
                text: root.kiosk.campaign.title
                font.pixelSize: Theme.fontHuge
                font.bold: true
                color: Theme.primary
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "campaignPitch"
                text: root.kiosk.campaign.pitch
                font.pixelSize: Theme.fontBody
                color: Theme.ink
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            WinsCarousel {
                objectName: "winsCarousel"
                wins: root.kiosk.wins
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.maximumHeight: Math.round(400 * Theme.scale)
                Layout.alignment: Qt.AlignTop
            }
            Item { Layout.fillHeight: true; Layout.fillWidth: true }
        }

        ColumnLayout {
            Layout.fillHeight: true
            Layout.preferredWidth: 2
            Layout.fillWidth: true
            spacing: Theme.spacing

            KButton {
                objectName: "signPetitionButton"
                text: qsTr("Sign the petition")
                kind: "primary"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(Theme.minTouch, Math.round(96 * Theme.scale))
                enabled: root.kiosk.storageReady
                onClicked: root.kiosk.show("sign")
            }
            KButton {
                objectName: "pledgeButton"
                text: qsTr("Pledge a donation")
                kind: "secondary"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(Theme.minTouch, Math.round(80 * Theme.scale))
                enabled: root.kiosk.storageReady
                onClicked: root.kiosk.show("pledge")
            }
            QQC2.Label {
                objectName: "tallyText"
                Accessible.name: text
                text: qsTr("%1 signed at this stall today · %2 on this kiosk")
                      .arg(root.kiosk.tallyToday).arg(root.kiosk.tallyTotal)
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "storageMessage"
                visible: text !== ""
                text: root.kiosk.storageError !== ""
                      ? qsTr("This kiosk cannot save right now. Please ask a volunteer. (%1)").arg(root.kiosk.storageError)
                      : root.kiosk.message
                color: Theme.error
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            PetitionQr {
                url: root.kiosk.petitionQrUrl
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.topMargin: Theme.spacing
            }
            SyncIndicator {
                sync: root.kiosk.sync as SyncViewModel
                Layout.alignment: Qt.AlignRight
            }
        }
    }
}
