pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2

// "Sign on your phone": the online petition as a QR code for passers-by who would rather not type here.
// The code is drawn by the image://qr provider at exactly the size shown, on whole pixels, so it stays sharp.
Item {
    id: root

    // The attributed petition link (built by the kiosk controller, never here).
    required property string url
    property string caption: qsTr("Sign on your phone")
    // Larger than this, a code only takes room from the rest of the screen; phones read it from afar anyway.
    property int maximumSide: Math.round(360 * Theme.scale)

    objectName: "petitionQr"
    implicitWidth: 240
    implicitHeight: 280
    Accessible.role: Accessible.Graphic
    Accessible.name: qsTr("QR code to sign the petition on your phone")

    ColumnLayout {
        anchors.fill: parent
        spacing: Math.round(Theme.spacing / 2)

        QQC2.Label {
            objectName: "petitionQrCaption"
            text: root.caption
            font.pixelSize: Theme.fontBody
            font.bold: true
            color: Theme.ink
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            Layout.fillWidth: true
        }

        Item {
            id: area
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 96

            Rectangle {
                id: square
                readonly property int side: Math.floor(Math.min(area.width, area.height, root.maximumSide))

                // Whole-pixel position and size: the provider's module edges then land on screen pixels.
                x: Math.round((area.width - side) / 2)
                y: 0
                width: side
                height: side
                color: "white"
                radius: Theme.radius

                Image {
                    objectName: "petitionQrImage"
                    anchors.fill: parent
                    // At its side as one value, and only once it has one (each change asks the provider to draw the code
                    // again; sourceSize is bound first so that it is set before the source).
                    sourceSize: Qt.size(square.side, square.side)
                    source: root.url === "" || square.side <= 0 ? "" : "image://qr/" + encodeURIComponent(root.url)
                    smooth: false
                    fillMode: Image.Pad
                }
            }
        }
    }
}
