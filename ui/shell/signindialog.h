// SPDX-License-Identifier: MIT
// Signing in to the local replica: email and password, then the code of an
// authenticator (or a recovery code) when the account has two-step sign-in.
// The welcome dialog of a first start makes the first admin account and
// signs it in the same way. Both leave the gateway signed in on accept().
#pragma once

#include "backend/core/error.h"
#include "services/user/user.h"

#include <QDialog>

QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QStackedWidget)
QT_FORWARD_DECLARE_CLASS(QLabel)

namespace colophon {

class MessageBar;
class ServiceGateway;
class UserService;

// What signing in gave: a signed-in user, or a token for the code step.
struct SignInOutcome
{
    QString mfaToken;
    User user;
    Actor actor;
};

// The service calls of a sign-in (run on a worker thread).
Result<SignInOutcome> signInWork(UserService &users, const QString &email, const QString &password);
Result<SignInOutcome> verifyCodeWork(UserService &users, const QString &mfaToken,
                                     const QString &code);

class SignInDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit SignInDialog(ServiceGateway &gateway, QWidget *parent = nullptr);
    void setEmail(const QString &email);

private:
    void signIn();
    void verifyCode();
    void finish(Result<SignInOutcome> outcome);
    void setBusy(bool busy);

    ServiceGateway &m_gateway;
    QStackedWidget *m_steps;
    QLineEdit *m_email;
    QLineEdit *m_password;
    QLineEdit *m_code;
    QLabel *m_codeHint;
    QPushButton *m_signIn;
    QPushButton *m_verify;
    MessageBar *m_message;
    QString m_mfaToken;
};

class WelcomeDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit WelcomeDialog(ServiceGateway &gateway, QWidget *parent = nullptr);

private:
    void create();

    ServiceGateway &m_gateway;
    QLineEdit *m_email;
    QLineEdit *m_firstName;
    QLineEdit *m_lastName;
    QLineEdit *m_password;
    QLineEdit *m_repeat;
    QPushButton *m_create;
    MessageBar *m_message;
};

} // namespace colophon
