// SPDX-License-Identifier: MIT
// Helpers of the tests that talk to a real colophon-server's API: the test
// environment, JSON in and out, checks of problem+json answers that return
// what is wrong (empty when nothing is), and a client that remembers the
// secrets it handled so a test can prove none reached the server's log.
#pragma once

#include "tests/support/serverprocess.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QTest>
#include <optional>

namespace colophon::test {

using Env = QList<QPair<QString, QString>>;

// Cheap password hashing and no per-route rate limits, plus `extra` (which wins).
Env apiTestEnv(const Env &extra = {});

QJsonObject jsonOf(const HttpReply &reply);
QByteArray compact(const QJsonObject &object);
// For failure messages: status, content type and the start of the body.
QString describe(const HttpReply &reply);

QString statusIssue(const HttpReply &reply, int expected);
// An RFC 9457 problem with this status, a detail, a code and, if given, the field at fault.
QString problemIssue(const HttpReply &reply, int status, const QString &field = {});
// A 401 problem; on routes that take a bearer token, with a Bearer challenge.
QString unauthorizedIssue(const HttpReply &reply, bool bearerChallenge = true);

// A password the policy accepts, different each call.
QString randomPassword();

// The one-time password `colophon-server --bootstrap-admin` prints on
// stderr, or an empty string when none came within timeoutMs (or it exited).
QString bootstrapPassword(ServerProcess &server, int timeoutMs = 30000);

// A signed-in account made for a test.
struct ApiAccount
{
    QString email;
    QString password;
    QByteArray token; // access token
    QString id;
};

// Requests to one server, checking every answer for a password hash and
// remembering the secrets sent or received.
class ApiClient final
{
public:
    explicit ApiClient(quint16 port) : m_port(port) {}
    void setPort(quint16 port) { m_port = port; }

    HttpReply call(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                   const QByteArray &token = {}, HttpHeaders headers = {});
    HttpReply get(const QByteArray &path, const QByteArray &token = {})
    {
        return call("GET", path, {}, token);
    }
    HttpReply post(const QByteArray &path, const QJsonObject &body, const QByteArray &token = {},
                   HttpHeaders headers = {})
    {
        return call("POST", path, compact(body), token, std::move(headers));
    }

    // Registers and signs in; the access and refresh tokens (empty on failure, with a warning).
    struct Tokens
    {
        QByteArray access;
        QByteArray refresh;
    };
    bool registerUser(const QString &email, const QString &password);
    Tokens tokensOf(const HttpReply &reply);
    Tokens login(const QString &email, const QString &password, HttpHeaders headers = {});
    // An account with this role and email, made by the admin through
    // POST /api/v1/users and signed in; nullopt (with a warning) on failure.
    std::optional<ApiAccount> createAccount(const QByteArray &adminToken, const QString &role,
                                            const QString &email);

    void remember(const QString &secret);
    // The first secret (or password hash) the text shows, or an empty string.
    QString leakIn(const QByteArray &text) const;
    // Requests whose answer carried a password hash, or an error answer that
    // carried a remembered secret.
    const QStringList &bodyLeaks() const { return m_bodyLeaks; }

private:
    quint16 m_port;
    QList<QByteArray> m_secrets;
    QStringList m_bodyLeaks;
};

} // namespace colophon::test

// Fails the calling test with `issue` unless it is empty.
#define VERIFY_NO_ISSUE(expression)                                                                \
    do {                                                                                           \
        const QString issue_ = (expression);                                                       \
        QVERIFY2(issue_.isEmpty(), qPrintable(issue_));                                            \
    } while (false)
