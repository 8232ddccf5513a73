// SPDX-License-Identifier: MIT
// A replica's pairing with a colophon-server, and the sync protocol over
// HTTP to it. Pairing signs in once (email, password, and the MFA step when
// the account has one; or a sign-in done elsewhere, such as the console's
// OAuth in the browser) and keeps only the refresh token, in a TokenStore:
// by default <data>/sync/remote.json beside the server's address, readable
// by its owner alone (0600). Every later sync trades it for a short-lived
// access token, and keeps the rotated one in the same store.
//
// Blocking calls (libcurl): use it from worker threads. One Remote may be
// shared by two threads (the console syncs on one and follows the stream
// on another): token renewal is serialised, calls share one connection
// one at a time, and watch() has a connection of its own.
#pragma once

#include "backend/core/error.h"
#include "sync/syncprotocol.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <functional>
#include <memory>
#include <mutex>

namespace colophon {

class HttpClient;
struct HttpClientResponse;

namespace sync {

// Where a pairing's refresh token lives. Called from worker threads.
class TokenStore
{
public:
    virtual ~TokenStore() = default;
    // The token kept; NotFound when there is none.
    virtual Result<QString> load() = 0;
    virtual Result<void> save(const QString &refreshToken) = 0;
    // Forgets the token; nothing kept is not an error.
    virtual Result<void> erase() = 0;
    // "file", or another name remote.json records so that a program
    // without that store can say where the token is.
    virtual QString kind() const = 0;
};

// The refresh token in <data>/sync/remote.json, beside the pairing, 0600:
// colophonctl's store, and the console's fallback.
class FileTokenStore final : public TokenStore
{
public:
    explicit FileTokenStore(QString dataDir) : m_dataDir(std::move(dataDir)) {}

    Result<QString> load() override;
    // NotFound once the pairing is gone (a late rotation after forget).
    Result<void> save(const QString &refreshToken) override;
    Result<void> erase() override;
    QString kind() const override { return QStringLiteral("file"); }
    QString path() const;

private:
    QString m_dataDir;
};

class Remote final : public SyncTransport
{
public:
    ~Remote() override;

    // <data>/sync/remote.json; whether it exists.
    static QString pairingPath(const QString &dataDir);
    static bool isPaired(const QString &dataDir);

    // The pairing kept in dataDir; NotFound when the replica is not paired.
    // Without a store, the token is read from remote.json.
    static Result<std::unique_ptr<Remote>> load(const QString &dataDir,
                                                std::shared_ptr<TokenStore> store = {});
    // Signs in to server (an http(s) base URL) and keeps the pairing.
    // askCode is asked for the TOTP or a recovery code when the account
    // needs one; an empty answer gives up.
    static Result<std::unique_ptr<Remote>> pair(const QString &dataDir, const QString &server,
                                                const QString &email, const QString &password,
                                                const std::function<QString()> &askCode);
    // Keeps the pairing of a sign-in done elsewhere (OAuth): the server's
    // address, the account's email and its tokens, the refresh token in store.
    static Result<std::unique_ptr<Remote>>
    pairWithTokens(const QString &dataDir, const QString &server, const QString &email,
                   const QString &accessToken, const QString &refreshToken,
                   std::shared_ptr<TokenStore> store = {});
    // Signs out on the server (best effort) and forgets the pairing and its token.
    static Result<void> forget(const QString &dataDir, std::shared_ptr<TokenStore> store = {});

    QString server() const { return m_server; }
    QString email() const { return m_email; }

    Result<nlohmann::json> hello(const nlohmann::json &request) override;
    Result<nlohmann::json> push(const nlohmann::json &request) override;
    Result<nlohmann::json> pull(const PullRequest &request) override;
    Result<nlohmann::json> snapshotOffer(const QString &replicaId) override;
    Result<QByteArray> snapshotPart(const QString &name, qint64 offset) override;

    // Follows the server's commit stream: onHead gets each new head; returns
    // when onHead says stop, when stopRequested (asked at every chunk,
    // keep-alives included) says so, or with an error when the stream breaks.
    Result<void> watch(const QString &replicaId, const std::function<bool(qint64)> &onHead,
                       const std::function<bool()> &stopRequested = {});

private:
    Remote(QString dataDir, QString server, QString email, QString refreshToken,
           std::shared_ptr<TokenStore> store);
    // One request, its bearer token renewed once if the server refused it;
    // any answer outside 2xx is the server's refusal.
    Result<HttpClientResponse> exchange(const QByteArray &method, const QString &path,
                                        const nlohmann::json &body, bool authenticated,
                                        int timeoutMs,
                                        const QList<QPair<QByteArray, QByteArray>> &headers);
    // exchange() of a JSON request for a JSON answer.
    Result<nlohmann::json> call(const QByteArray &method, const QString &path,
                                const nlohmann::json &body, bool authenticated, int timeoutMs);
    Result<QByteArray> accessToken(bool renew);
    // Writes server and email (and the store's kind) to remote.json.
    Result<void> savePairing() const;

    QString m_dataDir;
    QString m_server;
    QString m_email;
    std::shared_ptr<TokenStore> m_store;
    std::mutex m_tokenMutex; // the two tokens, and their renewal
    QString m_refreshToken;
    QByteArray m_accessToken;
    std::mutex m_httpMutex; // m_http, one call at a time
    std::unique_ptr<HttpClient> m_http;
};

} // namespace sync
} // namespace colophon
