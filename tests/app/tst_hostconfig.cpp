// SPDX-License-Identifier: MIT
// Proves the host's settings: listen addresses parse or are refused clearly,
// out-of-range HTTP settings are refused, the typed structs follow the
// layers, and docs/configuration.md lists every key the program reads.
#include "app/host/hostconfig.h"
#include "backend/config/config.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QTest>

using namespace colophon;

class TestHostConfig : public QObject
{
    Q_OBJECT

private slots:
    void parsesListenAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::newRow("loopback") << "127.0.0.1:8080"
                                  << "127.0.0.1" << 8080;
        QTest::newRow("any port") << "127.0.0.1:0"
                                  << "127.0.0.1" << 0;
        QTest::newRow("ipv6") << "[::1]:9000"
                              << "::1" << 9000;
        QTest::newRow("all interfaces") << "0.0.0.0:80"
                                        << "0.0.0.0" << 80;
    }
    void parsesListenAddresses()
    {
        QFETCH(QString, text);
        QFETCH(QString, host);
        QFETCH(int, port);
        auto parsed = parseListenAddress(text);
        QVERIFY(parsed);
        QCOMPARE(QString::fromStdString(parsed->first), host);
        QCOMPARE(int(parsed->second), port);
    }

    void refusesMalformedListenAddresses_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("no port") << "127.0.0.1";
        QTest::newRow("port too big") << "127.0.0.1:70000";
        QTest::newRow("negative port") << "127.0.0.1:-1";
        QTest::newRow("no host") << ":8080";
        QTest::newRow("words") << "nonsense";
    }
    void refusesMalformedListenAddresses()
    {
        QFETCH(QString, text);
        auto parsed = parseListenAddress(text);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().field, QStringLiteral("listen"));
        QVERIFY(parsed.error().message.contains(text));
    }

    void buildsServerSettingsFromTheLayers()
    {
        Config c;
        defineHostConfig(c);
        QVERIFY(c.set(QStringLiteral("http.max_body_bytes"), QStringLiteral("1024"),
                      Config::Source::File));
        QVERIFY(
            c.set(QStringLiteral("http.trusted_proxies"), QStringLiteral(" 10.0.0.1, ,10.0.0.2 ")));
        QVERIFY(c.set(QStringLiteral("listen"), QStringLiteral("127.0.0.1:0")));
        auto s = httpServerSettings(c);
        QVERIFY(s);
        QCOMPARE(s->maxBodyBytes, std::uint64_t(1024));
        QCOMPARE(s->port, std::uint16_t(0));
        QCOMPARE(s->trustedProxies, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
        QCOMPARE(s->idleTimeout, std::chrono::milliseconds(5000));
    }

    void refusesOutOfRangeServerSettings()
    {
        Config c;
        defineHostConfig(c);
        QVERIFY(c.set(QStringLiteral("http.max_connections"), QStringLiteral("0")));
        auto s = httpServerSettings(c);
        QVERIFY(!s);
        QCOMPARE(s.error().code, ErrorCode::InvalidInput);
    }

    void rateLimitCanBeSwitchedOffFromTheEnvironment()
    {
        Config c;
        defineHostConfig(c);
        QProcessEnvironment env;
        env.insert(QStringLiteral("COLOPHON_RATE_LIMIT"), QStringLiteral("0"));
        env.insert(QStringLiteral("COLOPHON_RATE_LIMIT_AUTH"), QStringLiteral("7"));
        QVERIFY(c.loadEnvironment(env));
        const RateLimitSettings r = rateLimitSettings(c);
        QVERIFY(!r.enabled);
        QCOMPARE(r.authPerMinute, 7.0);
    }

    void documentationListsEveryKey()
    {
        QFile doc(test::sourceDir() + QStringLiteral("/docs/configuration.md"));
        QVERIFY2(doc.open(QIODevice::ReadOnly), qPrintable(doc.fileName()));
        const QString text = QString::fromUtf8(doc.readAll());
        Config c;
        defineHostConfig(c);
        for (const QString &key : c.keys()) {
            QVERIFY2(text.contains(QStringLiteral("| `%1` |").arg(key)),
                     qPrintable(key + " is not documented"));
        }
    }
};

QTEST_APPLESS_MAIN(TestHostConfig)
#include "tst_hostconfig.moc"
