pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../components"

// Organiser mode: a PIN pad first, then the organiser tools as tabs (each a panel file in organiser/).
Rectangle {
    id: root

    required property KioskController kiosk
    readonly property OrganiserViewModel vm: root.kiosk.organiser as OrganiserViewModel
    property string currentFile: ""

    // Panels declare `required property KioskController kiosk`, so they get it as an initial property.
    onCurrentFileChanged: {
        if (root.currentFile !== "")
            panel.setSource(Qt.resolvedUrl(root.currentFile), { "kiosk": root.kiosk })
    }

    objectName: "organiserScreen"
    color: Theme.background

    // --- PIN pad ------------------------------------------------------------------------------------------------
    ColumnLayout {
        objectName: "pinPad"
        visible: !root.vm.authenticated
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 520)
        spacing: Theme.spacing

        StepHeader { title: qsTr("Organiser PIN"); Layout.fillWidth: true }
        KTextField {
            id: pin
            fieldName: "pinField"
            label: qsTr("Enter the organiser PIN")
            echoMode: TextInput.Password
            inputMethodHints: Qt.ImhDigitsOnly | Qt.ImhSensitiveData
            maximumLength: 8
            error: root.vm.pinMessage
            enabled: root.vm.pinLockedFor === 0 && !root.vm.busy
            onAccepted: submit.clicked()
            Layout.fillWidth: true
        }
        RowLayout {
            Layout.fillWidth: true
            KButton {
                objectName: "pinCancelButton"
                text: qsTr("Cancel")
                kind: "plain"
                onClicked: root.vm.close()
            }
            Item { Layout.fillWidth: true }
            KButton {
                id: submit
                objectName: "pinSubmitButton"
                text: root.vm.busy ? qsTr("Checking…") : qsTr("Open")
                enabled: root.vm.pinLockedFor === 0 && !root.vm.busy
                onClicked: { root.vm.submitPin(pin.text); pin.clear() }
            }
        }
    }

    // --- tools ----------------------------------------------------------------------------------------------------
    ColumnLayout {
        objectName: "organiserTools"
        visible: root.vm.authenticated
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            QQC2.Label {
                text: qsTr("Organiser mode · %1 · %2").arg(root.vm.kioskName).arg(root.vm.eventName)
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.ink
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "vaultState"
                text: root.vm.unlocked ? qsTr("Unlocked") : qsTr("Locked - sync paused")
                color: root.vm.unlocked ? Theme.success : Theme.error
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
            KButton {
                objectName: "closeOrganiserButton"
                text: qsTr("Close")
                kind: "plain"
                onClicked: root.vm.close()
            }
        }

        QQC2.TabBar {
            id: tabs
            objectName: "organiserTabs"
            Layout.fillWidth: true
            Repeater {
                model: root.vm.panels
                delegate: QQC2.TabButton {
                    required property string key
                    required property string title
                    required property string file
                    objectName: key + "Tab"
                    Accessible.name: title
                    text: title
                    font.pixelSize: Theme.fontSmall
                    implicitHeight: Theme.minTouch
                    onClicked: root.currentFile = file
                    contentItem: Text {
                        text: parent.text
                        font: parent.font
                        color: parent.checked ? Theme.primaryInk : Theme.ink
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                        elide: Text.ElideRight
                    }
                    background: Rectangle {
                        color: parent.checked ? Theme.secondary : Theme.surface
                        border.color: Theme.divider
                    }
                    Component.onCompleted: if (root.currentFile === "") root.currentFile = file
                }
            }
        }

        Loader {
            id: panel
            objectName: "organiserPanelLoader"
            Layout.fillWidth: true
            Layout.fillHeight: true
            active: root.vm.authenticated && root.currentFile !== ""
        }
    }
}
