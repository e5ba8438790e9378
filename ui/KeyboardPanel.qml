pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings

// The on-screen keyboard over the whole window: the panel waits below the bottom edge and slides up when a text
// field wants it. Main.qml loads this file just after the attract screen's first frame (or at once when another
// screen is asked for first): the keyboard's plugin, layouts and style cost about as much as the rest of that frame
// together, and the attract screen has no text field.
Item {
    id: root

    readonly property bool active: panel.active
    readonly property real panelHeight: panel.height

    InputPanel {
        id: panel
        objectName: "inputPanel"
        width: root.width
        y: panel.active ? root.height - panel.height : root.height
        visible: panel.active
    }

    Component.onCompleted: {
        // Names and emails must never be learnt or suggested to the next attendee.
        VirtualKeyboardSettings.inputMethodHints = Qt.ImhNoPredictiveText | Qt.ImhSensitiveData
    }
}
