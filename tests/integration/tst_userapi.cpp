// SPDX-License-Identifier: MIT
// The user service over the real colophon-server: registration, login, access and refresh
// tokens, the profile, sessions, password changes, the bootstrap admin and
// `colophonctl user create`.
#include "tests/support/apitest.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QMessageAuthenticationCode>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <csignal>
#include <memory>

using colophon::test::bootstrapPassword;
using colophon::test::compact;
using colophon::test::describe;
using colophon::test::Env;
using colophon::test::HttpHeaders;
using colophon::test::HttpReply;
using colophon::test::httpRequest;
using colophon::test::jsonOf;
using colophon::test::problemIssue;
using colophon::test::ProgramRun;
using colophon::test::randomPassword;
using colophon::test::ServerProcess;
using colophon::test::statusIssue;
using colophon::test::unauthorizedIssue;

namespace {

// Bounds generous enough for an AddressSanitizer build on a busy machine.
constexpr int kStartTimeoutMs = 30000;
constexpr int kExitTimeoutMs = 30000;
constexpr int kSettleTimeoutMs = 15000;
constexpr int kRequestTimeoutMs = 30000;
constexpr int kRunTimeoutMs = 60000;

QPair<QByteArray, QByteArray> header(const QByteArray &name, const QByteArray &value)
{
    return {name, value};
}

bool isUtcTimestamp(const QJsonValue &value)
{
    static const QRegularExpression iso(
        QStringLiteral("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|\\+00:00)$"));
    return value.isString() && iso.match(value.toString()).hasMatch();
}

struct ExpectedUser
{
    QString email;
    QString firstName;
    QString lastName;
    QString role = QStringLiteral("consumer");
};

// The User representation: its members, and never a password or a hash.
QString userIssue(const QJsonObject &user, const ExpectedUser &expected)
{
    QStringList issues;
    if (user.value(QLatin1String("id")).toVariant().toString().isEmpty())
        issues << QStringLiteral("no id");
    const auto expect = [&](const char *key, const QString &value) {
        if (user.value(QLatin1String(key)).toString() != value)
            issues << QStringLiteral("%1 is not \"%2\"").arg(QLatin1String(key), value);
    };
    expect("email", expected.email);
    expect("firstName", expected.firstName);
    expect("lastName", expected.lastName);
    expect("role", expected.role);
    expect("status", QStringLiteral("active"));
    if (!user.value(QLatin1String("preferences")).isObject())
        issues << QStringLiteral("no preferences object");
    for (const char *key : {"createdAt", "updatedAt"}) {
        if (!isUtcTimestamp(user.value(QLatin1String(key))))
            issues << QStringLiteral("%1 is not an ISO-8601 UTC timestamp").arg(QLatin1String(key));
    }
    for (const QString &key : user.keys()) {
        if (key.contains(QLatin1String("password"), Qt::CaseInsensitive) ||
            key.contains(QLatin1String("hash"), Qt::CaseInsensitive)) {
            issues << QStringLiteral("has a \"%1\" member").arg(key);
        }
    }
    return issues.isEmpty()
               ? QString()
               : issues.join(QLatin1String("; ")) + u'\n' +
                     QString::fromUtf8(QJsonDocument(user).toJson(QJsonDocument::Compact));
}

QByteArray base64Url(const QByteArray &raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// The same token with one character in the middle of its signature changed (not the last one,
// whose low bits a lenient base64 decoder may ignore).
QByteArray withTamperedSignature(const QByteArray &jwt)
{
    QByteArray token = jwt;
    const qsizetype dot = token.lastIndexOf('.');
    const qsizetype at = dot + 1 + (token.size() - dot - 1) / 2;
    if (dot < 0 || at >= token.size())
        return token + 'x';
    token[at] = token.at(at) == 'A' ? 'B' : 'A';
    return token;
}

// The same header and claims, validly signed with HS256 under a key the server never saw.
QByteArray signedWithAnotherKey(const QByteArray &jwt)
{
    const QByteArray signingInput = jwt.left(jwt.lastIndexOf('.'));
    const QByteArray key =
        QCryptographicHash::hash(QUuid::createUuid().toRfc4122(), QCryptographicHash::Sha256);
    return signingInput + '.' +
           base64Url(
               QMessageAuthenticationCode::hash(signingInput, key, QCryptographicHash::Sha256));
}

// The same claims, unsigned, with "alg":"none".
QByteArray withAlgNone(const QByteArray &jwt)
{
    return base64Url(R"({"alg":"none","typ":"JWT"})") + '.' + jwt.split('.').value(1) + '.';
}

struct CtlRun : ProgramRun
{
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

// colophonctl with the test environment, `input` on its stdin, run to completion.
CtlRun runCtl(const QStringList &arguments, const QString &workDir, const QByteArray &input = {})
{
    QProcess p;
    p.setProcessEnvironment(colophon::test::childEnvironment(colophon::test::apiTestEnv()));
    p.setWorkingDirectory(workDir);
    p.start(colophon::test::ctlBinary(), arguments);
    CtlRun run;
    if (p.waitForStarted(kRunTimeoutMs)) {
        if (!input.isEmpty())
            p.write(input);
        p.closeWriteChannel();
        run.finished = p.waitForFinished(kRunTimeoutMs);
    }
    if (!run.finished) {
        p.kill();
        p.waitForFinished(kRunTimeoutMs);
    }
    run.exitStatus = p.exitStatus();
    run.exitCode = p.exitCode();
    run.out = p.readAllStandardOutput();
    run.err = p.readAllStandardError();
    return run;
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

const QByteArray kBootstrapEmail = "admin@example.com";

} // namespace

class TestUserApi final : public QObject
{
    Q_OBJECT

private:
    struct Account
    {
        QString email;
        QString password;
        QString firstName = QStringLiteral("Ada");
        QString lastName = QStringLiteral("Lovelace");
        QJsonObject user; // as registration returned it
    };

    struct TokenPair
    {
        HttpReply reply;
        QByteArray access;
        QByteArray refresh;
        bool valid() const
        {
            return reply.status == 200 && !access.isEmpty() && !refresh.isEmpty();
        }
    };

    quint16 sharedPort() const { return m_server->port(); }

    // Passwords and refresh tokens: none may ever appear in a server's log.
    void remember(const QString &secret)
    {
        if (!secret.isEmpty() && !m_secrets.contains(secret.toUtf8()))
            m_secrets << secret.toUtf8();
    }
    void remember(const QByteArray &secret) { remember(QString::fromUtf8(secret)); }

    // The first secret (or password hash) a server's stdout log shows, or an empty string.
    QString logLeak(ServerProcess &server) const
    {
        const QByteArray log = server.stdoutText();
        if (log.contains("$argon2"))
            return QStringLiteral("the server log shows a password hash");
        for (const QByteArray &secret : m_secrets) {
            if (log.contains(secret))
                return QStringLiteral("the server log shows the secret '%1'")
                    .arg(QString::fromUtf8(secret));
        }
        return {};
    }

    // Every request goes through here, so every response body is checked for a password hash.
    HttpReply call(quint16 port, const QByteArray &method, const QByteArray &path,
                   const QByteArray &body = {}, const QByteArray &token = {},
                   HttpHeaders headers = {})
    {
        if (!token.isEmpty())
            headers.append(header("Authorization", "Bearer " + token));
        if (!body.isEmpty())
            headers.append(header("Content-Type", "application/json"));
        const HttpReply reply = httpRequest(port, method, path, headers, body, kRequestTimeoutMs);
        if (reply.body.contains("$argon2"))
            m_hashLeaks << QString::fromUtf8(method + ' ' + path);
        return reply;
    }

    HttpReply authGet(quint16 port, const QByteArray &path, const QByteArray &token)
    {
        return call(port, "GET", path, {}, token);
    }

    HttpReply registerUser(quint16 port, const QString &email, const QString &password,
                           const QString &firstName = QStringLiteral("Ada"),
                           const QString &lastName = QStringLiteral("Lovelace"))
    {
        remember(password);
        return call(port, "POST", "/api/v1/auth/register",
                    compact({{QStringLiteral("email"), email},
                             {QStringLiteral("password"), password},
                             {QStringLiteral("firstName"), firstName},
                             {QStringLiteral("lastName"), lastName}}));
    }

    QString newEmail() { return QStringLiteral("user%1@example.org").arg(++m_users); }

    // Registers a new user with a fresh email and password; false (with a warning) if refused.
    bool createAccount(quint16 port, Account &account)
    {
        account.email = newEmail();
        account.password = randomPassword();
        const HttpReply reply = registerUser(port, account.email, account.password,
                                             account.firstName, account.lastName);
        if (reply.status != 201) {
            qWarning("registration failed: %s", qPrintable(describe(reply)));
            return false;
        }
        account.user = jsonOf(reply);
        return true;
    }

    TokenPair tokenPair(const HttpReply &reply)
    {
        const QJsonObject body = jsonOf(reply);
        TokenPair pair{reply, body.value(QLatin1String("accessToken")).toString().toUtf8(),
                       body.value(QLatin1String("refreshToken")).toString().toUtf8()};
        remember(pair.refresh);
        return pair;
    }

    TokenPair login(quint16 port, const QString &email, const QString &password,
                    const QByteArray &userAgent = "tst_userapi")
    {
        remember(password);
        return tokenPair(call(
            port, "POST", "/api/v1/auth/login",
            compact({{QStringLiteral("email"), email}, {QStringLiteral("password"), password}}), {},
            {{"User-Agent", userAgent}}));
    }

    TokenPair login(quint16 port, const Account &account,
                    const QByteArray &userAgent = "tst_userapi")
    {
        return login(port, account.email, account.password, userAgent);
    }

    TokenPair refresh(quint16 port, const QByteArray &refreshToken)
    {
        return tokenPair(
            call(port, "POST", "/api/v1/auth/refresh",
                 compact({{QStringLiteral("refreshToken"), QString::fromUtf8(refreshToken)}})));
    }

    // The caller's sessions, or an empty array (with a warning) if the listing failed.
    QJsonArray sessions(quint16 port, const QByteArray &token)
    {
        const HttpReply reply = authGet(port, "/api/v1/me/sessions", token);
        if (reply.status != 200)
            qWarning("listing sessions failed: %s", qPrintable(describe(reply)));
        return jsonOf(reply).value(QLatin1String("items")).toArray();
    }

    static QString tokenPairIssue(const TokenPair &pair)
    {
        QStringList issues;
        if (pair.reply.status != 200)
            issues << QStringLiteral("status %1").arg(pair.reply.status);
        const QJsonObject body = jsonOf(pair.reply);
        if (pair.access.split('.').size() != 3)
            issues << QStringLiteral("accessToken is not a compact JWS");
        if (pair.refresh.isEmpty())
            issues << QStringLiteral("no refreshToken");
        if (pair.refresh == pair.access)
            issues << QStringLiteral("the refresh token is the access token");
        if (body.value(QLatin1String("tokenType")).toString() != QLatin1String("Bearer"))
            issues << QStringLiteral("tokenType is not \"Bearer\"");
        if (body.value(QLatin1String("expiresIn")) != QJsonValue(900))
            issues << QStringLiteral("expiresIn is not 900");
        return issues.isEmpty() ? QString()
                                : issues.join(QLatin1String("; ")) + u'\n' + describe(pair.reply);
    }

    static bool startServer(ServerProcess &server, const Env &extraEnv = {},
                            const QStringList &arguments = {})
    {
        if (server.start(arguments, colophon::test::apiTestEnv(extraEnv), kStartTimeoutMs))
            return true;
        qWarning("server did not start: %s", qPrintable(server.diagnostics()));
        return false;
    }

    std::unique_ptr<ServerProcess> m_server; // shared by the tests that need nothing special
    QList<QByteArray> m_secrets;
    QStringList m_hashLeaks;
    int m_users = 0;

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(colophon::test::serverBinary()),
                 qPrintable(colophon::test::serverBinary()));
        QVERIFY2(QFile::exists(colophon::test::ctlBinary()),
                 qPrintable(colophon::test::ctlBinary()));
        m_server = std::make_unique<ServerProcess>();
        QVERIFY(startServer(*m_server));
    }

    void init() { QVERIFY2(m_server->isRunning(), qPrintable(m_server->diagnostics())); }

    void cleanup()
    {
        QVERIFY2(m_hashLeaks.isEmpty(),
                 qPrintable(QStringLiteral("a response body carried a password hash: ") +
                            m_hashLeaks.join(QLatin1String(", "))));
        VERIFY_NO_ISSUE(logLeak(*m_server));
    }

    void cleanupTestCase()
    {
        if (!m_server)
            return;
        QVERIFY2(m_server->signalAndWait(SIGTERM, kExitTimeoutMs),
                 qPrintable(m_server->diagnostics()));
        VERIFY_NO_ISSUE(logLeak(*m_server)); // now with everything it wrote
    }

    // --- Registration ---------------------------------------------------------------------

    void registerCreatesAnActiveConsumerWithDefaultPreferences()
    {
        const QString email = newEmail();
        const QString password = randomPassword();
        const HttpReply reply = registerUser(sharedPort(), email, password, QStringLiteral("Ada"),
                                             QStringLiteral("Lovelace"));
        VERIFY_NO_ISSUE(statusIssue(reply, 201));
        QVERIFY2(reply.header("Content-Type").startsWith("application/json"),
                 qPrintable(describe(reply)));
        QCOMPARE(reply.header("Location"), QByteArray("/api/v1/me"));
        const QJsonObject user = jsonOf(reply);
        VERIFY_NO_ISSUE(
            userIssue(user, {email, QStringLiteral("Ada"), QStringLiteral("Lovelace")}));
        QCOMPARE(user.value(QLatin1String("preferences")).toObject(),
                 (QJsonObject{{QStringLiteral("language"), QStringLiteral("en")},
                              {QStringLiteral("timezone"), QStringLiteral("UTC")},
                              {QStringLiteral("emailNotifications"), true},
                              {QStringLiteral("pushNotifications"), false}}));
        QVERIFY2(!reply.body.contains(password.toUtf8()), reply.body.constData());
    }

    void registerNormalisesTheEmailToLowerCase()
    {
        const QString mixed = QStringLiteral("Mixed.Case%1@Example.ORG").arg(++m_users);
        const QString password = randomPassword();
        const HttpReply reply = registerUser(sharedPort(), mixed, password);
        VERIFY_NO_ISSUE(statusIssue(reply, 201));
        QCOMPARE(jsonOf(reply).value(QLatin1String("email")).toString(), mixed.toLower());

        // Either spelling logs in to the same account.
        for (const QString &spelling : {mixed, mixed.toLower(), mixed.toUpper()}) {
            const TokenPair pair = login(sharedPort(), spelling, password);
            VERIFY_NO_ISSUE(tokenPairIssue(pair));
            const HttpReply me = authGet(sharedPort(), "/api/v1/me", pair.access);
            VERIFY_NO_ISSUE(statusIssue(me, 200));
            QCOMPARE(jsonOf(me).value(QLatin1String("email")).toString(), mixed.toLower());
        }
    }

    void registerRefusesAnEmailAlreadyTakenInAnyCase()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        for (const QString &spelling : {account.email, account.email.toUpper()}) {
            const HttpReply again = registerUser(sharedPort(), spelling, randomPassword(),
                                                 QStringLiteral("Eve"), QStringLiteral("Mallory"));
            VERIFY_NO_ISSUE(problemIssue(again, 409));
        }
        // The first account is untouched.
        const TokenPair pair = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        const HttpReply me = authGet(sharedPort(), "/api/v1/me", pair.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(jsonOf(me).value(QLatin1String("firstName")).toString(), account.firstName);
    }

    void registerAcceptsTheLimitValues()
    {
        const QString email = newEmail();
        const QString password = QStringLiteral("Kq7#vXe2pL"); // exactly 10 characters
        QCOMPARE(password.size(), 10);
        const QString longest(100, u'n');
        const HttpReply reply = registerUser(sharedPort(), email, password, longest, longest);
        VERIFY_NO_ISSUE(statusIssue(reply, 201));
        VERIFY_NO_ISSUE(userIssue(jsonOf(reply), {email, longest, longest}));
        VERIFY_NO_ISSUE(tokenPairIssue(login(sharedPort(), email, password)));
    }

    void registerRejectsMalformedJsonWith400_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("truncated object") << QByteArray(R"({"email": "a@example.org", )");
        QTest::newRow("missing value") << QByteArray(R"({"email": })");
        QTest::newRow("not JSON") << QByteArray("email=a@example.org&password=x");
        QTest::newRow("empty body") << QByteArray();
    }

    void registerRejectsMalformedJsonWith400()
    {
        QFETCH(QByteArray, body);
        const HttpReply reply = call(sharedPort(), "POST", "/api/v1/auth/register", body, {},
                                     {{"Content-Type", "application/json"}});
        VERIFY_NO_ISSUE(problemIssue(reply, 400));
    }

    void registerRejectsAnInvalidFieldWith422NamingIt_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<bool>("remove");
        QTest::addColumn<QJsonValue>("value");
        const QJsonValue none;
        QTest::newRow("email missing") << QStringLiteral("email") << true << none;
        QTest::newRow("password missing") << QStringLiteral("password") << true << none;
        QTest::newRow("firstName missing") << QStringLiteral("firstName") << true << none;
        QTest::newRow("lastName missing") << QStringLiteral("lastName") << true << none;
        QTest::newRow("email a number") << QStringLiteral("email") << false << QJsonValue(42);
        QTest::newRow("password a boolean")
            << QStringLiteral("password") << false << QJsonValue(true);
        QTest::newRow("firstName null")
            << QStringLiteral("firstName") << false << QJsonValue(QJsonValue::Null);
        QTest::newRow("lastName an array")
            << QStringLiteral("lastName") << false << QJsonValue(QJsonArray{QStringLiteral("L")});
        QTest::newRow("email without @")
            << QStringLiteral("email") << false << QJsonValue(QStringLiteral("ada.example.org"));
        QTest::newRow("email without domain")
            << QStringLiteral("email") << false << QJsonValue(QStringLiteral("ada@"));
        QTest::newRow("password of 9 characters")
            << QStringLiteral("password") << false << QJsonValue(QStringLiteral("Kq7#vXe2p"));
        QTest::newRow("common password")
            << QStringLiteral("password") << false << QJsonValue(QStringLiteral("password123"));
        QTest::newRow("firstName of 101 characters")
            << QStringLiteral("firstName") << false << QJsonValue(QString(101, u'f'));
        QTest::newRow("lastName of 101 characters")
            << QStringLiteral("lastName") << false << QJsonValue(QString(101, u'l'));
    }

    void registerRejectsAnInvalidFieldWith422NamingIt()
    {
        QFETCH(QString, field);
        QFETCH(bool, remove);
        QFETCH(QJsonValue, value);
        const QString email = newEmail();
        QJsonObject body{{QStringLiteral("email"), email},
                         {QStringLiteral("password"), randomPassword()},
                         {QStringLiteral("firstName"), QStringLiteral("Ada")},
                         {QStringLiteral("lastName"), QStringLiteral("Lovelace")}};
        remember(body.value(QLatin1String("password")).toString());
        if (remove)
            body.remove(field);
        else
            body.insert(field, value);
        const HttpReply reply = call(sharedPort(), "POST", "/api/v1/auth/register", compact(body));
        VERIFY_NO_ISSUE(problemIssue(reply, 422, field));

        // Nothing was created: the email is still free.
        if (field != QLatin1String("email")) {
            const HttpReply retry = registerUser(sharedPort(), email, randomPassword());
            VERIFY_NO_ISSUE(statusIssue(retry, 201));
        }
    }

    void registerIsForbiddenWhenRegistrationIsClosed()
    {
        ServerProcess server;
        QVERIFY(startServer(server, {{QStringLiteral("COLOPHON_AUTH_OPEN_REGISTRATION"),
                                      QStringLiteral("false")}}));
        const QString email = newEmail();
        const QString password = randomPassword();
        VERIFY_NO_ISSUE(problemIssue(registerUser(server.port(), email, password), 403));
        VERIFY_NO_ISSUE(problemIssue(call(server.port(), "POST", "/api/v1/auth/login",
                                          compact({{QStringLiteral("email"), email},
                                                   {QStringLiteral("password"), password}})),
                                     401));
        VERIFY_NO_ISSUE(logLeak(server));
    }

    // --- Login and the access token --------------------------------------------------------

    void loginReturnsABearerTokenPair()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair pair = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        QVERIFY2(pair.reply.header("Content-Type").startsWith("application/json"),
                 qPrintable(describe(pair.reply)));
        const TokenPair second = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(second));
        QVERIFY(second.access != pair.access);
        QVERIFY(second.refresh != pair.refresh);
    }

    void loginFailsAlikeForAWrongPasswordAndAnUnknownEmail()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair wrongPassword =
            login(sharedPort(), account.email, account.password + QStringLiteral("x"));
        VERIFY_NO_ISSUE(problemIssue(wrongPassword.reply, 401));
        const TokenPair unknownEmail = login(
            sharedPort(), QStringLiteral("nobody-%1@example.org").arg(++m_users), account.password);
        VERIFY_NO_ISSUE(problemIssue(unknownEmail.reply, 401));
        QCOMPARE(jsonOf(unknownEmail.reply).value(QLatin1String("detail")).toString(),
                 jsonOf(wrongPassword.reply).value(QLatin1String("detail")).toString());
        QCOMPARE(jsonOf(unknownEmail.reply).value(QLatin1String("code")).toString(),
                 jsonOf(wrongPassword.reply).value(QLatin1String("code")).toString());
        QVERIFY(wrongPassword.access.isEmpty() && wrongPassword.refresh.isEmpty());
        // The failures did not lock the account.
        VERIFY_NO_ISSUE(tokenPairIssue(login(sharedPort(), account)));
    }

    void meReturnsTheCallersUser()
    {
        Account account;
        account.firstName = QStringLiteral("Grace");
        account.lastName = QStringLiteral("Hopper");
        QVERIFY(createAccount(sharedPort(), account));
        Account other;
        QVERIFY(createAccount(sharedPort(), other));
        const TokenPair pair = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        const HttpReply me = authGet(sharedPort(), "/api/v1/me", pair.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        VERIFY_NO_ISSUE(
            userIssue(jsonOf(me), {account.email, account.firstName, account.lastName}));
        QCOMPARE(jsonOf(me), account.user);
    }

    void meRefusesRequestsWithoutAValidAccessToken_data()
    {
        QTest::addColumn<QString>("credentials");
        QTest::newRow("no Authorization header") << QStringLiteral("none");
        QTest::newRow("Basic scheme") << QStringLiteral("basic");
        QTest::newRow("Bearer without a token") << QStringLiteral("empty");
        QTest::newRow("malformed token") << QStringLiteral("malformed");
        QTest::newRow("signature tampered with") << QStringLiteral("tampered");
        QTest::newRow("signed with another key") << QStringLiteral("otherKey");
        QTest::newRow("alg none") << QStringLiteral("algNone");
        QTest::newRow("refresh token") << QStringLiteral("refresh");
    }

    void meRefusesRequestsWithoutAValidAccessToken()
    {
        QFETCH(QString, credentials);
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair pair = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", pair.access), 200));

        QByteArray authorization; // null: no Authorization header at all
        if (credentials == u"basic")
            authorization =
                "Basic " + (account.email + u':' + account.password).toUtf8().toBase64();
        else if (credentials == u"empty")
            authorization = "Bearer";
        else if (credentials == u"malformed")
            authorization = "Bearer not-a-token";
        else if (credentials == u"tampered")
            authorization = "Bearer " + withTamperedSignature(pair.access);
        else if (credentials == u"otherKey")
            authorization = "Bearer " + signedWithAnotherKey(pair.access);
        else if (credentials == u"algNone")
            authorization = "Bearer " + withAlgNone(pair.access);
        else if (credentials == u"refresh")
            authorization = "Bearer " + pair.refresh;
        HttpHeaders headers;
        if (!authorization.isNull())
            headers.append(header("Authorization", authorization));
        const HttpReply reply = call(sharedPort(), "GET", "/api/v1/me", {}, {}, headers);
        VERIFY_NO_ISSUE(unauthorizedIssue(reply));
        QVERIFY2(!reply.body.contains(account.email.toUtf8()), qPrintable(describe(reply)));
    }

    // --- The profile -----------------------------------------------------------------------

    void patchMeUpdatesNamesAndPreferences()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair pair = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        const QJsonObject change{
            {QStringLiteral("firstName"), QStringLiteral("Augusta")},
            {QStringLiteral("preferences"),
             QJsonObject{{QStringLiteral("language"), QStringLiteral("fr")},
                         {QStringLiteral("timezone"), QStringLiteral("Europe/Paris")},
                         {QStringLiteral("emailNotifications"), false}}}};
        const HttpReply patched =
            call(sharedPort(), "PATCH", "/api/v1/me", compact(change), pair.access);
        VERIFY_NO_ISSUE(statusIssue(patched, 200));
        const QJsonObject user = jsonOf(patched);
        // Only what was sent changed.
        VERIFY_NO_ISSUE(
            userIssue(user, {account.email, QStringLiteral("Augusta"), account.lastName}));
        QCOMPARE(user.value(QLatin1String("id")), account.user.value(QLatin1String("id")));
        QCOMPARE(user.value(QLatin1String("createdAt")),
                 account.user.value(QLatin1String("createdAt")));
        const QJsonObject expectedPreferences{
            {QStringLiteral("language"), QStringLiteral("fr")},
            {QStringLiteral("timezone"), QStringLiteral("Europe/Paris")},
            {QStringLiteral("emailNotifications"), false},
            {QStringLiteral("pushNotifications"), false}};
        QCOMPARE(user.value(QLatin1String("preferences")).toObject(), expectedPreferences);

        // A second, partial change merges into the first.
        const HttpReply again =
            call(sharedPort(), "PATCH", "/api/v1/me",
                 compact({{QStringLiteral("lastName"), QStringLiteral("King")},
                          {QStringLiteral("preferences"),
                           QJsonObject{{QStringLiteral("pushNotifications"), true}}}}),
                 pair.access);
        VERIFY_NO_ISSUE(statusIssue(again, 200));
        QJsonObject mergedPreferences = expectedPreferences;
        mergedPreferences.insert(QStringLiteral("pushNotifications"), true);
        QCOMPARE(jsonOf(again).value(QLatin1String("preferences")).toObject(), mergedPreferences);
        QCOMPARE(jsonOf(again).value(QLatin1String("firstName")).toString(),
                 QStringLiteral("Augusta"));
        QCOMPARE(jsonOf(again).value(QLatin1String("lastName")).toString(), QStringLiteral("King"));

        // And it was stored.
        const HttpReply me = authGet(sharedPort(), "/api/v1/me", pair.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(jsonOf(me), jsonOf(again));
    }

    void patchMeRejectsAnInvalidChangeWith422NamingTheField_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("timezone not an IANA name")
            << QByteArray(R"({"preferences": {"timezone": "Mars/Olympus"}})")
            << QStringLiteral("preferences.timezone");
        QTest::newRow("own role") << QByteArray(R"({"role": "admin"})") << QStringLiteral("role");
        QTest::newRow("own role alongside a valid change")
            << QByteArray(R"({"firstName": "Eve", "role": "admin"})") << QStringLiteral("role");
        QTest::newRow("email") << QByteArray(R"({"email": "other@example.org"})")
                               << QStringLiteral("email");
        QTest::newRow("firstName of 101 characters")
            << QByteArray(R"({"firstName": ")" + QByteArray(101, 'f') + R"("})")
            << QStringLiteral("firstName");
        QTest::newRow("lastName a number")
            << QByteArray(R"({"lastName": 42})") << QStringLiteral("lastName");
        QTest::newRow("emailNotifications a string")
            << QByteArray(R"({"preferences": {"emailNotifications": "yes"}})")
            << QStringLiteral("preferences.emailNotifications");
    }

    void patchMeRejectsAnInvalidChangeWith422NamingTheField()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair pair = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        const HttpReply reply = call(sharedPort(), "PATCH", "/api/v1/me", body, pair.access);
        VERIFY_NO_ISSUE(problemIssue(reply, 422, field));

        // Nothing changed, not even the valid part of the request.
        const HttpReply me = authGet(sharedPort(), "/api/v1/me", pair.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(jsonOf(me), account.user);
        // And a fresh token still says consumer.
        const TokenPair again = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(again));
        QCOMPARE(jsonOf(authGet(sharedPort(), "/api/v1/me", again.access))
                     .value(QLatin1String("role"))
                     .toString(),
                 QStringLiteral("consumer"));
    }

    // --- Refresh tokens and logout ---------------------------------------------------------

    void refreshRotatesBothTokens()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair first = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(first));
        const TokenPair second = refresh(sharedPort(), first.refresh);
        VERIFY_NO_ISSUE(tokenPairIssue(second));
        QVERIFY(second.access != first.access);
        QVERIFY(second.refresh != first.refresh);
        const HttpReply me = authGet(sharedPort(), "/api/v1/me", second.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(jsonOf(me).value(QLatin1String("email")).toString(), account.email);
        // The new refresh token rotates in turn.
        const TokenPair third = refresh(sharedPort(), second.refresh);
        VERIFY_NO_ISSUE(tokenPairIssue(third));
        QVERIFY(third.refresh != second.refresh && third.refresh != first.refresh);
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", third.access), 200));
    }

    void refreshRefusesAnUnknownToken()
    {
        VERIFY_NO_ISSUE(problemIssue(refresh(sharedPort(), "no-such-refresh-token").reply, 401));
    }

    void reusingARefreshTokenRevokesTheWholeSession()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair otherSession = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(otherSession));
        const TokenPair first = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(first));
        const TokenPair second = refresh(sharedPort(), first.refresh);
        VERIFY_NO_ISSUE(tokenPairIssue(second));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", second.access), 200));

        // The old refresh token again: a replay. Refused, and the session is gone with it.
        const TokenPair replay = refresh(sharedPort(), first.refresh);
        VERIFY_NO_ISSUE(problemIssue(replay.reply, 401));
        QVERIFY(replay.access.isEmpty());
        VERIFY_NO_ISSUE(problemIssue(refresh(sharedPort(), second.refresh).reply, 401));
        VERIFY_NO_ISSUE(unauthorizedIssue(authGet(sharedPort(), "/api/v1/me", second.access)));
        VERIFY_NO_ISSUE(unauthorizedIssue(authGet(sharedPort(), "/api/v1/me", first.access)));

        // Only that session: another login of the same user, and a new login, still work.
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", otherSession.access), 200));
        const TokenPair fresh = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(fresh));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", fresh.access), 200));
    }

    void logoutRevokesTheAccessAndRefreshTokens()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair otherSession = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(otherSession));
        const TokenPair pair = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));

        VERIFY_NO_ISSUE(unauthorizedIssue(call(sharedPort(), "POST", "/api/v1/auth/logout")));
        const HttpReply out = call(sharedPort(), "POST", "/api/v1/auth/logout", {}, pair.access);
        VERIFY_NO_ISSUE(statusIssue(out, 204));
        QVERIFY2(out.body.isEmpty(), out.body.constData());

        VERIFY_NO_ISSUE(unauthorizedIssue(authGet(sharedPort(), "/api/v1/me", pair.access)));
        VERIFY_NO_ISSUE(problemIssue(refresh(sharedPort(), pair.refresh).reply, 401));
        // The user's other session is not affected.
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", otherSession.access), 200));
    }

    // --- Sessions --------------------------------------------------------------------------

    void sessionsListEachLoginAndMarkTheCallersCurrent()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        Account stranger;
        QVERIFY(createAccount(sharedPort(), stranger));
        const TokenPair one = login(sharedPort(), account, "tst_userapi/one");
        const TokenPair two = login(sharedPort(), account, "tst_userapi/two");
        const TokenPair strangers = login(sharedPort(), stranger, "tst_userapi/stranger");
        VERIFY_NO_ISSUE(tokenPairIssue(one));
        VERIFY_NO_ISSUE(tokenPairIssue(two));
        VERIFY_NO_ISSUE(tokenPairIssue(strangers));

        const HttpReply reply = authGet(sharedPort(), "/api/v1/me/sessions", two.access);
        VERIFY_NO_ISSUE(statusIssue(reply, 200));
        const QJsonArray items = jsonOf(reply).value(QLatin1String("items")).toArray();
        QVERIFY2(items.size() == 2, qPrintable(describe(reply)));
        int current = 0;
        QSet<QString> ids;
        for (const QJsonValue &value : items) {
            const QJsonObject session = value.toObject();
            const QString id = session.value(QLatin1String("id")).toVariant().toString();
            QVERIFY2(!id.isEmpty(), qPrintable(describe(reply)));
            ids.insert(id);
            QVERIFY2(
                session.value(QLatin1String("ip")).toString().contains(QLatin1String("127.0.0.1")),
                qPrintable(describe(reply)));
            for (const char *key : {"createdAt", "lastUsedAt", "expiresAt"})
                QVERIFY2(
                    isUtcTimestamp(session.value(QLatin1String(key))),
                    qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(key), describe(reply))));
            QVERIFY2(session.value(QLatin1String("expiresAt")).toString() >
                         session.value(QLatin1String("createdAt")).toString(),
                     qPrintable(describe(reply)));
            QVERIFY2(session.value(QLatin1String("current")).isBool(), qPrintable(describe(reply)));
            const bool isCurrent = session.value(QLatin1String("current")).toBool();
            current += isCurrent ? 1 : 0;
            // The caller's session is the one logged in as "two".
            QCOMPARE(session.value(QLatin1String("userAgent")).toString(),
                     isCurrent ? QStringLiteral("tst_userapi/two")
                               : QStringLiteral("tst_userapi/one"));
            for (const QString &key : session.keys())
                QVERIFY2(!key.contains(QLatin1String("token"), Qt::CaseInsensitive),
                         qPrintable(describe(reply)));
        }
        QCOMPARE(current, 1);
        QCOMPARE(ids.size(), 2);
        QVERIFY2(!reply.body.contains(one.refresh) && !reply.body.contains(two.refresh),
                 qPrintable(describe(reply)));

        // From the other session, the other one is current.
        const QJsonArray fromOne = sessions(sharedPort(), one.access);
        QCOMPARE(fromOne.size(), 2);
        for (const QJsonValue &value : fromOne) {
            const QJsonObject session = value.toObject();
            QCOMPARE(session.value(QLatin1String("current")).toBool(),
                     session.value(QLatin1String("userAgent")).toString() ==
                         QLatin1String("tst_userapi/one"));
        }
        VERIFY_NO_ISSUE(unauthorizedIssue(call(sharedPort(), "GET", "/api/v1/me/sessions")));
    }

    void deletingASessionRevokesItsTokens()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair one = login(sharedPort(), account, "tst_userapi/one");
        const TokenPair two = login(sharedPort(), account, "tst_userapi/two");
        VERIFY_NO_ISSUE(tokenPairIssue(one));
        VERIFY_NO_ISSUE(tokenPairIssue(two));
        QString otherId;
        for (const QJsonValue &value : sessions(sharedPort(), two.access)) {
            if (!value.toObject().value(QLatin1String("current")).toBool())
                otherId = value.toObject().value(QLatin1String("id")).toVariant().toString();
        }
        QVERIFY(!otherId.isEmpty());

        const HttpReply removed =
            call(sharedPort(), "DELETE", "/api/v1/me/sessions/" + otherId.toUtf8(), {}, two.access);
        VERIFY_NO_ISSUE(statusIssue(removed, 204));
        VERIFY_NO_ISSUE(unauthorizedIssue(authGet(sharedPort(), "/api/v1/me", one.access)));
        VERIFY_NO_ISSUE(problemIssue(refresh(sharedPort(), one.refresh).reply, 401));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", two.access), 200));
        const QJsonArray left = sessions(sharedPort(), two.access);
        QCOMPARE(left.size(), 1);
        QCOMPARE(left.first().toObject().value(QLatin1String("current")), QJsonValue(true));
    }

    void deletingAnUnknownOrAnotherUsersSessionIs404()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        Account stranger;
        QVERIFY(createAccount(sharedPort(), stranger));
        const TokenPair mine = login(sharedPort(), account);
        const TokenPair theirs = login(sharedPort(), stranger);
        VERIFY_NO_ISSUE(tokenPairIssue(mine));
        VERIFY_NO_ISSUE(tokenPairIssue(theirs));
        const QJsonArray list = sessions(sharedPort(), mine.access);
        QCOMPARE(list.size(), 1);
        const QString myId =
            list.first().toObject().value(QLatin1String("id")).toVariant().toString();
        QVERIFY(!myId.isEmpty());

        // An id of the same shape that names no session.
        QString unknownId;
        bool numeric = false;
        const qlonglong number = myId.toLongLong(&numeric);
        if (numeric) {
            unknownId = QString::number(number + 1000000);
        } else if (!QUuid::fromString(myId).isNull()) {
            unknownId = QUuid::createUuid().toString(myId.startsWith(u'{') ? QUuid::WithBraces
                                                                           : QUuid::WithoutBraces);
            if (myId == myId.toUpper())
                unknownId = unknownId.toUpper();
        } else {
            unknownId = myId.left(myId.size() - 1) + (myId.endsWith(u'A') ? u'B' : u'A');
        }
        VERIFY_NO_ISSUE(
            problemIssue(call(sharedPort(), "DELETE", "/api/v1/me/sessions/" + unknownId.toUtf8(),
                              {}, mine.access),
                         404));

        // Someone else's session is as unknown to the caller.
        const HttpReply foreign =
            call(sharedPort(), "DELETE", "/api/v1/me/sessions/" + myId.toUtf8(), {}, theirs.access);
        QVERIFY2(foreign.status == 404 || foreign.status == 403, qPrintable(describe(foreign)));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", mine.access), 200));
        VERIFY_NO_ISSUE(tokenPairIssue(refresh(sharedPort(), mine.refresh)));
    }

    // --- Password change -------------------------------------------------------------------

    void changingThePasswordReplacesItAndRevokesTheOtherSessions()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair caller = login(sharedPort(), account, "tst_userapi/caller");
        const TokenPair other = login(sharedPort(), account, "tst_userapi/other");
        VERIFY_NO_ISSUE(tokenPairIssue(caller));
        VERIFY_NO_ISSUE(tokenPairIssue(other));
        const QString newPassword = randomPassword();
        remember(newPassword);

        const HttpReply changed =
            call(sharedPort(), "POST", "/api/v1/me/password",
                 compact({{QStringLiteral("currentPassword"), account.password},
                          {QStringLiteral("newPassword"), newPassword}}),
                 caller.access);
        VERIFY_NO_ISSUE(statusIssue(changed, 204));

        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", caller.access), 200));
        VERIFY_NO_ISSUE(unauthorizedIssue(authGet(sharedPort(), "/api/v1/me", other.access)));
        VERIFY_NO_ISSUE(problemIssue(refresh(sharedPort(), other.refresh).reply, 401));
        VERIFY_NO_ISSUE(
            problemIssue(login(sharedPort(), account.email, account.password).reply, 401));
        VERIFY_NO_ISSUE(tokenPairIssue(login(sharedPort(), account.email, newPassword)));
        // The caller's session carries on, refresh token included.
        const TokenPair renewed = refresh(sharedPort(), caller.refresh);
        VERIFY_NO_ISSUE(tokenPairIssue(renewed));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", renewed.access), 200));
    }

    void changingThePasswordRequiresTheCurrentOne()
    {
        Account account;
        QVERIFY(createAccount(sharedPort(), account));
        const TokenPair caller = login(sharedPort(), account);
        const TokenPair other = login(sharedPort(), account);
        VERIFY_NO_ISSUE(tokenPairIssue(caller));
        VERIFY_NO_ISSUE(tokenPairIssue(other));
        const QString newPassword = randomPassword();
        remember(newPassword);
        const QString wrongCurrent = randomPassword();
        remember(wrongCurrent);

        const HttpReply refused = call(sharedPort(), "POST", "/api/v1/me/password",
                                       compact({{QStringLiteral("currentPassword"), wrongCurrent},
                                                {QStringLiteral("newPassword"), newPassword}}),
                                       caller.access);
        QVERIFY2(refused.status == 401 || refused.status == 422, qPrintable(describe(refused)));
        VERIFY_NO_ISSUE(problemIssue(refused, refused.status));

        const HttpReply weak =
            call(sharedPort(), "POST", "/api/v1/me/password",
                 compact({{QStringLiteral("currentPassword"), account.password},
                          {QStringLiteral("newPassword"), QStringLiteral("password123")}}),
                 caller.access);
        QVERIFY2(weak.status >= 400 && weak.status < 500, qPrintable(describe(weak)));

        VERIFY_NO_ISSUE(
            unauthorizedIssue(call(sharedPort(), "POST", "/api/v1/me/password",
                                   compact({{QStringLiteral("currentPassword"), account.password},
                                            {QStringLiteral("newPassword"), newPassword}}))));

        // Nothing changed.
        VERIFY_NO_ISSUE(tokenPairIssue(login(sharedPort(), account)));
        VERIFY_NO_ISSUE(problemIssue(login(sharedPort(), account.email, newPassword).reply, 401));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", caller.access), 200));
        VERIFY_NO_ISSUE(statusIssue(authGet(sharedPort(), "/api/v1/me", other.access), 200));
    }

    // --- The first admin -------------------------------------------------------------------

    void bootstrapAdminPrintsAOneTimePasswordThatLogsInAsAdmin()
    {
        ServerProcess server;
        QVERIFY(startServer(
            server, {}, {QStringLiteral("--bootstrap-admin"), QString::fromUtf8(kBootstrapEmail)}));
        const QString password = bootstrapPassword(server, kSettleTimeoutMs);
        QVERIFY2(!password.isEmpty(), qPrintable(server.diagnostics()));
        remember(password);
        QVERIFY2(server.isRunning(), qPrintable(server.diagnostics()));

        const TokenPair pair = login(server.port(), QString::fromUtf8(kBootstrapEmail), password);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        const HttpReply me = authGet(server.port(), "/api/v1/me", pair.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(jsonOf(me).value(QLatin1String("role")).toString(), QStringLiteral("admin"));
        QCOMPARE(jsonOf(me).value(QLatin1String("email")).toString(),
                 QString::fromUtf8(kBootstrapEmail));
        QCOMPARE(jsonOf(me).value(QLatin1String("status")).toString(), QStringLiteral("active"));
        VERIFY_NO_ISSUE(logLeak(server));
    }

    void bootstrapAdminNeverCreatesASecondAccount()
    {
        ServerProcess first;
        const QStringList bootstrap{QStringLiteral("--bootstrap-admin"),
                                    QString::fromUtf8(kBootstrapEmail)};
        QVERIFY(startServer(first, {}, bootstrap));
        const QString password = bootstrapPassword(first, kSettleTimeoutMs);
        QVERIFY2(!password.isEmpty(), qPrintable(first.diagnostics()));
        remember(password);
        VERIFY_NO_ISSUE(
            tokenPairIssue(login(first.port(), QString::fromUtf8(kBootstrapEmail), password)));
        QVERIFY2(first.signalAndWait(SIGTERM, kExitTimeoutMs), qPrintable(first.diagnostics()));
        VERIFY_NO_ISSUE(logLeak(first));

        // The same flag on the same data: either refused ("exists") or served without creating.
        const QStringList again =
            QStringList{QStringLiteral("--data"), first.dataDir()} + bootstrap;
        ServerProcess second;
        const bool served = second.start(again, colophon::test::apiTestEnv(), kStartTimeoutMs);
        if (!served) {
            QVERIFY2(second.waitForExit(kExitTimeoutMs), qPrintable(second.diagnostics()));
            QCOMPARE(second.process().exitStatus(), QProcess::NormalExit);
            QVERIFY2(second.process().exitCode() != 0, qPrintable(second.diagnostics()));
            QVERIFY2(second.stderrText().contains("exists"), qPrintable(second.diagnostics()));
        }
        QVERIFY2(!second.stderrText().contains("created admin"), qPrintable(second.diagnostics()));

        ServerProcess third;
        ServerProcess &check = served ? second : third;
        if (!served)
            QVERIFY(startServer(third, {}, {QStringLiteral("--data"), first.dataDir()}));
        const TokenPair pair = login(check.port(), QString::fromUtf8(kBootstrapEmail), password);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        const HttpReply me = authGet(check.port(), "/api/v1/me", pair.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(jsonOf(me).value(QLatin1String("role")).toString(), QStringLiteral("admin"));
        VERIFY_NO_ISSUE(logLeak(check));
    }

    // --- colophonctl user create -----------------------------------------------------------

    void ctlUserCreateReadsThePasswordFromAFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const CtlRun migrated =
            runCtl({QStringLiteral("--data"), data, QStringLiteral("migrate")}, dir.path());
        QVERIFY2(migrated.finished && migrated.exitCode == 0, migrated.describe().constData());
        const QString password = randomPassword();
        remember(password);
        const QString file = dir.filePath(QStringLiteral("password.txt"));
        QVERIFY(writeFile(file, password.toUtf8()));

        const CtlRun created = runCtl(
            {QStringLiteral("--data"), data, QStringLiteral("user"), QStringLiteral("create"),
             QStringLiteral("--email"), QStringLiteral("e@x.org"), QStringLiteral("--role"),
             QStringLiteral("admin"), QStringLiteral("--first-name"), QStringLiteral("A"),
             QStringLiteral("--last-name"), QStringLiteral("B"), QStringLiteral("--password-file"),
             file},
            dir.path());
        QVERIFY2(created.finished, "colophonctl did not exit");
        QCOMPARE(created.exitStatus, QProcess::NormalExit);
        QVERIFY2(created.exitCode == 0, created.describe().constData());
        VERIFY_NO_ISSUE(userIssue(created.json(), {QStringLiteral("e@x.org"), QStringLiteral("A"),
                                                   QStringLiteral("B"), QStringLiteral("admin")}));
        QVERIFY2(!created.out.contains("$argon2") && !created.out.contains(password.toUtf8()),
                 created.describe().constData());
        QVERIFY2(!created.err.contains(password.toUtf8()), created.describe().constData());

        ServerProcess server;
        QVERIFY(startServer(server, {}, {QStringLiteral("--data"), data}));
        const TokenPair pair = login(server.port(), QStringLiteral("e@x.org"), password);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        const HttpReply me = authGet(server.port(), "/api/v1/me", pair.access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(jsonOf(me).value(QLatin1String("role")).toString(), QStringLiteral("admin"));
        QCOMPARE(jsonOf(me).value(QLatin1String("id")), created.json().value(QLatin1String("id")));
        VERIFY_NO_ISSUE(logLeak(server));
    }

    void ctlUserCreateReadsThePasswordFromStdin()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const CtlRun migrated =
            runCtl({QStringLiteral("--data"), data, QStringLiteral("migrate")}, dir.path());
        QVERIFY2(migrated.finished && migrated.exitCode == 0, migrated.describe().constData());
        const QString password = randomPassword();
        remember(password);

        const CtlRun created = runCtl({QStringLiteral("--data"), data, QStringLiteral("user"),
                                       QStringLiteral("create"), QStringLiteral("--email"),
                                       QStringLiteral("Stdin@X.org"), QStringLiteral("--role"),
                                       QStringLiteral("consumer"), QStringLiteral("--first-name"),
                                       QStringLiteral("C"), QStringLiteral("--last-name"),
                                       QStringLiteral("D"), QStringLiteral("--password-stdin")},
                                      dir.path(), password.toUtf8() + '\n');
        QVERIFY2(created.finished, "colophonctl did not exit");
        QCOMPARE(created.exitStatus, QProcess::NormalExit);
        QVERIFY2(created.exitCode == 0, created.describe().constData());
        VERIFY_NO_ISSUE(userIssue(created.json(), {QStringLiteral("stdin@x.org"),
                                                   QStringLiteral("C"), QStringLiteral("D")}));
        QVERIFY2(!created.out.contains(password.toUtf8()) &&
                     !created.err.contains(password.toUtf8()),
                 created.describe().constData());

        ServerProcess server;
        QVERIFY(startServer(server, {}, {QStringLiteral("--data"), data}));
        const TokenPair pair = login(server.port(), QStringLiteral("stdin@x.org"), password);
        VERIFY_NO_ISSUE(tokenPairIssue(pair));
        VERIFY_NO_ISSUE(statusIssue(authGet(server.port(), "/api/v1/me", pair.access), 200));
        VERIFY_NO_ISSUE(logLeak(server));
    }

    void ctlUserCreateCommandLineMistakesAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments"); // after `user create`; PASSWORD_FILE replaced
        QTest::newRow("no --email")
            << QStringList{QStringLiteral("--role"),          QStringLiteral("admin"),
                           QStringLiteral("--first-name"),    QStringLiteral("A"),
                           QStringLiteral("--last-name"),     QStringLiteral("B"),
                           QStringLiteral("--password-file"), QStringLiteral("PASSWORD_FILE")};
        QTest::newRow("password on the command line")
            << QStringList{QStringLiteral("--email"),      QStringLiteral("argv@x.org"),
                           QStringLiteral("--role"),       QStringLiteral("admin"),
                           QStringLiteral("--first-name"), QStringLiteral("A"),
                           QStringLiteral("--last-name"),  QStringLiteral("B"),
                           QStringLiteral("--password"),   QStringLiteral("PASSWORD")};
    }

    void ctlUserCreateCommandLineMistakesAreUsageErrors()
    {
        QFETCH(QStringList, arguments);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const CtlRun migrated =
            runCtl({QStringLiteral("--data"), data, QStringLiteral("migrate")}, dir.path());
        QVERIFY2(migrated.finished && migrated.exitCode == 0, migrated.describe().constData());
        const QString password = randomPassword();
        const QString file = dir.filePath(QStringLiteral("password.txt"));
        QVERIFY(writeFile(file, password.toUtf8()));
        arguments.replaceInStrings(QStringLiteral("PASSWORD_FILE"), file);
        arguments.replaceInStrings(QRegularExpression(QStringLiteral("^PASSWORD$")), password);

        const CtlRun run = runCtl(QStringList{QStringLiteral("--data"), data,
                                              QStringLiteral("user"), QStringLiteral("create")} +
                                      arguments,
                                  dir.path());
        QVERIFY2(run.finished, "colophonctl did not exit");
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QVERIFY2(run.exitCode == 2, run.describe().constData());
        QVERIFY2(!run.err.trimmed().isEmpty(), run.describe().constData());
        QVERIFY2(run.out.isEmpty(), run.describe().constData());
        QVERIFY2(!run.err.contains(password.toUtf8()), run.describe().constData());
    }

    void ctlUserCreateRefusesAWeakPassword()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString data = dir.filePath(QStringLiteral("data"));
        const CtlRun migrated =
            runCtl({QStringLiteral("--data"), data, QStringLiteral("migrate")}, dir.path());
        QVERIFY2(migrated.finished && migrated.exitCode == 0, migrated.describe().constData());
        const QString file = dir.filePath(QStringLiteral("password.txt"));
        QVERIFY(writeFile(file, "password123"));
        const QStringList create{QStringLiteral("--data"),
                                 data,
                                 QStringLiteral("user"),
                                 QStringLiteral("create"),
                                 QStringLiteral("--email"),
                                 QStringLiteral("weak@x.org"),
                                 QStringLiteral("--role"),
                                 QStringLiteral("admin"),
                                 QStringLiteral("--first-name"),
                                 QStringLiteral("A"),
                                 QStringLiteral("--last-name"),
                                 QStringLiteral("B"),
                                 QStringLiteral("--password-file"),
                                 file};
        const CtlRun run = runCtl(create, dir.path());
        QVERIFY2(run.finished, "colophonctl did not exit");
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QVERIFY2(run.exitCode == 1, run.describe().constData());
        QVERIFY2(!run.err.trimmed().isEmpty(), run.describe().constData());
        QVERIFY2(run.out.isEmpty(), run.describe().constData());

        // Nothing was created: the same email with a good password goes through.
        const QString password = randomPassword();
        remember(password);
        QVERIFY(writeFile(file, password.toUtf8()));
        const CtlRun retry = runCtl(create, dir.path());
        QVERIFY2(retry.finished && retry.exitCode == 0, retry.describe().constData());
    }

    // --- Secrets ---------------------------------------------------------------------------

    void logsNeverShowPasswordsOrRefreshTokens()
    {
        ServerProcess server;
        QVERIFY(startServer(server, {}, {QStringLiteral("--log-level"), QStringLiteral("debug")}));
        const quint16 port = server.port();
        Account account;
        QVERIFY(createAccount(port, account));
        VERIFY_NO_ISSUE(problemIssue(registerUser(port, account.email, randomPassword()), 409));
        VERIFY_NO_ISSUE(problemIssue(
            login(port, account.email, account.password + QStringLiteral("-wrong")).reply, 401));
        const TokenPair first = login(port, account);
        VERIFY_NO_ISSUE(tokenPairIssue(first));
        const TokenPair second = refresh(port, first.refresh);
        VERIFY_NO_ISSUE(tokenPairIssue(second));
        VERIFY_NO_ISSUE(problemIssue(refresh(port, first.refresh).reply, 401)); // replay
        const TokenPair third = login(port, account);
        VERIFY_NO_ISSUE(tokenPairIssue(third));
        const QString newPassword = randomPassword();
        remember(newPassword);
        VERIFY_NO_ISSUE(
            statusIssue(call(port, "POST", "/api/v1/me/password",
                             compact({{QStringLiteral("currentPassword"), account.password},
                                      {QStringLiteral("newPassword"), newPassword}}),
                             third.access),
                        204));
        const TokenPair fourth = login(port, account.email, newPassword);
        VERIFY_NO_ISSUE(tokenPairIssue(fourth));
        VERIFY_NO_ISSUE(statusIssue(authGet(port, "/api/v1/me/sessions", fourth.access), 200));
        VERIFY_NO_ISSUE(
            statusIssue(call(port, "POST", "/api/v1/auth/logout", {}, fourth.access), 204));

        QVERIFY2(server.signalAndWait(SIGTERM, kExitTimeoutMs), qPrintable(server.diagnostics()));
        QVERIFY2(server.stdoutLines().size() > 5, server.stdoutText().constData());
        VERIFY_NO_ISSUE(logLeak(server));
    }
};

QTEST_GUILESS_MAIN(TestUserApi)
#include "tst_userapi.moc"
