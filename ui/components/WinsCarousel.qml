pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import Kiosk

// The wins cards, one at a time: swipe, arrows, page dots, and a button for the whole timeline.
// Which card shows and when it advances is decided by the view model (kiosk.wins); this only lays out and forwards.
Item {
    id: root

    required property WinsViewModel wins

    // The largest body size at which every card fits its box, measured on hidden copies of the cards. The view
    // model keeps what was measured for this layout (kiosk/wins_fit.py), so a later start shows its first frame at
    // that size without the copies (~20 ms); they are built right after the first frame and measure again, which
    // corrects a kept size that no longer fits (another pack, font or Qt).
    readonly property string fitLayout: [Math.round(list.width), Math.round(list.height), Theme.scale,
                                         Theme.fontFamily, Qt.uiLanguage].join(" ")
    readonly property real rememberedBodyPixelSize: root.wins.rememberedBodySize(root.fitLayout)
    readonly property bool measuring: list.width > 0 && list.height > 0
                                      && (root.wins.lateParts || root.rememberedBodyPixelSize <= 0)
    readonly property real measuredBodyPixelSize: {
        let size = Number.MAX_VALUE
        for (let i = 0; i < probes.count; ++i) {
            const probe = probes.itemAt(i) as WinCardDelegate
            if (probe)
                size = Math.min(size, probe.fittedBodyPixelSize)
        }
        return size === Number.MAX_VALUE ? 0 : size
    }
    readonly property real bodyPixelSize: root.measuredBodyPixelSize > 0 ? root.measuredBodyPixelSize
                                                                           : root.rememberedBodyPixelSize
    // Later, not at once: the copies report one by one as they are built, and only the smallest of all counts.
    onMeasuredBodyPixelSizeChanged: Qt.callLater(root.rememberFit)

    function rememberFit(): void {
        if (root.measuring && root.measuredBodyPixelSize > 0 && probes.count === root.wins.count)
            root.wins.rememberBodySize(root.fitLayout, root.measuredBodyPixelSize)
    }

    implicitWidth: column.implicitWidth
    implicitHeight: column.implicitHeight

    Item {
        visible: false
        width: list.width
        height: list.height

        Repeater {
            id: probes
            model: root.measuring ? root.wins.cards : null
            delegate: WinCardDelegate {
                wins: root.wins
                width: list.width
                height: list.height
            }
        }
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        spacing: Math.round(8 * Theme.scale)

        ListView {
            id: list
            objectName: "winsList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            orientation: ListView.Horizontal
            snapMode: ListView.SnapOneItem
            highlightRangeMode: ListView.StrictlyEnforceRange
            preferredHighlightBegin: 0
            preferredHighlightEnd: width
            highlightMoveDuration: 400
            highlightMoveVelocity: -1  // a turn takes the same 400 ms however far it goes (last card back to the first)
            boundsBehavior: Flickable.StopAtBounds
            spacing: Theme.spacing
            model: root.wins.cards
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Campaign wins and facts")

            delegate: WinCardDelegate {
                wins: root.wins
                width: list.width
                height: list.height
                bodyPixelSize: root.bodyPixelSize
            }

            Component.onCompleted: list.positionViewAtIndex(root.wins.currentIndex, ListView.Beginning)
            onMovementStarted: root.wins.touched()
            onMovementEnded: root.wins.showCard(list.currentIndex)

            Connections {
                target: root.wins
                function onCurrentIndexChanged(): void {
                    if (list.currentIndex !== root.wins.currentIndex)
                        list.currentIndex = root.wins.currentIndex
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: false
            spacing: Math.round(8 * Theme.scale)

            KButton {
                objectName: "winsPreviousButton"
                text: "‹"
                kind: "plain"
                Accessible.name: qsTr("Previous card")
                implicitWidth: Theme.minTouch
                implicitHeight: Theme.minTouch
                onClicked: root.wins.previous()
            }
            Item {
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.minTouch

                Row {
                    objectName: "winsPageDots"
                    anchors.centerIn: parent
                    spacing: Math.round(6 * Theme.scale)
                    Accessible.role: Accessible.Indicator
                    Accessible.name: qsTr("Card %1 of %2").arg(root.wins.currentIndex + 1).arg(root.wins.count)

                    Repeater {
                        model: root.wins.count
                        delegate: Rectangle {
                            required property int index
                            readonly property bool current: index === root.wins.currentIndex

                            objectName: "winsPageDot"
                            width: Math.max(8, Math.round(12 * Theme.scale))
                            height: width
                            radius: width / 2
                            color: current ? Theme.primary : Theme.divider
                        }
                    }
                }
            }
            KButton {
                objectName: "winsNextButton"
                text: "›"
                kind: "plain"
                Accessible.name: qsTr("Next card")
                implicitWidth: Theme.minTouch
                implicitHeight: Theme.minTouch
                onClicked: root.wins.next()
            }
            KButton {
                objectName: "winsTimelineButton"
                text: qsTr("All wins")
                kind: "secondary"
                font.pixelSize: Theme.fontBody
                implicitHeight: Theme.minTouch
                Accessible.name: qsTr("Show every win on a timeline")
                onClicked: root.wins.openTimeline()
            }
        }
    }

    // The popups are not on the first frame: built after it, or at once if one opens before.
    Loader {
        active: root.wins.lateParts || root.wins.detailIndex >= 0
        sourceComponent: WinDetail {
            wins: root.wins
        }
    }
    Loader {
        active: root.wins.lateParts || root.wins.timelineOpen
        sourceComponent: WinsTimeline {
            wins: root.wins
        }
    }
}
