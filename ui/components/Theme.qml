pragma Singleton
import QtQuick

// Colours, type sizes and spacing for every screen. Sizes scale with the window so 800×480 and 1280×800 both work.
QtObject {
    id: theme

    // Set by Main.qml from the window size; everything else derives from it.
    property real scale: 1.0

    readonly property color background: "#f6f3ee"
    readonly property color surface: "#ffffff"
    readonly property color ink: "#1d1b19"
    readonly property color inkMuted: "#5b5650"
    readonly property color primary: "#a3191f"        // campaign red
    readonly property color primaryInk: "#ffffff"
    readonly property color secondary: "#1f4e79"
    readonly property color secondaryInk: "#ffffff"
    readonly property color accent: "#f2b705"
    readonly property color error: "#b00020"
    readonly property color success: "#2e7d32"
    readonly property color divider: "#d9d3ca"

    readonly property int minTouch: 56                // never smaller, whatever the scale
    readonly property real spacing: Math.round(16 * scale)
    readonly property real margin: Math.round(24 * scale)
    readonly property real radius: Math.round(10 * scale)

    readonly property real fontHuge: Math.round(44 * scale)
    readonly property real fontTitle: Math.round(32 * scale)
    readonly property real fontLarge: Math.round(24 * scale)
    readonly property real fontBody: Math.max(16, Math.round(20 * scale))
    readonly property real fontSmall: Math.max(13, Math.round(16 * scale))
    readonly property string fontFamily: "DejaVu Sans"
}
