pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../../components"

// Vault unlock/lock, purge, audit log and leaving the kiosk.
Item {
    id: root

    required property KioskController kiosk
    readonly property OrganiserViewModel vm: root.kiosk.organiser as OrganiserViewModel

    objectName: "securityPanel"

    RowLayout {
        anchors.fill: parent
        spacing: Theme.margin

        FormPage {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1

            QQC2.Label {
                width: parent.width
                text: qsTr("Unlock with the organiser passphrase so that signatures sync and duplicates are recognised. Signing works either way.")
                wrapMode: Text.WordWrap
                font.pixelSize: Theme.fontSmall
                color: Theme.inkMuted
            }
            KTextField {
                id: passphrase
                width: parent.width
                fieldName: "passphraseField"
                label: qsTr("Organiser passphrase")
                echoMode: TextInput.Password
                inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText | Qt.ImhNoAutoUppercase
                error: root.vm.passphraseMessage
                visible: !root.vm.unlocked
                onAccepted: unlock.clicked()
            }
            Flow {
                width: parent.width
                spacing: Theme.spacing
                KButton {
                    id: unlock
                    objectName: "unlockButton"
                    text: root.vm.busy ? qsTr("Working…") : qsTr("Unlock")
                    visible: !root.vm.unlocked
                    enabled: !root.vm.busy
                    onClicked: { root.vm.unlock(passphrase.text); passphrase.clear() }
                }
                KButton {
                    objectName: "lockButton"
                    text: qsTr("Lock")
                    kind: "secondary"
                    visible: root.vm.unlocked
                    onClicked: root.vm.lock()
                }
                KButton {
                    objectName: "purgeButton"
                    text: qsTr("Purge synced records")
                    kind: "plain"
                    enabled: !root.vm.busy
                    onClicked: root.vm.purgeSynced()
                }
                KButton {
                    objectName: "exitKioskButton"
                    text: qsTr("Exit kiosk")
                    kind: "plain"
                    onClicked: root.vm.exitKiosk()
                }
            }
            QQC2.Label {
                objectName: "organiserStatus"
                width: parent.width
                visible: text !== ""
                text: root.vm.statusMessage
                wrapMode: Text.WordWrap
                font.pixelSize: Theme.fontSmall
                color: Theme.ink
            }
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            QQC2.Label {
                text: qsTr("Audit log")
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
            ListView {
                objectName: "auditList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: root.vm.auditLog
                delegate: QQC2.Label {
                    required property string time
                    required property string action
                    required property string details
                    width: ListView.view.width
                    text: time + "  " + action + (details !== "" ? "  (" + details + ")" : "")
                    font.pixelSize: Theme.fontSmall
                    color: Theme.ink
                    elide: Text.ElideRight
                    padding: 4
                }
            }
        }
    }
}
