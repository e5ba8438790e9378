pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../../components"

// Sync in organiser mode: the queue by state, last success and error, a live progress bar, "Sync now", and the
// rejected records with their reasons and a retry after the cause is fixed.
Item {
    id: root

    required property KioskController kiosk
    readonly property SyncViewModel vm: root.kiosk.sync as SyncViewModel

    objectName: "syncPanel"

    RowLayout {
        anchors.fill: parent
        spacing: Theme.margin

        FormPage {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1

            QQC2.Label {
                objectName: "syncStatusText"
                width: parent.width
                text: root.vm.statusText
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: root.vm.statusKind === "synced" ? Theme.success
                       : root.vm.statusKind === "attention" ? Theme.error : Theme.ink
                wrapMode: Text.WordWrap
            }
            QQC2.Label {
                objectName: "syncDetail"
                width: parent.width
                visible: text !== ""
                text: root.vm.detail
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
                wrapMode: Text.WordWrap
            }
            GridLayout {
                objectName: "syncQueue"
                width: parent.width
                columns: 2
                columnSpacing: Theme.spacing
                rowSpacing: Math.round(4 * Theme.scale)

                QQC2.Label { text: qsTr("Waiting"); font.pixelSize: Theme.fontBody; color: Theme.ink }
                QQC2.Label {
                    objectName: "syncPendingCount"
                    text: root.vm.pendingCount + root.vm.sendingCount
                    font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.ink
                }
                QQC2.Label { text: qsTr("Synced"); font.pixelSize: Theme.fontBody; color: Theme.ink }
                QQC2.Label {
                    objectName: "syncSyncedCount"
                    text: root.vm.syncedCount
                    font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.success
                }
                QQC2.Label { text: qsTr("Rejected"); font.pixelSize: Theme.fontBody; color: Theme.ink }
                QQC2.Label {
                    objectName: "syncRejectedCount"
                    text: root.vm.rejectedCount
                    font.pixelSize: Theme.fontBody; font.bold: true
                    color: root.vm.rejectedCount > 0 ? Theme.error : Theme.ink
                }
            }
            QQC2.Label {
                objectName: "syncLastSuccess"
                width: parent.width
                text: root.vm.lastSuccess !== "" ? qsTr("Last record delivered: %1").arg(root.vm.lastSuccess)
                                                 : qsTr("Nothing delivered yet")
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
                wrapMode: Text.WordWrap
            }
            QQC2.Label {
                objectName: "syncLastError"
                width: parent.width
                visible: root.vm.lastError !== ""
                text: qsTr("Last problem: %1").arg(root.vm.lastError)
                font.pixelSize: Theme.fontSmall
                color: Theme.error
                wrapMode: Text.WordWrap
            }
            QQC2.ProgressBar {
                objectName: "syncProgressBar"
                width: parent.width
                visible: root.vm.busy
                from: 0
                to: 1
                value: root.vm.progress
                Accessible.name: qsTr("Sync progress")
            }
            QQC2.Label {
                objectName: "syncProgressText"
                width: parent.width
                visible: root.vm.busy && root.vm.progressTotal > 0
                text: qsTr("%1 of %2 sent").arg(root.vm.progressDone).arg(root.vm.progressTotal)
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
            }
            Flow {
                width: parent.width
                spacing: Theme.spacing
                KButton {
                    objectName: "syncNowButton"
                    text: root.vm.busy ? qsTr("Syncing…") : qsTr("Sync now")
                    enabled: root.vm.enabledForKiosk && !root.vm.busy && !root.vm.locked
                    onClicked: root.vm.syncNow()
                }
                KButton {
                    objectName: "retryRejectedButton"
                    text: qsTr("Retry rejected")
                    kind: "secondary"
                    visible: root.vm.rejectedCount > 0
                    enabled: !root.vm.locked
                    onClicked: root.vm.retryRejected()
                }
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            spacing: Theme.spacing

            QQC2.Label {
                text: qsTr("Rejected records")
                font.pixelSize: Theme.fontBody
                font.bold: true
                color: Theme.ink
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "rejectedEmpty"
                visible: rejectedList.count === 0
                text: qsTr("None. Records the target refuses appear here with its reason.")
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
            }
            ListView {
                id: rejectedList
                objectName: "rejectedList"
                model: root.vm.rejected
                clip: true
                spacing: Math.round(6 * Theme.scale)
                Layout.fillWidth: true
                Layout.fillHeight: true
                QQC2.ScrollBar.vertical: QQC2.ScrollBar {}

                delegate: Rectangle {
                    id: row
                    required property int index
                    required property int entryId
                    required property string kind
                    required property string reason
                    required property string when
                    required property string name

                    width: ListView.view.width
                    implicitHeight: Math.max(Theme.minTouch, content.implicitHeight + 2 * Theme.spacing / 2)
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.divider

                    RowLayout {
                        id: content
                        anchors.fill: parent
                        anchors.margins: Theme.spacing / 2
                        spacing: Theme.spacing / 2

                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2
                            QQC2.Label {
                                objectName: "rejectedTitle_" + row.index
                                text: (row.name !== "" ? row.name + " · " : "") + row.kind + " · " + row.when
                                font.pixelSize: Theme.fontSmall
                                font.bold: true
                                color: Theme.ink
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                            }
                            QQC2.Label {
                                objectName: "rejectedReason_" + row.index
                                text: row.reason
                                font.pixelSize: Theme.fontSmall
                                color: Theme.error
                                wrapMode: Text.WordWrap
                                Layout.fillWidth: true
                            }
                        }
                        KButton {
                            objectName: "retryRejected_" + row.index
                            text: qsTr("Retry")
                            kind: "plain"
                            font.pixelSize: Theme.fontSmall
                            Accessible.name: qsTr("Retry this record")
                            enabled: !root.vm.locked
                            onClicked: root.vm.retryEntry(row.entryId)
                        }
                    }
                }
            }
        }
    }
}
