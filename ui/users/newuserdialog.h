// SPDX-License-Identifier: MIT
// "New user…": an admin makes an account with an email, names, a role and a
// password they type or have generated. A generated password is shown once,
// after the account is made, with a button to copy it. The service's
// refusals are shown beside the field they name.
#pragma once

#include "backend/core/error.h"
#include "services/user/user.h"

#include <QDialog>

QT_FORWARD_DECLARE_CLASS(QComboBox)
QT_FORWARD_DECLARE_CLASS(QDialogButtonBox)
QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QToolButton)

namespace colophon {

class MessageBar;
class ServiceGateway;

class NewUserDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit NewUserDialog(ServiceGateway &gateway, QWidget *parent = nullptr);

    // The account made, once the service answered (empty id before).
    const User &createdUser() const { return m_created; }
    // A random password of 4 groups of 5 unambiguous characters.
    static QString generatePassword();

signals:
    void userCreated(const colophon::User &user);

private:
    void submit();
    void showFieldError(const Error &error);
    void clearErrors();
    void setBusy(bool busy);
    void showCreated();
    void updateCreateEnabled();

    ServiceGateway &m_gateway;
    User m_created;
    QString m_generated;
    bool m_busy = false;

    MessageBar *m_message;
    QLineEdit *m_email;
    QLineEdit *m_firstName;
    QLineEdit *m_lastName;
    QComboBox *m_role;
    QLineEdit *m_password;
    QToolButton *m_showPassword;
    QPushButton *m_generate;
    QPushButton *m_copy;
    QLabel *m_emailError;
    QLabel *m_firstNameError;
    QLabel *m_lastNameError;
    QLabel *m_passwordError;
    QLabel *m_intro;
    QDialogButtonBox *m_buttons;
    QPushButton *m_create;
};

} // namespace colophon
