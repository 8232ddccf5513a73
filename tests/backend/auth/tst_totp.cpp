// SPDX-License-Identifier: MIT
// Proves TOTP against RFC 6238 and base32 against RFC 4648, plus URIs and QR SVGs.
#include "backend/auth/totp.h"

#include <QSet>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>
#include <QXmlStreamReader>

using namespace colophon;

namespace {
const QByteArray kRfcSecret = QByteArrayLiteral("12345678901234567890");

// The RFC 6238 reference checks codes against code() with all digits
// compared, so a helper that recomputes independently keeps verify() honest.
QString codeAt(qint64 t)
{
    return Totp::code(kRfcSecret, t);
}
} // namespace

class TestTotp : public QObject
{
    Q_OBJECT

private slots:
    void rfc6238Sha1Vectors_data()
    {
        QTest::addColumn<qint64>("time");
        QTest::addColumn<QString>("expected");
        QTest::newRow("59") << qint64(59) << QStringLiteral("94287082");
        QTest::newRow("1111111109") << qint64(1111111109) << QStringLiteral("07081804");
        QTest::newRow("1111111111") << qint64(1111111111) << QStringLiteral("14050471");
        QTest::newRow("1234567890") << qint64(1234567890) << QStringLiteral("89005924");
        QTest::newRow("2000000000") << qint64(2000000000) << QStringLiteral("69279037");
        QTest::newRow("20000000000") << qint64(20000000000) << QStringLiteral("65353130");
    }
    void rfc6238Sha1Vectors()
    {
        QFETCH(qint64, time);
        QFETCH(QString, expected);
        QCOMPARE(Totp::code(kRfcSecret, time, 8), expected);
        // Six digits are the low six of the same truncated value.
        QCOMPARE(Totp::code(kRfcSecret, time), expected.right(6));
    }

    void rfc4226HotpVectorsThroughStepOne()
    {
        // With a 1-second step the counter equals the time: RFC 4226 Appendix D.
        const QStringList expected = {QStringLiteral("755224"), QStringLiteral("287082"),
                                      QStringLiteral("359152"), QStringLiteral("969429"),
                                      QStringLiteral("338314"), QStringLiteral("254676"),
                                      QStringLiteral("287922"), QStringLiteral("162583"),
                                      QStringLiteral("399871"), QStringLiteral("520489")};
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(Totp::code(kRfcSecret, i, 6, 1), expected[i]);
    }

    void codeRejectsBadParameters()
    {
        QVERIFY(Totp::code(kRfcSecret, 59, 0).isEmpty());
        QVERIFY(Totp::code(kRfcSecret, 59, 11).isEmpty());
        QVERIFY(Totp::code(kRfcSecret, 59, 6, 0).isEmpty());
        QCOMPARE(Totp::code(kRfcSecret, 59, 6, 30).size(), 6);
    }

    void verifyAcceptsWindowOfOneStep()
    {
        const qint64 now = 1'700'000'015; // mid-step
        const qint64 step = now / 30;
        QCOMPARE(Totp::verify(kRfcSecret, codeAt(now), now), std::optional<qint64>(step));
        QCOMPARE(Totp::verify(kRfcSecret, codeAt(now - 30), now), std::optional<qint64>(step - 1));
        QCOMPARE(Totp::verify(kRfcSecret, codeAt(now + 30), now), std::optional<qint64>(step + 1));
        QCOMPARE(Totp::verify(kRfcSecret, codeAt(now - 60), now), std::nullopt);
        QCOMPARE(Totp::verify(kRfcSecret, codeAt(now + 60), now), std::nullopt);
        // A wider window reaches further; zero accepts only the current step.
        QCOMPARE(Totp::verify(kRfcSecret, codeAt(now - 60), now, 2),
                 std::optional<qint64>(step - 2));
        QCOMPARE(Totp::verify(kRfcSecret, codeAt(now - 30), now, 0), std::nullopt);
    }

    void verifyRejectsMalformedCodes_data()
    {
        QTest::addColumn<QString>("code");
        const QString good = codeAt(1'700'000'015);
        QTest::newRow("empty") << QString();
        QTest::newRow("five digits") << good.left(5);
        QTest::newRow("seven digits") << good + QLatin1Char('0');
        QTest::newRow("letters") << QStringLiteral("abcdef");
        QTest::newRow("sign") << QLatin1Char('+') + good.left(5);
        QTest::newRow("eight-digit form") << Totp::code(kRfcSecret, 1'700'000'015, 8);
    }
    void verifyRejectsMalformedCodes()
    {
        QFETCH(QString, code);
        QCOMPARE(Totp::verify(kRfcSecret, code, 1'700'000'015), std::nullopt);
    }

    void verifyIgnoresSpacesAndWrongSecret()
    {
        const qint64 now = 1'700'000'015;
        const QString c = codeAt(now);
        QVERIFY(Totp::verify(kRfcSecret, c.left(3) + QLatin1Char(' ') + c.mid(3), now));
        QCOMPARE(Totp::verify(QByteArrayLiteral("another secret 1234"), c, now), std::nullopt);
    }

    void rfc4648Base32Vectors_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("encoded");
        QTest::newRow("empty") << QByteArray() << QString();
        QTest::newRow("f") << QByteArray("f") << QStringLiteral("MY");
        QTest::newRow("fo") << QByteArray("fo") << QStringLiteral("MZXQ");
        QTest::newRow("foo") << QByteArray("foo") << QStringLiteral("MZXW6");
        QTest::newRow("foob") << QByteArray("foob") << QStringLiteral("MZXW6YQ");
        QTest::newRow("fooba") << QByteArray("fooba") << QStringLiteral("MZXW6YTB");
        QTest::newRow("foobar") << QByteArray("foobar") << QStringLiteral("MZXW6YTBOI");
    }
    void rfc4648Base32Vectors()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, encoded);
        QCOMPARE(Totp::toBase32(raw), encoded);
        QCOMPARE(Totp::fromBase32(encoded), std::optional<QByteArray>(raw));
        QCOMPARE(Totp::fromBase32(encoded.toLower()), std::optional<QByteArray>(raw));
        // RFC 4648 writes these padded to a multiple of eight.
        QString padded = encoded;
        while (padded.size() % 8 != 0)
            padded += QLatin1Char('=');
        QCOMPARE(Totp::fromBase32(padded), std::optional<QByteArray>(raw));
    }

    void base32RoundTripsRandomBytes()
    {
        for (int len = 0; len < 64; ++len) {
            const QByteArray raw = Totp::generateSecret().repeated(4).left(len);
            const QString text = Totp::toBase32(raw);
            QVERIFY(!text.contains(QLatin1Char('=')));
            QCOMPARE(Totp::fromBase32(text), std::optional<QByteArray>(raw));
        }
    }

    void base32RejectsGarbage_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("digit 0") << QStringLiteral("MZXW0");
        QTest::newRow("digit 1") << QStringLiteral("MZXW1");
        QTest::newRow("digit 8") << QStringLiteral("MZX8");
        QTest::newRow("punctuation") << QStringLiteral("MZ-XQ");
        QTest::newRow("data after padding") << QStringLiteral("MY==MY");
        QTest::newRow("impossible length 1") << QStringLiteral("M");
        QTest::newRow("impossible length 3") << QStringLiteral("MZX");
        QTest::newRow("impossible length 6") << QStringLiteral("MZXW6Y");
        QTest::newRow("non-ascii") << QStringLiteral("MZXWÉ");
    }
    void base32RejectsGarbage()
    {
        QFETCH(QString, text);
        QCOMPARE(Totp::fromBase32(text), std::nullopt);
    }

    void base32AcceptsGroupedSecrets()
    {
        QCOMPARE(Totp::fromBase32(QStringLiteral("mzxw 6ytb oi")),
                 std::optional<QByteArray>("foobar"));
    }

    void secretsAreRandomAndTwentyBytes()
    {
        QSet<QByteArray> seen;
        for (int i = 0; i < 50; ++i) {
            const QByteArray s = Totp::generateSecret();
            QCOMPARE(s.size(), 20);
            seen.insert(s);
        }
        QCOMPARE(seen.size(), 50);
    }

    void otpauthUriFormat()
    {
        const QString uri =
            Totp::otpauthUri(QStringLiteral("Colophon Press"),
                             QStringLiteral("jane+doe@example.org"), QByteArray("foobar"));
        QCOMPARE(uri, QStringLiteral(
                          "otpauth://totp/Colophon%20Press:jane%2Bdoe@example.org?secret=MZXW6YTBOI"
                          "&issuer=Colophon%20Press&algorithm=SHA1&digits=6&period=30"));
        const QUrl url(uri, QUrl::StrictMode);
        QVERIFY(url.isValid());
        QCOMPARE(url.scheme(), QStringLiteral("otpauth"));
        QCOMPARE(url.host(), QStringLiteral("totp"));
        QCOMPARE(url.path(QUrl::FullyDecoded),
                 QStringLiteral("/Colophon Press:jane+doe@example.org"));
        const QUrlQuery q(url);
        QCOMPARE(q.queryItemValue(QStringLiteral("secret")), QStringLiteral("MZXW6YTBOI"));
        QCOMPARE(q.queryItemValue(QStringLiteral("issuer"), QUrl::FullyDecoded),
                 QStringLiteral("Colophon Press"));
        QCOMPARE(q.queryItemValue(QStringLiteral("digits")), QStringLiteral("6"));
    }

    void otpauthUriEncodesReservedCharacters()
    {
        const QString uri =
            Totp::otpauthUri(QStringLiteral("A:B&C"), QStringLiteral("x?y#z"), QByteArray("f"));
        QVERIFY2(uri.startsWith(QStringLiteral(
                     "otpauth://totp/A%3AB%26C:x%3Fy%23z?secret=MY&issuer=A%3AB%26C&")),
                 qPrintable(uri));
        const QString noIssuer =
            Totp::otpauthUri(QString(), QStringLiteral("jane"), QByteArray("f"));
        QCOMPARE(noIssuer,
                 QStringLiteral("otpauth://totp/jane?secret=MY&algorithm=SHA1&digits=6&period=30"));
    }

    void qrSvgIsWellFormedAndDeterministic()
    {
        const QString text = Totp::otpauthUri(
            QStringLiteral("Colophon"), QStringLiteral("jane@example.org"), Totp::generateSecret());
        const QString svg = Totp::qrSvg(text);
        QVERIFY(svg.contains(QStringLiteral("<svg")));
        QCOMPARE(Totp::qrSvg(text), svg);
        QVERIFY(Totp::qrSvg(text + QLatin1Char('x')) != svg);

        QXmlStreamReader xml(svg);
        int svgElements = 0;
        int paths = 0;
        int runs = 0;
        int viewSize = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QLatin1String("svg")) {
                ++svgElements;
                QCOMPARE(xml.namespaceUri().toString(),
                         QStringLiteral("http://www.w3.org/2000/svg"));
                const QStringList box = xml.attributes()
                                            .value(QLatin1String("viewBox"))
                                            .toString()
                                            .split(QLatin1Char(' '));
                QCOMPARE(box.size(), 4);
                viewSize = box[2].toInt();
                QCOMPARE(box[3].toInt(), viewSize);
            } else if (xml.name() == QLatin1String("path")) {
                ++paths;
                runs = int(xml.attributes().value(QLatin1String("d")).count(QLatin1Char('M')));
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(svgElements, 1);
        QCOMPARE(paths, 1);
        QVERIFY(runs > 50);
        // A QR symbol is 17 + 4·version modules wide, plus 4 quiet modules per side.
        QVERIFY(viewSize >= 21 + 8);
        QCOMPARE((viewSize - 8 - 17) % 4, 0);
    }

    void qrSvgFinderPatternIsInPlace()
    {
        // The top-left finder pattern's first row is a run of 7 dark modules
        // starting right after the 4-module quiet zone.
        const QString svg = Totp::qrSvg(QStringLiteral("hello"));
        QVERIFY2(svg.contains(QStringLiteral("M4 4h7v1h-7z")), qPrintable(svg.left(400)));
    }

    void qrSvgTooLongIsEmpty() { QVERIFY(Totp::qrSvg(QString(8000, QLatin1Char('x'))).isEmpty()); }
};

QTEST_APPLESS_MAIN(TestTotp)
#include "tst_totp.moc"
