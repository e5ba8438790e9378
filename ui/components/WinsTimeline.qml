pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk

// Every win in date order (kiosk.wins.timeline); tapping one opens its details above the timeline.
QQC2.Popup {
    id: root

    required property WinsViewModel wins

    objectName: "winsTimelinePopup"
    parent: QQC2.Overlay.overlay
    anchors.centerIn: parent
    z: 1
    modal: true
    focus: true
    closePolicy: QQC2.Popup.CloseOnEscape | QQC2.Popup.CloseOnPressOutside
    padding: Theme.margin
    width: Math.min(parent.width - 2 * Theme.margin, Math.round(1000 * Theme.scale))
    height: parent.height - 2 * Theme.margin

    onClosed: {
        if (root.wins.timelineOpen)
            root.wins.closeTimeline()
    }

    // Built when it is first opened (WinsCarousel loads it then, or after the first frame).
    Component.onCompleted: {
        if (root.wins.timelineOpen)
            root.open()
    }

    Connections {
        target: root.wins
        function onTimelineOpenChanged(): void {
            if (root.wins.timelineOpen)
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
        objectName: "winsTimeline"
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Text {
                objectName: "winsTimelineHeading"
                text: qsTr("The campaign so far")
                font.pixelSize: Theme.fontTitle
                font.family: Theme.fontFamily
                font.bold: true
                color: Theme.primary
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            KButton {
                objectName: "winsTimelineCloseButton"
                text: qsTr("Close")
                kind: "plain"
                font.pixelSize: Theme.fontBody
                onClicked: root.wins.closeTimeline()
            }
        }

        ListView {
            id: list
            objectName: "winsTimelineList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            boundsBehavior: Flickable.StopAtBounds
            model: root.wins.timeline
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Every win, oldest first")
            // Always shown when the list is longer than the box, so people see there is more below.
            QQC2.ScrollIndicator.vertical: QQC2.ScrollIndicator { active: list.contentHeight > list.height }

            delegate: Item {
                id: row

                required property int index
                required property int cardIndex
                required property string cardId
                required property string dateText
                required property string title
                required property string source

                readonly property real dateWidth: Math.round(190 * Theme.scale)
                readonly property real markerWidth: Math.round(36 * Theme.scale)

                objectName: "winsTimelineRow_" + cardId
                width: ListView.view.width
                height: Math.max(Theme.minTouch, texts.implicitHeight + 2 * Theme.spacing)
                Accessible.role: Accessible.Button
                Accessible.name: qsTr("%1: %2").arg(row.dateText).arg(row.title)
                Accessible.onPressAction: root.wins.openDetail(row.cardIndex)

                TapHandler {
                    onTapped: root.wins.openDetail(row.cardIndex)
                }

                Text {
                    objectName: "winsTimelineDate"
                    x: 0
                    y: Theme.spacing
                    width: row.dateWidth
                    text: row.dateText
                    font.pixelSize: Theme.fontBody
                    font.family: Theme.fontFamily
                    font.bold: true
                    color: Theme.success
                    wrapMode: Text.WordWrap
                    horizontalAlignment: Text.AlignRight
                }
                // The line of the timeline, with a dot for this win.
                Rectangle {
                    x: row.dateWidth + row.markerWidth / 2 - width / 2
                    y: row.index === 0 ? Theme.spacing + dot.height / 2 : 0
                    width: Math.max(2, Math.round(3 * Theme.scale))
                    height: row.index === list.count - 1 ? Theme.spacing + dot.height / 2 - y : row.height - y
                    color: Theme.divider
                }
                Rectangle {
                    id: dot
                    x: row.dateWidth + (row.markerWidth - width) / 2
                    y: Theme.spacing + Math.round(4 * Theme.scale)
                    width: Math.round(16 * Theme.scale)
                    height: width
                    radius: width / 2
                    color: Theme.success
                }
                ColumnLayout {
                    id: texts
                    x: row.dateWidth + row.markerWidth
                    y: Theme.spacing
                    width: row.width - x
                    spacing: Math.round(2 * Theme.scale)

                    Text {
                        objectName: "winsTimelineTitle"
                        text: row.title
                        font.pixelSize: Theme.fontBody
                        font.family: Theme.fontFamily
                        font.bold: true
                        color: Theme.ink
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Text {
                        text: qsTr("Source: %1").arg(row.source)
                        font.pixelSize: Theme.fontSmall
                        font.family: Theme.fontFamily
                        color: Theme.inkMuted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                }
            }
        }
    }
}
