pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls as QQC2
import Kiosk
import "components"

// The one window: a stack of screens driven by kiosk.currentScreen, and the on-screen keyboard.
// The first frame shows the attract screen alone; the keyboard and the idle prompt are built right after it.
QQC2.ApplicationWindow {
    id: root

    required property KioskController kiosk
    // Set when lockdown is on (fullscreen kiosk): closing is refused, only organiser mode can exit.
    property bool lockedDown: false
    // Set by KioskWindow once the first frame is on screen. Any other screen than the attract screen needs the
    // late parts at once (its text fields need the keyboard before they can take focus).
    property bool startupDone: false
    readonly property bool lateParts: root.startupDone || root.kiosk.currentScreen !== "attract"

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
        function onCurrentScreenChanged(): void {
            if (root.kiosk.currentScreen === "attract") {
                // Drop anything the keyboard still holds (pre-edit text, shift state) from the last attendee.
                Qt.inputMethod.reset()
                Qt.inputMethod.hide()
            }
            root.showCurrent()
        }
    }

    onClosing: function (close) { close.accepted = !root.lockedDown }

    QQC2.StackView {
        id: stack
        objectName: "screenStack"
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.bottomMargin: root.keyboardSpace ? root.keyboardHeight : 0
        replaceEnter: Transition { NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 150 } }
        replaceExit: Transition { NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 150 } }
    }

    // Room for the keyboard is given back a moment after it hides: a tap on a check box beside a text field takes
    // focus from the field, and reflowing the form between that press and its release would move the box away from
    // the finger, so the tap would be lost.
    property bool keyboardSpace: false
    readonly property bool keyboardActive: keyboard.item !== null && keyboard.item.active
    readonly property real keyboardHeight: keyboard.item !== null ? keyboard.item.panelHeight : 0
    onKeyboardActiveChanged: {
        if (root.keyboardActive) {
            releaseSpace.stop()
            root.keyboardSpace = true
        } else {
            releaseSpace.restart()
        }
    }
    Timer {
        id: releaseSpace
        interval: 400
        onTriggered: root.keyboardSpace = root.keyboardActive
    }

    // Hidden gesture: press and hold the top-left corner (attract screen only) to open organiser mode.
    MouseArea {
        objectName: "organiserHotspot"
        Accessible.name: qsTr("Organiser mode")
        Accessible.role: Accessible.Button
        x: 0
        y: 0
        z: 10
        width: 72
        height: 72
        enabled: root.kiosk.currentScreen === "attract" && root.kiosk.storageReady
        pressAndHoldInterval: (root.kiosk.organiser as OrganiserViewModel).holdMs
        onPressAndHold: (root.kiosk.organiser as OrganiserViewModel).requestOpen()
    }

    // Built with the keyboard, after the first frame: no one can be idle on a screen before it shows.
    Loader {
        objectName: "idlePromptLoader"
        active: root.lateParts
        sourceComponent: Item {
            QQC2.Popup {
                id: idlePrompt
                objectName: "idlePrompt"
                readonly property IdleViewModel idle: root.kiosk.idle as IdleViewModel
                visible: idlePrompt.idle.prompting
                modal: true
                closePolicy: QQC2.Popup.NoAutoClose
                anchors.centerIn: QQC2.Overlay.overlay
                width: Math.min(root.width - 2 * Theme.margin, 640)
                padding: Theme.margin
                background: Rectangle { color: Theme.surface; radius: Theme.radius; border.color: Theme.divider; border.width: 2 }
                contentItem: Column {
                    spacing: Theme.spacing
                    QQC2.Label {
                        width: parent.width
                        text: qsTr("Are you still there?")
                        font.pixelSize: Theme.fontTitle
                        font.bold: true
                        color: Theme.ink
                        wrapMode: Text.WordWrap
                    }
                    QQC2.Label {
                        objectName: "idleCountdownText"
                        width: parent.width
                        text: qsTr("For your privacy, this form will be cleared in %1 seconds.").arg(idlePrompt.idle.secondsLeft)
                        font.pixelSize: Theme.fontBody
                        color: Theme.ink
                        wrapMode: Text.WordWrap
                    }
                    KButton {
                        objectName: "idleContinueButton"
                        text: qsTr("I'm still here")
                        onClicked: idlePrompt.idle.stillHere()
                    }
                }
            }
        }
    }

    Loader {
        id: keyboard
        objectName: "keyboardLoader"
        anchors.fill: parent
        active: root.lateParts
        source: "KeyboardPanel.qml"
    }
}
