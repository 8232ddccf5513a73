// SPDX-License-Identifier: MIT
// Proves HS256 signing, every verify() refusal, and the signing-key file rules.
#include "backend/auth/jwt.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QTest>
#include <stdexcept>
#include <sys/stat.h>

using namespace colophon;

namespace {
constexpr qint64 kNow = 1'700'000'000;

QByteArray fixedKey(char fill = 'k')
{
    return QByteArray(32, fill);
}

JwtClaims sampleClaims()
{
    JwtClaims c;
    c.subject = QStringLiteral("0190a4c2-7b1e-7c3d-8e4f-123456789abc");
    c.role = QStringLiteral("editor");
    c.sessionId = QStringLiteral("sess-1");
    c.tokenId = QStringLiteral("tok-1");
    c.issuedAt = kNow;
    c.expiresAt = kNow + 900;
    c.extra = {{"scope", "api"}, {"mfa", true}};
    return c;
}

QString b64url(const QByteArray &raw)
{
    return QString::fromLatin1(
        raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray unb64url(const QString &s)
{
    return QByteArray::fromBase64(s.toLatin1(), QByteArray::Base64UrlEncoding);
}

// Re-signs a hand-made header and payload with key, to test claim checks
// independently of the signature check.
QString forge(const QByteArray &key, const QByteArray &header, const QByteArray &payload)
{
    const QString input = b64url(header) + QLatin1Char('.') + b64url(payload);
    const QByteArray mac =
        QMessageAuthenticationCode::hash(input.toLatin1(), key, QCryptographicHash::Sha256);
    return input + QLatin1Char('.') + b64url(mac);
}

void expectUnauthenticated(const Result<JwtClaims> &r, const QString &token)
{
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Unauthenticated);
    QVERIFY(!r.error().message.isEmpty());
    // Nothing from the token leaks into the message.
    for (const QString &part : token.split(QLatin1Char('.'), Qt::SkipEmptyParts)) {
        if (part.size() >= 4)
            QVERIFY2(!r.error().message.contains(part), qPrintable(r.error().message));
    }
}

QFile::Permissions modeOf(const QString &path)
{
    return QFile::permissions(path);
}
} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private slots:
    void signsAndVerifiesRoundTrip()
    {
        const JwtSigner signer(fixedKey());
        const QString token = signer.sign(sampleClaims());
        QCOMPARE(token.count(QLatin1Char('.')), 2);
        QVERIFY(!token.contains(QLatin1Char('=')));
        const auto claims = signer.verify(token, kNow + 10);
        QVERIFY2(claims, qPrintable(claims ? QString() : claims.error().message));
        QCOMPARE(claims->subject, sampleClaims().subject);
        QCOMPARE(claims->role, QStringLiteral("editor"));
        QCOMPARE(claims->sessionId, QStringLiteral("sess-1"));
        QCOMPARE(claims->tokenId, QStringLiteral("tok-1"));
        QCOMPARE(claims->issuedAt, kNow);
        QCOMPARE(claims->expiresAt, kNow + 900);
        QCOMPARE(claims->extra.dump(), (nlohmann::json{{"scope", "api"}, {"mfa", true}}).dump());
    }

    void headerAndPayloadAreStandard()
    {
        const JwtSigner signer(fixedKey());
        const QStringList parts = signer.sign(sampleClaims()).split(QLatin1Char('.'));
        QCOMPARE(parts.size(), 3);
        const auto header = nlohmann::json::parse(unb64url(parts[0]).toStdString());
        QCOMPARE(header.dump(), std::string(R"({"alg":"HS256","typ":"JWT"})"));
        const auto payload = nlohmann::json::parse(unb64url(parts[1]).toStdString());
        QCOMPARE(payload["sub"].get<std::string>(), sampleClaims().subject.toStdString());
        QCOMPARE(payload["role"].get<std::string>(), std::string("editor"));
        QCOMPARE(payload["sid"].get<std::string>(), std::string("sess-1"));
        QCOMPARE(payload["jti"].get<std::string>(), std::string("tok-1"));
        QCOMPARE(payload["iat"].get<qint64>(), kNow);
        QCOMPARE(payload["exp"].get<qint64>(), kNow + 900);
        QCOMPARE(payload["scope"].get<std::string>(), std::string("api"));
        // Independent HMAC check: the signature is plain HMAC-SHA-256 over "header.payload".
        const QByteArray mac =
            QMessageAuthenticationCode::hash((parts[0] + QLatin1Char('.') + parts[1]).toLatin1(),
                                             fixedKey(), QCryptographicHash::Sha256);
        QCOMPARE(parts[2], b64url(mac));
    }

    void typedClaimsWinOverExtra()
    {
        const JwtSigner signer(fixedKey());
        JwtClaims c = sampleClaims();
        c.extra = {{"sub", "intruder"}, {"exp", 99999999999}, {"custom", 1}};
        const auto back = signer.verify(signer.sign(c), kNow);
        QVERIFY(back);
        QCOMPARE(back->subject, c.subject);
        QCOMPARE(back->expiresAt, c.expiresAt);
        QCOMPARE(back->extra.dump(), std::string(R"({"custom":1})"));
    }

    void acceptsLongerKeys()
    {
        const QByteArray key(64, 'z');
        const JwtSigner signer(key);
        const QString token = signer.sign(sampleClaims());
        QVERIFY(signer.verify(token, kNow));
        const QByteArray mac = QMessageAuthenticationCode::hash(
            token.section(QLatin1Char('.'), 0, 1).toLatin1(), key, QCryptographicHash::Sha256);
        QCOMPARE(token.section(QLatin1Char('.'), 2), b64url(mac));
    }

    void rejectsShortKeys()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, JwtSigner{QByteArray(31, 'k')});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, JwtSigner{QByteArray()});
        const QByteArray generated = JwtSigner::generateKey();
        QCOMPARE(generated.size(), 32);
        QVERIFY(generated != JwtSigner::generateKey());
    }

    void rejectsTamperedPayload()
    {
        const JwtSigner signer(fixedKey());
        const QStringList parts = signer.sign(sampleClaims()).split(QLatin1Char('.'));
        auto payload = nlohmann::json::parse(unb64url(parts[1]).toStdString());
        payload["role"] = "admin";
        const QString token = parts[0] + QLatin1Char('.') +
                              b64url(QByteArray::fromStdString(payload.dump())) + QLatin1Char('.') +
                              parts[2];
        expectUnauthenticated(signer.verify(token, kNow), token);
    }

    void rejectsTamperedSignature()
    {
        const JwtSigner signer(fixedKey());
        const QString token = signer.sign(sampleClaims());
        QStringList parts = token.split(QLatin1Char('.'));
        QByteArray sig = unb64url(parts[2]);
        sig[0] = char(sig[0] ^ 0x01);
        parts[2] = b64url(sig);
        const QString bad = parts.join(QLatin1Char('.'));
        expectUnauthenticated(signer.verify(bad, kNow), bad);
        const QString truncated = token.left(token.size() - 2);
        expectUnauthenticated(signer.verify(truncated, kNow), truncated);
    }

    void rejectsWrongKey()
    {
        const QString token = JwtSigner(fixedKey('a')).sign(sampleClaims());
        expectUnauthenticated(JwtSigner(fixedKey('b')).verify(token, kNow), token);
    }

    void aTokenVerifiedByOneKeyIsStillRefusedByAnother()
    {
        // verify() remembers tokens it checked, per signer: another signer's
        // key must check the signature again, and refuse it.
        const JwtSigner a(fixedKey('a'));
        const QString token = a.sign(sampleClaims());
        QVERIFY(a.verify(token, kNow));
        QVERIFY(a.verify(token, kNow)); // remembered
        expectUnauthenticated(JwtSigner(fixedKey('b')).verify(token, kNow), token);
        // A remembered token's times are checked on every use.
        expectUnauthenticated(a.verify(token, kNow + 900), token);
    }

    void rejectsAlgNone()
    {
        const JwtSigner signer(fixedKey());
        const QStringList parts = signer.sign(sampleClaims()).split(QLatin1Char('.'));
        const QString none = b64url(R"({"alg":"none","typ":"JWT"})") + QLatin1Char('.') + parts[1] +
                             QLatin1Char('.');
        expectUnauthenticated(signer.verify(none, kNow), none);
        const QString noneSigned = b64url(R"({"alg":"none","typ":"JWT"})") + QLatin1Char('.') +
                                   parts[1] + QLatin1Char('.') + parts[2];
        expectUnauthenticated(signer.verify(noneSigned, kNow), noneSigned);
    }

    void rejectsOtherAlgorithmsEvenWhenCorrectlyMaced_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::newRow("NONE") << QByteArray(R"({"alg":"NONE","typ":"JWT"})");
        QTest::newRow("HS512") << QByteArray(R"({"alg":"HS512","typ":"JWT"})");
        QTest::newRow("RS256") << QByteArray(R"({"alg":"RS256","typ":"JWT"})");
        QTest::newRow("hs256 lower") << QByteArray(R"({"alg":"hs256"})");
        QTest::newRow("no alg") << QByteArray(R"({"typ":"JWT"})");
        QTest::newRow("alg not a string") << QByteArray(R"({"alg":256})");
        QTest::newRow("crit") << QByteArray(R"({"alg":"HS256","crit":["exp"]})");
    }
    void rejectsOtherAlgorithmsEvenWhenCorrectlyMaced()
    {
        QFETCH(QByteArray, header);
        const QString token = forge(fixedKey(), header, R"({"sub":"u1","exp":1800000000})");
        expectUnauthenticated(JwtSigner(fixedKey()).verify(token, kNow), token);
    }

    void acceptsAForgedButCorrectHs256Token()
    {
        // Guards the forge() helper: with a valid header it must pass, so the
        // refusals above are about the header, not the helper.
        const QString token =
            forge(fixedKey(), R"({"alg":"HS256"})", R"({"sub":"u1","exp":1800000000})");
        const auto r = JwtSigner(fixedKey()).verify(token, kNow);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QCOMPARE(r->subject, QStringLiteral("u1"));
        QCOMPARE(r->issuedAt, qint64(0));
        QVERIFY(r->role.isEmpty());
    }

    void rejectsExpired()
    {
        const JwtSigner signer(fixedKey());
        const QString token = signer.sign(sampleClaims());
        QVERIFY(signer.verify(token, kNow + 899));
        expectUnauthenticated(signer.verify(token, kNow + 900), token); // exp <= now
        expectUnauthenticated(signer.verify(token, kNow + 100000), token);
    }

    void rejectsIatInTheFuture()
    {
        const JwtSigner signer(fixedKey());
        JwtClaims c = sampleClaims();
        c.issuedAt = kNow + 60;
        c.expiresAt = kNow + 1000;
        const QString token = signer.sign(c);
        expectUnauthenticated(signer.verify(token, kNow, 30), token);
        QVERIFY(signer.verify(token, kNow + 30, 30)); // within leeway
        QVERIFY(signer.verify(token, kNow, 60));
    }

    void rejectsMissingOrBadClaims_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("no sub") << QByteArray(R"({"exp":1800000000})");
        QTest::newRow("empty sub") << QByteArray(R"({"sub":"","exp":1800000000})");
        QTest::newRow("no exp") << QByteArray(R"({"sub":"u1"})");
        QTest::newRow("sub not a string") << QByteArray(R"({"sub":42,"exp":1800000000})");
        QTest::newRow("exp a string") << QByteArray(R"({"sub":"u1","exp":"1800000000"})");
        QTest::newRow("exp fractional") << QByteArray(R"({"sub":"u1","exp":1.8e9})");
        QTest::newRow("exp huge") << QByteArray(R"({"sub":"u1","exp":18446744073709551615})");
        QTest::newRow("role not a string")
            << QByteArray(R"({"sub":"u1","exp":1800000000,"role":["admin"]})");
        QTest::newRow("payload an array") << QByteArray(R"(["sub","u1"])");
        QTest::newRow("payload not json") << QByteArray("sub=u1");
    }
    void rejectsMissingOrBadClaims()
    {
        QFETCH(QByteArray, payload);
        const QString token = forge(fixedKey(), R"({"alg":"HS256","typ":"JWT"})", payload);
        expectUnauthenticated(JwtSigner(fixedKey()).verify(token, kNow), token);
    }

    void rejectsMalformed_data()
    {
        const QString good = JwtSigner(fixedKey()).sign(sampleClaims());
        const QStringList p = good.split(QLatin1Char('.'));
        QTest::addColumn<QString>("token");
        QTest::newRow("empty") << QString();
        QTest::newRow("one part") << p[0];
        QTest::newRow("two parts") << p[0] + QLatin1Char('.') + p[1];
        QTest::newRow("four parts") << good + QStringLiteral(".x");
        QTest::newRow("trailing dot") << good + QLatin1Char('.');
        QTest::newRow("empty header") << QLatin1Char('.') + p[1] + QLatin1Char('.') + p[2];
        QTest::newRow("empty payload") << p[0] + QStringLiteral("..") + p[2];
        QTest::newRow("only dots") << QStringLiteral("..");
        QTest::newRow("padding") << p[0] + QStringLiteral("=.") + p[1] + QLatin1Char('.') + p[2];
        QTest::newRow("standard base64 chars")
            << p[0] + QLatin1Char('.') + p[1] + QStringLiteral("+/") + QLatin1Char('.') + p[2];
        QTest::newRow("whitespace") << QLatin1Char(' ') + good;
        QTest::newRow("non-ascii") << good + QStringLiteral("é");
        QTest::newRow("header not json")
            << b64url("hello") + QLatin1Char('.') + p[1] + QLatin1Char('.') + p[2];
        QTest::newRow("bearer prefix") << QStringLiteral("Bearer ") + good;
        QTest::newRow("garbage") << QStringLiteral("not a token at all");
        QTest::newRow("huge") << QString(20000, QLatin1Char('a')) + QStringLiteral(".b.c");
    }
    void rejectsMalformed()
    {
        QFETCH(QString, token);
        expectUnauthenticated(JwtSigner(fixedKey()).verify(token, kNow), token);
    }

    void createsKeyFileWith0600AndReusesIt()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("keys/jwt.key"));
        const auto created = loadOrCreateSigningKey(path);
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
        QCOMPARE(created->size(), 32);
        struct stat st = {};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 07777), 0600);
        QCOMPARE(modeOf(path),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
        // No temporary files left behind.
        QCOMPARE(
            QDir(dir.filePath(QStringLiteral("keys"))).entryList(QDir::Files | QDir::Hidden).size(),
            1);

        const auto again = loadOrCreateSigningKey(path);
        QVERIFY(again);
        QCOMPARE(*again, *created);
        QVERIFY(JwtSigner(*again).verify(JwtSigner(*created).sign(sampleClaims()), kNow));
    }

    void refusesGroupOrWorldReadableKey()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("jwt.key"));
        QVERIFY(loadOrCreateSigningKey(path));
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0644), 0);
        const auto world = loadOrCreateSigningKey(path);
        QVERIFY(!world);
        QVERIFY(world.error().message.contains(QStringLiteral("chmod 600")));
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0640), 0);
        QVERIFY(!loadOrCreateSigningKey(path));
        QCOMPARE(::chmod(QFile::encodeName(path).constData(), 0600), 0);
        QVERIFY(loadOrCreateSigningKey(path));
    }

    void refusesShortKeyFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("short.key"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(31, 'x'));
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        const auto r = loadOrCreateSigningKey(path);
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(QStringLiteral("32")));
        QCOMPARE(QFile(path).size(), qint64(31)); // left alone, not overwritten
    }

    void refusesADirectoryAsKey()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("sub")));
        QVERIFY(!loadOrCreateSigningKey(dir.filePath(QStringLiteral("sub"))));
        QVERIFY(!loadOrCreateSigningKey(QString()));
    }
};

QTEST_APPLESS_MAIN(TestJwt)
#include "tst_jwt.moc"
