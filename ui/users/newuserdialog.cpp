// SPDX-License-Identifier: MIT
// NewUserDialog: the form, the generated password and createUser through the gateway.
#include "ui/users/newuserdialog.h"

#include "services/user/userservice.h"
#include "ui/core/fielderror.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"
#include "ui/users/userformat.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QToolButton>
#include <QVBoxLayout>

namespace colophon {

NewUserDialog::NewUserDialog(ServiceGateway &gateway, QWidget *parent)
    : QDialog(parent), m_gateway(gateway), m_message(new MessageBar(this)),
      m_email(new QLineEdit(this)), m_firstName(new QLineEdit(this)),
      m_lastName(new QLineEdit(this)), m_role(new QComboBox(this)), m_password(new QLineEdit(this)),
      m_showPassword(new QToolButton(this)), m_generate(new QPushButton(tr("&Generate"), this)),
      m_copy(new QPushButton(tr("Cop&y"), this)),
      m_emailError(fieldErrorLabel(QStringLiteral("emailError"), this)),
      m_firstNameError(fieldErrorLabel(QStringLiteral("firstNameError"), this)),
      m_lastNameError(fieldErrorLabel(QStringLiteral("lastNameError"), this)),
      m_passwordError(fieldErrorLabel(QStringLiteral("passwordError"), this)),
      m_intro(new QLabel(this)), m_buttons(new QDialogButtonBox(QDialogButtonBox::Cancel, this)),
      m_create(m_buttons->addButton(tr("C&reate account"), QDialogButtonBox::ActionRole))
{
    setWindowTitle(tr("New user"));
    setObjectName(QStringLiteral("newUserDialog"));
    m_message->setObjectName(QStringLiteral("dialogMessage"));

    m_intro->setText(tr("Make an account for someone. They can change their name, preferences "
                        "and password once they have signed in."));
    m_intro->setWordWrap(true);

    m_email->setObjectName(QStringLiteral("newUserEmail"));
    m_email->setAccessibleName(tr("Email"));
    m_email->setPlaceholderText(tr("name@example.org"));
    m_email->setToolTip(tr("The address they sign in with; it must not belong to another account"));

    m_firstName->setObjectName(QStringLiteral("newUserFirstName"));
    m_firstName->setAccessibleName(tr("First name"));
    m_firstName->setPlaceholderText(tr("Ada"));
    m_firstName->setMaxLength(100);

    m_lastName->setObjectName(QStringLiteral("newUserLastName"));
    m_lastName->setAccessibleName(tr("Last name"));
    m_lastName->setPlaceholderText(tr("Lovelace"));
    m_lastName->setMaxLength(100);

    m_role->setObjectName(QStringLiteral("newUserRole"));
    m_role->setAccessibleName(tr("Role"));
    m_role->setToolTip(tr("What they may do: consumers read, creators write their own items, "
                          "editors publish anyone's, admins also manage accounts"));
    for (Role role : {Role::Consumer, Role::Creator, Role::Editor, Role::Admin}) {
        m_role->addItem(userui::roleLabel(role), roleName(role));
    }
    m_role->setCurrentIndex(1);

    m_password->setObjectName(QStringLiteral("newUserPassword"));
    m_password->setAccessibleName(tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("Type one, or generate one"));
    m_password->setToolTip(tr("At least 12 characters, not a common password"));

    m_showPassword->setText(tr("Show"));
    m_showPassword->setCheckable(true);
    m_showPassword->setAccessibleName(tr("Show the password"));
    m_showPassword->setToolTip(tr("Show or hide the password as it is typed"));
    connect(m_showPassword, &QToolButton::toggled, this, [this](bool shown) {
        m_password->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
    });

    m_generate->setObjectName(QStringLiteral("generatePassword"));
    m_generate->setAccessibleName(tr("Generate a password"));
    m_generate->setToolTip(tr("Fill in a random password; it is shown once the account is made"));
    m_generate->setAutoDefault(false);
    connect(m_generate, &QPushButton::clicked, this, [this] {
        m_generated = generatePassword();
        m_password->setText(m_generated);
        m_showPassword->setChecked(true);
        m_copy->setEnabled(true);
    });

    m_copy->setObjectName(QStringLiteral("copyPassword"));
    m_copy->setAccessibleName(tr("Copy the password"));
    m_copy->setToolTip(tr("Copy the password to the clipboard"));
    m_copy->setAutoDefault(false);
    m_copy->setEnabled(false);
    connect(m_copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(m_password->text()); });

    auto *passwordRow = new QWidget(this);
    auto *passwordLayout = new QHBoxLayout(passwordRow);
    passwordLayout->setContentsMargins(0, 0, 0, 0);
    passwordLayout->addWidget(m_password, 1);
    passwordLayout->addWidget(m_showPassword);
    passwordLayout->addWidget(m_generate);
    passwordLayout->addWidget(m_copy);

    auto *form = new QFormLayout;
    auto addRow = [&](const QString &text, QWidget *field, QWidget *buddy, QLabel *error) {
        auto *label = new QLabel(text, this);
        label->setBuddy(buddy);
        form->addRow(label, error ? withFieldError(field, error, this) : field);
    };
    addRow(tr("&Email:"), m_email, m_email, m_emailError);
    addRow(tr("&First name:"), m_firstName, m_firstName, m_firstNameError);
    addRow(tr("&Last name:"), m_lastName, m_lastName, m_lastNameError);
    addRow(tr("R&ole:"), m_role, m_role, nullptr);
    addRow(tr("&Password:"), passwordRow, m_password, m_passwordError);

    m_create->setObjectName(QStringLiteral("createUser"));
    m_create->setAccessibleName(tr("Create the account"));
    m_create->setDefault(true);
    connect(m_create, &QPushButton::clicked, this, &NewUserDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addWidget(m_message);
    layout->addLayout(form);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    for (QLineEdit *edit : {m_email, m_firstName, m_lastName, m_password}) {
        connect(edit, &QLineEdit::textChanged, this, &NewUserDialog::updateCreateEnabled);
    }
    connect(m_password, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_copy->setEnabled(!text.isEmpty() && text == m_generated);
    });
    updateCreateEnabled();
    resize(520, sizeHint().height());
}

QString NewUserDialog::generatePassword()
{
    // No 0/O, 1/l/I: it may be read out or typed from paper.
    static const QString alphabet =
        QStringLiteral("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    QString password;
    for (int group = 0; group < 4; ++group) {
        if (group > 0) {
            password += QLatin1Char('-');
        }
        for (int i = 0; i < 5; ++i) {
            password +=
                alphabet.at(static_cast<int>(QRandomGenerator::system()->bounded(alphabet.size())));
        }
    }
    return password;
}

void NewUserDialog::updateCreateEnabled()
{
    const bool filled = !m_email->text().trimmed().isEmpty() &&
                        !m_firstName->text().trimmed().isEmpty() &&
                        !m_lastName->text().trimmed().isEmpty() && !m_password->text().isEmpty();
    m_create->setEnabled(!m_busy && m_created.id.isEmpty() && filled);
    m_create->setToolTip(filled ? tr("Make the account")
                                : tr("Fill in the email, both names and a password first"));
}

void NewUserDialog::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget *w : std::initializer_list<QWidget *>{m_email, m_firstName, m_lastName, m_role,
                                                       m_password, m_generate}) {
        w->setEnabled(!busy);
    }
    updateCreateEnabled();
}

void NewUserDialog::clearErrors()
{
    m_message->clear();
    for (QLabel *label : {m_emailError, m_firstNameError, m_lastNameError, m_passwordError}) {
        label->clear();
        label->setVisible(false);
    }
}

void NewUserDialog::showFieldError(const Error &error)
{
    QLabel *label = nullptr;
    QWidget *field = nullptr;
    if (error.field == QLatin1String("email") || error.code == ErrorCode::Conflict) {
        label = m_emailError;
        field = m_email;
    } else if (error.field == QLatin1String("firstName")) {
        label = m_firstNameError;
        field = m_firstName;
    } else if (error.field == QLatin1String("lastName")) {
        label = m_lastNameError;
        field = m_lastName;
    } else if (error.field == QLatin1String("password")) {
        label = m_passwordError;
        field = m_password;
    }
    if (!label) {
        m_message->showError(error, tr("Could not create the account"));
        return;
    }
    colophon::showFieldError(label, field, error.message);
    field->setFocus();
}

void NewUserDialog::submit()
{
    if (m_busy || !m_created.id.isEmpty()) {
        return;
    }
    clearErrors();
    NewUser input;
    input.email = m_email->text().trimmed();
    input.firstName = m_firstName->text().trimmed();
    input.lastName = m_lastName->text().trimmed();
    input.role = parseRole(m_role->currentData().toString()).value_or(Role::Consumer);
    input.password = m_password->text();
    setBusy(true);
    m_gateway.run(
        this,
        [&gateway = m_gateway, actor = m_gateway.actor(), input] {
            return gateway.users().createUser(actor, input);
        },
        [this](Result<User> user) {
            setBusy(false);
            if (!user) {
                showFieldError(user.error());
                return;
            }
            m_created = *user;
            emit userCreated(m_created);
            if (!m_generated.isEmpty() && m_password->text() == m_generated) {
                showCreated();
            } else {
                accept();
            }
        });
}

void NewUserDialog::showCreated()
{
    // The generated password, once: the service keeps only its hash.
    m_intro->setText(tr("<b>%1</b> can now sign in with this password. Give it to them now: "
                        "it is not shown again. They can change it under My account.")
                         .arg(m_created.email.toHtmlEscaped()));
    for (QWidget *w : std::initializer_list<QWidget *>{m_email, m_firstName, m_lastName, m_role,
                                                       m_generate, m_showPassword}) {
        w->setEnabled(false);
    }
    m_password->setEnabled(true);
    m_password->setReadOnly(true);
    m_password->setEchoMode(QLineEdit::Normal);
    m_copy->setEnabled(true);
    // Close rejects, which is fine: userCreated has told who needs to know.
    m_buttons->setStandardButtons(QDialogButtonBox::Close);
    m_create->setVisible(false); // after: laying the box out again shows its buttons
    m_copy->setFocus();
}

} // namespace colophon
