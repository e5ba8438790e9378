pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../../components"

// Export for the CRM and spreadsheets, import typed-up paper sheets, back up the database, and see per event what
// has arrived at the sync target. Every action runs off the UI thread (kiosk/bridge/exports.py).
Item {
    id: root

    required property KioskController kiosk
    readonly property ExportsViewModel vm: (root.kiosk.dashboard as DashboardViewModel).exports as ExportsViewModel
    readonly property OrganiserViewModel organiser: root.kiosk.organiser as OrganiserViewModel

    objectName: "exportPanel"
    Component.onCompleted: root.vm.refreshReconciliation()

    component SectionTitle: QQC2.Label {
        font.pixelSize: Theme.fontSmall
        font.bold: true
        color: Theme.inkMuted
    }
    component Note: QQC2.Label {
        wrapMode: Text.WordWrap
        font.pixelSize: Theme.fontSmall
        color: Theme.inkMuted
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.margin

        FormPage {
            id: tools
            // Room for the scroll bar, which is drawn over the content's right edge.
            readonly property real contentW: tools.availableWidth - Theme.spacing
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 3

            // --- export ----------------------------------------------------------------------------------------------
            SectionTitle { text: qsTr("Export signatures and pledges") }
            Note {
                width: tools.contentW
                visible: !root.organiser.unlocked
                objectName: "exportLockedNote"
                text: qsTr("Unlock with the organiser passphrase (Security tab) to export or import: both handle personal data.")
                color: Theme.error
            }
            KTextField {
                id: folder
                width: tools.contentW
                fieldName: "exportFolderField"
                label: qsTr("Folder (a USB stick under /media, or any folder)")
                text: root.vm.folder
                inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                onEdited: root.vm.folder = folder.text
            }
            Flow {
                width: tools.contentW
                spacing: Math.round(Theme.spacing / 2)
                KButton {
                    objectName: "formatCsvButton"
                    text: qsTr("CSV")
                    Accessible.name: qsTr("Export as CSV files")
                    kind: root.vm.fileFormat === "csv" ? "secondary" : "plain"
                    font.pixelSize: Theme.fontSmall
                    onClicked: root.vm.fileFormat = "csv"
                }
                KButton {
                    objectName: "formatXlsxButton"
                    text: qsTr("Excel (xlsx)")
                    Accessible.name: qsTr("Export as an Excel workbook")
                    kind: root.vm.fileFormat === "xlsx" ? "secondary" : "plain"
                    font.pixelSize: Theme.fontSmall
                    onClicked: root.vm.fileFormat = "xlsx"
                }
                KButton {
                    objectName: "exportButton"
                    text: qsTr("Export")
                    kind: "primary"
                    enabled: root.organiser.unlocked && !root.vm.busy
                    onClicked: root.vm.exportNow()
                }
            }

            // --- progress and result of whatever runs -----------------------------------------------------------
            QQC2.ProgressBar {
                objectName: "exportProgress"
                width: tools.contentW
                visible: root.vm.busy
                indeterminate: !root.vm.progressKnown
                value: root.vm.progress
                Accessible.name: root.vm.busyText
            }
            QQC2.Label {
                id: status
                objectName: "exportStatus"
                width: tools.contentW
                visible: text !== ""
                text: root.vm.busy ? root.vm.busyText : root.vm.status
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontSmall
                font.bold: root.vm.statusIsError && !root.vm.busy
                color: root.vm.statusIsError && !root.vm.busy ? Theme.error : Theme.ink
            }
            Repeater {
                model: root.vm.importLines
                delegate: QQC2.Label {
                    required property int line
                    required property string message
                    objectName: "importLine_" + line
                    width: tools.contentW
                    text: message
                    wrapMode: Text.WordWrap
                    font.pixelSize: Theme.fontSmall
                    color: Theme.ink
                }
            }

            // --- paper sheets -------------------------------------------------------------------------------------
            SectionTitle { text: qsTr("Import a typed-up paper sheet (CSV)") }
            KTextField {
                id: paperFile
                width: tools.contentW
                fieldName: "paperFileField"
                label: qsTr("CSV file")
                hint: root.vm.folder + "/sheet.csv"
                inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
            }
            KTextField {
                id: paperEvent
                width: tools.contentW
                fieldName: "paperEventField"
                label: qsTr("Event the sheet was filled in at")
                text: root.vm.eventName
            }
            KTextField {
                id: paperVersion
                width: tools.contentW
                fieldName: "paperVersionField"
                label: qsTr("Form version printed on the sheet (today's: %1)").arg(root.vm.consentVersion)
                inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
            }
            KCheckBox {
                id: skipInvalid
                objectName: "skipInvalidCheck"
                width: tools.contentW
                font.pixelSize: Theme.fontSmall
                text: qsTr("Import the good rows even if some rows have problems")
            }
            KButton {
                objectName: "importPaperButton"
                text: qsTr("Import sheet")
                kind: "secondary"
                enabled: root.organiser.unlocked && !root.vm.busy && paperFile.text !== ""
                onClicked: {
                    root.vm.importPaper(paperFile.text, paperEvent.text, paperVersion.text, skipInvalid.checked)
                    Qt.callLater(tools.ensureVisible, status)
                }
            }

            // --- backup -------------------------------------------------------------------------------------------
            SectionTitle { text: qsTr("Back up the database (stays encrypted)") }
            KTextField {
                id: backupFile
                width: tools.contentW
                fieldName: "backupFileField"
                label: qsTr("Backup file")
                hint: root.vm.defaultBackup
                inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
            }
            KButton {
                objectName: "backupButton"
                text: qsTr("Back up now")
                kind: "secondary"
                enabled: !root.vm.busy
                onClicked: {
                    root.vm.backupTo(backupFile.text)
                    backupFile.clear()
                    Qt.callLater(tools.ensureVisible, status)
                }
            }
        }

        // --- reconciliation ---------------------------------------------------------------------------------------
        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 2
            spacing: Math.round(Theme.spacing / 2)

            RowLayout {
                Layout.fillWidth: true
                SectionTitle {
                    text: qsTr("Arrived at the sync target?")
                    Layout.fillWidth: true
                    wrapMode: Text.WordWrap
                }
                KButton {
                    objectName: "refreshReconciliationButton"
                    text: qsTr("Check")
                    kind: "plain"
                    font.pixelSize: Theme.fontSmall
                    onClicked: root.vm.refreshReconciliation()
                }
            }
            ListView {
                id: reconciliation
                objectName: "reconciliationList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                spacing: Math.round(Theme.spacing / 2)
                model: root.vm.events
                header: Note {
                    width: reconciliation.width
                    text: qsTr("Per event: collected = synced + rejected + outstanding")
                    bottomPadding: Theme.spacing / 2
                }
                delegate: Rectangle {
                    id: eventRow
                    required property int index
                    required property string event
                    required property int collected
                    required property int synced
                    required property int rejected
                    required property int outstanding
                    required property bool balanced
                    objectName: "reconciliation_" + index
                    width: reconciliation.width
                    height: eventText.implicitHeight + Theme.spacing
                    radius: Theme.radius / 2
                    color: Theme.surface
                    border.color: eventRow.balanced ? Theme.divider : Theme.error
                    QQC2.Label {
                        id: eventText
                        objectName: "reconciliationText_" + eventRow.index
                        x: Theme.spacing / 2
                        width: parent.width - Theme.spacing
                        anchors.verticalCenter: parent.verticalCenter
                        wrapMode: Text.WordWrap
                        font.pixelSize: Theme.fontSmall
                        color: Theme.ink
                        text: qsTr("%1: %2 collected · %3 synced · %4 rejected · %5 outstanding")
                              .arg(eventRow.event).arg(eventRow.collected).arg(eventRow.synced)
                              .arg(eventRow.rejected).arg(eventRow.outstanding)
                    }
                }
                footer: Column {
                    width: reconciliation.width
                    topPadding: Theme.spacing
                    spacing: 2
                    Note {
                        objectName: "outstandingTitle"
                        width: parent.width
                        font.bold: true
                        text: root.vm.outstandingTotal === 0 ? qsTr("Nothing outstanding.")
                                                             : qsTr("Still outstanding: %1").arg(root.vm.outstandingTotal)
                    }
                    Repeater {
                        model: root.vm.outstanding
                        delegate: QQC2.Label {
                            required property int index
                            required property string record
                            required property string kind
                            required property string event
                            required property string delivery
                            required property string detail
                            objectName: "outstanding_" + index
                            width: parent.width
                            wrapMode: Text.WordWrap
                            font.pixelSize: Theme.fontSmall
                            color: delivery === "rejected" ? Theme.error : Theme.ink
                            text: qsTr("%1 %2 · %3 · %4 · %5").arg(kind).arg(record).arg(event).arg(delivery).arg(detail)
                        }
                    }
                }
            }
        }
    }
}
