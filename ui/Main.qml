pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.VirtualKeyboard
import Kiosk
import "components"

// The one window: a stack of screens driven by kiosk.currentScreen, and the on-screen keyboard.
QQC2.ApplicationWindow {
    id: root

    required property KioskController kiosk
    // Set when lockdown is on (fullscreen kiosk): closing is refused, only organiser mode can exit.
    property bool lockedDown: false

    objectName: "mainWindow"
    width: 1280
    height: 800
    visible: true
    title: qsTr("Campaign kiosk")
    color: Theme.background
    font.family: Theme.fontFamily

    Binding { target: Theme; property: "scale"; value: Math.min(root.width / 1280, root.height / 800) * 0.5 + 0.5 }

    readonly property var screenFiles: ({
        "attract": "screens/AttractScreen.qml",
        "setup": "screens/SetupScreen.qml",
        "sign": "screens/SignScreen.qml",
        "thankYou": "screens/ThankYouScreen.qml",
        "pledge": "screens/PledgeScreen.qml",
        "pledgeThankYou": "screens/PledgeThankYouScreen.qml",
        "organiser": "screens/OrganiserScreen.qml"
    })

    function showCurrent(): void {
        const file = root.screenFiles[root.kiosk.currentScreen]
        stack.replace(null, Qt.resolvedUrl(file), { "kiosk": root.kiosk })
    }

    Component.onCompleted: showCurrent()

    Connections {
        target: root.kiosk
        function onCurrentScreenChanged(): void { root.showCurrent() }
    }

    onClosing: function (close) { close.accepted = !root.lockedDown }

    QQC2.StackView {
        id: stack
        objectName: "screenStack"
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.bottom: keyboard.visible ? keyboard.top : parent.bottom
        replaceEnter: Transition { NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 150 } }
        replaceExit: Transition { NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 150 } }
    }

    InputPanel {
        id: keyboard
        objectName: "inputPanel"
        width: root.width
        y: active ? root.height - height : root.height
        visible: active
    }
}
