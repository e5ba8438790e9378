pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../components"

// First run: the organiser chooses the passphrase that protects signers' data, and the PIN for organiser mode.
Rectangle {
    id: root

    required property KioskController kiosk
    readonly property SetupViewModel setup: root.kiosk.setup

    objectName: "setupScreen"
    color: Theme.background

    FormPage {
        anchors.fill: parent
        anchors.margins: Theme.margin

        ColumnLayout {
            width: parent.width
            spacing: Theme.spacing

            StepHeader { title: qsTr("Set up this kiosk"); Layout.fillWidth: true }
            QQC2.Label {
                text: qsTr("Choose a passphrase only organisers know. Signatures are encrypted so that only this passphrase can read them: if it is lost, so is the data. The PIN opens organiser mode.")
                wrapMode: Text.WordWrap
                font.pixelSize: Theme.fontBody
                color: Theme.ink
                Layout.fillWidth: true
            }
            KTextField {
                id: passphrase
                fieldName: "setupPassphraseField"
                label: qsTr("Organiser passphrase (at least 10 characters)")
                echoMode: TextInput.Password
                error: root.setup.errors["passphrase"] ?? ""
                Layout.fillWidth: true
            }
            KTextField {
                id: repeat
                fieldName: "setupRepeatField"
                label: qsTr("Repeat the passphrase")
                echoMode: TextInput.Password
                error: root.setup.errors["repeat"] ?? ""
                Layout.fillWidth: true
            }
            KTextField {
                id: pin
                fieldName: "setupPinField"
                label: qsTr("Organiser PIN (4 to 8 digits)")
                echoMode: TextInput.Password
                inputMethodHints: Qt.ImhDigitsOnly
                maximumLength: 8
                error: root.setup.errors["pin"] ?? ""
                Layout.fillWidth: true
            }
            KTextField {
                id: kioskName
                fieldName: "setupKioskNameField"
                label: qsTr("Kiosk name")
                text: "kiosk-1"
                error: root.setup.errors["kioskName"] ?? ""
                Layout.fillWidth: true
            }
            KTextField {
                id: eventName
                fieldName: "setupEventField"
                label: qsTr("Event or stall")
                error: root.setup.errors["eventName"] ?? ""
                Layout.fillWidth: true
            }
            QQC2.Label {
                objectName: "setupFormError"
                visible: text !== ""
                text: root.setup.errors["form"] ?? ""
                color: Theme.error
                wrapMode: Text.WordWrap
                font.pixelSize: Theme.fontBody
                Layout.fillWidth: true
            }
            KButton {
                objectName: "setupSubmitButton"
                text: qsTr("Create keys and start")
                Layout.alignment: Qt.AlignRight
                onClicked: {
                    if (root.setup.submit(passphrase.text, repeat.text, pin.text, kioskName.text, eventName.text)) {
                        passphrase.clear(); repeat.clear(); pin.clear()
                    }
                }
            }
        }
    }
}
