pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk

// One card's details over the attract screen, with a QR code to its source when it has one.
// Open while kiosk.wins.detailIndex >= 0; closing it (button, tap outside, Esc) goes through the view model.
QQC2.Popup {
    id: root

    required property WinsViewModel wins

    objectName: "winDetailPopup"
    parent: QQC2.Overlay.overlay
    anchors.centerIn: parent
    z: 2
    modal: true
    focus: true
    closePolicy: QQC2.Popup.CloseOnEscape | QQC2.Popup.CloseOnPressOutside
    padding: Theme.margin
    width: Math.min(parent.width - 2 * Theme.margin, Math.round(1000 * Theme.scale))
    height: Math.min(parent.height - 2 * Theme.margin, implicitHeight)

    onClosed: {
        if (root.wins.detailIndex >= 0)
            root.wins.closeDetail()
    }

    // Built when it is first opened (WinsCarousel loads it then, or after the first frame).
    Component.onCompleted: {
        if (root.wins.detailIndex >= 0)
            root.open()
    }

    Connections {
        target: root.wins
        function onDetailChanged(): void {
            if (root.wins.detailIndex >= 0)
                root.open()
            else
                root.close()
        }
    }

    background: Rectangle {
        color: Theme.surface
        radius: Theme.radius
        border.color: Theme.divider
    }

    contentItem: ColumnLayout {
        objectName: "winDetail"
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            spacing: Theme.spacing

            Image {
                visible: root.wins.detailImage !== ""
                source: root.wins.detailImage
                sourceSize.width: width
                sourceSize.height: height
                Layout.preferredWidth: Math.round(72 * Theme.scale)
                Layout.preferredHeight: Math.round(72 * Theme.scale)
                Layout.alignment: Qt.AlignTop
                Accessible.ignored: true
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: Math.round(4 * Theme.scale)

                Text {
                    objectName: "winDetailDate"
                    text: (root.wins.detailKind === "win" ? qsTr("WIN") : qsTr("FACT")) + " · " + root.wins.detailDateText
                    font.pixelSize: Theme.fontSmall
                    font.family: Theme.fontFamily
                    font.bold: true
                    color: root.wins.detailKind === "win" ? Theme.success : Theme.secondary
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
                Text {
                    objectName: "winDetailTitle"
                    text: root.wins.detailTitle
                    font.pixelSize: Theme.fontTitle
                    font.family: Theme.fontFamily
                    font.bold: true
                    color: Theme.ink
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
            }
            KButton {
                objectName: "winDetailCloseButton"
                text: qsTr("Close")
                kind: "plain"
                font.pixelSize: Theme.fontBody
                Layout.alignment: Qt.AlignTop
                onClicked: root.wins.closeDetail()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            spacing: Theme.margin

            Text {
                objectName: "winDetailBody"
                text: root.wins.detailBody
                font.pixelSize: Theme.fontLarge
                font.family: Theme.fontFamily
                color: Theme.ink
                wrapMode: Text.WordWrap
                lineHeight: 1.15
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
            }
            ColumnLayout {
                visible: root.wins.detailQrSource !== ""
                Layout.fillHeight: false
                Layout.alignment: Qt.AlignTop
                spacing: 0

                Image {
                    id: qr
                    // The provider draws the code with its own white quiet zone, so it scans on any background.
                    objectName: "winDetailQr"
                    Layout.preferredWidth: Math.round(200 * Theme.scale)
                    Layout.preferredHeight: Layout.preferredWidth
                    Layout.alignment: Qt.AlignHCenter
                    sourceSize.width: Layout.preferredWidth
                    sourceSize.height: Layout.preferredWidth
                    smooth: false
                    source: root.wins.detailQrSource
                    Accessible.role: Accessible.Graphic
                    Accessible.name: qsTr("QR code linking to the source")
                }
                Text {
                    text: qsTr("Scan to read the source")
                    font.pixelSize: Theme.fontSmall
                    font.family: Theme.fontFamily
                    color: Theme.inkMuted
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                    Layout.preferredWidth: qr.Layout.preferredWidth
                }
            }
        }

        Text {
            objectName: "winDetailSource"
            text: qsTr("Source: %1").arg(root.wins.detailSource)
            font.pixelSize: Theme.fontSmall
            font.family: Theme.fontFamily
            font.bold: true
            color: Theme.inkMuted
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }
        Text {
            objectName: "winDetailUrl"
            visible: text !== ""
            text: root.wins.detailSourceUrl
            font.pixelSize: Theme.fontSmall
            font.family: Theme.fontFamily
            color: Theme.inkMuted
            wrapMode: Text.WrapAnywhere
            Layout.fillWidth: true
        }
    }
}
