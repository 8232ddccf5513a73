// SPDX-License-Identifier: MIT
// Proves SecretBox: sealed values open only with their key and only unchanged.
#include "backend/auth/jwt.h"
#include "backend/auth/secretbox.h"

#include <QSet>
#include <QTest>

using colophon::ErrorCode;
using colophon::JwtSigner;
using colophon::SecretBox;

class TestSecretBox final : public QObject
{
    Q_OBJECT

private slots:
    void aSealedValueOpensWithItsKey()
    {
        const SecretBox box(JwtSigner::generateKey());
        QVERIFY(box.isValid());
        const QByteArray secret("\x00\x01 twenty raw bytes!!", 21);
        const QString sealed = box.seal(secret);
        QVERIFY(!sealed.isEmpty());
        QVERIFY(!sealed.contains(QString::fromLatin1(secret.toBase64())));
        auto opened = box.open(sealed);
        QVERIFY(opened);
        QCOMPARE(*opened, secret);
    }

    void sealingTwiceGivesDifferentValues()
    {
        const SecretBox box(JwtSigner::generateKey());
        QSet<QString> seen;
        for (int i = 0; i < 50; ++i) {
            seen.insert(box.seal("same"));
        }
        QCOMPARE(seen.size(), 50);
    }

    void anotherKeyCannotOpen()
    {
        const QString sealed = SecretBox(JwtSigner::generateKey()).seal("secret");
        auto opened = SecretBox(JwtSigner::generateKey()).open(sealed);
        QVERIFY(!opened);
        QCOMPARE(opened.error().code, ErrorCode::InvalidInput);
    }

    void aChangedOrTruncatedValueCannotOpen_data()
    {
        QTest::addColumn<int>("cut");
        QTest::addColumn<int>("flip");
        QTest::newRow("one character changed") << 0 << 30;
        QTest::newRow("last character changed") << 0 << -1;
        QTest::newRow("truncated") << 5 << 0;
        QTest::newRow("only the nonce") << 1000 << 0;
    }

    void aChangedOrTruncatedValueCannotOpen()
    {
        QFETCH(int, cut);
        QFETCH(int, flip);
        const SecretBox box(JwtSigner::generateKey());
        QString sealed = box.seal("a TOTP secret of twenty");
        if (cut > 0) {
            sealed.chop(std::min<qsizetype>(cut, sealed.size() - 32));
        }
        if (flip != 0) {
            const qsizetype at = flip > 0 ? flip : sealed.size() + flip;
            sealed[at] = sealed[at] == u'A' ? u'B' : u'A';
        }
        QVERIFY(!box.open(sealed));
    }

    void malformedValuesAndShortKeysAreRefused()
    {
        const SecretBox box(JwtSigner::generateKey());
        QVERIFY(!box.open(QString()));
        QVERIFY(!box.open(QStringLiteral("not base64url!")));
        const SecretBox shortKey(QByteArray(16, 'k'));
        QVERIFY(!shortKey.isValid());
        QVERIFY(shortKey.seal("x").isEmpty());
        QVERIFY(!shortKey.open(box.seal("x")));
    }
};

QTEST_GUILESS_MAIN(TestSecretBox)
#include "tst_secretbox.moc"
