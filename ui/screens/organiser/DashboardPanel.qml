pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../../components"

// The day at a glance for organisers: counts, a bar chart by hour, the funnel, pledge totals, sync and storage.
// Numbers only - no names or contact details. Figures come from kiosk/bridge/dashboard.py and refresh while shown.
Item {
    id: root

    required property KioskController kiosk
    readonly property DashboardViewModel vm: root.kiosk.dashboard as DashboardViewModel

    objectName: "dashboardScreen"
    Component.onCompleted: root.vm.live = true
    Component.onDestruction: if (root.vm) root.vm.live = false

    // One figure with its caption, e.g. "12" over "today".
    component Figure: Column {
        id: figure
        property alias value: number.text
        property alias caption: label.text
        property color colour: Theme.ink
        spacing: 0
        QQC2.Label {
            id: number
            font.pixelSize: Theme.fontLarge
            font.bold: true
            color: figure.colour
        }
        QQC2.Label {
            id: label
            font.pixelSize: Theme.fontSmall
            color: Theme.inkMuted
        }
    }

    // A white card with a title; its children are laid out in a row that wraps.
    component Card: Rectangle {
        id: card
        property alias title: heading.text
        default property alias cardContent: figures.data
        color: Theme.surface
        radius: Theme.radius
        border.color: Theme.divider
        implicitWidth: Math.max(heading.implicitWidth, figures.implicitWidth) + 2 * Theme.spacing
        implicitHeight: heading.implicitHeight + figures.implicitHeight + 2.5 * Theme.spacing
        QQC2.Label {
            id: heading
            x: Theme.spacing
            y: Theme.spacing
            font.pixelSize: Theme.fontSmall
            font.bold: true
            color: Theme.inkMuted
        }
        Row {
            id: figures
            x: Theme.spacing
            anchors.top: heading.bottom
            anchors.topMargin: Theme.spacing / 2
            spacing: Theme.margin
        }
    }

    FormPage {
        id: page
        // Room for the scroll bar, which is drawn over the content's right edge.
        readonly property real contentW: page.availableWidth - Theme.spacing
        anchors.fill: parent

        RowLayout {
            width: page.contentW
            QQC2.Label {
                objectName: "dashboardUpdated"
                text: root.vm.loaded ? qsTr("Event %1 · updated %2").arg(root.vm.eventName).arg(root.vm.updatedAt)
                                     : qsTr("Counting…")
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            KButton {
                objectName: "refreshDashboardButton"
                text: qsTr("Refresh")
                kind: "plain"
                font.pixelSize: Theme.fontSmall
                onClicked: root.vm.refresh()
            }
        }

        Flow {
            width: page.contentW
            spacing: Theme.spacing

            Card {
                title: qsTr("Signatures")
                Figure { objectName: "signaturesToday"; value: root.vm.signaturesToday; caption: qsTr("today") }
                Figure { objectName: "signaturesEvent"; value: root.vm.signaturesEvent; caption: qsTr("this event") }
                Figure { objectName: "signaturesAll"; value: root.vm.signaturesAll; caption: qsTr("all time") }
            }
            Card {
                title: qsTr("Pledges")
                Figure { objectName: "pledgesToday"; value: root.vm.pledgesToday; caption: qsTr("today") }
                Figure { objectName: "pledgesEvent"; value: root.vm.pledgesEvent; caption: qsTr("this event") }
                Figure { objectName: "pledgesAll"; value: root.vm.pledgesAll; caption: qsTr("all time") }
            }
            Card {
                title: qsTr("Pledged at this event")
                Figure {
                    objectName: "oneOffTotal"
                    value: root.vm.oneOffTotal
                    caption: qsTr("one-off (%n pledge(s))", "", root.vm.oneOffCount)
                }
                Figure {
                    objectName: "monthlyTotal"
                    value: qsTr("%1/month").arg(root.vm.monthlyTotal)
                    caption: qsTr("monthly (%n pledge(s))", "", root.vm.monthlyCount)
                }
                Figure { objectName: "giftAidCount"; value: root.vm.giftAidCount; caption: qsTr("with Gift Aid") }
            }
            Card {
                title: qsTr("Sync")
                Figure { objectName: "syncPending"; value: root.vm.syncPending; caption: qsTr("waiting") }
                Figure {
                    objectName: "syncSynced"
                    value: root.vm.syncSynced
                    caption: qsTr("synced")
                    colour: Theme.success
                }
                Figure {
                    objectName: "syncRejected"
                    value: root.vm.syncRejected
                    caption: qsTr("rejected")
                    colour: root.vm.syncRejected > 0 ? Theme.error : Theme.ink
                }
            }
            Card {
                title: qsTr("This kiosk")
                Figure {
                    objectName: "freeDisk"
                    value: root.vm.freeDisk
                    caption: root.vm.diskLow ? qsTr("free - nearly full!") : qsTr("free space")
                    colour: root.vm.diskLow ? Theme.error : Theme.ink
                }
                Figure {
                    objectName: "vaultStateText"
                    value: root.vm.vaultUnlocked ? qsTr("Unlocked") : qsTr("Locked")
                    caption: qsTr("vault")
                    colour: root.vm.vaultUnlocked ? Theme.success : Theme.inkMuted
                }
            }
        }

        // --- signatures and pledges by hour ------------------------------------------------------------------------
        Rectangle {
            width: page.contentW
            height: Math.max(180, Math.round(240 * Theme.scale))
            color: Theme.surface
            radius: Theme.radius
            border.color: Theme.divider

            QQC2.Label {
                id: chartTitle
                x: Theme.spacing
                y: Theme.spacing
                text: qsTr("Today by hour: signatures and pledges")
                font.pixelSize: Theme.fontSmall
                font.bold: true
                color: Theme.inkMuted
            }
            Row {
                anchors.right: parent.right
                anchors.rightMargin: Theme.spacing
                anchors.verticalCenter: chartTitle.verticalCenter
                spacing: Theme.spacing / 2
                Rectangle { width: 12; height: 12; color: Theme.primary; anchors.verticalCenter: parent.verticalCenter }
                QQC2.Label { text: qsTr("signatures"); font.pixelSize: Theme.fontSmall; color: Theme.inkMuted }
                Rectangle { width: 12; height: 12; color: Theme.secondary; anchors.verticalCenter: parent.verticalCenter }
                QQC2.Label { text: qsTr("pledges"); font.pixelSize: Theme.fontSmall; color: Theme.inkMuted }
            }

            Item {
                id: plot
                objectName: "hourChart"
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.top: chartTitle.bottom
                anchors.bottom: parent.bottom
                anchors.margins: Theme.spacing
                readonly property real labelHeight: Theme.fontSmall * 1.4
                readonly property real barArea: height - 2 * labelHeight

                Row {
                    anchors.fill: parent
                    spacing: Math.max(2, Math.round(6 * Theme.scale))
                    Repeater {
                        id: bars
                        model: root.vm.hours
                        delegate: Item {
                            id: column
                            required property int index
                            required property string label
                            required property int signatures
                            required property int pledges
                            required property int total
                            objectName: "hourBar_" + index
                            width: (plot.width - (bars.count - 1) * parent.spacing) / Math.max(1, bars.count)
                            height: plot.height
                            readonly property real unit: plot.barArea / Math.max(1, root.vm.tallestHour)

                            QQC2.Label {
                                anchors.horizontalCenter: parent.horizontalCenter
                                y: plot.labelHeight + plot.barArea - column.total * column.unit - height
                                visible: column.total > 0
                                text: column.total
                                font.pixelSize: Theme.fontSmall
                                color: Theme.ink
                            }
                            Rectangle {
                                objectName: "signatureBar"
                                width: parent.width
                                height: column.signatures * column.unit
                                y: plot.labelHeight + plot.barArea - height
                                color: Theme.primary
                            }
                            Rectangle {
                                objectName: "pledgeBar"
                                width: parent.width
                                height: column.pledges * column.unit
                                y: plot.labelHeight + plot.barArea - column.signatures * column.unit - height
                                color: Theme.secondary
                            }
                            QQC2.Label {
                                anchors.horizontalCenter: parent.horizontalCenter
                                anchors.bottom: parent.bottom
                                text: column.label
                                font.pixelSize: Theme.fontSmall
                                color: Theme.inkMuted
                            }
                        }
                    }
                }
                Rectangle {
                    x: 0
                    y: plot.labelHeight + plot.barArea
                    width: plot.width
                    height: 1
                    color: Theme.divider
                }
            }
        }

        // --- funnel ------------------------------------------------------------------------------------------------
        Rectangle {
            id: funnel
            width: page.contentW
            height: funnelColumn.implicitHeight + 2 * Theme.spacing
            color: Theme.surface
            radius: Theme.radius
            border.color: Theme.divider
            readonly property int widest: Math.max(1, root.vm.funnelAttract, root.vm.funnelStarted,
                                                   root.vm.funnelCompleted, root.vm.funnelAbandoned)

            Column {
                id: funnelColumn
                x: Theme.spacing
                y: Theme.spacing
                width: parent.width - 2 * Theme.spacing
                spacing: Theme.spacing / 2

                QQC2.Label {
                    text: qsTr("At this event: from a first touch to a finished form")
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                    color: Theme.inkMuted
                }
                Repeater {
                    model: [
                        { "key": "attract", "label": qsTr("Touched the screen"), "count": root.vm.funnelAttract },
                        { "key": "started", "label": qsTr("Started a form"), "count": root.vm.funnelStarted },
                        { "key": "completed", "label": qsTr("Completed"), "count": root.vm.funnelCompleted },
                        { "key": "abandoned", "label": qsTr("Walked away"), "count": root.vm.funnelAbandoned }
                    ]
                    delegate: Row {
                        id: step
                        required property var modelData
                        objectName: "funnel_" + step.modelData.key
                        spacing: Theme.spacing
                        QQC2.Label {
                            width: Math.round(funnelColumn.width * 0.3)
                            text: step.modelData.label
                            font.pixelSize: Theme.fontSmall
                            color: Theme.ink
                            elide: Text.ElideRight
                        }
                        Rectangle {
                            width: Math.max(2, (funnelColumn.width * 0.55) * step.modelData.count / funnel.widest)
                            height: Theme.fontSmall * 1.2
                            radius: 3
                            color: step.modelData.key === "abandoned" ? Theme.inkMuted : Theme.secondary
                        }
                        QQC2.Label {
                            objectName: "funnelCount_" + step.modelData.key
                            text: step.modelData.count
                            font.pixelSize: Theme.fontSmall
                            font.bold: true
                            color: Theme.ink
                        }
                    }
                }
            }
        }
    }
}
