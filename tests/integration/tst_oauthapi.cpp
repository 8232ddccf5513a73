// SPDX-License-Identifier: MIT
// The OAuth 2.0 endpoints for the native clients (authorization code with
// PKCE S256, loopback redirects, the sign-in page and its MFA step, the token
// endpoint) over a real colophon-server on loopback.
#include "backend/auth/totp.h"
#include "tests/support/apitest.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>
#include <csignal>
#include <memory>
#include <utility>

using colophon::Totp;
using colophon::test::ApiClient;
using colophon::test::apiTestEnv;
using colophon::test::describe;
using colophon::test::HttpHeaders;
using colophon::test::HttpReply;
using colophon::test::jsonOf;
using colophon::test::randomPassword;
using colophon::test::ServerProcess;
using colophon::test::statusIssue;

namespace {

constexpr int kStartTimeoutMs = 30000;
constexpr int kExitTimeoutMs = 30000;
const QString kClient = QStringLiteral("colophon-console");
const QString kRedirect = QStringLiteral("http://127.0.0.1:53682/callback");
const QString kPagePolicy =
    QStringLiteral("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
const QString kHostileState = QStringLiteral("\"><script>alert(1)</script>&'x=1+2");

using Fields = QList<QPair<QString, QString>>;

QByteArray formBody(const Fields &fields)
{
    QByteArray out;
    for (const auto &[name, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

Fields with(Fields fields, const QString &name, const QString &value)
{
    for (auto &field : fields) {
        if (field.first == name) {
            field.second = value;
            return fields;
        }
    }
    fields.append({name, value});
    return fields;
}

Fields without(Fields fields, const QString &name)
{
    fields.removeIf([&](const QPair<QString, QString> &f) { return f.first == name; });
    return fields;
}

struct Pkce
{
    QString verifier;
    QString challenge;
};

// A fresh verifier (64 characters) and its S256 challenge, made as a client makes them.
Pkce newPkce()
{
    QByteArray random(48, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                          random.size() / 4);
    const QByteArray verifier =
        random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray challenge =
        QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return {QString::fromLatin1(verifier), QString::fromLatin1(challenge)};
}

// The parameters of an authorization request, as the client's browser carries them.
Fields requestFields(const Pkce &pkce, const QString &state = QStringLiteral("st-1"))
{
    return {{QStringLiteral("response_type"), QStringLiteral("code")},
            {QStringLiteral("client_id"), kClient},
            {QStringLiteral("redirect_uri"), kRedirect},
            {QStringLiteral("code_challenge"), pkce.challenge},
            {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
            {QStringLiteral("state"), state}};
}

// The decoded query of a redirect's Location.
QUrlQuery locationQuery(const HttpReply &reply)
{
    return QUrlQuery(QUrl(QString::fromUtf8(reply.header("Location"))).query(QUrl::FullyEncoded));
}

QString queryValue(const HttpReply &reply, const QString &name)
{
    return locationQuery(reply).queryItemValue(name, QUrl::FullyDecoded);
}

QString str(const HttpReply &reply, const char *key)
{
    return jsonOf(reply).value(QLatin1String(key)).toString();
}

// The TOTP code `stepsAhead` time steps from now (the server accepts ±1 step).
QString totpCode(const QByteArray &secret, int stepsAhead = 0)
{
    return Totp::code(secret, QDateTime::currentSecsSinceEpoch() + 30 * stepsAhead);
}

// What is wrong with an RFC 6749 §5.2 error answer, or an empty string.
QString oauthErrorIssue(const HttpReply &reply, int status, const QString &error)
{
    QStringList issues;
    if (reply.status != status)
        issues << QStringLiteral("status %1, not %2").arg(reply.status).arg(status);
    if (str(reply, "error") != error)
        issues << QStringLiteral("error is not %1").arg(error);
    if (str(reply, "error_description").isEmpty())
        issues << QStringLiteral("no error_description");
    if (reply.header("Cache-Control") != "no-store")
        issues << QStringLiteral("no Cache-Control: no-store");
    return issues.isEmpty() ? QString()
                            : issues.join(QLatin1String("; ")) + u'\n' + describe(reply);
}

// What is wrong with an HTML page of the sign-in endpoint, or an empty string.
QString pageIssue(const HttpReply &reply, int status)
{
    QStringList issues;
    if (reply.status != status)
        issues << QStringLiteral("status %1, not %2").arg(reply.status).arg(status);
    if (!reply.header("Content-Type").startsWith("text/html"))
        issues << QStringLiteral("not text/html");
    if (!QString::fromUtf8(reply.header("Content-Security-Policy")).startsWith(kPagePolicy))
        issues << QStringLiteral("Content-Security-Policy is not strict");
    if (reply.header("X-Frame-Options") != "DENY")
        issues << QStringLiteral("no X-Frame-Options: DENY");
    if (reply.header("Cache-Control") != "no-store")
        issues << QStringLiteral("no Cache-Control: no-store");
    if (reply.hasHeader("Location"))
        issues << QStringLiteral("a Location header");
    return issues.isEmpty() ? QString()
                            : issues.join(QLatin1String("; ")) + u'\n' + describe(reply);
}

} // namespace

class TestOAuthApi final : public QObject
{
    Q_OBJECT

    struct Account
    {
        QString email;
        QString password;
    };

    std::optional<Account> newAccount()
    {
        Account a{QStringLiteral("oauth%1@example.org").arg(++m_accounts), randomPassword()};
        if (!m_api->registerUser(a.email, a.password))
            return std::nullopt;
        return a;
    }

    // Sends a form like a browser or a client does; remembers what leaked in the answer.
    HttpReply postForm(const QByteArray &path, const Fields &fields, HttpHeaders headers = {})
    {
        headers.append(
            qMakePair(QByteArray("Content-Type"), QByteArray("application/x-www-form-urlencoded")));
        const HttpReply reply =
            colophon::test::httpRequest(m_server->port(), "POST", path, headers, formBody(fields));
        if (const QString leak = m_api->leakIn(reply.body); !leak.isEmpty())
            m_leaks << QString::fromUtf8(path) + QStringLiteral(": ") + leak;
        return reply;
    }

    HttpReply authorizePage(const Fields &fields)
    {
        return m_api->get("/oauth/authorize?" + formBody(fields));
    }

    HttpReply signInForm(const Account &a, const Fields &request, HttpHeaders headers = {})
    {
        return postForm("/oauth/authorize",
                        request + Fields{{QStringLiteral("email"), a.email},
                                         {QStringLiteral("password"), a.password}},
                        std::move(headers));
    }

    // Signs in on the form; the code of the redirect (empty, with a warning, on failure).
    QString codeFor(const Account &a, const Pkce &pkce)
    {
        const HttpReply reply = signInForm(a, requestFields(pkce));
        const QString code = queryValue(reply, QStringLiteral("code"));
        if (reply.status != 302 || code.isEmpty())
            qWarning("no code: %s", qPrintable(describe(reply)));
        m_api->remember(code);
        return code;
    }

    HttpReply exchange(const QString &code, const QString &verifier,
                       const QString &redirect = kRedirect, const QString &client = kClient)
    {
        m_api->remember(verifier);
        const HttpReply reply = postForm(
            "/oauth/token", {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                             {QStringLiteral("code"), code},
                             {QStringLiteral("redirect_uri"), redirect},
                             {QStringLiteral("client_id"), client},
                             {QStringLiteral("code_verifier"), verifier}});
        rememberTokens(reply);
        return reply;
    }

    HttpReply refreshGrant(const QString &refreshToken)
    {
        const HttpReply reply = postForm(
            "/oauth/token", {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                             {QStringLiteral("refresh_token"), refreshToken},
                             {QStringLiteral("client_id"), kClient}});
        rememberTokens(reply);
        return reply;
    }

    void rememberTokens(const HttpReply &reply)
    {
        m_api->remember(str(reply, "access_token"));
        m_api->remember(str(reply, "refresh_token"));
    }

    // Enrols and confirms TOTP through the API; the secret and the recovery codes.
    QByteArray enableTotp(const Account &a, QStringList *codes)
    {
        const QByteArray access = m_api->login(a.email, a.password).access;
        const HttpReply enrolment = m_api->call("POST", "/api/v1/auth/mfa/totp", {}, access);
        const QString base32 = str(enrolment, "secret");
        m_api->remember(base32);
        const QByteArray secret = Totp::fromBase32(base32).value_or(QByteArray());
        const HttpReply confirmed = m_api->post(
            "/api/v1/auth/mfa/totp/confirm", {{QStringLiteral("code"), totpCode(secret)}}, access);
        if (confirmed.status != 200) {
            qWarning("confirm: %s", qPrintable(describe(confirmed)));
            return {};
        }
        for (const QJsonValue &v :
             jsonOf(confirmed).value(QLatin1String("recoveryCodes")).toArray()) {
            m_api->remember(v.toString());
            *codes << v.toString();
        }
        return secret;
    }

    static QString mfaTokenIn(const HttpReply &page)
    {
        static const QRegularExpression field(
            QStringLiteral("name=\"mfaToken\" value=\"([A-Za-z0-9_-]+)\""));
        return field.match(QString::fromUtf8(page.body)).captured(1);
    }

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<ApiClient> m_api;
    QStringList m_leaks;
    int m_accounts = 0;

private slots:
    void initTestCase()
    {
        m_server = std::make_unique<ServerProcess>();
        // Every request comes from 127.0.0.1: generous limits on failed
        // sign-ins. Codes live 10 s, so one can be seen to expire.
        const bool started = m_server->start(
            {},
            apiTestEnv(
                {{QStringLiteral("COLOPHON_AUTH_LOCKOUT_ADDRESS_FAILURES"), QStringLiteral("1000")},
                 {QStringLiteral("COLOPHON_AUTH_OAUTH_CODE_SECONDS"), QStringLiteral("10")}}),
            kStartTimeoutMs);
        QVERIFY2(started, qPrintable(m_server->diagnostics()));
        m_api = std::make_unique<ApiClient>(m_server->port());
    }

    void cleanup()
    {
        const QStringList leaks = std::exchange(m_leaks, {});
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char('\n'))));
        QVERIFY2(m_api->bodyLeaks().isEmpty(),
                 qPrintable(m_api->bodyLeaks().join(QLatin1Char('\n'))));
    }

    void cleanupTestCase()
    {
        if (!m_server)
            return;
        QVERIFY2(m_server->signalAndWait(SIGTERM, kExitTimeoutMs),
                 qPrintable(m_server->diagnostics()));
        // No password, code, verifier, MFA secret or token in any log line.
        VERIFY_NO_ISSUE(m_api->leakIn(m_server->stdoutText()));
    }

    void theAuthorizePageIsASelfContainedFormThatEscapesWhatItEchoes()
    {
        const Pkce pkce = newPkce();
        const HttpReply page = authorizePage(requestFields(pkce, kHostileState));
        VERIFY_NO_ISSUE(pageIssue(page, 200));
        // The redirect's origin may answer the form: browsers hold redirects to form-action.
        QVERIFY(page.header("Content-Security-Policy").endsWith(" http://127.0.0.1:53682"));
        const QByteArray body = page.body;
        QVERIFY(body.contains("<form method=\"post\" action=\"/oauth/authorize\">"));
        QVERIFY(body.contains("name=\"password\" type=\"password\""));
        QVERIFY(!body.contains("<script"));
        QVERIFY2(body.contains("name=\"state\" value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/"
                               "script&gt;&amp;&#39;x=1+2\""),
                 body.constData());
        QVERIFY(body.contains("name=\"code_challenge\" value=\"" + pkce.challenge.toLatin1()));
        for (const char *external : {"src=", "<link", "@import", "url(", "https://"})
            QVERIFY2(!body.contains(external), external);
    }

    void theCodeFlowWithPkceGivesTokensEveryApiAccepts()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Pkce pkce = newPkce();
        const HttpReply redirect = signInForm(*a, requestFields(pkce, kHostileState));
        VERIFY_NO_ISSUE(statusIssue(redirect, 302));
        QVERIFY(redirect.header("Location").startsWith(kRedirect.toUtf8() + "?code="));
        QCOMPARE(redirect.header("Cache-Control"), QByteArray("no-store"));
        QCOMPARE(queryValue(redirect, QStringLiteral("state")), kHostileState);
        const QString code = queryValue(redirect, QStringLiteral("code"));
        m_api->remember(code);
        QVERIFY(code.size() >= 22); // ≥ 128 bits of base64url

        const HttpReply tokens = exchange(code, pkce.verifier);
        VERIFY_NO_ISSUE(statusIssue(tokens, 200));
        QCOMPARE(tokens.header("Cache-Control"), QByteArray("no-store"));
        QCOMPARE(str(tokens, "token_type"), QStringLiteral("Bearer"));
        QVERIFY(jsonOf(tokens).value(QLatin1String("expires_in")).toInt() > 0);
        QVERIFY(!str(tokens, "refresh_token").isEmpty());
        const QByteArray access = str(tokens, "access_token").toUtf8();
        const HttpReply me = m_api->get("/api/v1/me", access);
        VERIFY_NO_ISSUE(statusIssue(me, 200));
        QCOMPARE(str(me, "email"), a->email);
        // One session: the one the code started, and no other left behind by the page.
        QCOMPARE(jsonOf(m_api->get("/api/v1/me/sessions", access))
                     .value(QLatin1String("items"))
                     .toArray()
                     .size(),
                 1);
    }

    void aReusedCodeIsRefusedAndRevokesTheSessionItGave()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Pkce pkce = newPkce();
        const QString code = codeFor(*a, pkce);
        const HttpReply first = exchange(code, pkce.verifier);
        VERIFY_NO_ISSUE(statusIssue(first, 200));
        const QByteArray access = str(first, "access_token").toUtf8();
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/api/v1/me", access), 200));

        VERIFY_NO_ISSUE(
            oauthErrorIssue(exchange(code, pkce.verifier), 400, QStringLiteral("invalid_grant")));
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/api/v1/me", access), 401));
        VERIFY_NO_ISSUE(oauthErrorIssue(refreshGrant(str(first, "refresh_token")), 400,
                                        QStringLiteral("invalid_grant")));
    }

    void aWrongVerifierIsRefusedAndUsesTheCodeUp()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Pkce pkce = newPkce();
        const QString code = codeFor(*a, pkce);
        // Malformed: refused before the code is looked at.
        VERIFY_NO_ISSUE(oauthErrorIssue(exchange(code, QStringLiteral("short")), 400,
                                        QStringLiteral("invalid_request")));
        VERIFY_NO_ISSUE(oauthErrorIssue(exchange(code, QString(43, u'a') + u'!'), 400,
                                        QStringLiteral("invalid_request")));
        VERIFY_NO_ISSUE(oauthErrorIssue(exchange(code, newPkce().verifier), 400,
                                        QStringLiteral("invalid_grant")));
        VERIFY_NO_ISSUE(
            oauthErrorIssue(exchange(code, pkce.verifier), 400, QStringLiteral("invalid_grant")));
    }

    void aCodeIsBoundToItsRedirectUriAndClient()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Pkce pkce = newPkce();
        VERIFY_NO_ISSUE(oauthErrorIssue(exchange(codeFor(*a, pkce), pkce.verifier,
                                                 QStringLiteral("http://127.0.0.1:53683/callback")),
                                        400, QStringLiteral("invalid_grant")));
        const QString code = codeFor(*a, pkce);
        VERIFY_NO_ISSUE(
            oauthErrorIssue(exchange(code, pkce.verifier, kRedirect, QStringLiteral("nobody")), 401,
                            QStringLiteral("invalid_client")));
        VERIFY_NO_ISSUE(
            oauthErrorIssue(exchange(code, pkce.verifier, kRedirect, QStringLiteral("colophonctl")),
                            400, QStringLiteral("invalid_grant")));
    }

    void anExpiredCodeIsRefused()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Pkce pkce = newPkce();
        const QString code = codeFor(*a, pkce);
        QVERIFY(!code.isEmpty());
        QTest::qWait(11000); // the server's codes live 10 s (initTestCase)
        VERIFY_NO_ISSUE(
            oauthErrorIssue(exchange(code, pkce.verifier), 400, QStringLiteral("invalid_grant")));
    }

    void anAccountWithMfaAnswersTheCodeStepThenRedirects()
    {
        auto a = newAccount();
        QVERIFY(a);
        QStringList recovery;
        const QByteArray secret = enableTotp(*a, &recovery);
        QVERIFY(!secret.isEmpty());
        const Pkce pkce = newPkce();
        const Fields request = requestFields(pkce);

        const HttpReply step = signInForm(*a, request);
        VERIFY_NO_ISSUE(pageIssue(step, 200));
        const QString mfaToken = mfaTokenIn(step);
        QVERIFY2(!mfaToken.isEmpty(), step.body.constData());
        QVERIFY(step.body.contains("name=\"code\""));
        QVERIFY(step.body.contains("name=\"code_challenge\" value=\"" + pkce.challenge.toLatin1()));

        const Fields codeStep = request + Fields{{QStringLiteral("mfaToken"), mfaToken}};
        const HttpReply wrong = postForm(
            "/oauth/authorize", codeStep + Fields{{QStringLiteral("code"), QStringLiteral("000")}});
        VERIFY_NO_ISSUE(pageIssue(wrong, 200));
        QVERIFY(wrong.body.contains("That code is wrong"));
        QCOMPARE(mfaTokenIn(wrong), mfaToken);

        const HttpReply redirect = postForm(
            "/oauth/authorize", codeStep + Fields{{QStringLiteral("code"), totpCode(secret, 1)}});
        VERIFY_NO_ISSUE(statusIssue(redirect, 302));
        const QString code = queryValue(redirect, QStringLiteral("code"));
        m_api->remember(code);
        m_api->remember(mfaToken); // the code pages carry it; the log must not
        const HttpReply tokens = exchange(code, pkce.verifier);
        VERIFY_NO_ISSUE(statusIssue(tokens, 200));
        VERIFY_NO_ISSUE(
            statusIssue(m_api->get("/api/v1/me", str(tokens, "access_token").toUtf8()), 200));

        // A recovery code does instead.
        const QString second = mfaTokenIn(signInForm(*a, request));
        const HttpReply recovered = postForm(
            "/oauth/authorize", request + Fields{{QStringLiteral("mfaToken"), second},
                                                 {QStringLiteral("code"), recovery.first()}});
        VERIFY_NO_ISSUE(statusIssue(recovered, 302));
        QVERIFY(!queryValue(recovered, QStringLiteral("code")).isEmpty());
        m_api->remember(queryValue(recovered, QStringLiteral("code")));
        m_api->remember(second);
    }

    void aWrongPasswordShowsTheFormAgainWithWordsThatNameNoAccount()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Fields request = requestFields(newPkce());
        const QString tried = QStringLiteral("Wrong-pw-%1").arg(m_accounts);
        m_api->remember(tried);
        const HttpReply wrong = signInForm(Account{a->email, tried}, request);
        const HttpReply unknown =
            signInForm(Account{QStringLiteral("nobody@example.org"), tried}, request);
        for (const HttpReply *page : {&wrong, &unknown}) {
            VERIFY_NO_ISSUE(pageIssue(*page, 200));
            QVERIFY(page->body.contains("The email or password is wrong."));
        }
        // The pages differ only in the email they give back.
        QByteArray first = wrong.body;
        QByteArray second = unknown.body;
        QCOMPARE(first.replace(a->email.toUtf8(), "E"),
                 second.replace(QByteArrayLiteral("nobody@example.org"), "E"));
    }

    void aClientOrRedirectThatCannotBeTrustedGetsAnErrorPage_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value"); // empty: left out
        const QString redirect = QStringLiteral("redirect_uri");
        QTest::newRow("no redirect_uri") << redirect << QString();
        QTest::newRow("localhost") << redirect << QStringLiteral("http://localhost:53682/cb");
        QTest::newRow("https") << redirect << QStringLiteral("https://127.0.0.1:53682/cb");
        QTest::newRow("another host") << redirect << QStringLiteral("http://example.org:53682/cb");
        QTest::newRow("fragment") << redirect << QStringLiteral("http://127.0.0.1:53682/cb#x");
        QTest::newRow("userinfo") << redirect << QStringLiteral("http://u@127.0.0.1:53682/cb");
        QTest::newRow("no port") << redirect << QStringLiteral("http://127.0.0.1/cb");
        QTest::newRow("port as userinfo")
            << redirect << QStringLiteral("http://127.0.0.1:53682@example.org/cb");
        QTest::newRow("no client_id") << QStringLiteral("client_id") << QString();
        QTest::newRow("unknown client_id")
            << QStringLiteral("client_id") << QStringLiteral("someone-else");
    }

    void aClientOrRedirectThatCannotBeTrustedGetsAnErrorPage()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        const Fields base = requestFields(newPkce());
        const Fields request = value.isEmpty() ? without(base, field) : with(base, field, value);
        const HttpReply page = authorizePage(request);
        VERIFY_NO_ISSUE(pageIssue(page, 400));
        QVERIFY(page.body.contains("This sign-in cannot go on"));
    }

    void otherErrorsGoBackToTheClientWithTheState_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value"); // empty: left out
        QTest::addColumn<QString>("error");
        const QString invalid = QStringLiteral("invalid_request");
        QTest::newRow("token response")
            << QStringLiteral("response_type") << QStringLiteral("token")
            << QStringLiteral("unsupported_response_type");
        QTest::newRow("no response_type")
            << QStringLiteral("response_type") << QString() << invalid;
        QTest::newRow("no code_challenge")
            << QStringLiteral("code_challenge") << QString() << invalid;
        QTest::newRow("plain method")
            << QStringLiteral("code_challenge_method") << QStringLiteral("plain") << invalid;
        QTest::newRow("no method (plain)")
            << QStringLiteral("code_challenge_method") << QString() << invalid;
        QTest::newRow("short challenge")
            << QStringLiteral("code_challenge") << QStringLiteral("abc") << invalid;
    }

    void otherErrorsGoBackToTheClientWithTheState()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, error);
        const Fields base = requestFields(newPkce(), kHostileState);
        const HttpReply reply =
            authorizePage(value.isEmpty() ? without(base, field) : with(base, field, value));
        VERIFY_NO_ISSUE(statusIssue(reply, 302));
        QVERIFY(reply.header("Location").startsWith(kRedirect.toUtf8() + '?'));
        QCOMPARE(queryValue(reply, QStringLiteral("error")), error);
        QCOMPARE(queryValue(reply, QStringLiteral("state")), kHostileState);
        QVERIFY(queryValue(reply, QStringLiteral("code")).isEmpty());
    }

    void theRefreshGrantRotatesTheRefreshToken()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Pkce pkce = newPkce();
        const HttpReply first = exchange(codeFor(*a, pkce), pkce.verifier);
        VERIFY_NO_ISSUE(statusIssue(first, 200));
        const HttpReply rotated = refreshGrant(str(first, "refresh_token"));
        VERIFY_NO_ISSUE(statusIssue(rotated, 200));
        QCOMPARE(str(rotated, "token_type"), QStringLiteral("Bearer"));
        QVERIFY(str(rotated, "refresh_token") != str(first, "refresh_token"));
        const QByteArray access = str(rotated, "access_token").toUtf8();
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/api/v1/me", access), 200));
        // The old one again: refused, and (as on /api/v1/auth/refresh) the session ends.
        VERIFY_NO_ISSUE(oauthErrorIssue(refreshGrant(str(first, "refresh_token")), 400,
                                        QStringLiteral("invalid_grant")));
        VERIFY_NO_ISSUE(statusIssue(m_api->get("/api/v1/me", access), 401));
    }

    void theTokenEndpointAnswersOAuthErrors()
    {
        const Pkce pkce = newPkce();
        const Fields grant{{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                           {QStringLiteral("code"), QStringLiteral("no-such-code")},
                           {QStringLiteral("redirect_uri"), kRedirect},
                           {QStringLiteral("client_id"), kClient},
                           {QStringLiteral("code_verifier"), pkce.verifier}};
        VERIFY_NO_ISSUE(
            oauthErrorIssue(postForm("/oauth/token", grant), 400, QStringLiteral("invalid_grant")));
        VERIFY_NO_ISSUE(
            oauthErrorIssue(postForm("/oauth/token", without(grant, QStringLiteral("grant_type"))),
                            400, QStringLiteral("invalid_request")));
        VERIFY_NO_ISSUE(
            oauthErrorIssue(postForm("/oauth/token", with(grant, QStringLiteral("grant_type"),
                                                          QStringLiteral("password"))),
                            400, QStringLiteral("unsupported_grant_type")));
        VERIFY_NO_ISSUE(oauthErrorIssue(
            postForm("/oauth/token", without(grant, QStringLiteral("code_verifier"))), 400,
            QStringLiteral("invalid_request")));
        VERIFY_NO_ISSUE(oauthErrorIssue(
            postForm("/oauth/token", grant + Fields{{QStringLiteral("code"), QStringLiteral("x")}}),
            400, QStringLiteral("invalid_request")));
        VERIFY_NO_ISSUE(oauthErrorIssue(
            m_api->post("/oauth/token",
                        {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")}}),
            400, QStringLiteral("invalid_request")));
    }

    void theFormWorksOnlyFromItsOwnPageAndOnlyForATrustedRedirect()
    {
        auto a = newAccount();
        QVERIFY(a);
        const Fields request = requestFields(newPkce());
        VERIFY_NO_ISSUE(
            pageIssue(signInForm(*a, request, {{"Sec-Fetch-Site", "cross-site"}}), 403));
        VERIFY_NO_ISSUE(
            pageIssue(signInForm(*a, request, {{"Origin", "http://attacker.example"}}), 403));
        VERIFY_NO_ISSUE(
            pageIssue(signInForm(*a, with(request, QStringLiteral("redirect_uri"),
                                          QStringLiteral("http://attacker.example:53682/cb"))),
                      400));
        // From the page itself, to the IPv6 loopback.
        const QString v6 = QStringLiteral("http://[::1]:53682/callback");
        const HttpReply redirect =
            signInForm(*a, with(request, QStringLiteral("redirect_uri"), v6),
                       {{"Sec-Fetch-Site", "same-origin"},
                        {"Origin", "http://127.0.0.1:" + QByteArray::number(m_server->port())}});
        VERIFY_NO_ISSUE(statusIssue(redirect, 302));
        QVERIFY(redirect.header("Location").startsWith(v6.toUtf8() + "?code="));
        m_api->remember(queryValue(redirect, QStringLiteral("code")));
    }
};

QTEST_GUILESS_MAIN(TestOAuthApi)
#include "tst_oauthapi.moc"
