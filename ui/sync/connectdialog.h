// SPDX-License-Identifier: MIT
// "Connect to server": the console signs in to a colophon-server in the
// person's browser with OAuth 2.0 authorization code + PKCE (RFC 6749, 7636,
// 8252): it checks the server (sync hello), opens the browser on
// /oauth/authorize with an S256 code_challenge, receives the code on a
// loopback redirect (127.0.0.1, a port of the system's choosing), trades it
// with the code_verifier at /oauth/token, and hands the tokens to the
// SyncController, which pairs the replica. Changes made here before are
// pushed only when the person says so; otherwise nothing is paired.
//
// Invariants: nothing but the browser sees the password; the code is
// accepted only with this attempt's state; Cancel works at every step and
// leaves the replica unpaired.
#pragma once

#include <QDialog>
#include <QPointer>
#include <QUrl>
#include <functional>
#include <optional>

QT_FORWARD_DECLARE_CLASS(QLabel)
QT_FORWARD_DECLARE_CLASS(QLineEdit)
QT_FORWARD_DECLARE_CLASS(QNetworkAccessManager)
QT_FORWARD_DECLARE_CLASS(QNetworkReply)
QT_FORWARD_DECLARE_CLASS(QOAuth2AuthorizationCodeFlow)
QT_FORWARD_DECLARE_CLASS(QOAuthHttpServerReplyHandler)
QT_FORWARD_DECLARE_CLASS(QPushButton)
QT_FORWARD_DECLARE_CLASS(QTimer)

namespace colophon {

class MessageBar;
class SyncController;

class ConnectDialog final : public QDialog
{
    Q_OBJECT

public:
    // Opens a URL in the person's browser; false when it could not.
    using UrlOpener = std::function<bool(const QUrl &)>;
    static inline const QString kClientId = QStringLiteral("colophon-console");

    explicit ConnectDialog(SyncController &sync, QWidget *parent = nullptr);
    ~ConnectDialog() override;

    // The browser; by default QDesktopServices. Tests act as the browser.
    void setUrlOpener(UrlOpener opener);
    void setServer(const QString &url);
    // How long the browser may take (default five minutes).
    void setSignInTimeout(int ms);
    // The authorization request, once made (also shown, to copy by hand).
    QUrl authorizationUrl() const { return m_authorizationUrl; }
    // The redirect the browser comes back to (http://127.0.0.1:PORT/).
    QString redirectUri() const;
    bool isBusy() const { return m_step != Step::Idle; }
    QString message() const;

    static bool openInBrowser(const QUrl &url);

signals:
    void connected();

public slots:
    void reject() override;

private:
    enum class Step { Idle, Hello, Browser, Token, Account, Pairing };

    void start();
    void onHello();
    void openBrowser();
    void onCallback(const QVariantMap &values);
    void onToken();
    void onAccount();
    void onPairingChecked(int localChanges);
    void onPairingFailed(const QString &message);
    void failWith(const QString &message);
    void setStep(Step step, const QString &progress = {});
    void stopFlow();
    QString reachError(QNetworkReply *reply) const;
    // The answer to the request of step, once it arrived: its status and
    // body. Nothing for a stale reply, or when the server was not reached
    // (the dialog then fails with why).
    struct Answer
    {
        int status = 0;
        QByteArray body;
    };
    std::optional<Answer> answerFor(Step step);

    SyncController &m_sync;
    UrlOpener m_opener;
    Step m_step = Step::Idle;
    QString m_server;
    QString m_accessToken;
    QString m_refreshToken;
    QString m_email;
    QByteArray m_verifier;
    QUrl m_authorizationUrl;
    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_reply;
    QOAuth2AuthorizationCodeFlow *m_flow = nullptr;
    QOAuthHttpServerReplyHandler *m_handler = nullptr;
    QTimer *m_timeout;
    QLineEdit *m_serverField;
    QPushButton *m_signIn;
    QPushButton *m_cancel;
    QLabel *m_progress;
    QLineEdit *m_browserUrl;
    MessageBar *m_message;
};

} // namespace colophon
