pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../components"

// Signing the petition in three steps: read the petition, give details, choose consent and sign.
Rectangle {
    id: root

    required property KioskController kiosk
    readonly property SigningViewModel vm: root.kiosk.signing as SigningViewModel
    property int step: 0
    readonly property int steps: 3

    objectName: "signScreen"
    color: Theme.background

    function error(key: string): string { return root.vm.errors[key] ?? "" }
    function required(key: string): bool { return root.vm.requiredFields.indexOf(key) >= 0 }
    function label(text: string, key: string): string {
        return root.required(key) ? text : qsTr("%1 (optional)").arg(text)
    }

    function goNext(): void {
        if (root.step === 1 && !root.vm.checkDetails())
            return
        root.step = Math.min(root.step + 1, root.steps - 1)
    }
    function goBack(): void {
        if (root.step === 0)
            root.kiosk.show("attract")
        else
            root.step -= 1
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin
        spacing: Theme.spacing

        StepHeader {
            // On a short screen the keyboard needs the room more than the heading does.
            visible: !(Qt.inputMethod.visible && root.height < 400)
            Layout.fillWidth: true
            step: root.step + 1
            steps: root.steps
            title: [qsTr("Sign the petition"), qsTr("Your details"), qsTr("Your choices")][root.step]
        }

        StackLayout {
            currentIndex: root.step
            Layout.fillWidth: true
            Layout.fillHeight: true

            // Step 1: the petition itself.
            FormPage {
                objectName: "petitionStep"
                QQC2.Label {
                    objectName: "petitionTitle"
                    width: parent.width
                    text: root.kiosk.campaign.petitionTitle
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    color: Theme.primary
                    wrapMode: Text.WordWrap
                }
                QQC2.Label {
                    width: parent.width
                    text: qsTr("To: %1").arg(root.kiosk.campaign.petitionTarget)
                    font.pixelSize: Theme.fontSmall
                    color: Theme.inkMuted
                    wrapMode: Text.WordWrap
                }
                QQC2.Label {
                    objectName: "petitionText"
                    width: parent.width
                    text: root.kiosk.campaign.petitionText
                    font.pixelSize: Theme.fontBody
                    color: Theme.ink
                    wrapMode: Text.WordWrap
                }
            }

            // Step 2: details.
            FormPage {
                objectName: "detailsStep"
                GridLayout {
                    width: parent.width
                    columns: width > 700 ? 2 : 1
                    columnSpacing: Theme.spacing
                    rowSpacing: Theme.spacing

                    KTextField {
                        fieldName: "firstNameField"
                        label: root.label(qsTr("First name"), "first_name")
                        text: root.vm.firstName
                        onEdited: root.vm.firstName = input.text
                        error: root.error("first_name")
                        maximumLength: 100
                        Layout.fillWidth: true
                    }
                    KTextField {
                        fieldName: "lastNameField"
                        label: root.label(qsTr("Last name"), "last_name")
                        text: root.vm.lastName
                        onEdited: root.vm.lastName = input.text
                        error: root.error("last_name")
                        maximumLength: 100
                        Layout.fillWidth: true
                    }
                    KTextField {
                        fieldName: "emailField"
                        label: root.label(qsTr("Email"), "email")
                        text: root.vm.email
                        onEdited: root.vm.email = input.text
                        error: root.error("email")
                        inputMethodHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
                                          | Qt.ImhSensitiveData
                        maximumLength: 254
                        Layout.fillWidth: true
                        Layout.columnSpan: parent.columns
                    }
                    KTextField {
                        fieldName: "postcodeField"
                        visible: !root.vm.outsideUk
                        label: root.label(qsTr("UK postcode"), "postcode")
                        text: root.vm.postcode
                        onEdited: root.vm.postcode = input.text
                        error: root.error("postcode")
                        inputMethodHints: Qt.ImhPreferUppercase | Qt.ImhNoPredictiveText | Qt.ImhSensitiveData
                        maximumLength: 12
                        Layout.fillWidth: true
                    }
                    ColumnLayout {
                        visible: root.vm.outsideUk
                        Layout.fillWidth: true
                        spacing: Math.round(4 * Theme.scale)
                        QQC2.Label {
                            text: root.label(qsTr("Country"), "postcode")
                            font.pixelSize: Theme.fontSmall
                            color: Theme.inkMuted
                        }
                        QQC2.ComboBox {
                            objectName: "countryField"
                            Accessible.name: qsTr("Country")
                            model: root.vm.countries
                            textRole: "name"
                            valueRole: "code"
                            currentIndex: indexOfValue(root.vm.country)
                            displayText: currentIndex < 0 ? qsTr("Choose your country") : currentText
                            onActivated: root.vm.country = currentValue
                            font.pixelSize: Theme.fontBody
                            implicitHeight: Math.max(Theme.minTouch, Math.round(60 * Theme.scale))
                            Layout.fillWidth: true
                        }
                        QQC2.Label {
                            objectName: "countryFieldError"
                            visible: text !== ""
                            text: root.error("country")
                            color: Theme.error
                            font.pixelSize: Theme.fontSmall
                            wrapMode: Text.WordWrap
                            Layout.fillWidth: true
                        }
                    }
                    KCheckBox {
                        objectName: "outsideUkCheck"
                        text: qsTr("I live outside the UK")
                        checked: root.vm.outsideUk
                        onToggled: root.vm.outsideUk = checked
                        Layout.fillWidth: true
                    }
                    KTextField {
                        fieldName: "phoneField"
                        label: qsTr("Mobile number (optional, only for text updates)")
                        text: root.vm.phone
                        onEdited: root.vm.phone = input.text
                        error: root.error("phone")
                        inputMethodHints: Qt.ImhDialableCharactersOnly | Qt.ImhSensitiveData
                        maximumLength: 30
                        Layout.fillWidth: true
                        Layout.columnSpan: parent.columns
                    }
                }
            }

            // Step 3: consent, separate for each purpose, nothing ticked in advance.
            FormPage {
                objectName: "consentStep"
                KCheckBox {
                    objectName: "consentSignCheck"
                    width: parent.width
                    text: root.vm.signConsentText
                    checked: root.vm.consentSign
                    onToggled: root.vm.consentSign = checked
                }
                QQC2.Label {
                    objectName: "consentSignCheckError"
                    width: parent.width
                    visible: text !== ""
                    text: root.error("consent_sign")
                    color: Theme.error
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WordWrap
                }
                KCheckBox {
                    objectName: "optinEmailCheck"
                    width: parent.width
                    text: root.vm.emailConsentText
                    checked: root.vm.optinEmail
                    onToggled: root.vm.optinEmail = checked
                }
                KCheckBox {
                    objectName: "optinSmsCheck"
                    width: parent.width
                    text: root.vm.smsConsentText
                    checked: root.vm.optinSms
                    onToggled: root.vm.optinSms = checked
                }
                QQC2.Label {
                    objectName: "optinSmsCheckError"
                    width: parent.width
                    visible: text !== ""
                    text: root.error("phone")
                    color: Theme.error
                    font.pixelSize: Theme.fontSmall
                    wrapMode: Text.WordWrap
                }
                RowLayout {
                    width: parent.width
                    spacing: Theme.spacing
                    QQC2.Label {
                        objectName: "privacyNotice"
                        text: root.kiosk.campaign.privacyNotice
                        font.pixelSize: Theme.fontSmall
                        color: Theme.inkMuted
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                    }
                    Image {
                        objectName: "privacyQr"
                        Accessible.name: qsTr("QR code to the privacy policy")
                        source: "image://qr/" + encodeURIComponent(root.kiosk.campaign.privacyUrl)
                        sourceSize.width: Math.round(120 * Theme.scale)
                        sourceSize.height: Math.round(120 * Theme.scale)
                        Layout.preferredWidth: Math.round(120 * Theme.scale)
                        Layout.preferredHeight: Math.round(120 * Theme.scale)
                    }
                }
                QQC2.Label {
                    objectName: "saveErrorText"
                    width: parent.width
                    visible: text !== ""
                    text: root.vm.failure
                    color: Theme.error
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                    wrapMode: Text.WordWrap
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            KButton {
                objectName: "backButton"
                text: qsTr("Back")
                kind: "plain"
                onClicked: root.goBack()
            }
            Item { Layout.fillWidth: true }
            KButton {
                objectName: "nextButton"
                visible: root.step < root.steps - 1
                text: qsTr("Next")
                onClicked: root.goNext()
            }
            KButton {
                objectName: "submitSignatureButton"
                visible: root.step === root.steps - 1
                text: qsTr("Sign now")
                onClicked: root.vm.submit()
            }
        }
    }
}
