// SPDX-License-Identifier: MIT
// Proves recovery-code shape and entropy, token digests and constant-time equality.
#include "backend/auth/recoverycodes.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <cmath>

using namespace colophon;

class TestRecoveryCodes : public QObject
{
    Q_OBJECT

private slots:
    void codesHaveTheDocumentedShape()
    {
        const QStringList codes = generateRecoveryCodes();
        QCOMPARE(codes.size(), 10);
        static const QRegularExpression shape(
            QStringLiteral("^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$"));
        for (const QString &c : codes) {
            QVERIFY2(shape.match(c).hasMatch(), qPrintable(c));
            for (const QChar ambiguous : QStringLiteral("01ilo"))
                QVERIFY2(!c.contains(ambiguous), qPrintable(c));
        }
        QCOMPARE(generateRecoveryCodes(3).size(), 3);
        QVERIFY(generateRecoveryCodes(0).isEmpty());
        QVERIFY(generateRecoveryCodes(-1).isEmpty());
    }

    void codesAreUniqueAcrossManyBatches()
    {
        QSet<QString> seen;
        for (int batch = 0; batch < 200; ++batch) {
            for (const QString &c : generateRecoveryCodes())
                seen.insert(c);
        }
        QCOMPARE(seen.size(), 2000);
    }

    void codesCarryAtLeastFiftyBits()
    {
        // 12 symbols from a 31-letter alphabet.
        const QString sample = generateRecoveryCodes(1).first();
        const int symbols = int(sample.size() - sample.count(QLatin1Char('-')));
        QVERIFY(symbols * std::log2(31.0) >= 50.0);

        // Every symbol of the alphabet shows up, and none is grossly over- or
        // under-represented: a coarse check that the generator is unbiased.
        QHash<QChar, int> counts;
        int total = 0;
        for (const QString &c : generateRecoveryCodes(2000)) {
            for (const QChar ch : c) {
                if (ch != QLatin1Char('-')) {
                    ++counts[ch];
                    ++total;
                }
            }
        }
        QCOMPARE(counts.size(), 31);
        const double expected = double(total) / 31.0; // ≈ 774
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            QVERIFY2(it.value() > expected * 0.75 && it.value() < expected * 1.25,
                     qPrintable(QString(it.key())));
    }

    void normalizesWhatUsersType_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("expected");
        QTest::newRow("as issued")
            << QStringLiteral("abcd-efgh-jkmn") << QStringLiteral("abcd-efgh-jkmn");
        QTest::newRow("upper case")
            << QStringLiteral("ABCD-EFGH-JKMN") << QStringLiteral("abcd-efgh-jkmn");
        QTest::newRow("no hyphens")
            << QStringLiteral("abcdefghjkmn") << QStringLiteral("abcd-efgh-jkmn");
        QTest::newRow("spaces") << QStringLiteral(" abcd efgh jkmn \n")
                                << QStringLiteral("abcd-efgh-jkmn");
        QTest::newRow("wrong length kept") << QStringLiteral("abc-def") << QStringLiteral("abcdef");
    }
    void normalizesWhatUsersType()
    {
        QFETCH(QString, typed);
        QFETCH(QString, expected);
        QCOMPARE(normalizeRecoveryCode(typed), expected);
    }

    void hashTokenIsSha256Hex()
    {
        // FIPS 180-2 test vectors.
        QCOMPARE(
            hashToken(QStringLiteral("abc")),
            QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(
            hashToken(QString()),
            QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        const QString t = randomToken();
        QCOMPARE(hashToken(t),
                 QString::fromLatin1(
                     QCryptographicHash::hash(t.toUtf8(), QCryptographicHash::Sha256).toHex()));
        QCOMPARE(hashToken(QStringLiteral("é")),
                 QString::fromLatin1(
                     QCryptographicHash::hash("\xc3\xa9", QCryptographicHash::Sha256).toHex()));
    }

    void randomTokensAreBase64UrlAndUnique()
    {
        static const QRegularExpression alphabet(QStringLiteral("^[A-Za-z0-9_-]*$"));
        QSet<QString> seen;
        for (int i = 0; i < 200; ++i) {
            const QString t = randomToken();
            QCOMPARE(t.size(), 43);
            QVERIFY2(alphabet.match(t).hasMatch(), qPrintable(t));
            seen.insert(t);
        }
        QCOMPARE(seen.size(), 200);
        QCOMPARE(randomToken(16).size(), 22);
        QCOMPARE(QByteArray::fromBase64(randomToken(48).toLatin1(), QByteArray::Base64UrlEncoding)
                     .size(),
                 48);
        QVERIFY(randomToken(0).isEmpty());
    }

    void constantTimeEqualsCompares()
    {
        QVERIFY(constantTimeEquals(QByteArray(), QByteArray()));
        QVERIFY(constantTimeEquals("abc", "abc"));
        QVERIFY(!constantTimeEquals("abc", "abd"));
        QVERIFY(!constantTimeEquals("abc", "abcd"));
        QVERIFY(!constantTimeEquals("", "a"));
        QVERIFY(!constantTimeEquals(QByteArray("a\0b", 3), QByteArray("a\0c", 3)));
        const QByteArray h = hashToken(QStringLiteral("x")).toLatin1();
        QVERIFY(constantTimeEquals(h, hashToken(QStringLiteral("x")).toLatin1()));
    }
};

QTEST_APPLESS_MAIN(TestRecoveryCodes)
#include "tst_recoverycodes.moc"
