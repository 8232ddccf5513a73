// SPDX-License-Identifier: MIT
#include "tests/support/apitest.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QUuid>

namespace colophon::test {

Env apiTestEnv(const Env &extra)
{
    Env env{{QStringLiteral("COLOPHON_AUTH_ARGON2_OPS"), QStringLiteral("1")},
            {QStringLiteral("COLOPHON_AUTH_ARGON2_MEM_KIB"), QStringLiteral("8")},
            {QStringLiteral("COLOPHON_RATE_LIMIT"), QStringLiteral("0")}};
    env += extra; // inserted later, so an extra entry wins
    return env;
}

QJsonObject jsonOf(const HttpReply &reply)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(reply.body, &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString describe(const HttpReply &reply)
{
    return QStringLiteral("HTTP %1, Content-Type '%2', body: %3")
        .arg(reply.status)
        .arg(QString::fromUtf8(reply.header("Content-Type")),
             QString::fromUtf8(reply.body.left(1000)));
}

QString statusIssue(const HttpReply &reply, int expected)
{
    return reply.status == expected
               ? QString()
               : QStringLiteral("expected HTTP %1; %2").arg(expected).arg(describe(reply));
}

QString problemIssue(const HttpReply &reply, int status, const QString &field)
{
    QStringList issues;
    if (reply.status != status)
        issues << QStringLiteral("status %1, expected %2").arg(reply.status).arg(status);
    if (!reply.header("Content-Type").startsWith("application/problem+json"))
        issues << QStringLiteral("not application/problem+json");
    const QJsonObject problem = jsonOf(reply);
    if (problem.value(QLatin1String("status")).toInt() != status)
        issues << QStringLiteral("\"status\" member is not %1").arg(status);
    if (problem.value(QLatin1String("detail")).toString().isEmpty())
        issues << QStringLiteral("no \"detail\"");
    if (problem.value(QLatin1String("code")).toString().isEmpty())
        issues << QStringLiteral("no \"code\"");
    if (!field.isEmpty() && problem.value(QLatin1String("field")).toString() != field)
        issues << QStringLiteral("\"field\" is not \"%1\"").arg(field);
    return issues.isEmpty() ? QString()
                            : issues.join(QLatin1String("; ")) + u'\n' + describe(reply);
}

QString unauthorizedIssue(const HttpReply &reply, bool bearerChallenge)
{
    QString issue = problemIssue(reply, 401);
    if (bearerChallenge &&
        !reply.header("WWW-Authenticate").trimmed().toLower().startsWith("bearer")) {
        issue += QStringLiteral("\nno WWW-Authenticate: Bearer header; ") + describe(reply);
    }
    return issue;
}

QString randomPassword()
{
    return QStringLiteral("Tst-") + QUuid::createUuid().toString(QUuid::Id128).left(16) +
           QStringLiteral("!");
}

HttpReply ApiClient::call(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                          const QByteArray &token, HttpHeaders headers)
{
    if (!token.isEmpty())
        headers.append(qMakePair(QByteArray("Authorization"), "Bearer " + token));
    if (!body.isEmpty())
        headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    const HttpReply reply = httpRequest(m_port, method, path, headers, body, 30000);
    const QString leak = reply.status >= 400 ? leakIn(reply.body)
                         : reply.body.contains("$argon2")
                             ? QStringLiteral("a password hash appears")
                             : QString();
    if (!leak.isEmpty())
        m_bodyLeaks << QString::fromUtf8(method + ' ' + path) + QStringLiteral(": ") + leak;
    return reply;
}

QString bootstrapPassword(ServerProcess &server, int timeoutMs)
{
    static const QRegularExpression created(
        QStringLiteral("colophon-server: created admin \\S+ with one-time password: (\\S+)"));
    QRegularExpressionMatch match;
    [[maybe_unused]] const bool seen = QTest::qWaitFor(
        [&] {
            match = created.match(QString::fromUtf8(server.stderrText()));
            return match.hasMatch() || !server.isRunning();
        },
        timeoutMs);
    return match.hasMatch() ? match.captured(1) : QString();
}

std::optional<ApiAccount> ApiClient::createAccount(const QByteArray &adminToken,
                                                   const QString &role, const QString &email)
{
    ApiAccount a{email, randomPassword(), {}, {}};
    remember(a.password);
    const HttpReply created = post("/api/v1/users",
                                   {{QStringLiteral("email"), a.email},
                                    {QStringLiteral("password"), a.password},
                                    {QStringLiteral("firstName"), QStringLiteral("Test")},
                                    {QStringLiteral("lastName"), role},
                                    {QStringLiteral("role"), role}},
                                   adminToken);
    if (created.status != 201) {
        qWarning("creating a %s failed: %s", qPrintable(role), qPrintable(describe(created)));
        return std::nullopt;
    }
    a.id = jsonOf(created).value(QLatin1String("id")).toString();
    a.token = login(a.email, a.password).access;
    if (a.token.isEmpty() || a.id.isEmpty())
        return std::nullopt;
    return a;
}

bool ApiClient::registerUser(const QString &email, const QString &password)
{
    remember(password);
    const HttpReply reply =
        post("/api/v1/auth/register", {{QStringLiteral("email"), email},
                                       {QStringLiteral("password"), password},
                                       {QStringLiteral("firstName"), QStringLiteral("Ada")},
                                       {QStringLiteral("lastName"), QStringLiteral("Lovelace")}});
    if (reply.status != 201)
        qWarning("registration failed: %s", qPrintable(describe(reply)));
    return reply.status == 201;
}

ApiClient::Tokens ApiClient::tokensOf(const HttpReply &reply)
{
    const QJsonObject body = jsonOf(reply);
    Tokens t{body.value(QLatin1String("accessToken")).toString().toUtf8(),
             body.value(QLatin1String("refreshToken")).toString().toUtf8()};
    remember(QString::fromUtf8(t.access));
    remember(QString::fromUtf8(t.refresh));
    return t;
}

ApiClient::Tokens ApiClient::login(const QString &email, const QString &password,
                                   HttpHeaders headers)
{
    remember(password);
    const HttpReply reply =
        post("/api/v1/auth/login",
             {{QStringLiteral("email"), email}, {QStringLiteral("password"), password}}, {},
             std::move(headers));
    if (reply.status != 200)
        qWarning("login failed: %s", qPrintable(describe(reply)));
    return tokensOf(reply);
}

void ApiClient::remember(const QString &secret)
{
    const QByteArray bytes = secret.toUtf8();
    if (!bytes.isEmpty() && !m_secrets.contains(bytes))
        m_secrets << bytes;
}

QString ApiClient::leakIn(const QByteArray &text) const
{
    if (text.contains("$argon2"))
        return QStringLiteral("a password hash appears");
    for (const QByteArray &secret : m_secrets) {
        if (text.contains(secret))
            return QStringLiteral("the secret '%1' appears").arg(QString::fromUtf8(secret));
    }
    return {};
}

} // namespace colophon::test
