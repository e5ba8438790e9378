pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import Kiosk

// One wins card in the carousel: kind and date, title, body and source. Tapping it opens the card's details.
Rectangle {
    id: root

    required property int index
    required property string cardId
    required property string kind
    required property string dateText
    required property string title
    required property string body
    required property string source
    required property string image
    required property WinsViewModel wins
    // The body's font size; 0 lets this card shrink its own body to fit (the carousel measures every card that
    // way, then shows them all at the size the longest one needs, so cards do not jump in size as they turn).
    property real bodyPixelSize: 0
    readonly property real largestBodyPixelSize: Math.max(Theme.fontBody, Math.round(26 * Theme.scale))
    readonly property real fittedBodyPixelSize: bodyText.fontInfo.pixelSize

    objectName: "winCard_" + cardId
    color: Theme.surface
    radius: Theme.radius
    border.color: Theme.divider
    border.width: 1

    Accessible.role: Accessible.Button
    Accessible.name: qsTr("%1. %2. Tap for details.").arg(root.title).arg(root.dateText)
    Accessible.onPressAction: root.wins.openDetail(root.index)

    TapHandler {
        objectName: "winCardTap"
        onTapped: root.wins.openDetail(root.index)
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Math.round(14 * Theme.scale)
        spacing: Math.round(8 * Theme.scale)

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Image {
                objectName: "winCardImage"
                // On a narrow card the words need the room more than the picture does.
                visible: root.image !== "" && root.width >= Math.round(560 * Theme.scale)
                // Through the kiosk's provider, which keeps the drawn picture for the next start (no image plugins
                // before the first frame; kiosk/bridge/card_images.py).
                source: root.image === "" ? "" : "image://cardimage/" + encodeURIComponent(root.image)
                // The size it is laid out at, not its width and height: those pass through several values while the
                // layout settles, and each would draw the picture again.
                sourceSize.width: Math.round(64 * Theme.scale)
                sourceSize.height: Math.round(64 * Theme.scale)
                Layout.preferredWidth: Math.round(64 * Theme.scale)
                Layout.preferredHeight: Math.round(64 * Theme.scale)
                Layout.alignment: Qt.AlignTop
                fillMode: Image.PreserveAspectFit
                Accessible.ignored: true
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: Math.round(4 * Theme.scale)

                // Date and source share a line when they fit, and wrap onto two when they do not.
                Flow {
                    id: meta
                    Layout.fillWidth: true

                    Text {
                        objectName: "winCardDate"
                        width: Math.min(implicitWidth, meta.width)
                        rightPadding: Theme.spacing
                        text: (root.kind === "win" ? qsTr("WIN") : qsTr("FACT")) + " · " + root.dateText
                        font.pixelSize: Theme.fontSmall
                        font.family: Theme.fontFamily
                        font.bold: true
                        color: root.kind === "win" ? Theme.success : Theme.secondary
                        wrapMode: Text.WordWrap
                    }
                    Text {
                        objectName: "winCardSource"
                        width: Math.min(implicitWidth, meta.width)
                        text: qsTr("Source: %1").arg(root.source)
                        font.pixelSize: Theme.fontSmall
                        font.family: Theme.fontFamily
                        color: Theme.inkMuted
                        wrapMode: Text.WordWrap
                    }
                }
                Text {
                    objectName: "winCardTitle"
                    text: root.title
                    font.pixelSize: Math.round(30 * Theme.scale)
                    font.family: Theme.fontFamily
                    font.bold: true
                    color: Theme.ink
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                }
            }
            Text {
                // The card opens its details on a tap; the chevron says so without words.
                objectName: "winCardMore"
                text: "›"
                font.pixelSize: Math.round(40 * Theme.scale)
                font.family: Theme.fontFamily
                font.bold: true
                color: Theme.primary
                Layout.alignment: Qt.AlignVCenter
                Accessible.ignored: true
            }
        }
        Text {
            id: bodyText
            objectName: "winCardBody"
            text: root.body
            font.pixelSize: root.bodyPixelSize > 0 ? root.bodyPixelSize : root.largestBodyPixelSize
            font.family: Theme.fontFamily
            fontSizeMode: root.bodyPixelSize > 0 ? Text.FixedSize : Text.Fit
            minimumPixelSize: Theme.fontSmall
            color: Theme.ink
            wrapMode: Text.WordWrap
            verticalAlignment: Text.AlignTop
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredHeight: 0
        }
    }
}
