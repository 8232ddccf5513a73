// SPDX-License-Identifier: MIT
#include "ui/shell/signindialog.h"

#include "services/user/userservice.h"
#include "ui/core/messagebar.h"
#include "ui/core/servicegateway.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace colophon {

namespace {

const ClientInfo kConsoleClient{QStringLiteral("local"), QStringLiteral("colophon console")};

Result<SignInOutcome> signedIn(UserService &users, const TokenPair &tokens)
{
    auto actor = users.authenticate(tokens.accessToken);
    if (!actor) {
        return fail(actor.error());
    }
    auto user = users.me(*actor);
    if (!user) {
        return fail(user.error());
    }
    return SignInOutcome{{}, *user, *actor};
}

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 1.35);
    font.setBold(true);
    label->setFont(font);
    return label;
}

QLineEdit *lineEdit(const QString &name, const QString &accessible, QWidget *parent,
                    QLineEdit::EchoMode echo = QLineEdit::Normal)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setAccessibleName(accessible);
    edit->setEchoMode(echo);
    edit->setMinimumWidth(280);
    return edit;
}

} // namespace

Result<SignInOutcome> signInWork(UserService &users, const QString &email, const QString &password)
{
    auto login = users.login(email, password, kConsoleClient);
    if (!login) {
        return fail(login.error());
    }
    if (!login->tokens) {
        return SignInOutcome{login->mfaToken, {}, {}};
    }
    return signedIn(users, *login->tokens);
}

Result<SignInOutcome> verifyCodeWork(UserService &users, const QString &mfaToken,
                                     const QString &code)
{
    auto tokens = users.verifyMfa(mfaToken, code, kConsoleClient);
    if (!tokens) {
        return fail(tokens.error());
    }
    return signedIn(users, *tokens);
}

SignInDialog::SignInDialog(ServiceGateway &gateway, QWidget *parent)
    : QDialog(parent), m_gateway(gateway), m_steps(new QStackedWidget(this)),
      m_email(lineEdit(QStringLiteral("email"), tr("Email"), this)),
      m_password(lineEdit(QStringLiteral("password"), tr("Password"), this, QLineEdit::Password)),
      m_code(lineEdit(QStringLiteral("code"), tr("Authenticator or recovery code"), this)),
      m_codeHint(new QLabel(this)), m_signIn(new QPushButton(tr("&Sign in"), this)),
      m_verify(new QPushButton(tr("&Verify"), this)), m_message(new MessageBar(this))
{
    setWindowTitle(tr("Sign in — Colophon"));
    setObjectName(QStringLiteral("signInDialog"));
    m_email->setPlaceholderText(tr("you@example.org"));
    m_code->setPlaceholderText(tr("123456"));
    m_code->setMaxLength(32);
    m_signIn->setObjectName(QStringLiteral("signIn"));
    m_verify->setObjectName(QStringLiteral("verify"));
    m_message->setObjectName(QStringLiteral("messageBar"));

    auto *credentials = new QWidget(m_steps);
    auto *form = new QFormLayout;
    form->addRow(tr("&Email:"), m_email);
    form->addRow(tr("&Password:"), m_password);
    auto *credentialsLayout = new QVBoxLayout(credentials);
    credentialsLayout->addWidget(heading(tr("Sign in to this replica"), credentials));
    credentialsLayout->addLayout(form);
    credentialsLayout->addStretch();

    auto *codeStep = new QWidget(m_steps);
    m_codeHint->setWordWrap(true);
    m_codeHint->setText(tr("This account uses two-step sign-in. Enter the six-digit code your "
                           "authenticator app shows, or one of your recovery codes."));
    auto *codeForm = new QFormLayout;
    codeForm->addRow(tr("&Code:"), m_code);
    auto *codeLayout = new QVBoxLayout(codeStep);
    codeLayout->addWidget(heading(tr("Two-step sign-in"), codeStep));
    codeLayout->addWidget(m_codeHint);
    codeLayout->addLayout(codeForm);
    codeLayout->addStretch();

    m_steps->addWidget(credentials);
    m_steps->addWidget(codeStep);

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_signIn, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_verify, QDialogButtonBox::AcceptRole);
    auto *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancel"));
    m_verify->setVisible(false);
    m_signIn->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_steps);
    layout->addWidget(m_message);
    layout->addWidget(buttons);

    connect(m_signIn, &QPushButton::clicked, this, &SignInDialog::signIn);
    connect(m_verify, &QPushButton::clicked, this, &SignInDialog::verifyCode);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    m_email->setFocus();
}

void SignInDialog::setEmail(const QString &email)
{
    m_email->setText(email);
    m_password->setFocus();
}

void SignInDialog::setBusy(bool busy)
{
    m_signIn->setEnabled(!busy);
    m_verify->setEnabled(!busy);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

void SignInDialog::signIn()
{
    if (m_email->text().trimmed().isEmpty() || m_password->text().isEmpty()) {
        m_message->showMessage(MessageBar::Kind::Error, tr("Enter your email and password."));
        (m_email->text().trimmed().isEmpty() ? m_email : m_password)->setFocus();
        return;
    }
    setBusy(true);
    m_gateway.run(
        this,
        [&users = m_gateway.users(), email = m_email->text(), password = m_password->text()] {
            return signInWork(users, email, password);
        },
        [this](Result<SignInOutcome> outcome) { finish(std::move(outcome)); });
}

void SignInDialog::verifyCode()
{
    const QString code = m_code->text().trimmed();
    if (code.isEmpty()) {
        m_message->showMessage(MessageBar::Kind::Error, tr("Enter the code."));
        m_code->setFocus();
        return;
    }
    setBusy(true);
    m_gateway.run(
        this,
        [&users = m_gateway.users(), token = m_mfaToken, code] {
            return verifyCodeWork(users, token, code);
        },
        [this](Result<SignInOutcome> outcome) { finish(std::move(outcome)); });
}

void SignInDialog::finish(Result<SignInOutcome> outcome)
{
    setBusy(false);
    if (!outcome) {
        // A wrong code names the code and may be tried again; an expired or
        // used-up code step starts over with the password.
        if (m_steps->currentIndex() == 1 && outcome.error().code == ErrorCode::Unauthenticated &&
            outcome.error().field != QLatin1String("code")) {
            m_steps->setCurrentIndex(0);
            m_signIn->setVisible(true);
            m_verify->setVisible(false);
            m_password->clear();
            m_password->setFocus();
        }
        m_message->showError(outcome.error(), tr("Could not sign in"));
        if (m_steps->currentIndex() == 1) {
            m_code->selectAll();
            m_code->setFocus();
        }
        return;
    }
    if (!outcome->mfaToken.isEmpty()) {
        m_mfaToken = outcome->mfaToken;
        m_message->clear();
        m_steps->setCurrentIndex(1);
        m_signIn->setVisible(false);
        m_verify->setVisible(true);
        m_verify->setDefault(true);
        m_code->setFocus();
        return;
    }
    m_password->clear();
    m_gateway.setSignedIn(outcome->user, outcome->actor);
    accept();
}

WelcomeDialog::WelcomeDialog(ServiceGateway &gateway, QWidget *parent)
    : QDialog(parent), m_gateway(gateway),
      m_email(lineEdit(QStringLiteral("email"), tr("Email"), this)),
      m_firstName(lineEdit(QStringLiteral("firstName"), tr("First name"), this)),
      m_lastName(lineEdit(QStringLiteral("lastName"), tr("Last name"), this)),
      m_password(lineEdit(QStringLiteral("password"), tr("Password"), this, QLineEdit::Password)),
      m_repeat(lineEdit(QStringLiteral("repeatPassword"), tr("Repeat password"), this,
                        QLineEdit::Password)),
      m_create(new QPushButton(tr("&Create account and start"), this)),
      m_message(new MessageBar(this))
{
    setWindowTitle(tr("Welcome to Colophon"));
    setObjectName(QStringLiteral("welcomeDialog"));
    m_create->setObjectName(QStringLiteral("createAdmin"));
    m_message->setObjectName(QStringLiteral("messageBar"));
    m_email->setPlaceholderText(tr("you@example.org"));
    m_password->setPlaceholderText(tr("at least 12 characters"));

    auto *intro = new QLabel(tr("This replica has no accounts yet. Create the first one: it is "
                                "the administrator, who can then invite creators and editors. "
                                "Everything stays on this computer until you connect it to a "
                                "server."),
                             this);
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("&Email:"), m_email);
    form->addRow(tr("&First name:"), m_firstName);
    form->addRow(tr("&Last name:"), m_lastName);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(tr("&Repeat password:"), m_repeat);

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_create, QDialogButtonBox::AcceptRole);
    auto *quit = buttons->addButton(tr("&Quit"), QDialogButtonBox::RejectRole);
    m_create->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading(tr("Welcome to Colophon"), this));
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_message);
    layout->addWidget(buttons);

    connect(m_create, &QPushButton::clicked, this, &WelcomeDialog::create);
    connect(quit, &QPushButton::clicked, this, &QDialog::reject);
}

void WelcomeDialog::create()
{
    if (m_password->text() != m_repeat->text()) {
        m_message->showMessage(MessageBar::Kind::Error, tr("The passwords do not match."));
        m_repeat->setFocus();
        return;
    }
    m_create->setEnabled(false);
    NewUser input{m_email->text(), m_password->text(), m_firstName->text().trimmed(),
                  m_lastName->text().trimmed(), Role::Admin};
    m_gateway.run(
        this,
        [&users = m_gateway.users(), input]() -> Result<SignInOutcome> {
            auto made = users.createUser(Actor::system(), input);
            if (!made) {
                return fail(made.error());
            }
            return signInWork(users, input.email, input.password);
        },
        [this](Result<SignInOutcome> outcome) {
            m_create->setEnabled(true);
            if (!outcome) {
                m_message->showError(outcome.error(), tr("Could not create the account"));
                return;
            }
            m_password->clear();
            m_repeat->clear();
            m_gateway.setSignedIn(outcome->user, outcome->actor);
            accept();
        });
}

} // namespace colophon
