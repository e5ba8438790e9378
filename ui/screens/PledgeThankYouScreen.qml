pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../components"

// Shown only after the pledge is safely on disk: a QR code to the donation page with the amount and frequency filled
// in, and a plain word that no money has been taken. Returns to the attract screen by itself.
Rectangle {
    id: root

    required property KioskController kiosk
    readonly property PledgeViewModel vm: root.kiosk.pledge as PledgeViewModel
    readonly property int codeSide: Math.min(Math.round(root.height * 0.6), Math.round(320 * Theme.scale))

    objectName: "pledgeThankYouScreen"
    color: Theme.background

    Timer {
        objectName: "pledgeThankYouTimer"
        interval: root.kiosk.thankYouMs
        running: true
        onTriggered: root.kiosk.show("attract")
    }

    RowLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.margin

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing

            Item { Layout.fillHeight: true }
            QQC2.Label {
                objectName: "pledgeThankYouTitle"
                text: qsTr("Thank you for pledging %1!").arg(root.vm.pledgedText)
                font.pixelSize: Theme.fontTitle
                font.bold: true
                color: Theme.primary
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "noMoneyTakenText"
                text: qsTr("No money has been taken yet.")
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.ink
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "scanToGiveText"
                text: qsTr("To complete your gift, scan the code with your phone's camera. It opens our secure donation page with your amount filled in.")
                font.pixelSize: Theme.fontBody
                color: Theme.ink
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "giftAidThanksText"
                visible: root.vm.pledgedWithGiftAid
                text: qsTr("Thank you for adding Gift Aid.")
                font.pixelSize: Theme.fontBody
                color: Theme.ink
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            KButton {
                objectName: "doneButton"
                text: qsTr("Done")
                onClicked: root.kiosk.show("attract")
            }
            Item { Layout.fillHeight: true }
        }

        ColumnLayout {
            Layout.alignment: Qt.AlignVCenter
            spacing: Math.round(4 * Theme.scale)
            Image {
                // The provider draws the code's own white quiet zone.
                objectName: "donationQr"
                Accessible.name: qsTr("QR code to the donation page")
                Layout.preferredWidth: root.codeSide
                Layout.preferredHeight: root.codeSide
                sourceSize.width: root.codeSide
                sourceSize.height: root.codeSide
                smooth: false
                source: root.vm.donationQrSource
            }
            QQC2.Label {
                objectName: "donationUrlText"
                text: root.vm.donationUrl
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
                elide: Text.ElideMiddle
                horizontalAlignment: Text.AlignHCenter
                Layout.preferredWidth: root.codeSide
            }
        }
    }
}
