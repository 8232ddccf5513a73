// SPDX-License-Identifier: MIT
// AccountPage: a person's own profile, password, two-step sign-in and sessions.
#include "ui/users/accountpage.h"

#include "ui/core/fielderror.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"
#include "ui/users/qrcodewidget.h"
#include "ui/users/userformat.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSaveFile>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTimeZone>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <functional>

namespace colophon {

namespace {

constexpr int kReloadDelayMs = 150;

QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

MessageBar *sectionMessage(const QString &name, QWidget *parent)
{
    auto *bar = new MessageBar(parent);
    bar->setObjectName(name);
    return bar;
}

QLineEdit *passwordEdit(const QString &name, const QString &accessible, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setAccessibleName(accessible);
    edit->setEchoMode(QLineEdit::Password);
    return edit;
}

// The languages offered; a stored tag not among them is added when shown.
const QStringList &languageTags()
{
    static const QStringList tags{
        QStringLiteral("en"),   QStringLiteral("en-GB"), QStringLiteral("de"),
        QStringLiteral("fr"),   QStringLiteral("es"),    QStringLiteral("it"),
        QStringLiteral("nl"),   QStringLiteral("pt"),    QStringLiteral("pt-BR"),
        QStringLiteral("sv"),   QStringLiteral("da"),    QStringLiteral("nb"),
        QStringLiteral("fi"),   QStringLiteral("pl"),    QStringLiteral("cs"),
        QStringLiteral("hu"),   QStringLiteral("ro"),    QStringLiteral("el"),
        QStringLiteral("tr"),   QStringLiteral("ru"),    QStringLiteral("uk"),
        QStringLiteral("ar"),   QStringLiteral("he"),    QStringLiteral("hi"),
        QStringLiteral("ja"),   QStringLiteral("ko"),    QStringLiteral("zh-CN"),
        QStringLiteral("zh-TW")};
    return tags;
}

QString languageLabel(const QString &tag)
{
    const QLocale locale(tag);
    if (locale.language() == QLocale::C) {
        return tag;
    }
    QString name = QLocale::languageToString(locale.language());
    if (tag.contains(QLatin1Char('-'))) {
        name += QStringLiteral(" (%1)").arg(QLocale::territoryToString(locale.territory()));
    }
    return QStringLiteral("%1 — %2").arg(name, tag);
}

// A small modal asking for a code (and the password when needed), which
// stays open showing the service's refusal until the call succeeds.
class CodeDialog final : public QDialog
{
public:
    using Submit = std::function<void(const QString &password, const QString &code)>;

    CodeDialog(const QString &title, const QString &text, const QString &actionText,
               bool askPassword, QWidget *parent)
        : QDialog(parent), m_message(new MessageBar(this)),
          m_password(askPassword ? passwordEdit(QStringLiteral("mfaPassword"), tr("Password"), this)
                                 : nullptr),
          m_code(new QLineEdit(this)),
          m_passwordError(fieldErrorLabel(QStringLiteral("mfaPasswordError"), this)),
          m_codeError(fieldErrorLabel(QStringLiteral("mfaDialogCodeError"), this)),
          m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    {
        setWindowTitle(title);
        setObjectName(QStringLiteral("mfaCodeDialog"));
        m_message->setObjectName(QStringLiteral("dialogMessage"));
        auto *intro = new QLabel(text, this);
        intro->setWordWrap(true);
        m_code->setObjectName(QStringLiteral("mfaDialogCode"));
        m_code->setAccessibleName(tr("Code"));
        m_code->setPlaceholderText(askPassword ? tr("123456 or a recovery code") : tr("123456"));
        m_code->setToolTip(askPassword
                               ? tr("The 6-digit code your authenticator app shows now, or one "
                                    "of your recovery codes")
                               : tr("The 6-digit code your authenticator app shows now"));
        auto *form = new QFormLayout;
        if (m_password) {
            m_password->setPlaceholderText(tr("Your current password"));
            form->addRow(buddyLabel(tr("&Password:"), m_password, this),
                         withFieldError(m_password, m_passwordError, this));
        }
        form->addRow(buddyLabel(tr("&Code:"), m_code, this),
                     withFieldError(m_code, m_codeError, this));
        m_buttons->button(QDialogButtonBox::Ok)->setText(actionText);
        m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("mfaDialogOk"));
        connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
            clearErrors();
            setBusy(true);
            m_submit(m_password ? m_password->text() : QString(), m_code->text().trimmed());
        });
        connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
        auto update = [this] {
            m_buttons->button(QDialogButtonBox::Ok)
                ->setEnabled(!m_busy && !m_code->text().trimmed().isEmpty() &&
                             (!m_password || !m_password->text().isEmpty()));
        };
        connect(m_code, &QLineEdit::textChanged, this, update);
        if (m_password) {
            connect(m_password, &QLineEdit::textChanged, this, update);
        }
        m_update = update;
        update();
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(intro);
        layout->addWidget(m_message);
        layout->addLayout(form);
        layout->addWidget(m_buttons);
        resize(420, sizeHint().height());
    }

    void onSubmit(Submit submit) { m_submit = std::move(submit); }

    void fail(const Error &error)
    {
        setBusy(false);
        if (m_password && (error.field == QLatin1String("password") ||
                           error.code == ErrorCode::Unauthenticated)) {
            showFieldError(m_passwordError, m_password, error.message);
            m_password->setFocus();
            m_password->selectAll();
        } else if (error.field == QLatin1String("code")) {
            showFieldError(m_codeError, m_code, error.message);
            m_code->setFocus();
            m_code->selectAll();
        } else {
            m_message->showError(error);
        }
    }

private:
    void setBusy(bool busy)
    {
        m_busy = busy;
        m_update();
    }
    void clearErrors()
    {
        m_message->clear();
        clearFieldError(m_codeError, m_code);
        if (m_password) {
            clearFieldError(m_passwordError, m_password);
        }
    }

    MessageBar *m_message;
    QLineEdit *m_password;
    QLineEdit *m_code;
    QLabel *m_passwordError;
    QLabel *m_codeError;
    QDialogButtonBox *m_buttons;
    Submit m_submit;
    std::function<void()> m_update;
    bool m_busy = false;
};

} // namespace

AccountPage::AccountPage(ServiceGateway &gateway, QWidget *parent)
    : ConsolePage(parent), m_gateway(gateway), m_message(new MessageBar(this)),
      m_stack(new QStackedWidget(this)), m_signedOut(new QLabel(this)),
      m_reloadTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("accountPage"));
    setAccessibleName(tr("My account"));
    m_signedOut->setText(tr("Sign in to see your account."));
    m_signedOut->setAlignment(Qt::AlignCenter);

    auto *content = new QWidget(this);
    auto *columns = new QHBoxLayout(content);
    auto *left = new QVBoxLayout;
    left->addWidget(buildProfile());
    left->addWidget(buildPassword());
    left->addStretch(1);
    auto *right = new QVBoxLayout;
    right->addWidget(buildMfa());
    right->addWidget(buildSessions(), 1);
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_stack->addWidget(m_signedOut);
    m_stack->addWidget(scroll);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(m_stack, 1);

    setTabOrder(m_firstName, m_lastName);
    setTabOrder(m_lastName, m_language);
    setTabOrder(m_language, m_timezone);
    setTabOrder(m_timezone, m_emailNotifications);
    setTabOrder(m_emailNotifications, m_pushNotifications);
    setTabOrder(m_pushNotifications, m_saveProfile);
    setTabOrder(m_saveProfile, m_currentPassword);
    setTabOrder(m_currentPassword, m_newPassword);
    setTabOrder(m_newPassword, m_repeatPassword);
    setTabOrder(m_repeatPassword, m_changePassword);

    m_reloadTimer->setSingleShot(true);
    m_reloadTimer->setInterval(kReloadDelayMs);
    connect(m_reloadTimer, &QTimer::timeout, this, &AccountPage::reload);
    connect(&m_gateway, &ServiceGateway::signedInChanged, this, &AccountPage::onSignedInChanged);
    connect(&m_gateway, &ServiceGateway::eventCommitted, this, &AccountPage::onEventCommitted);
    onSignedInChanged();
}

QGroupBox *AccountPage::buildProfile()
{
    auto *box = new QGroupBox(tr("Profile and preferences"), this);
    m_profileMessage = sectionMessage(QStringLiteral("profileMessage"), box);

    m_firstName = new QLineEdit(box);
    m_firstName->setObjectName(QStringLiteral("firstName"));
    m_firstName->setAccessibleName(tr("First name"));
    m_firstName->setMaxLength(100);
    m_firstNameError = fieldErrorLabel(QStringLiteral("firstNameError"), box);
    m_lastName = new QLineEdit(box);
    m_lastName->setObjectName(QStringLiteral("lastName"));
    m_lastName->setAccessibleName(tr("Last name"));
    m_lastName->setMaxLength(100);
    m_lastNameError = fieldErrorLabel(QStringLiteral("lastNameError"), box);

    m_email = new QLineEdit(box);
    m_email->setObjectName(QStringLiteral("email"));
    m_email->setAccessibleName(tr("Email"));
    m_email->setReadOnly(true);
    m_email->setToolTip(tr("The address you sign in with; an admin can change accounts"));
    m_role = new QLabel(box);
    m_role->setObjectName(QStringLiteral("role"));
    m_role->setToolTip(tr("What you may do; an admin can change it"));

    m_language = new QComboBox(box);
    m_language->setObjectName(QStringLiteral("language"));
    m_language->setAccessibleName(tr("Language"));
    m_language->setToolTip(tr("The language of the emails and pages Colophon makes for you"));
    for (const QString &tag : languageTags()) {
        m_language->addItem(languageLabel(tag), tag);
    }
    m_languageError = fieldErrorLabel(QStringLiteral("languageError"), box);

    m_timezone = new QComboBox(box);
    m_timezone->setObjectName(QStringLiteral("timezone"));
    m_timezone->setAccessibleName(tr("Time zone"));
    m_timezone->setToolTip(tr("Times are shown in this zone; type to find one, e.g. Paris"));
    m_timezone->setEditable(true);
    m_timezone->setInsertPolicy(QComboBox::NoInsert);
    for (const QByteArray &id : QTimeZone::availableTimeZoneIds()) {
        m_timezone->addItem(QString::fromUtf8(id));
    }
    m_timezone->lineEdit()->setPlaceholderText(tr("Europe/Paris"));
    m_timezone->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    m_timezone->completer()->setFilterMode(Qt::MatchContains);
    m_timezone->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_timezoneError = fieldErrorLabel(QStringLiteral("timezoneError"), box);

    m_emailNotifications = new QCheckBox(tr("&Email notifications"), box);
    m_emailNotifications->setObjectName(QStringLiteral("emailNotifications"));
    m_emailNotifications->setAccessibleName(tr("Email notifications"));
    m_emailNotifications->setToolTip(tr("Get an email when something needs you"));
    m_pushNotifications = new QCheckBox(tr("&Push notifications"), box);
    m_pushNotifications->setObjectName(QStringLiteral("pushNotifications"));
    m_pushNotifications->setAccessibleName(tr("Push notifications"));
    m_pushNotifications->setToolTip(tr("Get a notification on your devices"));

    m_saveProfile = new QPushButton(tr("&Save"), box);
    m_saveProfile->setObjectName(QStringLiteral("saveProfile"));
    m_saveProfile->setAccessibleName(tr("Save the profile"));
    m_saveProfile->setToolTip(tr("Save the names and preferences (Ctrl+S)"));
    connect(m_saveProfile, &QPushButton::clicked, this, &AccountPage::saveProfile);
    m_revertProfile = new QPushButton(tr("Re&vert"), box);
    m_revertProfile->setObjectName(QStringLiteral("revertProfile"));
    m_revertProfile->setAccessibleName(tr("Revert the profile"));
    m_revertProfile->setToolTip(tr("Put back what is saved"));
    connect(m_revertProfile, &QPushButton::clicked, this, [this] { fillProfile(m_user); });

    auto *form = new QFormLayout;
    form->addRow(buddyLabel(tr("&First name:"), m_firstName, box),
                 withFieldError(m_firstName, m_firstNameError, box));
    form->addRow(buddyLabel(tr("&Last name:"), m_lastName, box),
                 withFieldError(m_lastName, m_lastNameError, box));
    form->addRow(buddyLabel(tr("Email:"), m_email, box), m_email);
    form->addRow(tr("Role:"), m_role);
    form->addRow(buddyLabel(tr("Lan&guage:"), m_language, box),
                 withFieldError(m_language, m_languageError, box));
    form->addRow(buddyLabel(tr("&Time zone:"), m_timezone, box),
                 withFieldError(m_timezone, m_timezoneError, box));
    form->addRow(tr("Notifications:"), m_emailNotifications);
    form->addRow(QString(), m_pushNotifications);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_revertProfile);
    buttons->addWidget(m_saveProfile);

    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_profileMessage);
    layout->addLayout(form);
    layout->addLayout(buttons);

    for (QLineEdit *edit : {m_firstName, m_lastName}) {
        connect(edit, &QLineEdit::textChanged, this, &AccountPage::updateProfileActions);
        connect(edit, &QLineEdit::returnPressed, this, &AccountPage::saveProfile);
    }
    connect(m_language, &QComboBox::currentIndexChanged, this, &AccountPage::updateProfileActions);
    connect(m_timezone, &QComboBox::currentTextChanged, this, &AccountPage::updateProfileActions);
    for (QCheckBox *check : {m_emailNotifications, m_pushNotifications}) {
        connect(check, &QCheckBox::toggled, this, &AccountPage::updateProfileActions);
    }
    return box;
}

QGroupBox *AccountPage::buildPassword()
{
    auto *box = new QGroupBox(tr("Password"), this);
    m_passwordMessage = sectionMessage(QStringLiteral("passwordMessage"), box);
    m_currentPassword =
        passwordEdit(QStringLiteral("currentPassword"), tr("Current password"), box);
    m_currentPassword->setPlaceholderText(tr("The one you sign in with now"));
    m_newPassword = passwordEdit(QStringLiteral("newPassword"), tr("New password"), box);
    m_newPassword->setPlaceholderText(tr("At least 12 characters"));
    m_newPassword->setToolTip(tr("At least 12 characters, not a common password nor your email"));
    m_repeatPassword =
        passwordEdit(QStringLiteral("repeatPassword"), tr("Repeat the new password"), box);
    m_repeatPassword->setPlaceholderText(tr("The new one again"));
    m_currentPasswordError = fieldErrorLabel(QStringLiteral("currentPasswordError"), box);
    m_newPasswordError = fieldErrorLabel(QStringLiteral("newPasswordError"), box);
    m_repeatPasswordError = fieldErrorLabel(QStringLiteral("repeatPasswordError"), box);
    m_changePassword = new QPushButton(tr("C&hange password"), box);
    m_changePassword->setObjectName(QStringLiteral("changePassword"));
    m_changePassword->setAccessibleName(tr("Change password"));
    m_changePassword->setToolTip(tr("Your other sessions are signed out when it changes"));
    connect(m_changePassword, &QPushButton::clicked, this, &AccountPage::changePassword);
    for (QLineEdit *edit : {m_currentPassword, m_newPassword, m_repeatPassword}) {
        connect(edit, &QLineEdit::textChanged, this, &AccountPage::updatePasswordActions);
    }
    connect(m_repeatPassword, &QLineEdit::returnPressed, this, &AccountPage::changePassword);

    auto *form = new QFormLayout;
    form->addRow(buddyLabel(tr("Cu&rrent password:"), m_currentPassword, box),
                 withFieldError(m_currentPassword, m_currentPasswordError, box));
    form->addRow(buddyLabel(tr("&New password:"), m_newPassword, box),
                 withFieldError(m_newPassword, m_newPasswordError, box));
    form->addRow(buddyLabel(tr("Repe&at:"), m_repeatPassword, box),
                 withFieldError(m_repeatPassword, m_repeatPasswordError, box));
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_changePassword);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_passwordMessage);
    layout->addLayout(form);
    layout->addLayout(buttons);
    updatePasswordActions();
    return box;
}

QGroupBox *AccountPage::buildMfa()
{
    auto *box = new QGroupBox(tr("Two-step sign-in"), this);
    m_mfaMessage = sectionMessage(QStringLiteral("mfaMessage"), box);
    m_mfaState = new QLabel(box);
    m_mfaState->setObjectName(QStringLiteral("mfaState"));
    m_mfaState->setWordWrap(true);

    m_enableMfa = new QPushButton(tr("T&urn on…"), box);
    m_enableMfa->setObjectName(QStringLiteral("enableMfa"));
    m_enableMfa->setAccessibleName(tr("Turn on two-step sign-in"));
    m_enableMfa->setToolTip(tr("Ask for a code from an authenticator app after the password"));
    connect(m_enableMfa, &QPushButton::clicked, this, &AccountPage::startEnrolment);
    m_disableMfa = new QPushButton(tr("Turn &off…"), box);
    m_disableMfa->setObjectName(QStringLiteral("disableMfa"));
    m_disableMfa->setAccessibleName(tr("Turn off two-step sign-in"));
    m_disableMfa->setToolTip(tr("Sign in with the password alone again"));
    connect(m_disableMfa, &QPushButton::clicked, this, &AccountPage::turnOffMfa);
    m_newRecoveryCodes = new QPushButton(tr("New recovery &codes…"), box);
    m_newRecoveryCodes->setObjectName(QStringLiteral("newRecoveryCodes"));
    m_newRecoveryCodes->setAccessibleName(tr("New recovery codes"));
    m_newRecoveryCodes->setToolTip(tr("Replace your recovery codes with ten new ones"));
    connect(m_newRecoveryCodes, &QPushButton::clicked, this, &AccountPage::renewRecoveryCodes);

    // Enrolment: the QR code, the secret for typing in, and the first code.
    m_enrolPanel = new QWidget(box);
    m_enrolPanel->setObjectName(QStringLiteral("mfaEnrolment"));
    m_mfaQr = new QrCodeWidget(m_enrolPanel);
    m_mfaQr->setObjectName(QStringLiteral("mfaQr"));
    m_mfaQr->setAccessibleName(tr("QR code to scan with an authenticator app"));
    m_mfaSecret = new QLineEdit(m_enrolPanel);
    m_mfaSecret->setObjectName(QStringLiteral("mfaSecret"));
    m_mfaSecret->setAccessibleName(tr("Secret key"));
    m_mfaSecret->setReadOnly(true);
    m_mfaSecret->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_mfaSecret->setToolTip(tr("Type this into the app if it cannot scan the code"));
    auto *copySecret = new QPushButton(tr("Cop&y"), m_enrolPanel);
    copySecret->setObjectName(QStringLiteral("copySecret"));
    copySecret->setAccessibleName(tr("Copy the secret key"));
    copySecret->setToolTip(tr("Copy the secret key to the clipboard"));
    connect(copySecret, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_mfaSecret->text().remove(QLatin1Char(' ')));
    });
    m_mfaCode = new QLineEdit(m_enrolPanel);
    m_mfaCode->setObjectName(QStringLiteral("mfaCode"));
    m_mfaCode->setAccessibleName(tr("Code from the app"));
    m_mfaCode->setPlaceholderText(tr("123456"));
    m_mfaCode->setToolTip(tr("The 6-digit code the app shows for Colophon"));
    m_mfaCode->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[0-9 ]{0,7}")), m_mfaCode));
    m_mfaCodeError = fieldErrorLabel(QStringLiteral("mfaCodeError"), m_enrolPanel);
    m_confirmMfa = new QPushButton(tr("C&onfirm"), m_enrolPanel);
    m_confirmMfa->setObjectName(QStringLiteral("confirmMfa"));
    m_confirmMfa->setAccessibleName(tr("Confirm two-step sign-in"));
    m_confirmMfa->setToolTip(tr("Turn two-step sign-in on once the app shows a code"));
    m_confirmMfa->setEnabled(false);
    connect(m_confirmMfa, &QPushButton::clicked, this, &AccountPage::confirmEnrolment);
    connect(m_mfaCode, &QLineEdit::returnPressed, this, &AccountPage::confirmEnrolment);
    connect(m_mfaCode, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_confirmMfa->setEnabled(!m_mfaBusy && QString(text).remove(QLatin1Char(' ')).size() == 6);
    });
    auto *cancelEnrol = new QPushButton(tr("Cancel"), m_enrolPanel);
    cancelEnrol->setObjectName(QStringLiteral("cancelMfa"));
    cancelEnrol->setAccessibleName(tr("Cancel turning on two-step sign-in"));
    connect(cancelEnrol, &QPushButton::clicked, this, &AccountPage::cancelEnrolment);

    auto *steps = new QLabel(tr("1. Scan the code with an authenticator app (or type the key).\n"
                                "2. Type the 6-digit code the app shows, then Confirm."),
                             m_enrolPanel);
    steps->setWordWrap(true);
    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(m_mfaSecret, 1);
    secretRow->addWidget(copySecret);
    auto *codeRow = new QHBoxLayout;
    codeRow->addWidget(withFieldError(m_mfaCode, m_mfaCodeError, m_enrolPanel), 1);
    codeRow->addWidget(m_confirmMfa, 0, Qt::AlignTop);
    codeRow->addWidget(cancelEnrol, 0, Qt::AlignTop);
    auto *enrolForm = new QFormLayout;
    enrolForm->addRow(buddyLabel(tr("&Key:"), m_mfaSecret, m_enrolPanel), secretRow);
    enrolForm->addRow(buddyLabel(tr("Co&de:"), m_mfaCode, m_enrolPanel), codeRow);
    auto *enrolLayout = new QVBoxLayout(m_enrolPanel);
    enrolLayout->setContentsMargins(0, 0, 0, 0);
    enrolLayout->addWidget(steps);
    enrolLayout->addWidget(m_mfaQr, 0, Qt::AlignHCenter);
    enrolLayout->addLayout(enrolForm);
    m_enrolPanel->setVisible(false);

    // Recovery codes, shown once.
    m_recoveryPanel = new QWidget(box);
    m_recoveryPanel->setObjectName(QStringLiteral("recoveryPanel"));
    auto *recoveryIntro = new QLabel(
        tr("<b>Your recovery codes.</b> Each signs you in once if you lose your phone. Keep "
           "them somewhere safe now: they are not shown again."),
        m_recoveryPanel);
    recoveryIntro->setWordWrap(true);
    m_recoveryCodes = new QPlainTextEdit(m_recoveryPanel);
    m_recoveryCodes->setObjectName(QStringLiteral("recoveryCodes"));
    m_recoveryCodes->setAccessibleName(tr("Recovery codes"));
    m_recoveryCodes->setReadOnly(true);
    m_recoveryCodes->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_recoveryCodes->setMaximumHeight(QFontMetrics(m_recoveryCodes->font()).lineSpacing() * 11 +
                                      12);
    auto *copyCodes = new QPushButton(tr("Cop&y"), m_recoveryPanel);
    copyCodes->setObjectName(QStringLiteral("copyRecoveryCodes"));
    copyCodes->setAccessibleName(tr("Copy the recovery codes"));
    connect(copyCodes, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_codes.join(QLatin1Char('\n'))); });
    auto *saveCodes = new QPushButton(tr("Save to f&ile…"), m_recoveryPanel);
    saveCodes->setObjectName(QStringLiteral("saveRecoveryCodes"));
    saveCodes->setAccessibleName(tr("Save the recovery codes to a file"));
    connect(saveCodes, &QPushButton::clicked, this, &AccountPage::saveRecoveryCodes);
    auto *doneCodes = new QPushButton(tr("I have &kept them"), m_recoveryPanel);
    doneCodes->setObjectName(QStringLiteral("doneRecoveryCodes"));
    doneCodes->setAccessibleName(tr("Hide the recovery codes"));
    connect(doneCodes, &QPushButton::clicked, this, [this] {
        m_codes.clear();
        m_recoveryCodes->clear();
        m_recoveryPanel->setVisible(false);
    });
    auto *codeButtons = new QHBoxLayout;
    codeButtons->addWidget(copyCodes);
    codeButtons->addWidget(saveCodes);
    codeButtons->addStretch(1);
    codeButtons->addWidget(doneCodes);
    auto *recoveryLayout = new QVBoxLayout(m_recoveryPanel);
    recoveryLayout->setContentsMargins(0, 0, 0, 0);
    recoveryLayout->addWidget(recoveryIntro);
    recoveryLayout->addWidget(m_recoveryCodes);
    recoveryLayout->addLayout(codeButtons);
    m_recoveryPanel->setVisible(false);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_enableMfa);
    buttons->addWidget(m_newRecoveryCodes);
    buttons->addWidget(m_disableMfa);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_mfaMessage);
    layout->addWidget(m_mfaState);
    layout->addLayout(buttons);
    layout->addWidget(m_enrolPanel);
    layout->addWidget(m_recoveryPanel);
    showMfa(m_mfa);
    return box;
}

QGroupBox *AccountPage::buildSessions()
{
    auto *box = new QGroupBox(tr("Sessions"), this);
    m_sessionsMessage = sectionMessage(QStringLiteral("sessionsMessage"), box);
    m_sessionsList = new QTreeWidget(box);
    m_sessionsList->setObjectName(QStringLiteral("sessionsList"));
    m_sessionsList->setAccessibleName(tr("Where you are signed in"));
    m_sessionsList->setRootIsDecorated(false);
    m_sessionsList->setHeaderLabels(
        {tr("Address"), tr("Device"), tr("Signed in"), tr("Last used"), QString()});
    m_sessionsList->header()->setStretchLastSection(false);
    m_sessionsList->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_sessionsList->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_sessionsList->setMinimumHeight(120);
    auto *intro = new QLabel(tr("Where your account is signed in. Sign out what you do not "
                                "recognise, then change your password."),
                             box);
    intro->setWordWrap(true);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_sessionsMessage);
    layout->addWidget(intro);
    layout->addWidget(m_sessionsList, 1);
    return box;
}

void AccountPage::onSignedInChanged()
{
    if (!m_gateway.isSignedIn()) {
        m_loadedUserId.clear();
        m_loadedSessionId.clear();
        m_loaded = false;
        ++m_generation;
        m_stack->setCurrentWidget(m_signedOut);
        return;
    }
    m_stack->setCurrentIndex(1);
    const Actor &actor = m_gateway.actor();
    if (actor.userId == m_loadedUserId && actor.sessionId == m_loadedSessionId) {
        // The same person (a profile update, a role change): the role shown follows.
        m_role->setText(userui::roleLabel(actor.role));
        return;
    }
    m_loadedUserId = actor.userId;
    m_loadedSessionId = actor.sessionId;
    m_loaded = false;
    m_codes.clear();
    m_recoveryPanel->setVisible(false);
    m_enrolPanel->setVisible(false);
    fillProfile(m_gateway.user());
    reload();
}

void AccountPage::onEventCommitted(const Event &event)
{
    if (m_gateway.isSignedIn() &&
        event.stream == QStringLiteral("user/") + m_gateway.actor().userId) {
        m_reloadTimer->start();
    }
}

void AccountPage::pageShown()
{
    if (m_gateway.isSignedIn()) {
        reload();
    }
}

void AccountPage::saveCurrent()
{
    if (m_saveProfile->isEnabled()) {
        saveProfile();
    }
}

bool AccountPage::confirmClose()
{
    if (!m_loaded || !isProfileDirty()) {
        return true;
    }
    const auto answer = QMessageBox::question(
        this, tr("Unsaved profile"), tr("Your profile has changes that are not saved. Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) {
        saveProfile();
        return m_gateway.waitForIdle() && !isProfileDirty();
    }
    return answer == QMessageBox::Discard;
}

void AccountPage::reload()
{
    if (hiddenNow()) {
        return;
    }
    if (!m_gateway.isSignedIn()) {
        return;
    }
    const quint64 generation = ++m_generation;
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor()]() -> Result<State> {
            auto user = gateway.users().me(actor);
            if (!user) {
                return fail(user.error());
            }
            auto mfa = gateway.users().mfaStatus(actor);
            if (!mfa) {
                return fail(mfa.error());
            }
            auto sessions = gateway.users().sessions(actor);
            if (!sessions) {
                return fail(sessions.error());
            }
            return State{*user, *mfa, std::move(*sessions)};
        },
        [this, generation](Result<State> state) {
            if (generation != m_generation) {
                return;
            }
            if (!state) {
                m_message->showError(state.error(), tr("Could not read your account"));
                return;
            }
            if (m_message->kind() == MessageBar::Kind::Error) {
                m_message->clear();
            }
            showState(*state);
        });
}

void AccountPage::showState(const State &state)
{
    const bool keepEdits = m_loaded && isProfileDirty();
    const User shown = m_gateway.user();
    m_user = state.user;
    m_loaded = true;
    if (!keepEdits) {
        fillProfile(state.user);
    }
    if (shown.id == state.user.id &&
        (shown.updatedAtMs != state.user.updatedAtMs || shown.mfaEnabled != state.user.mfaEnabled ||
         shown.role != state.user.role)) {
        m_gateway.setUser(state.user); // the status bar follows
    }
    m_mfa = state.mfa;
    showMfa(state.mfa);
    showSessions(state.sessions);
    updateProfileActions();
}

void AccountPage::fillProfile(const User &user)
{
    QSignalBlocker a(m_firstName), b(m_lastName), c(m_language), d(m_timezone),
        e(m_emailNotifications), f(m_pushNotifications);
    m_firstName->setText(user.firstName);
    m_lastName->setText(user.lastName);
    m_email->setText(user.email);
    m_role->setText(userui::roleLabel(user.role));
    int language = m_language->findData(user.preferences.language);
    if (language < 0) {
        m_language->addItem(languageLabel(user.preferences.language), user.preferences.language);
        language = m_language->count() - 1;
    }
    m_language->setCurrentIndex(language);
    const int zone = m_timezone->findText(user.preferences.timezone);
    if (zone >= 0) {
        m_timezone->setCurrentIndex(zone);
    } else {
        m_timezone->setEditText(user.preferences.timezone);
    }
    m_emailNotifications->setChecked(user.preferences.emailNotifications);
    m_pushNotifications->setChecked(user.preferences.pushNotifications);
    for (auto [label, field] : {std::pair<QLabel *, QWidget *>{m_firstNameError, m_firstName},
                                {m_lastNameError, m_lastName},
                                {m_languageError, m_language},
                                {m_timezoneError, m_timezone}}) {
        clearFieldError(label, field);
    }
    updateProfileActions();
}

bool AccountPage::isProfileDirty() const
{
    const UserPreferences &p = m_user.preferences;
    return m_firstName->text().trimmed() != m_user.firstName ||
           m_lastName->text().trimmed() != m_user.lastName ||
           m_language->currentData().toString() != p.language ||
           m_timezone->currentText().trimmed() != p.timezone ||
           m_emailNotifications->isChecked() != p.emailNotifications ||
           m_pushNotifications->isChecked() != p.pushNotifications;
}

void AccountPage::updateProfileActions()
{
    const bool dirty = m_loaded && isProfileDirty();
    m_saveProfile->setEnabled(dirty && !m_savingProfile);
    m_revertProfile->setEnabled(dirty && !m_savingProfile);
}

void AccountPage::saveProfile()
{
    if (!m_loaded || !isProfileDirty() || m_savingProfile) {
        return;
    }
    m_profileMessage->clear();
    ProfileChange change;
    if (m_firstName->text().trimmed() != m_user.firstName) {
        change.firstName = m_firstName->text().trimmed();
    }
    if (m_lastName->text().trimmed() != m_user.lastName) {
        change.lastName = m_lastName->text().trimmed();
    }
    nlohmann::json prefs = nlohmann::json::object();
    const UserPreferences &p = m_user.preferences;
    if (m_language->currentData().toString() != p.language) {
        prefs["language"] = m_language->currentData().toString().toStdString();
    }
    if (m_timezone->currentText().trimmed() != p.timezone) {
        prefs["timezone"] = m_timezone->currentText().trimmed().toStdString();
    }
    if (m_emailNotifications->isChecked() != p.emailNotifications) {
        prefs["emailNotifications"] = m_emailNotifications->isChecked();
    }
    if (m_pushNotifications->isChecked() != p.pushNotifications) {
        prefs["pushNotifications"] = m_pushNotifications->isChecked();
    }
    if (!prefs.empty()) {
        change.preferences = prefs;
    }
    m_savingProfile = true;
    updateProfileActions();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), change] {
            return gateway.users().updateMe(actor, change);
        },
        [this](Result<User> updated) {
            m_savingProfile = false;
            if (!updated) {
                updateProfileActions();
                showProfileError(updated.error());
                return;
            }
            m_user = *updated;
            fillProfile(*updated);
            m_gateway.setUser(*updated);
            m_profileMessage->showMessage(MessageBar::Kind::Success, tr("Your profile was saved."));
            emit profileSaved(*updated);
        });
}

void AccountPage::showProfileError(const Error &error)
{
    const QString field = error.field;
    if (field == QLatin1String("firstName")) {
        showFieldError(m_firstNameError, m_firstName, error.message);
        m_firstName->setFocus();
    } else if (field == QLatin1String("lastName")) {
        showFieldError(m_lastNameError, m_lastName, error.message);
        m_lastName->setFocus();
    } else if (field == QLatin1String("preferences.language")) {
        showFieldError(m_languageError, m_language, error.message);
        m_language->setFocus();
    } else if (field == QLatin1String("preferences.timezone")) {
        showFieldError(m_timezoneError, m_timezone, error.message);
        m_timezone->setFocus();
    } else {
        m_profileMessage->showError(error, tr("Could not save your profile"));
    }
}

void AccountPage::updatePasswordActions()
{
    m_changePassword->setEnabled(!m_changingPassword && !m_currentPassword->text().isEmpty() &&
                                 !m_newPassword->text().isEmpty() &&
                                 !m_repeatPassword->text().isEmpty());
}

void AccountPage::changePassword()
{
    if (m_changingPassword) {
        return;
    }
    m_passwordMessage->clear();
    clearFieldError(m_currentPasswordError, m_currentPassword);
    clearFieldError(m_newPasswordError, m_newPassword);
    clearFieldError(m_repeatPasswordError, m_repeatPassword);
    const QString current = m_currentPassword->text();
    const QString next = m_newPassword->text();
    if (current.isEmpty()) {
        showFieldError(m_currentPasswordError, m_currentPassword,
                       tr("Type the password you sign in with now"));
        m_currentPassword->setFocus();
        return;
    }
    if (next.isEmpty()) {
        showFieldError(m_newPasswordError, m_newPassword, tr("Type a new password"));
        m_newPassword->setFocus();
        return;
    }
    if (next != m_repeatPassword->text()) {
        showFieldError(m_repeatPasswordError, m_repeatPassword,
                       tr("The two new passwords are not the same"));
        m_repeatPassword->setFocus();
        m_repeatPassword->selectAll();
        return;
    }
    m_changingPassword = true;
    updatePasswordActions();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), current, next] {
            return gateway.users().changePassword(actor, current, next);
        },
        [this](Result<void> changed) {
            m_changingPassword = false;
            if (!changed) {
                const Error &error = changed.error();
                if (error.code == ErrorCode::Unauthenticated) {
                    showFieldError(m_currentPasswordError, m_currentPassword, error.message);
                    m_currentPassword->setFocus();
                    m_currentPassword->selectAll();
                } else if (error.field == QLatin1String("password")) {
                    showFieldError(m_newPasswordError, m_newPassword, error.message);
                    m_newPassword->setFocus();
                    m_newPassword->selectAll();
                } else {
                    m_passwordMessage->showError(error, tr("Could not change the password"));
                }
                updatePasswordActions();
                return;
            }
            for (QLineEdit *edit : {m_currentPassword, m_newPassword, m_repeatPassword}) {
                edit->clear();
            }
            updatePasswordActions();
            m_passwordMessage->showMessage(
                MessageBar::Kind::Success,
                tr("Your password was changed. Your other sessions were signed out."));
            reload();
        });
}

void AccountPage::showMfa(const MfaStatus &status)
{
    const bool on = status.totpEnabled;
    if (on) {
        const int left = status.recoveryCodesLeft;
        m_mfaState->setText(
            tr("<b>On.</b> Signing in asks for a code from your authenticator app.") +
            QLatin1Char(' ') +
            (left == 1 ? tr("1 recovery code left.") : tr("%1 recovery codes left.").arg(left)));
    } else if (status.totpPending && m_enrolPanel->isVisible()) {
        m_mfaState->setText(tr("<b>Being set up.</b> Confirm with a code from the app."));
    } else {
        m_mfaState->setText(tr("<b>Off.</b> Your password alone signs you in. Turn this on to "
                               "also ask for a code from an app on your phone."));
    }
    const bool enrolling = m_enrolPanel->isVisible();
    m_enableMfa->setVisible(!on);
    m_enableMfa->setEnabled(!on && !enrolling && !m_mfaBusy);
    m_disableMfa->setVisible(on);
    m_disableMfa->setEnabled(on && !m_mfaBusy);
    m_newRecoveryCodes->setVisible(on);
    m_newRecoveryCodes->setEnabled(on && !m_mfaBusy);
}

void AccountPage::startEnrolment()
{
    if (m_mfaBusy) {
        return;
    }
    m_mfaMessage->clear();
    m_mfaBusy = true;
    showMfa(m_mfa);
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor()] {
            return gateway.users().enrolTotp(actor);
        },
        [this](Result<TotpEnrolment> enrolment) {
            m_mfaBusy = false;
            if (!enrolment) {
                showMfa(m_mfa);
                m_mfaMessage->showError(enrolment.error(), tr("Could not start two-step sign-in"));
                return;
            }
            m_mfaQr->setText(enrolment->otpauthUri);
            m_mfaSecret->setText(userui::groupedInFours(enrolment->secret));
            m_mfaCode->clear();
            clearFieldError(m_mfaCodeError, m_mfaCode);
            m_enrolPanel->setVisible(true);
            m_recoveryPanel->setVisible(false);
            m_mfa.totpPending = true;
            showMfa(m_mfa);
            m_mfaCode->setFocus();
        });
}

void AccountPage::confirmEnrolment()
{
    const QString code = m_mfaCode->text().remove(QLatin1Char(' '));
    if (m_mfaBusy || code.size() != 6) {
        return;
    }
    clearFieldError(m_mfaCodeError, m_mfaCode);
    m_mfaMessage->clear();
    m_mfaBusy = true;
    m_confirmMfa->setEnabled(false);
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), code] {
            return gateway.users().confirmTotp(actor, code);
        },
        [this](Result<QStringList> codes) {
            m_mfaBusy = false;
            if (!codes) {
                m_confirmMfa->setEnabled(true);
                if (codes.error().field == QLatin1String("code")) {
                    showFieldError(m_mfaCodeError, m_mfaCode, codes.error().message);
                    m_mfaCode->setFocus();
                    m_mfaCode->selectAll();
                } else {
                    m_mfaMessage->showError(codes.error(),
                                            tr("Could not turn two-step sign-in on"));
                }
                return;
            }
            m_enrolPanel->setVisible(false);
            m_mfaQr->setText({});
            m_mfaSecret->clear();
            m_mfaCode->clear();
            m_mfa.totpEnabled = true;
            m_mfa.totpPending = false;
            m_mfa.recoveryCodesLeft = static_cast<int>(codes->size());
            showMfa(m_mfa);
            showRecoveryCodes(*codes);
            m_mfaMessage->showMessage(MessageBar::Kind::Success, tr("Two-step sign-in is on."));
            reload();
        });
}

void AccountPage::cancelEnrolment()
{
    // The pending enrolment stays unconfirmed (harmless); a new one replaces it.
    m_enrolPanel->setVisible(false);
    m_mfaQr->setText({});
    m_mfaSecret->clear();
    m_mfaCode->clear();
    m_mfa.totpPending = false;
    showMfa(m_mfa);
}

void AccountPage::showRecoveryCodes(const QStringList &codes)
{
    m_codes = codes;
    m_recoveryCodes->setPlainText(codes.join(QLatin1Char('\n')));
    m_recoveryPanel->setVisible(true);
}

void AccountPage::saveRecoveryCodes()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save recovery codes"),
        QDir::home().filePath(QStringLiteral("colophon-recovery-codes.txt")),
        tr("Text files (*.txt)"));
    if (path.isEmpty()) {
        return;
    }
    QSaveFile file(path);
    const QByteArray text =
        (tr("Colophon recovery codes for %1. Each works once.").arg(m_user.email) +
         QStringLiteral("\n\n") + m_codes.join(QLatin1Char('\n')) + QLatin1Char('\n'))
            .toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        m_mfaMessage->showError(Error::unavailable(file.errorString()),
                                tr("Could not save the codes to %1").arg(path));
        return;
    }
    m_mfaMessage->showMessage(MessageBar::Kind::Success,
                              tr("The recovery codes were saved to %1.").arg(path));
}

void AccountPage::turnOffMfa()
{
    CodeDialog dialog(tr("Turn off two-step sign-in"),
                      tr("Your password alone will sign you in. Confirm with your password and a "
                         "code from your app (or a recovery code)."),
                      tr("Turn off"), true, this);
    dialog.onSubmit([this, &dialog](const QString &password, const QString &code) {
        m_gateway.run(
            &dialog,
            [&gateway = m_gateway, actor = m_gateway.actor(), password, code] {
                return gateway.users().disableTotp(actor, password, code);
            },
            [&dialog](Result<void> done) {
                if (!done) {
                    dialog.fail(done.error());
                    return;
                }
                dialog.accept();
            });
    });
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    m_codes.clear();
    m_recoveryPanel->setVisible(false);
    m_mfa = MfaStatus{};
    showMfa(m_mfa);
    m_mfaMessage->showMessage(MessageBar::Kind::Success, tr("Two-step sign-in is off."));
    reload();
}

void AccountPage::renewRecoveryCodes()
{
    CodeDialog dialog(tr("New recovery codes"),
                      tr("Your current recovery codes stop working and ten new ones are shown. "
                         "Confirm with a code from your app."),
                      tr("Make new codes"), false, this);
    QStringList made;
    dialog.onSubmit([this, &dialog, &made](const QString &, const QString &code) {
        m_gateway.run(
            &dialog,
            [&gateway = m_gateway, actor = m_gateway.actor(), code] {
                return gateway.users().regenerateRecoveryCodes(actor, code);
            },
            [&dialog, &made](Result<QStringList> codes) {
                if (!codes) {
                    dialog.fail(codes.error());
                    return;
                }
                made = *codes;
                dialog.accept();
            });
    });
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    showRecoveryCodes(made);
    m_mfa.recoveryCodesLeft = static_cast<int>(made.size());
    showMfa(m_mfa);
    reload();
}

void AccountPage::showSessions(const std::vector<Session> &sessions)
{
    m_sessionsList->clear();
    const QString zone = m_user.preferences.timezone;
    const QString current = m_gateway.actor().sessionId;
    for (const Session &s : sessions) {
        const bool mine = s.id == current;
        const QString address = s.address.isEmpty() ? tr("Unknown address") : s.address;
        auto *item = new QTreeWidgetItem(m_sessionsList,
                                         {mine ? tr("%1 (this session)").arg(address) : address,
                                          userui::deviceLabel(s.userAgent),
                                          userui::formatTime(s.createdAtMs, zone),
                                          userui::formatTime(s.lastUsedAtMs, zone)});
        item->setData(0, Qt::UserRole, s.id);
        item->setToolTip(1, s.userAgent);
        auto *signOut = new QPushButton(tr("Sign out"), m_sessionsList);
        signOut->setObjectName(QStringLiteral("signOutSession"));
        signOut->setAccessibleName(tr("Sign out the session from %1").arg(address));
        if (mine) {
            QFont bold = item->font(0);
            bold.setBold(true);
            for (int c = 0; c < 4; ++c) {
                item->setFont(c, bold);
            }
            signOut->setEnabled(false);
            signOut->setToolTip(tr("This is the session of this console: sign out from the "
                                   "File menu instead"));
        } else {
            signOut->setToolTip(tr("End this session: it must sign in again"));
            connect(signOut, &QPushButton::clicked, this,
                    [this, id = s.id, address] { signOutSession(id, address); });
        }
        m_sessionsList->setItemWidget(item, 4, signOut);
    }
    for (int c = 0; c < 4; ++c) {
        if (c != 1) {
            m_sessionsList->resizeColumnToContents(c);
        }
    }
}

void AccountPage::signOutSession(const QString &sessionId, const QString &address)
{
    m_sessionsMessage->clear();
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), sessionId] {
            return gateway.users().revokeSession(actor, sessionId);
        },
        [this, address](Result<void> done) {
            if (!done) {
                m_sessionsMessage->showError(
                    done.error(), tr("Could not sign out the session from %1").arg(address));
                return;
            }
            m_sessionsMessage->showMessage(MessageBar::Kind::Success,
                                           tr("The session from %1 was signed out.").arg(address));
            reload();
        });
}

} // namespace colophon
