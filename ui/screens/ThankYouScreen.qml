pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../components"

// Shown only after the signature is safely on disk. Returns to the attract screen by itself.
Rectangle {
    id: root

    required property KioskController kiosk
    readonly property SigningViewModel vm: root.kiosk.signing as SigningViewModel

    objectName: "thankYouScreen"
    color: Theme.background

    Timer {
        interval: root.kiosk.thankYouMs
        running: true
        onTriggered: root.kiosk.show("attract")
    }

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 900)
        spacing: Theme.margin

        QQC2.Label {
            objectName: "thankYouTitle"
            text: root.vm.duplicate ? qsTr("You have already signed - thank you!") : qsTr("Thank you - your name counts!")
            font.pixelSize: Theme.fontHuge
            font.bold: true
            color: Theme.primary
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            Layout.fillWidth: true
        }
        QQC2.Label {
            text: root.vm.duplicate
                  ? qsTr("Your earlier signature stands, and any new choices you made have been saved.")
                  : qsTr("Your signature is saved on this kiosk and will be added to the online petition. Tell a friend: they can sign on their phone too.")
            font.pixelSize: Theme.fontBody
            color: Theme.ink
            wrapMode: Text.WordWrap
            horizontalAlignment: Text.AlignHCenter
            Layout.fillWidth: true
        }
        KButton {
            objectName: "doneButton"
            text: qsTr("Done")
            Layout.alignment: Qt.AlignHCenter
            onClicked: root.kiosk.show("attract")
        }
    }
}
