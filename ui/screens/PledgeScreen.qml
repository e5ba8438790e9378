pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import QtQuick.Controls as QQC2
import Kiosk
import "../components"

// Pledging a donation in four steps: amount and frequency, Gift Aid, details, how we may follow up. No card or bank
// details are ever asked for: the thank-you screen hands over a QR code to give online.
Rectangle {
    id: root

    required property KioskController kiosk
    readonly property PledgeViewModel vm: root.kiosk.pledge as PledgeViewModel

    objectName: "pledgeScreen"
    color: Theme.background

    function error(key: string): string { return root.vm.errors[key] ?? "" }

    // A large radio button for the frequency choice.
    component Choice: QQC2.RadioButton {
        id: choice
        font.pixelSize: Theme.fontBody
        font.family: Theme.fontFamily
        implicitHeight: Theme.minTouch
        Accessible.name: text
        spacing: Theme.spacing
        indicator: Rectangle {
            implicitWidth: Math.max(40, Math.round(44 * Theme.scale))
            implicitHeight: implicitWidth
            x: choice.leftPadding
            y: (choice.height - height) / 2
            radius: width / 2
            color: Theme.surface
            border.color: choice.checked ? Theme.secondary : Theme.inkMuted
            border.width: 2
            Rectangle {
                anchors.centerIn: parent
                width: parent.width * 0.55
                height: width
                radius: width / 2
                color: Theme.secondary
                visible: choice.checked
            }
        }
        contentItem: Text {
            text: choice.text
            font: choice.font
            color: Theme.ink
            verticalAlignment: Text.AlignVCenter
            leftPadding: choice.indicator.width + choice.spacing
        }
    }

    // A message under a tick box or choice; objectName is "<name>Error" by convention.
    component ErrorText: QQC2.Label {
        Accessible.name: text
        visible: text !== ""
        color: Theme.error
        font.pixelSize: Theme.fontSmall
        font.family: Theme.fontFamily
        wrapMode: Text.WordWrap
    }

    // Plain explanatory text.
    component BodyText: QQC2.Label {
        font.pixelSize: Theme.fontBody
        font.family: Theme.fontFamily
        color: Theme.ink
        wrapMode: Text.WordWrap
    }

    // With the on-screen keyboard up on a small screen, every pixel goes to the form and the buttons.
    readonly property bool compact: Qt.inputMethod.visible && root.height < 360

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: root.compact ? Math.round(Theme.spacing / 2) : Theme.margin
        spacing: root.compact ? Math.round(Theme.spacing / 2) : Theme.spacing

        StepHeader {
            Layout.fillWidth: true
            visible: !root.compact
            step: root.vm.step + 1
            steps: root.vm.steps
            title: [qsTr("Pledge a donation"), qsTr("Gift Aid"), qsTr("About you"), qsTr("Keeping in touch")][root.vm.step]
        }

        StackLayout {
            currentIndex: root.vm.step
            Layout.fillWidth: true
            Layout.fillHeight: true

            // Step 1: how much and how often, and the age check (no asking under-18s for money).
            FormPage {
                id: amountPage
                objectName: "amountStep"

                KCheckBox {
                    objectName: "over18Check"
                    width: amountPage.availableWidth
                    text: qsTr("I am 18 or over")
                    checked: root.vm.over18
                    onToggled: root.vm.over18 = checked
                }
                ErrorText {
                    objectName: "over18CheckError"
                    width: amountPage.availableWidth
                    text: root.error("over_18")
                }
                BodyText {
                    width: amountPage.availableWidth
                    text: qsTr("How much would you like to give?")
                    font.bold: true
                }
                Flow {
                    id: amountRow
                    width: amountPage.availableWidth
                    spacing: Theme.spacing
                    Row {
                        id: presetRow
                        spacing: Theme.spacing
                        // Line the buttons up with the box of the field beside them, not with its caption.
                        topPadding: customAmount.y === 0 ? customAmount.input.y : 0
                        Repeater {
                            model: root.vm.presets
                            delegate: KButton {
                                required property int modelData
                                required property int index
                                readonly property bool selected: root.vm.amountPreset === modelData
                                objectName: "amountPreset" + modelData
                                text: root.vm.presetLabels[index]
                                kind: selected ? "secondary" : "plain"
                                Accessible.checkable: true
                                Accessible.checked: selected
                                implicitWidth: Math.max(Theme.minTouch * 2, Math.round(120 * Theme.scale))
                                implicitHeight: customAmount.input.height
                                onClicked: root.vm.choosePreset(modelData)
                            }
                        }
                    }
                    KTextField {
                        id: customAmount
                        // Beside the presets when there is room, else underneath at full width.
                        readonly property real room: amountRow.width - presetRow.width - amountRow.spacing
                        width: room >= 200 ? room : amountRow.width
                        fieldName: "customAmountField"
                        label: qsTr("Other amount (%1 to %2)").arg(root.vm.minAmountText).arg(root.vm.maxAmountText)
                        hint: qsTr("for example 12.50")
                        text: root.vm.customAmount
                        onEdited: root.vm.customAmount = input.text
                        error: root.error("amount")
                        inputMethodHints: Qt.ImhFormattedNumbersOnly | Qt.ImhNoPredictiveText
                        maximumLength: 20
                    }
                }
                Flow {
                    width: amountPage.availableWidth
                    spacing: Theme.margin
                    BodyText {
                        height: Theme.minTouch
                        verticalAlignment: Text.AlignVCenter
                        text: qsTr("How often?")
                        font.bold: true
                    }
                    Choice {
                        objectName: "oneOffRadio"
                        text: qsTr("One-off")
                        checked: root.vm.frequency === "one_off"
                        onClicked: root.vm.chooseFrequency("one_off")
                    }
                    Choice {
                        objectName: "monthlyRadio"
                        text: qsTr("Monthly")
                        checked: root.vm.frequency === "monthly"
                        onClicked: root.vm.chooseFrequency("monthly")
                    }
                }
                ErrorText {
                    objectName: "frequencyError"
                    width: amountPage.availableWidth
                    text: root.error("frequency")
                }
                QQC2.Label {
                    objectName: "noPaymentNote"
                    width: amountPage.availableWidth
                    text: qsTr("No card or bank details are taken here. At the end you get a code to give securely online.")
                    font.pixelSize: Theme.fontSmall
                    color: Theme.inkMuted
                    wrapMode: Text.WordWrap
                }
            }

            // Step 2: Gift Aid, with the declaration's exact words as the tick box.
            FormPage {
                id: giftAidPage
                objectName: "giftAidStep"

                BodyText {
                    width: giftAidPage.availableWidth
                    text: qsTr("If you pay UK Income Tax or Capital Gains Tax, Gift Aid lets %1 claim an extra 25p from HMRC for every £1 you give, at no cost to you.")
                          .arg(root.kiosk.campaign.organisation)
                }
                KCheckBox {
                    objectName: "giftAidCheck"
                    width: giftAidPage.availableWidth
                    text: root.vm.giftAidText
                    checked: root.vm.giftAid
                    onToggled: root.vm.giftAid = checked
                }
                KCheckBox {
                    objectName: "giftAidEnduringCheck"
                    width: giftAidPage.availableWidth
                    visible: root.vm.giftAid
                    leftPadding: Theme.margin * 2
                    text: root.vm.giftAidEnduringText
                    checked: root.vm.giftAidEnduring
                    onToggled: root.vm.giftAidEnduring = checked
                }
                QQC2.Label {
                    objectName: "giftAidNote"
                    width: giftAidPage.availableWidth
                    text: root.vm.giftAid
                          ? qsTr("HMRC needs your full name, the first line of your home address and your postcode: we ask for them next.")
                          : qsTr("Not a UK taxpayer? Just leave the box empty.")
                    font.pixelSize: Theme.fontSmall
                    color: Theme.inkMuted
                    wrapMode: Text.WordWrap
                }
            }

            // Step 3: who is pledging, and how to reach them.
            FormPage {
                id: detailsPage
                objectName: "detailsStep"

                QQC2.Label {
                    objectName: "contactNeededNote"
                    width: detailsPage.availableWidth
                    text: qsTr("Please give an email address, a phone number or both, so we can match your pledge to your gift.")
                    font.pixelSize: Theme.fontSmall
                    color: Theme.inkMuted
                    wrapMode: Text.WordWrap
                }
                GridLayout {
                    id: detailsGrid
                    width: detailsPage.availableWidth
                    columns: width > 700 ? 2 : 1
                    columnSpacing: Theme.spacing
                    rowSpacing: Theme.spacing

                    KTextField {
                        fieldName: "firstNameField"
                        label: qsTr("First name")
                        text: root.vm.firstName
                        onEdited: root.vm.firstName = input.text
                        error: root.error("first_name")
                        maximumLength: 100
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.alignment: Qt.AlignTop
                    }
                    KTextField {
                        fieldName: "lastNameField"
                        label: root.vm.giftAid ? qsTr("Last name") : qsTr("Last name (optional)")
                        text: root.vm.lastName
                        onEdited: root.vm.lastName = input.text
                        error: root.error("last_name")
                        maximumLength: 100
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.alignment: Qt.AlignTop
                    }
                    KTextField {
                        fieldName: "emailField"
                        label: qsTr("Email")
                        text: root.vm.email
                        onEdited: root.vm.email = input.text
                        error: root.error("email")
                        inputMethodHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
                                          | Qt.ImhSensitiveData
                        maximumLength: 254
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.alignment: Qt.AlignTop
                    }
                    KTextField {
                        fieldName: "phoneField"
                        label: qsTr("Phone")
                        text: root.vm.phone
                        onEdited: root.vm.phone = input.text
                        error: root.error("phone")
                        inputMethodHints: Qt.ImhDialableCharactersOnly | Qt.ImhSensitiveData
                        maximumLength: 30
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.alignment: Qt.AlignTop
                    }
                    KTextField {
                        fieldName: "addressField"
                        visible: root.vm.giftAid
                        label: qsTr("Home address, first line")
                        text: root.vm.addressLine
                        onEdited: root.vm.addressLine = input.text
                        error: root.error("address_line")
                        inputMethodHints: Qt.ImhNoPredictiveText | Qt.ImhSensitiveData
                        maximumLength: 200
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.alignment: Qt.AlignTop
                    }
                    KTextField {
                        fieldName: "postcodeField"
                        visible: root.vm.giftAid
                        label: qsTr("Home postcode")
                        text: root.vm.postcode
                        onEdited: root.vm.postcode = input.text
                        error: root.error("postcode")
                        inputMethodHints: Qt.ImhPreferUppercase | Qt.ImhNoPredictiveText | Qt.ImhSensitiveData
                        maximumLength: 12
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.alignment: Qt.AlignTop
                    }
                }
            }

            // Step 4: follow-up about this pledge, kept apart from marketing; nothing ticked in advance.
            FormPage {
                id: contactPage
                objectName: "contactStep"

                BodyText {
                    width: contactPage.availableWidth
                    text: qsTr("May we contact you about completing this pledge?")
                    font.bold: true
                }
                KCheckBox {
                    objectName: "followUpEmailCheck"
                    width: contactPage.availableWidth
                    text: root.vm.followUpEmailText
                    checked: root.vm.followUpEmail
                    onToggled: root.vm.followUpEmail = checked
                }
                ErrorText {
                    objectName: "followUpEmailCheckError"
                    width: contactPage.availableWidth
                    text: root.error("follow_up_email")
                }
                KCheckBox {
                    objectName: "followUpPhoneCheck"
                    width: contactPage.availableWidth
                    text: root.vm.followUpPhoneText
                    checked: root.vm.followUpPhone
                    onToggled: root.vm.followUpPhone = checked
                }
                ErrorText {
                    objectName: "followUpPhoneCheckError"
                    width: contactPage.availableWidth
                    text: root.error("follow_up_phone")
                }
                BodyText {
                    width: contactPage.availableWidth
                    text: qsTr("And, separately:")
                    font.bold: true
                }
                KCheckBox {
                    objectName: "optinEmailCheck"
                    width: contactPage.availableWidth
                    text: root.vm.optinEmailText
                    checked: root.vm.optinEmail
                    onToggled: root.vm.optinEmail = checked
                }
                ErrorText {
                    objectName: "optinEmailCheckError"
                    width: contactPage.availableWidth
                    text: root.error("optin_email")
                }
                BodyText {
                    objectName: "pledgeSummary"
                    width: contactPage.availableWidth
                    visible: root.vm.summary !== ""
                    text: qsTr("You are pledging %1. No money is taken here: next you get a code to give online.")
                          .arg(root.vm.summary)
                    font.bold: true
                }
                RowLayout {
                    width: contactPage.availableWidth
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
                        smooth: false
                        sourceSize.width: Math.round(120 * Theme.scale)
                        sourceSize.height: Math.round(120 * Theme.scale)
                        Layout.preferredWidth: Math.round(120 * Theme.scale)
                        Layout.preferredHeight: Math.round(120 * Theme.scale)
                    }
                }
                BodyText {
                    objectName: "saveErrorText"
                    Accessible.name: text
                    width: contactPage.availableWidth
                    visible: text !== ""
                    text: root.vm.failure
                    color: Theme.error
                    font.bold: true
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            KButton {
                objectName: "backButton"
                text: root.vm.step === 0 ? qsTr("Cancel") : qsTr("Back")
                kind: "plain"
                onClicked: root.vm.back()
            }
            Item { Layout.fillWidth: true }
            KButton {
                objectName: "nextButton"
                visible: root.vm.step < root.vm.steps - 1
                text: qsTr("Next")
                onClicked: root.vm.next()
            }
            KButton {
                objectName: "submitPledgeButton"
                visible: root.vm.step === root.vm.steps - 1
                text: qsTr("Make my pledge")
                onClicked: root.vm.submit()
            }
        }
    }
}
