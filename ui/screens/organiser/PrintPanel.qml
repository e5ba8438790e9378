pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../../components"

// Print flyers, a poster or the event summary: choose, look at the preview, then print or save to a USB stick.
// Making, previewing, printing and saving all run off the UI thread (see kiosk/bridge/printing.py).
Item {
    id: root

    required property KioskController kiosk
    readonly property PrintingViewModel vm: root.kiosk.printing as PrintingViewModel

    objectName: "printPanel"
    Component.onCompleted: root.vm.refresh()

    component SectionTitle: QQC2.Label {
        font.pixelSize: Theme.fontSmall
        font.bold: true
        color: Theme.inkMuted
    }

    RowLayout {
        anchors.fill: parent
        spacing: Theme.margin

        FormPage {
            id: choices
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1

            SectionTitle { text: qsTr("Document") }
            Flow {
                width: choices.availableWidth
                spacing: Math.round(Theme.spacing / 2)
                Repeater {
                    model: root.vm.documents
                    delegate: KButton {
                        required property string key
                        required property string label
                        objectName: "document_" + key
                        text: label
                        kind: root.vm.document === key ? "secondary" : "plain"
                        font.pixelSize: Theme.fontSmall
                        onClicked: root.vm.chooseDocument(key)
                    }
                }
            }

            SectionTitle { text: qsTr("Paper") }
            Flow {
                width: choices.availableWidth
                spacing: Math.round(Theme.spacing / 2)
                Repeater {
                    model: root.vm.papers
                    delegate: KButton {
                        required property string key
                        required property string label
                        objectName: "paper_" + key
                        text: label
                        kind: root.vm.paper === key ? "secondary" : "plain"
                        font.pixelSize: Theme.fontSmall
                        onClicked: root.vm.choosePaper(key)
                    }
                }
            }

            SectionTitle { text: qsTr("Copies") }
            Row {
                spacing: Theme.spacing
                KButton {
                    objectName: "copiesDown"
                    text: "−"
                    Accessible.name: qsTr("Fewer copies")
                    kind: "plain"
                    enabled: root.vm.copies > 1
                    onClicked: root.vm.setCopies(root.vm.copies - 1)
                }
                QQC2.Label {
                    objectName: "copiesText"
                    text: root.vm.copies
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    color: Theme.ink
                    height: Theme.minTouch
                    width: Math.round(64 * Theme.scale)
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                }
                KButton {
                    objectName: "copiesUp"
                    text: "+"
                    Accessible.name: qsTr("More copies")
                    kind: "plain"
                    enabled: root.vm.copies < root.vm.maxCopies
                    onClicked: root.vm.setCopies(root.vm.copies + 1)
                }
            }

            SectionTitle { text: qsTr("Print") }
            Flow {
                width: choices.availableWidth
                spacing: Math.round(Theme.spacing / 2)
                visible: printersRepeater.count > 1
                Repeater {
                    id: printersRepeater
                    model: root.vm.printers
                    delegate: KButton {
                        required property int index
                        required property string key
                        required property string label
                        objectName: "printer_" + index
                        text: label
                        kind: root.vm.printer === key ? "secondary" : "plain"
                        font.pixelSize: Theme.fontSmall
                        onClicked: root.vm.choosePrinter(key)
                    }
                }
            }
            KButton {
                objectName: "printButton"
                width: choices.availableWidth
                text: root.vm.printer !== "" ? qsTr("Print on %1").arg(root.vm.printer) : qsTr("Print")
                kind: "primary"
                enabled: root.vm.canPrint && root.vm.pageCount > 0
                onClicked: root.vm.printDocument()
            }
            QQC2.Label {
                objectName: "printerMessage"
                width: choices.availableWidth
                visible: text !== ""
                text: root.vm.printerMessage
                wrapMode: Text.WordWrap
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
            }

            SectionTitle { text: qsTr("Save the PDF to") }
            Flow {
                width: choices.availableWidth
                spacing: Math.round(Theme.spacing / 2)
                Repeater {
                    id: destinations
                    model: root.vm.destinations
                    delegate: KButton {
                        required property int index
                        required property string key
                        required property string label
                        required property string detail
                        objectName: "saveDestination_" + index
                        text: label
                        Accessible.description: detail
                        kind: "plain"
                        font.pixelSize: Theme.fontSmall
                        enabled: !root.vm.busy && root.vm.pageCount > 0
                        onClicked: root.vm.saveTo(key)
                    }
                }
            }
            QQC2.Label {
                width: choices.availableWidth
                visible: destinations.count === 0
                text: qsTr("Plug in a USB stick to save the PDF on it.")
                wrapMode: Text.WordWrap
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
            }
            QQC2.Label {
                objectName: "printStatus"
                width: choices.availableWidth
                visible: text !== ""
                text: root.vm.busy ? root.vm.busyText : root.vm.status
                wrapMode: Text.WordWrap
                font.pixelSize: Theme.fontSmall
                font.bold: root.vm.statusIsError
                color: root.vm.statusIsError && !root.vm.busy ? Theme.error : Theme.ink
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            spacing: Math.round(Theme.spacing / 2)

            Rectangle {
                Layout.fillWidth: true
                Layout.fillHeight: true
                color: Theme.divider
                radius: Theme.radius

                Image {
                    objectName: "printPreview"
                    anchors.fill: parent
                    anchors.margins: Math.round(Theme.spacing / 2)
                    source: root.vm.previewSource
                    fillMode: Image.PreserveAspectFit
                    cache: false
                    smooth: true
                    mipmap: true
                    Accessible.role: Accessible.Graphic
                    Accessible.name: qsTr("Preview of the page to print")
                }
                QQC2.BusyIndicator {
                    anchors.centerIn: parent
                    running: root.vm.busy
                    visible: running
                }
            }
            RowLayout {
                Layout.fillWidth: true
                KButton {
                    objectName: "previewPrevious"
                    text: "‹"
                    Accessible.name: qsTr("Previous page")
                    kind: "plain"
                    enabled: root.vm.previewPage > 0
                    onClicked: root.vm.previousPage()
                }
                QQC2.Label {
                    objectName: "previewPageText"
                    text: root.vm.pageCount > 0 ? qsTr("Page %1 of %2").arg(root.vm.previewPage + 1).arg(root.vm.pageCount) : ""
                    font.pixelSize: Theme.fontSmall
                    color: Theme.ink
                    horizontalAlignment: Text.AlignHCenter
                    Layout.fillWidth: true
                }
                KButton {
                    objectName: "previewNext"
                    text: "›"
                    Accessible.name: qsTr("Next page")
                    kind: "plain"
                    enabled: root.vm.previewPage < root.vm.pageCount - 1
                    onClicked: root.vm.nextPage()
                }
            }
        }
    }
}
