import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2

// A labelled text field with its error message underneath. The error label's objectName is <objectName>Error.
ColumnLayout {
    id: root

    property alias text: field.text
    property alias label: caption.text
    // Grey example text shown while the field is empty.
    property string hint: ""
    property alias inputMethodHints: field.inputMethodHints
    property alias maximumLength: field.maximumLength
    property alias echoMode: field.echoMode
    property alias input: field
    property string error: ""
    property string fieldName: ""

    signal edited()
    signal accepted()

    spacing: Math.round(4 * Theme.scale)

    function clear(): void { field.clear() }
    function focusField(): void { field.forceActiveFocus() }

    QQC2.Label {
        id: caption
        font.pixelSize: Theme.fontSmall
        font.family: Theme.fontFamily
        color: Theme.inkMuted
        Layout.fillWidth: true
        elide: Text.ElideRight
    }
    QQC2.TextField {
        id: field
        objectName: root.fieldName
        Accessible.name: caption.text
        Layout.fillWidth: true
        implicitHeight: Math.max(Theme.minTouch, Math.round(60 * Theme.scale))
        font.pixelSize: Theme.fontBody
        font.family: Theme.fontFamily
        color: Theme.ink
        inputMethodHints: Qt.ImhNoPredictiveText
        onTextEdited: root.edited()
        onAccepted: root.accepted()
        Text {
            anchors.fill: parent
            leftPadding: field.leftPadding
            rightPadding: field.rightPadding
            verticalAlignment: Text.AlignVCenter
            visible: field.text === "" && field.preeditText === ""
            text: root.hint
            font: field.font
            color: Theme.inkMuted
            elide: Text.ElideRight
        }
        background: Rectangle {
            radius: Theme.radius / 2
            color: Theme.surface
            border.width: field.activeFocus ? 3 : 2
            border.color: root.error !== "" ? Theme.error : (field.activeFocus ? Theme.secondary : Theme.divider)
        }
    }
    QQC2.Label {
        objectName: root.fieldName + "Error"
        Accessible.name: text
        visible: root.error !== ""
        text: root.error
        color: Theme.error
        font.pixelSize: Theme.fontSmall
        font.family: Theme.fontFamily
        wrapMode: Text.WordWrap
        Layout.fillWidth: true
    }
}
