// SPDX-License-Identifier: MIT
// Two-factor sign-in, the limits on failed sign-ins, the admins' user
// management and the data export, over a real colophon-server on loopback.
#include "backend/auth/totp.h"
#include "tests/support/apitest.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUuid>
#include <csignal>
#include <memory>

using colophon::Totp;
using colophon::test::ApiClient;
using colophon::test::apiTestEnv;
using colophon::test::compact;
using colophon::test::describe;
using colophon::test::Env;
using colophon::test::HttpReply;
using colophon::test::jsonOf;
using colophon::test::problemIssue;
using colophon::test::randomPassword;
using colophon::test::ServerProcess;
using colophon::test::statusIssue;
using colophon::test::unauthorizedIssue;

namespace {

constexpr int kStartTimeoutMs = 30000;
constexpr int kExitTimeoutMs = 30000;
const QString kAdminEmail = QStringLiteral("admin@example.com");

QString str(const HttpReply &reply, const char *key)
{
    return jsonOf(reply).value(QLatin1String(key)).toString();
}

// The TOTP code `stepsAhead` time steps from now (the server accepts ±1 step).
QString totpCode(const QByteArray &secret, int stepsAhead = 0)
{
    return Totp::code(secret, QDateTime::currentSecsSinceEpoch() + 30 * stepsAhead);
}

// A six-digit code that is none of the codes the server accepts now.
QString wrongCode(const QByteArray &secret)
{
    for (int n = 100000;; n += 111111) {
        const QString c = QString::number(n);
        if (c != totpCode(secret, -1) && c != totpCode(secret) && c != totpCode(secret, 1))
            return c;
    }
}

} // namespace

class TestAuthApi final : public QObject
{
    Q_OBJECT

    struct Account
    {
        QString email;
        QString password;
        QByteArray access;
        QString id;
    };

    bool startServer(ServerProcess &server, const Env &extra = {},
                     const QStringList &arguments = {})
    {
        if (server.start(arguments, apiTestEnv(extra), kStartTimeoutMs))
            return true;
        qWarning("server did not start: %s", qPrintable(server.diagnostics()));
        return false;
    }

    // A registered and signed-in consumer with a fresh email.
    std::optional<Account> newAccount(ApiClient &api)
    {
        Account a{
            QStringLiteral("person%1@example.org").arg(++m_accounts), randomPassword(), {}, {}};
        if (!api.registerUser(a.email, a.password))
            return std::nullopt;
        a.access = api.login(a.email, a.password).access;
        a.id = str(api.get("/api/v1/me", a.access), "id");
        if (a.access.isEmpty() || a.id.isEmpty())
            return std::nullopt;
        return a;
    }

    // Enrols and confirms TOTP; the secret, and the recovery codes in `codes`.
    QByteArray enableTotp(const Account &a, QStringList *codes = nullptr)
    {
        const HttpReply enrolment = m_api->call("POST", "/api/v1/auth/mfa/totp", {}, a.access);
        if (enrolment.status != 200) {
            qWarning("enrol: %s", qPrintable(describe(enrolment)));
            return {};
        }
        const QString base32 = str(enrolment, "secret");
        m_api->remember(base32);
        const QByteArray secret = Totp::fromBase32(base32).value_or(QByteArray());
        const HttpReply confirmed =
            m_api->post("/api/v1/auth/mfa/totp/confirm",
                        {{QStringLiteral("code"), totpCode(secret)}}, a.access);
        if (confirmed.status != 200) {
            qWarning("confirm: %s", qPrintable(describe(confirmed)));
            return {};
        }
        const QJsonArray list = jsonOf(confirmed).value(QLatin1String("recoveryCodes")).toArray();
        for (const QJsonValue &v : list) {
            m_api->remember(v.toString());
            if (codes)
                *codes << v.toString();
        }
        return secret;
    }

    HttpReply passwordStep(const Account &a)
    {
        return m_api->post("/api/v1/auth/login", {{QStringLiteral("email"), a.email},
                                                  {QStringLiteral("password"), a.password}});
    }

    HttpReply verify(const QString &mfaToken, const QString &code)
    {
        m_api->remember(mfaToken);
        return m_api->post("/api/v1/auth/mfa/verify", {{QStringLiteral("mfaToken"), mfaToken},
                                                       {QStringLiteral("code"), code}});
    }

    HttpReply loginReply(ApiClient &api, const QString &email, const QString &password)
    {
        api.remember(password);
        return api.post("/api/v1/auth/login",
                        {{QStringLiteral("email"), email}, {QStringLiteral("password"), password}});
    }

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<ApiClient> m_api;
    QByteArray m_adminToken;
    int m_accounts = 0;

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<ServerProcess>();
        // Generous failure limits here: every request comes from 127.0.0.1. The
        // limits themselves are proved on servers of their own below.
        QVERIFY(startServer(
            *m_server,
            {{QStringLiteral("COLOPHON_AUTH_LOCKOUT_ADDRESS_FAILURES"), QStringLiteral("1000")}},
            {QStringLiteral("--bootstrap-admin"), kAdminEmail, QStringLiteral("--log-level"),
             QStringLiteral("debug")}));
        m_api = std::make_unique<ApiClient>(m_server->port());
        m_adminToken =
            m_api->login(kAdminEmail, colophon::test::bootstrapPassword(*m_server)).access;
        QVERIFY(!m_adminToken.isEmpty());
    }

    void cleanup()
    {
        QVERIFY2(m_api->bodyLeaks().isEmpty(),
                 qPrintable(m_api->bodyLeaks().join(QLatin1Char('\n'))));
    }

    void cleanupTestCase()
    {
        if (!m_server)
            return;
        QVERIFY2(m_server->signalAndWait(SIGTERM, kExitTimeoutMs),
                 qPrintable(m_server->diagnostics()));
        // No password, token, MFA token, TOTP secret or recovery code in any log line.
        VERIFY_NO_ISSUE(m_api->leakIn(m_server->stdoutText()));
    }

    // --- two-factor sign-in ---------------------------------------------------------------

    void enrolmentAnswersTheSecretItsUriAndAQrCode()
    {
        auto a = newAccount(*m_api);
        QVERIFY(a);
        const HttpReply enrolment = m_api->call("POST", "/api/v1/auth/mfa/totp", {}, a->access);
        VERIFY_NO_ISSUE(statusIssue(enrolment, 200));
        m_api->remember(str(enrolment, "secret"));
        QVERIFY(Totp::fromBase32(str(enrolment, "secret")));
        QVERIFY(str(enrolment, "otpauthUri").startsWith(QStringLiteral("otpauth://totp/")));
        QVERIFY(str(enrolment, "qrSvg").contains(QStringLiteral("<svg")));
        QCOMPARE(enrolment.header("Cache-Control"), QByteArray("no-store"));
        const HttpReply status = m_api->get("/api/v1/auth/mfa", a->access);
        QCOMPARE(jsonOf(status).value(QLatin1String("totpPending")).toBool(), true);
        QCOMPARE(jsonOf(status).value(QLatin1String("totpEnabled")).toBool(), false);
    }

    void signInWithTotpTakesTwoStepsAndACodeWorksOnce()
    {
        auto a = newAccount(*m_api);
        QVERIFY(a);
        QStringList codes;
        const QByteArray secret = enableTotp(*a, &codes);
        QVERIFY(!secret.isEmpty());
        QCOMPARE(codes.size(), 10);
        QVERIFY(jsonOf(m_api->get("/api/v1/me", a->access))
                    .value(QLatin1String("mfaEnabled"))
                    .toBool());

        const HttpReply first = passwordStep(*a);
        VERIFY_NO_ISSUE(statusIssue(first, 200));
        QCOMPARE(jsonOf(first).value(QLatin1String("mfaRequired")).toBool(), true);
        QVERIFY(!jsonOf(first).contains(QLatin1String("accessToken")));
        // The next step's code: the confirming step is already used.
        const QString code = totpCode(secret, 1);
        const HttpReply signedIn = verify(str(first, "mfaToken"), code);
        VERIFY_NO_ISSUE(statusIssue(signedIn, 200));
        const QByteArray access = m_api->tokensOf(signedIn).access;
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/api/v1/me", access), 200));

        // The same code again, on a new password step: a replay.
        const HttpReply replay = verify(str(passwordStep(*a), "mfaToken"), code);
        VERIFY_NO_ISSUE(unauthorizedIssue(replay, false));
        // A recovery code instead works, once.
        const HttpReply recovered = verify(str(passwordStep(*a), "mfaToken"), codes.first());
        VERIFY_NO_ISSUE(statusIssue(recovered, 200));
        m_api->tokensOf(recovered);
        VERIFY_NO_ISSUE(
            unauthorizedIssue(verify(str(passwordStep(*a), "mfaToken"), codes.first()), false));
        QCOMPARE(jsonOf(m_api->get("/api/v1/auth/mfa", access))
                     .value(QLatin1String("recoveryCodesLeft"))
                     .toInt(),
                 9);
    }

    void aWrongOrUnknownMfaTokenIsRefused()
    {
        VERIFY_NO_ISSUE(unauthorizedIssue(
            verify(QStringLiteral("not-a-token"), QStringLiteral("123456")), false));
        VERIFY_NO_ISSUE(problemIssue(
            m_api->call("POST", "/api/v1/auth/mfa/verify", "{\"mfaToken\":", {}), 400));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->post("/api/v1/auth/mfa/verify", {{QStringLiteral("mfaToken"), 12}}),
                         422, QStringLiteral("mfaToken")));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->post("/api/v1/auth/mfa/verify",
                                     {{QStringLiteral("mfaToken"), QStringLiteral("x")}}),
                         422, QStringLiteral("code")));
    }

    void confirmingWithAWrongCodeIs422AndDisablingNeedsPasswordAndCode()
    {
        auto a = newAccount(*m_api);
        QVERIFY(a);
        const HttpReply enrolment = m_api->call("POST", "/api/v1/auth/mfa/totp", {}, a->access);
        m_api->remember(str(enrolment, "secret"));
        const QByteArray secret = *Totp::fromBase32(str(enrolment, "secret"));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->post("/api/v1/auth/mfa/totp/confirm",
                                     {{QStringLiteral("code"), wrongCode(secret)}}, a->access),
                         422, QStringLiteral("code")));
        QVERIFY(!enableTotp(*a).isEmpty()); // a fresh enrolment replaces the pending one
        // Already enabled: a new enrolment is a conflict.
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", "/api/v1/auth/mfa/totp", {}, a->access), 409));

        VERIFY_NO_ISSUE(
            problemIssue(m_api->post("/api/v1/auth/mfa/totp/disable",
                                     {{QStringLiteral("password"), QStringLiteral("nope")},
                                      {QStringLiteral("code"), QStringLiteral("000000")}},
                                     a->access),
                         422, QStringLiteral("password")));
        VERIFY_NO_ISSUE(
            unauthorizedIssue(m_api->post("/api/v1/auth/mfa/totp/disable",
                                          {{QStringLiteral("password"), a->password},
                                           {QStringLiteral("code"), QStringLiteral("1")}}),
                              true));
    }

    void anAdminResetsAUsersMfaAndAConsumerMayNot()
    {
        auto a = newAccount(*m_api);
        auto other = newAccount(*m_api);
        QVERIFY(a && other);
        QVERIFY(!enableTotp(*a).isEmpty());
        const QByteArray path = "/api/v1/users/" + a->id.toUtf8() + "/mfa";
        VERIFY_NO_ISSUE(problemIssue(m_api->call("DELETE", path, {}, other->access), 403));
        VERIFY_NO_ISSUE(statusIssue(m_api->call("DELETE", path, {}, m_adminToken), 204));
        const HttpReply plain = passwordStep(*a);
        VERIFY_NO_ISSUE(statusIssue(plain, 200));
        QVERIFY(jsonOf(plain).contains(QLatin1String("accessToken")));
        m_api->tokensOf(plain);
    }

    // --- limits on failed sign-ins --------------------------------------------------------

    void anAccountLocksAfterTheConfiguredFailuresAndOpensAgain()
    {
        ServerProcess server;
        QVERIFY(startServer(
            server,
            {{QStringLiteral("COLOPHON_AUTH_LOCKOUT_ACCOUNT_FAILURES"), QStringLiteral("3")},
             {QStringLiteral("COLOPHON_AUTH_LOCKOUT_BASE_SECONDS"), QStringLiteral("2")}}));
        ApiClient api(server.port());
        const QString email = QStringLiteral("locked@example.org");
        const QString password = randomPassword();
        QVERIFY(api.registerUser(email, password));
        for (int i = 0; i < 3; ++i) {
            VERIFY_NO_ISSUE(
                unauthorizedIssue(loginReply(api, email, QStringLiteral("wrong-1234")), false));
            VERIFY_NO_ISSUE(unauthorizedIssue(
                loginReply(api, QStringLiteral("nobody@example.org"), QStringLiteral("wrong-1234")),
                false));
        }
        // Now even the right password waits; an unknown email is locked the same way.
        const HttpReply locked = loginReply(api, email, password);
        VERIFY_NO_ISSUE(problemIssue(locked, 429));
        const int retryAfter = locked.header("Retry-After").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 2, locked.header("Retry-After").constData());
        const HttpReply unknown =
            loginReply(api, QStringLiteral("nobody@example.org"), QStringLiteral("wrong-1234"));
        VERIFY_NO_ISSUE(problemIssue(unknown, 429));
        QVERIFY(unknown.header("Retry-After").toInt() >= 1);

        QTest::qWait(retryAfter * 1000 + 200);
        const HttpReply opened = loginReply(api, email, password);
        VERIFY_NO_ISSUE(statusIssue(opened, 200));
        api.tokensOf(opened);
        QVERIFY(server.signalAndWait(SIGTERM, kExitTimeoutMs));
        VERIFY_NO_ISSUE(api.leakIn(server.stdoutText()));
    }

    void anAddressLocksAfterTheConfiguredFailuresInItsWindow()
    {
        ServerProcess server;
        QVERIFY(startServer(
            server,
            {{QStringLiteral("COLOPHON_AUTH_LOCKOUT_ADDRESS_FAILURES"), QStringLiteral("4")},
             {QStringLiteral("COLOPHON_AUTH_LOCKOUT_WINDOW_SECONDS"), QStringLiteral("3")}}));
        ApiClient api(server.port());
        const QString password = randomPassword();
        QVERIFY(api.registerUser(QStringLiteral("real@example.org"), password));
        for (int i = 0; i < 4; ++i) {
            VERIFY_NO_ISSUE(
                unauthorizedIssue(loginReply(api, QStringLiteral("guess%1@example.org").arg(i),
                                             QStringLiteral("pw-guess-1")),
                                  false));
        }
        const HttpReply locked = loginReply(api, QStringLiteral("real@example.org"), password);
        VERIFY_NO_ISSUE(problemIssue(locked, 429));
        const int retryAfter = locked.header("Retry-After").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 3, locked.header("Retry-After").constData());
        QTest::qWait(retryAfter * 1000 + 200);
        const HttpReply opened = loginReply(api, QStringLiteral("real@example.org"), password);
        VERIFY_NO_ISSUE(statusIssue(opened, 200));
        api.tokensOf(opened);
        QVERIFY(server.signalAndWait(SIGTERM, kExitTimeoutMs));
        VERIFY_NO_ISSUE(api.leakIn(server.stdoutText()));
    }

    // --- admin ----------------------------------------------------------------------------

    void adminEndpointsAreForbiddenToAConsumer()
    {
        auto a = newAccount(*m_api);
        QVERIFY(a);
        const QByteArray user = "/api/v1/users/" + a->id.toUtf8();
        VERIFY_NO_ISSUE(problemIssue(m_api->get("/api/v1/users", a->access), 403));
        VERIFY_NO_ISSUE(problemIssue(m_api->get(user, a->access), 403));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("PATCH", user, R"({"role":"admin"})", a->access), 403));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("DELETE", user, {}, a->access), 403));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("DELETE", user + "/sessions", {}, a->access), 403));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->post("/api/v1/users",
                                     {{QStringLiteral("email"), QStringLiteral("x@example.org")},
                                      {QStringLiteral("password"), randomPassword()},
                                      {QStringLiteral("firstName"), QStringLiteral("X")},
                                      {QStringLiteral("lastName"), QStringLiteral("Y")},
                                      {QStringLiteral("role"), QStringLiteral("admin")}},
                                     a->access),
                         403));
        // Malformed input from a non-admin is still 403: validation tells them nothing.
        VERIFY_NO_ISSUE(problemIssue(m_api->call("POST", "/api/v1/users", "{", a->access), 403));
        VERIFY_NO_ISSUE(problemIssue(m_api->get("/api/v1/users?sort=nope", a->access), 403));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("PATCH", user, R"({"role":"owner"})", a->access), 403));
        QCOMPARE(str(m_api->get("/api/v1/me", a->access), "role"), QStringLiteral("consumer"));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get("/api/v1/users")));
    }

    void adminCreatesListsChangesAndDeletesAUser()
    {
        const QString email = QStringLiteral("editor%1@example.org").arg(++m_accounts);
        const QString password = randomPassword();
        m_api->remember(password);
        const HttpReply created =
            m_api->post("/api/v1/users",
                        {{QStringLiteral("email"), email},
                         {QStringLiteral("password"), password},
                         {QStringLiteral("firstName"), QStringLiteral("Edith")},
                         {QStringLiteral("lastName"), QStringLiteral("Clarke")},
                         {QStringLiteral("role"), QStringLiteral("editor")}},
                        m_adminToken);
        VERIFY_NO_ISSUE(statusIssue(created, 201));
        const QString id = str(created, "id");
        const QByteArray path = "/api/v1/users/" + id.toUtf8();
        QCOMPARE(created.header("Location"), path);
        QCOMPARE(str(created, "role"), QStringLiteral("editor"));
        QByteArray etag = created.header("ETag");
        QVERIFY(!etag.isEmpty());

        const HttpReply listed =
            m_api->get("/api/v1/users?role=editor&q=Edith&sort=-email&limit=5", m_adminToken);
        VERIFY_NO_ISSUE(statusIssue(listed, 200));
        const QJsonObject page = jsonOf(listed);
        QCOMPARE(page.value(QLatin1String("items")).toArray().size(), 1);
        QCOMPARE(page.value(QLatin1String("items"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QLatin1String("email"))
                     .toString(),
                 email);
        QCOMPARE(page.value(QLatin1String("pagination"))
                     .toObject()
                     .value(QLatin1String("totalItems"))
                     .toInt(),
                 1);
        QVERIFY(page.value(QLatin1String("_links")).toObject().contains(QLatin1String("self")));

        const QByteArray userToken = m_api->login(email, password).access;
        QVERIFY(!userToken.isEmpty());

        // A stale If-Match is refused; the current one goes through.
        VERIFY_NO_ISSUE(problemIssue(m_api->call("PATCH", path, R"({"role":"creator"})",
                                                 m_adminToken, {{"If-Match", "\"0\""}}),
                                     412));
        const HttpReply changed =
            m_api->call("PATCH", path, R"({"role":"creator"})", m_adminToken, {{"If-Match", etag}});
        VERIFY_NO_ISSUE(statusIssue(changed, 200));
        QCOMPARE(str(changed, "role"), QStringLiteral("creator"));
        QVERIFY(changed.header("ETag") != etag);
        QCOMPARE(str(m_api->get("/api/v1/me", userToken), "role"), QStringLiteral("creator"));

        // Bad changes name their field and change nothing.
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("PATCH", path, R"({"role":"owner"})", m_adminToken), 422,
                         QStringLiteral("role")));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("PATCH", path, R"({"status":7})", m_adminToken),
                                     422, QStringLiteral("status")));
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("PATCH", path, R"({"passwordHash":"x"})", m_adminToken), 422,
                         QStringLiteral("passwordHash")));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("PATCH", path, R"({"role":)", m_adminToken), 400));

        // Suspending ends the user's sessions at once.
        VERIFY_NO_ISSUE(statusIssue(
            m_api->call("PATCH", path, R"({"status":"suspended"})", m_adminToken), 200));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get("/api/v1/me", userToken)));

        VERIFY_NO_ISSUE(statusIssue(m_api->call("DELETE", path, {}, m_adminToken), 204));
        const HttpReply gone = m_api->get(path, m_adminToken);
        VERIFY_NO_ISSUE(statusIssue(gone, 200));
        QVERIFY(jsonOf(gone).contains(QLatin1String("deletedAt")));
        QVERIFY(!str(gone, "email").contains(QStringLiteral("editor")));
        QCOMPARE(str(gone, "firstName"), QStringLiteral("Deleted"));
        VERIFY_NO_ISSUE(unauthorizedIssue(loginReply(*m_api, email, password), false));
        VERIFY_NO_ISSUE(problemIssue(m_api->call("DELETE", path, {}, m_adminToken), 404));
    }

    void adminCreateValidatesEachField_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        const QByteArray rest = R"("password":"Long-enough-pw-1","firstName":"A","lastName":"B")";
        QTest::newRow("invalid email")
            << (R"({"email":"not-an-email",)" + rest + R"(,"role":"editor"})") << "email";
        QTest::newRow("unknown role")
            << (R"({"email":"v1@example.org",)" + rest + R"(,"role":"owner"})") << "role";
        QTest::newRow("missing role") << (R"({"email":"v2@example.org",)" + rest + "}") << "role";
        QTest::newRow("name too long")
            << (R"({"email":"v3@example.org","password":"Long-enough-pw-1","firstName":")" +
                QByteArray(101, 'a') + R"(","lastName":"B","role":"editor"})")
            << "firstName";
        QTest::newRow("number for a string")
            << QByteArray(
                   R"({"email":"v4@example.org","password":"Long-enough-pw-1","firstName":1,"lastName":"B","role":"editor"})")
            << "firstName";
        QTest::newRow("unknown field")
            << (R"({"email":"v5@example.org",)" + rest + R"(,"role":"editor","id":"x"})") << "id";
    }

    void adminCreateValidatesEachField()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        const int before = jsonOf(m_api->get("/api/v1/users", m_adminToken))
                               .value(QLatin1String("pagination"))
                               .toObject()
                               .value(QLatin1String("totalItems"))
                               .toInt();
        VERIFY_NO_ISSUE(
            problemIssue(m_api->call("POST", "/api/v1/users", body, m_adminToken), 422, field));
        QCOMPARE(jsonOf(m_api->get("/api/v1/users", m_adminToken))
                     .value(QLatin1String("pagination"))
                     .toObject()
                     .value(QLatin1String("totalItems"))
                     .toInt(),
                 before);
    }

    void adminListRejectsBadParameters_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("field");
        QTest::newRow("sort") << QByteArray("sort=password") << "sort";
        QTest::newRow("role") << QByteArray("role=root") << "role";
        QTest::newRow("status") << QByteArray("status=gone") << "status";
        QTest::newRow("limit") << QByteArray("limit=1000") << "limit";
        QTest::newRow("page") << QByteArray("page=0") << "page";
    }

    void adminListRejectsBadParameters()
    {
        QFETCH(QByteArray, query);
        QFETCH(QString, field);
        VERIFY_NO_ISSUE(
            problemIssue(m_api->get("/api/v1/users?" + query, m_adminToken), 422, field));
    }

    void anAdminRevokesAllSessionsOfAUser()
    {
        auto a = newAccount(*m_api);
        QVERIFY(a);
        const QByteArray second = m_api->login(a->email, a->password).access;
        const QByteArray path = "/api/v1/users/" + a->id.toUtf8() + "/sessions";
        QCOMPARE(
            jsonOf(m_api->get(path, m_adminToken)).value(QLatin1String("items")).toArray().size(),
            2);
        const HttpReply revoked = m_api->call("DELETE", path, {}, m_adminToken);
        VERIFY_NO_ISSUE(statusIssue(revoked, 200));
        QCOMPARE(jsonOf(revoked).value(QLatin1String("revoked")).toInt(), 2);
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get("/api/v1/me", a->access)));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get("/api/v1/me", second)));
    }

    void theLastAdminCannotDemoteThemselves()
    {
        const QString id = str(m_api->get("/api/v1/me", m_adminToken), "id");
        VERIFY_NO_ISSUE(problemIssue(m_api->call("PATCH", "/api/v1/users/" + id.toUtf8(),
                                                 R"({"role":"editor"})", m_adminToken),
                                     409));
        QCOMPARE(str(m_api->get("/api/v1/me", m_adminToken), "role"), QStringLiteral("admin"));
    }

    // --- export ---------------------------------------------------------------------------

    void aUserExportsTheirOwnData()
    {
        auto a = newAccount(*m_api);
        QVERIFY(a);
        const HttpReply exported = m_api->get("/api/v1/me/export", a->access);
        VERIFY_NO_ISSUE(statusIssue(exported, 200));
        QVERIFY(exported.header("Content-Disposition").startsWith("attachment"));
        const QJsonObject j = jsonOf(exported);
        QCOMPARE(j.value(QLatin1String("user")).toObject().value(QLatin1String("email")).toString(),
                 a->email);
        QCOMPARE(j.value(QLatin1String("sessions")).toArray().size(), 1);
        QStringList types;
        for (const QJsonValue &e : j.value(QLatin1String("events")).toArray())
            types << e.toObject().value(QLatin1String("type")).toString();
        QCOMPARE(types,
                 (QStringList{QStringLiteral("UserCreated"), QStringLiteral("UserAuthenticated")}));
        VERIFY_NO_ISSUE(m_api->leakIn(exported.body));
        VERIFY_NO_ISSUE(unauthorizedIssue(m_api->get("/api/v1/me/export")));
    }
};

QTEST_GUILESS_MAIN(TestAuthApi)
#include "tst_authapi.moc"
