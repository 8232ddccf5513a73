// SPDX-License-Identifier: MIT
// "My account", for everyone signed in: the profile (names; email and role
// shown), preferences (language, time zone, notifications), the password
// change, two-step sign-in (enrolment with a QR code, confirmation, recovery
// codes shown once, turning off, new recovery codes) and the sessions, each
// of which can be signed out. Every call goes through the gateway; refusals
// are shown beside the field or the section they are about.
#pragma once

#include "backend/core/error.h"
#include "backend/events/event.h"
#include "services/user/user.h"
#include "services/user/userservice.h"
#include "ui/core/consolepage.h"

#include <QStringList>
#include <vector>

QT_FORWARD_DECLARE_CLASS(QCheckBox)
QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QGroupBox)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPlainTextEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QStackedWidget)
QT_FORWARD_DECLARE_CLASS(QTimer)
QT_FORWARD_DECLARE_CLASS(QTreeWidget)

namespace colophon {

class MessageBar;
class QrCodeWidget;
class ServiceGateway;

class AccountPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit AccountPage(ServiceGateway &gateway, QWidget *parent = nullptr);

    void pageShown() override;
    void saveCurrent() override;
    bool confirmClose() override;

    // Reads the profile, two-step state and sessions again.
    void reload();
    // The recovery codes shown (once, after confirming or renewing).
    QStringList shownRecoveryCodes() const { return m_codes; }

signals:
    // The profile was saved (after the gateway's user was updated).
    void profileSaved(const colophon::User &user);

private:
    struct State
    {
        User user;
        MfaStatus mfa;
        std::vector<Session> sessions;
    };

    QGroupBox *buildProfile();
    QGroupBox *buildPassword();
    QGroupBox *buildMfa();
    QGroupBox *buildSessions();

    void onSignedInChanged();
    void onEventCommitted(const Event &event);
    void showState(const State &state);
    void fillProfile(const User &user);
    bool isProfileDirty() const;
    void updateProfileActions();
    void saveProfile();
    void showProfileError(const Error &error);

    void updatePasswordActions();
    void changePassword();

    void showMfa(const MfaStatus &status);
    void startEnrolment();
    void confirmEnrolment();
    void cancelEnrolment();
    void showRecoveryCodes(const QStringList &codes);
    void saveRecoveryCodes();
    void turnOffMfa();
    void renewRecoveryCodes();

    void showSessions(const std::vector<Session> &sessions);
    void signOutSession(const QString &sessionId, const QString &address);

    ServiceGateway &m_gateway;
    MessageBar *m_message;
    QStackedWidget *m_stack;
    QLabel *m_signedOut;
    QTimer *m_reloadTimer;
    QString m_loadedUserId;
    QString m_loadedSessionId;
    User m_user;
    bool m_loaded = false;
    quint64 m_generation = 0;

    // Profile and preferences.
    MessageBar *m_profileMessage = nullptr;
    QLineEdit *m_firstName = nullptr;
    QLineEdit *m_lastName = nullptr;
    QLabel *m_firstNameError = nullptr;
    QLabel *m_lastNameError = nullptr;
    QLineEdit *m_email = nullptr;
    QLabel *m_role = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_languageError = nullptr;
    QComboBox *m_timezone = nullptr;
    QLabel *m_timezoneError = nullptr;
    QCheckBox *m_emailNotifications = nullptr;
    QCheckBox *m_pushNotifications = nullptr;
    QPushButton *m_saveProfile = nullptr;
    QPushButton *m_revertProfile = nullptr;
    bool m_savingProfile = false;

    // Password.
    MessageBar *m_passwordMessage = nullptr;
    QLineEdit *m_currentPassword = nullptr;
    QLineEdit *m_newPassword = nullptr;
    QLineEdit *m_repeatPassword = nullptr;
    QLabel *m_currentPasswordError = nullptr;
    QLabel *m_newPasswordError = nullptr;
    QLabel *m_repeatPasswordError = nullptr;
    QPushButton *m_changePassword = nullptr;
    bool m_changingPassword = false;

    // Two-step sign-in.
    MessageBar *m_mfaMessage = nullptr;
    QLabel *m_mfaState = nullptr;
    QPushButton *m_enableMfa = nullptr;
    QPushButton *m_disableMfa = nullptr;
    QPushButton *m_newRecoveryCodes = nullptr;
    QWidget *m_enrolPanel = nullptr;
    QrCodeWidget *m_mfaQr = nullptr;
    QLineEdit *m_mfaSecret = nullptr;
    QLineEdit *m_mfaCode = nullptr;
    QLabel *m_mfaCodeError = nullptr;
    QPushButton *m_confirmMfa = nullptr;
    QWidget *m_recoveryPanel = nullptr;
    QPlainTextEdit *m_recoveryCodes = nullptr;
    QStringList m_codes;
    MfaStatus m_mfa;
    bool m_mfaBusy = false;

    // Sessions.
    MessageBar *m_sessionsMessage = nullptr;
    QTreeWidget *m_sessionsList = nullptr;
};

} // namespace colophon
