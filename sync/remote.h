// SPDX-License-Identifier: MIT
// A replica's pairing with a colophon-server, and the sync protocol over
// HTTP to it. Pairing signs in once (email, password, and the MFA step when
// the account has one) and keeps only the refresh token, in
// <data>/sync/remote.json, readable by its owner alone (0600); every later
// sync trades it for a short-lived access token, and keeps the rotated one.
//
// Blocking calls (libcurl): use it from a worker thread, one per thread.
#pragma once

#include "backend/core/error.h"
#include "sync/syncprotocol.h"

#include <QString>
#include <functional>
#include <memory>

namespace colophon {

class HttpClient;

namespace sync {

class Remote final : public SyncTransport
{
public:
    ~Remote() override;

    // The pairing kept in dataDir; NotFound when the replica is not paired.
    static Result<std::unique_ptr<Remote>> load(const QString &dataDir);
    // Signs in to server (an http(s) base URL) and keeps the pairing.
    // askCode is asked for the TOTP or a recovery code when the account
    // needs one; an empty answer gives up.
    static Result<std::unique_ptr<Remote>> pair(const QString &dataDir, const QString &server,
                                                const QString &email, const QString &password,
                                                const std::function<QString()> &askCode);
    // Signs out on the server (best effort) and forgets the pairing.
    static Result<void> forget(const QString &dataDir);

    QString server() const { return m_server; }
    QString email() const { return m_email; }

    Result<nlohmann::json> hello(const nlohmann::json &request) override;
    Result<nlohmann::json> push(const nlohmann::json &request) override;
    Result<nlohmann::json> pull(const PullRequest &request) override;

    // Follows the server's commit stream: onHead gets each new head; returns
    // when onHead says stop, or with an error when the stream breaks.
    Result<void> watch(const QString &replicaId, const std::function<bool(qint64)> &onHead);

private:
    Remote(QString dataDir, QString server, QString email, QString refreshToken);
    Result<nlohmann::json> call(const QByteArray &method, const QString &path,
                                const nlohmann::json &body, bool authenticated, int timeoutMs);
    Result<QByteArray> accessToken(bool renew);
    Result<void> save() const;

    QString m_dataDir;
    QString m_server;
    QString m_email;
    QString m_refreshToken;
    QByteArray m_accessToken;
    std::unique_ptr<HttpClient> m_http;
};

} // namespace sync
} // namespace colophon
