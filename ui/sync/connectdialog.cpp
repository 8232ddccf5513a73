// SPDX-License-Identifier: MIT
#include "ui/sync/connectdialog.h"

#include "sync/syncprotocol.h"
#include "ui/core/messagebar.h"
#include "ui/sync/synccontroller.h"

#include <QCryptographicHash>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QOAuth2AuthorizationCodeFlow>
#include <QOAuthHttpServerReplyHandler>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace colophon {

namespace {

constexpr int kDefaultSignInTimeoutMs = 5 * 60 * 1000;
constexpr int kRequestTimeoutMs = 30000;

// RFC 7636 §4.1: 43 to 128 characters of the unreserved set; 48 random
// bytes in base64url are 64 of them.
QByteArray newCodeVerifier()
{
    QByteArray bytes(48, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray s256(const QByteArray &verifier)
{
    return QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray formBody(const QList<std::pair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty()) {
            body += '&';
        }
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

int statusOf(QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

// The server's words in a problem+json or an OAuth error answer.
QString detailOf(const QByteArray &body)
{
    const QJsonObject j = QJsonDocument::fromJson(body).object();
    for (const char *key : {"error_description", "detail", "title", "error"}) {
        const QString text = j.value(QLatin1String(key)).toString();
        if (!text.isEmpty()) {
            return text;
        }
    }
    return {};
}

} // namespace

ConnectDialog::ConnectDialog(SyncController &sync, QWidget *parent)
    : QDialog(parent), m_sync(sync), m_opener(&ConnectDialog::openInBrowser),
      m_network(new QNetworkAccessManager(this)), m_timeout(new QTimer(this)),
      m_serverField(new QLineEdit(this)),
      m_signIn(new QPushButton(tr("Sign in with your &browser"))), m_cancel(nullptr),
      m_progress(new QLabel(this)), m_browserUrl(new QLineEdit(this)),
      m_message(new MessageBar(this))
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to a server"));
    setMinimumWidth(480);
    m_timeout->setSingleShot(true);
    m_timeout->setInterval(kDefaultSignInTimeoutMs);
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_network->setTransferTimeout(kRequestTimeoutMs);

    auto *intro = new QLabel(
        tr("<b>Sync this console with a Colophon server.</b><br>You sign in on the server's "
           "own page in your browser; this console never sees your password."),
        this);
    intro->setWordWrap(true);
    m_serverField->setObjectName(QStringLiteral("serverField"));
    m_serverField->setPlaceholderText(QStringLiteral("https://colophon.example.org"));
    m_serverField->setAccessibleName(tr("Server address"));
    m_signIn->setObjectName(QStringLiteral("signInWithBrowser"));
    m_signIn->setDefault(true);
    m_progress->setObjectName(QStringLiteral("progress"));
    m_progress->setWordWrap(true);
    m_browserUrl->setObjectName(QStringLiteral("authorizationUrl"));
    m_browserUrl->setReadOnly(true);
    m_browserUrl->setAccessibleName(tr("Sign-in address to open in a browser"));
    m_browserUrl->setVisible(false);
    m_message->setObjectName(QStringLiteral("messageBar"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_serverField);

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_signIn, QDialogButtonBox::ActionRole);
    m_cancel = buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("cancel"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_browserUrl);
    layout->addWidget(m_message);
    layout->addStretch();
    layout->addWidget(buttons);

    connect(m_signIn, &QPushButton::clicked, this, &ConnectDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, &ConnectDialog::reject);
    connect(m_serverField, &QLineEdit::returnPressed, this, &ConnectDialog::start);
    connect(m_timeout, &QTimer::timeout, this, [this] {
        failWith(tr("The sign-in in the browser did not finish in time (was the browser closed?). "
                    "Try again."));
    });
    connect(&m_sync, &SyncController::pairingChecked, this, &ConnectDialog::onPairingChecked);
    connect(&m_sync, &SyncController::pairingFailed, this, &ConnectDialog::onPairingFailed);
    connect(&m_sync, &SyncController::pairedChanged, this, [this](bool paired) {
        if (paired && m_step == Step::Pairing) {
            setStep(Step::Idle);
            emit connected();
            accept();
        }
    });
    setStep(Step::Idle);
}

ConnectDialog::~ConnectDialog()
{
    stopFlow();
}

bool ConnectDialog::openInBrowser(const QUrl &url)
{
    return QDesktopServices::openUrl(url);
}

void ConnectDialog::setUrlOpener(UrlOpener opener)
{
    m_opener = opener ? std::move(opener) : UrlOpener(&ConnectDialog::openInBrowser);
}

void ConnectDialog::setServer(const QString &url)
{
    m_serverField->setText(url);
}

void ConnectDialog::setSignInTimeout(int ms)
{
    m_timeout->setInterval(ms);
}

QString ConnectDialog::redirectUri() const
{
    return m_handler ? m_handler->callback() : QString();
}

QString ConnectDialog::message() const
{
    return m_message->isVisible() ? m_message->text() : QString();
}

void ConnectDialog::setStep(Step step, const QString &progress)
{
    m_step = step;
    const bool idle = step == Step::Idle;
    m_serverField->setEnabled(idle);
    m_signIn->setEnabled(idle);
    m_progress->setText(progress);
    m_progress->setVisible(!progress.isEmpty());
    m_browserUrl->setVisible(step == Step::Browser && !m_authorizationUrl.isEmpty());
    setCursor(idle || step == Step::Browser ? Qt::ArrowCursor : Qt::BusyCursor);
}

void ConnectDialog::stopFlow()
{
    m_timeout->stop();
    if (m_reply) {
        m_reply->abort();
        m_reply->deleteLater();
    }
    if (m_flow) {
        m_flow->deleteLater();
        m_flow = nullptr;
    }
    if (m_handler) {
        m_handler->close();
        m_handler->deleteLater();
        m_handler = nullptr;
    }
}

void ConnectDialog::failWith(const QString &message)
{
    stopFlow();
    setStep(Step::Idle);
    m_message->showMessage(MessageBar::Kind::Error, message);
    m_serverField->setFocus();
}

QString ConnectDialog::reachError(QNetworkReply *reply) const
{
    return tr("Cannot reach %1: %2").arg(m_server, reply->errorString());
}

void ConnectDialog::reject()
{
    switch (m_step) {
    case Step::Pairing:
        // The controller is keeping the sign-in: it forgets it when done.
        m_sync.cancelPairing();
        break;
    case Step::Idle:
        break;
    default:
        stopFlow();
    }
    m_step = Step::Idle;
    QDialog::reject();
}

// 1. Is it a Colophon server this console can sync with?
void ConnectDialog::start()
{
    if (m_step != Step::Idle) {
        return;
    }
    m_message->clear();
    m_authorizationUrl.clear();
    QString text = m_serverField->text().trimmed();
    if (!text.isEmpty() && !text.contains(QLatin1String("://"))) {
        text.prepend(QLatin1String("https://"));
    }
    const QUrl url(text, QUrl::StrictMode);
    if (text.isEmpty() || !url.isValid() ||
        (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) ||
        url.host().isEmpty() || !url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()) {
        m_message->showMessage(MessageBar::Kind::Error, tr("Enter the server's address, such as "
                                                           "https://colophon.example.org."));
        m_serverField->setFocus();
        return;
    }
    m_server = url.toString(QUrl::StripTrailingSlash);
    setStep(Step::Hello, tr("Checking %1…").arg(m_server));
    QNetworkRequest request(QUrl(m_server + QStringLiteral("/api/v1/sync/hello")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    const QJsonObject hello{{QStringLiteral("protocol"), sync::kProtocolVersion}};
    m_reply = m_network->post(request, QJsonDocument(hello).toJson(QJsonDocument::Compact));
    connect(m_reply, &QNetworkReply::finished, this, &ConnectDialog::onHello);
}

std::optional<ConnectDialog::Answer> ConnectDialog::answerFor(Step step)
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_step != step) {
        return std::nullopt;
    }
    reply->deleteLater();
    Answer answer{statusOf(reply), reply->readAll()};
    if (answer.status == 0) {
        failWith(reachError(reply));
        return std::nullopt;
    }
    return answer;
}

void ConnectDialog::onHello()
{
    const auto answer = answerFor(Step::Hello);
    if (!answer) {
        return;
    }
    const auto &[status, body] = *answer;
    if (status == 409) {
        failWith(
            tr("This server cannot sync with this console: %1")
                .arg(detailOf(body).isEmpty() ? tr("another protocol version") : detailOf(body)));
        return;
    }
    const QJsonObject j = QJsonDocument::fromJson(body).object();
    if (status != 200 || !j.value(QLatin1String("protocol")).isDouble()) {
        failWith(tr("%1 does not answer as a Colophon server does (status %2). Check the "
                    "address.")
                     .arg(m_server)
                     .arg(status));
        return;
    }
    openBrowser();
}

// 2. The browser signs in on the server's page and comes back to us.
void ConnectDialog::openBrowser()
{
    m_handler = new QOAuthHttpServerReplyHandler(QHostAddress(QHostAddress::LocalHost), 0, this);
    if (!m_handler->isListening()) {
        failWith(tr("Cannot wait for the browser: no port is free on 127.0.0.1."));
        return;
    }
    m_handler->setCallbackText(tr("Signed in. You can close this page and go back to Colophon."));
    m_flow = new QOAuth2AuthorizationCodeFlow(m_network, this);
    m_flow->setAuthorizationUrl(QUrl(m_server + QStringLiteral("/oauth/authorize")));
    m_flow->setAccessTokenUrl(QUrl(m_server + QStringLiteral("/oauth/token")));
    m_flow->setClientIdentifier(kClientId);
    m_flow->setReplyHandler(m_handler);
    m_verifier = newCodeVerifier();
    // Qt 6.4 has no PKCE of its own: the challenge goes in by hand.
    m_flow->setModifyParametersFunction(
        [challenge = QString::fromLatin1(s256(m_verifier))](QAbstractOAuth::Stage stage,
                                                            QMultiMap<QString, QVariant> *params) {
            if (stage == QAbstractOAuth::Stage::RequestingAuthorization) {
                params->remove(QStringLiteral("scope"));
                params->insert(QStringLiteral("code_challenge"), challenge);
                params->insert(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
            }
        });
    connect(m_flow, &QAbstractOAuth::authorizeWithBrowser, this, [this](const QUrl &url) {
        m_authorizationUrl = url;
        m_browserUrl->setText(url.toString(QUrl::FullyEncoded));
        setStep(Step::Browser, tr("Sign in on the page your browser shows; this dialog goes on "
                                  "by itself. If no browser opened, open the address below."));
        if (!m_opener(url)) {
            m_message->showMessage(MessageBar::Kind::Warning,
                                   tr("Could not open a browser: open the address below in "
                                      "one yourself."));
        }
    });
    m_flow->grant();
    // The code is traded here, with the code_verifier (Qt 6.4 would trade
    // it without one, and say nothing when the server refuses).
    disconnect(m_handler, &QAbstractOAuthReplyHandler::callbackReceived, m_flow, nullptr);
    connect(m_handler, &QAbstractOAuthReplyHandler::callbackReceived, this,
            &ConnectDialog::onCallback);
    m_timeout->start();
}

void ConnectDialog::onCallback(const QVariantMap &values)
{
    if (m_step != Step::Browser) {
        return;
    }
    auto param = [&](const char *name) {
        return QUrl::fromPercentEncoding(
            values.value(QLatin1String(name)).toString().replace(u'+', u' ').toUtf8());
    };
    if (!param("error").isEmpty()) {
        const QString description = param("error_description");
        failWith(tr("The server refused the sign-in: %1")
                     .arg(description.isEmpty() ? param("error") : description));
        return;
    }
    if (param("state") != m_flow->state()) {
        failWith(tr("The browser's answer does not belong to this sign-in. Try again."));
        return;
    }
    const QString code = param("code");
    if (code.isEmpty()) {
        failWith(tr("The browser came back without a sign-in code. Try again."));
        return;
    }
    m_timeout->stop();
    setStep(Step::Token, tr("Signed in; finishing…"));
    QNetworkRequest request(QUrl(m_server + QStringLiteral("/oauth/token")));
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QStringLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    m_reply = m_network->post(
        request, formBody({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                           {QStringLiteral("code"), code},
                           {QStringLiteral("redirect_uri"), redirectUri()},
                           {QStringLiteral("client_id"), kClientId},
                           {QStringLiteral("code_verifier"), QString::fromLatin1(m_verifier)}}));
    connect(m_reply, &QNetworkReply::finished, this, &ConnectDialog::onToken);
}

// 3. The code for tokens, then who they belong to.
void ConnectDialog::onToken()
{
    const auto answer = answerFor(Step::Token);
    if (!answer) {
        return;
    }
    const auto &[status, body] = *answer;
    const QJsonObject j = QJsonDocument::fromJson(body).object();
    if (status != 200) {
        failWith(tr("The server refused the sign-in: %1")
                     .arg(detailOf(body).isEmpty() ? tr("status %1").arg(status) : detailOf(body)));
        return;
    }
    m_accessToken = j.value(QLatin1String("access_token")).toString();
    m_refreshToken = j.value(QLatin1String("refresh_token")).toString();
    if (m_accessToken.isEmpty() || m_refreshToken.isEmpty()) {
        failWith(tr("The server's answer holds no tokens."));
        return;
    }
    setStep(Step::Account, tr("Signed in; finishing…"));
    QNetworkRequest request(QUrl(m_server + QStringLiteral("/api/v1/me")));
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("Authorization", "Bearer " + m_accessToken.toUtf8());
    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::finished, this, &ConnectDialog::onAccount);
}

void ConnectDialog::onAccount()
{
    const auto answer = answerFor(Step::Account);
    if (!answer) {
        return;
    }
    const auto &[status, body] = *answer;
    if (status != 200) {
        failWith(tr("Signed in, but the server did not say who you are: %1").arg(detailOf(body)));
        return;
    }
    m_email = QJsonDocument::fromJson(body).object().value(QLatin1String("email")).toString();
    stopFlow();
    // 4. The controller keeps the pairing and checks what would be pushed.
    setStep(Step::Pairing, tr("Connecting this console to %1…").arg(m_server));
    m_sync.beginPairing(m_server, m_email, m_accessToken, m_refreshToken);
    m_accessToken.clear();
    m_refreshToken.clear();
}

void ConnectDialog::onPairingChecked(int localChanges)
{
    if (m_step != Step::Pairing) {
        return;
    }
    if (localChanges <= 0) {
        m_sync.finishPairing(true);
        return;
    }
    QMessageBox ask(QMessageBox::Question, tr("Send the changes made here?"),
                    tr("%n change(s) were made on this computer before it was connected. Send "
                       "them to %1 as %2?",
                       nullptr, localChanges)
                        .arg(m_server, m_email),
                    QMessageBox::NoButton, this);
    ask.setObjectName(QStringLiteral("adoptLocalChanges"));
    ask.setInformativeText(tr("If you do not, the console stays unconnected and nothing is sent."));
    auto *send = ask.addButton(tr("&Send them"), QMessageBox::AcceptRole);
    ask.addButton(tr("&Do not connect"), QMessageBox::RejectRole);
    ask.setDefaultButton(send);
    ask.exec();
    if (m_step != Step::Pairing) {
        return; // cancelled meanwhile
    }
    m_sync.finishPairing(ask.clickedButton() == send);
}

void ConnectDialog::onPairingFailed(const QString &message)
{
    if (m_step != Step::Pairing) {
        return;
    }
    failWith(message);
}

} // namespace colophon
