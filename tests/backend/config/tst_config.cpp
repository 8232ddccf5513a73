// SPDX-License-Identifier: MIT
// Tests of Config: layer precedence, JSON files, environment mapping and value parsing.
#include "backend/config/config.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <stdexcept>

using colophon::Config;
using colophon::ErrorCode;

namespace {

// Four keys: one left at its default, one set by the file, one by file and environment, and one
// by every layer, so each layer's win over the ones beneath shows.
Config layeredConfig()
{
    Config c;
    c.define(QStringLiteral("a.only_default"), Config::Type::String, QStringLiteral("d"), {});
    c.define(QStringLiteral("b.file"), Config::Type::String, QStringLiteral("d"), {});
    c.define(QStringLiteral("c.env"), Config::Type::String, QStringLiteral("d"), {});
    c.define(QStringLiteral("d.cmdline"), Config::Type::String, QStringLiteral("d"), {});
    return c;
}

QProcessEnvironment environment(const QList<QPair<QString, QString>> &vars)
{
    QProcessEnvironment env;
    for (const auto &[name, value] : vars)
        env.insert(name, value);
    return env;
}

} // namespace

class TestConfig final : public QObject
{
    Q_OBJECT

private:
    QString writeFile(const QByteArray &contents)
    {
        const QString path = m_dir.filePath(QStringLiteral("config-%1.json").arg(m_files++));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(contents) != contents.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    QTemporaryDir m_dir;
    int m_files = 0;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void layersTakePrecedenceRegardlessOfLoadOrder_data()
    {
        QTest::addColumn<QString>("order");
        QTest::newRow("file, env, cmdline") << QStringLiteral("fec");
        QTest::newRow("file, cmdline, env") << QStringLiteral("fce");
        QTest::newRow("env, file, cmdline") << QStringLiteral("efc");
        QTest::newRow("env, cmdline, file") << QStringLiteral("ecf");
        QTest::newRow("cmdline, file, env") << QStringLiteral("cfe");
        QTest::newRow("cmdline, env, file") << QStringLiteral("cef");
    }

    void layersTakePrecedenceRegardlessOfLoadOrder()
    {
        QFETCH(QString, order);
        Config c = layeredConfig();
        const QString file = writeFile(R"({"b": {"file": "file"}, "c": {"env": "file"},
                                           "d": {"cmdline": "file"}})");
        const auto env =
            environment({{QStringLiteral("COLOPHON_C_ENV"), QStringLiteral("env")},
                         {QStringLiteral("COLOPHON_D_CMDLINE"), QStringLiteral("env")}});
        for (const QChar step : order) {
            if (step == u'f')
                QVERIFY(c.loadFile(file).has_value());
            else if (step == u'e')
                QVERIFY(c.loadEnvironment(env).has_value());
            else
                QVERIFY(c.set(QStringLiteral("d.cmdline"), QStringLiteral("cmdline")).has_value());
        }

        QCOMPARE(c.string(QStringLiteral("a.only_default")), QStringLiteral("d"));
        QCOMPARE(c.source(QStringLiteral("a.only_default")), Config::Source::Default);
        QCOMPARE(c.string(QStringLiteral("b.file")), QStringLiteral("file"));
        QCOMPARE(c.source(QStringLiteral("b.file")), Config::Source::File);
        QCOMPARE(c.string(QStringLiteral("c.env")), QStringLiteral("env"));
        QCOMPARE(c.source(QStringLiteral("c.env")), Config::Source::Environment);
        QCOMPARE(c.string(QStringLiteral("d.cmdline")), QStringLiteral("cmdline"));
        QCOMPARE(c.source(QStringLiteral("d.cmdline")), Config::Source::CommandLine);
    }

    void nestedJsonObjectsFlattenToDottedKeys()
    {
        Config c;
        c.define(QStringLiteral("http.max_body_bytes"), Config::Type::Integer,
                 QStringLiteral("1024"), {});
        c.define(QStringLiteral("http.tls.enabled"), Config::Type::Boolean, QStringLiteral("no"),
                 {});
        c.define(QStringLiteral("sync.ratio"), Config::Type::Number, QStringLiteral("0.5"), {});
        c.define(QStringLiteral("name"), Config::Type::String, QStringLiteral("x"), {});
        const auto loaded = c.loadFile(writeFile(R"({
            "http": {"max_body_bytes": 5, "tls": {"enabled": true}},
            "sync.ratio": 0.25,
            "name": "colophon"
        })"));
        QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error().message));
        QCOMPARE(c.integer(QStringLiteral("http.max_body_bytes")), 5);
        QCOMPARE(c.boolean(QStringLiteral("http.tls.enabled")), true);
        QCOMPARE(c.number(QStringLiteral("sync.ratio")), 0.25);
        QCOMPARE(c.string(QStringLiteral("name")), QStringLiteral("colophon"));
    }

    void badFileIsRejectedAndNothingOfItApplied_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("named"); // what the message must mention besides the file
        QTest::newRow("unknown key")
            << QByteArray(R"({"port": 80, "http": {"nope": 1}})") << QStringLiteral("http.nope");
        QTest::newRow("string for integer")
            << QByteArray(R"({"port": 80, "http": {"limit": "lots"}})")
            << QStringLiteral("http.limit");
        QTest::newRow("float for integer") << QByteArray(R"({"port": 80, "http": {"limit": 1.5}})")
                                           << QStringLiteral("http.limit");
        QTest::newRow("number for boolean")
            << QByteArray(R"({"port": 80, "flag": 2})") << QStringLiteral("flag");
        QTest::newRow("number for string")
            << QByteArray(R"({"port": 80, "name": 7})") << QStringLiteral("name");
        QTest::newRow("array") << QByteArray(R"({"port": 80, "name": ["a"]})")
                               << QStringLiteral("name");
        QTest::newRow("null") << QByteArray(R"({"port": 80, "name": null})")
                              << QStringLiteral("name");
        QTest::newRow("bad json") << QByteArray(R"({"port": 80,)") << QStringLiteral("JSON");
        QTest::newRow("not an object") << QByteArray("[1, 2]") << QStringLiteral("object");
    }

    void badFileIsRejectedAndNothingOfItApplied()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, named);
        Config c;
        c.define(QStringLiteral("port"), Config::Type::Integer, QStringLiteral("8080"), {});
        c.define(QStringLiteral("http.limit"), Config::Type::Integer, QStringLiteral("10"), {});
        c.define(QStringLiteral("flag"), Config::Type::Boolean, QStringLiteral("false"), {});
        c.define(QStringLiteral("name"), Config::Type::String, QStringLiteral("x"), {});
        const QString path = writeFile(json);

        const auto loaded = c.loadFile(path);
        QVERIFY(!loaded.has_value());
        QCOMPARE(loaded.error().code, ErrorCode::InvalidInput);
        QVERIFY2(loaded.error().message.contains(path), qPrintable(loaded.error().message));
        QVERIFY2(loaded.error().message.contains(named), qPrintable(loaded.error().message));
        QCOMPARE(c.integer(QStringLiteral("port")), 8080);
        QCOMPARE(c.source(QStringLiteral("port")), Config::Source::Default);
    }

    void unreadableFileIsAnError()
    {
        Config c;
        const QString path = m_dir.filePath(QStringLiteral("missing.json"));
        const auto loaded = c.loadFile(path);
        QVERIFY(!loaded.has_value());
        QCOMPARE(loaded.error().code, ErrorCode::InvalidInput);
        QVERIFY(loaded.error().message.contains(path));
    }

    void environmentNameUppercasesAndReplacesDots_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("name");
        QTest::newRow("nested") << QStringLiteral("http.max_body_bytes")
                                << QStringLiteral("COLOPHON_HTTP_MAX_BODY_BYTES");
        QTest::newRow("flat") << QStringLiteral("port") << QStringLiteral("COLOPHON_PORT");
        QTest::newRow("digits") << QStringLiteral("db.pool2.size")
                                << QStringLiteral("COLOPHON_DB_POOL2_SIZE");
    }

    void environmentNameUppercasesAndReplacesDots()
    {
        QFETCH(QString, key);
        QFETCH(QString, name);
        QCOMPARE(Config::environmentName(key), name);

        Config c;
        c.define(key, Config::Type::String, QStringLiteral("default"), {});
        QVERIFY(c.loadEnvironment(
                     environment({{name, QStringLiteral("from env")},
                                  {QStringLiteral("COLOPHON_OTHER"), QStringLiteral("ignored")}}))
                    .has_value());
        QCOMPARE(c.string(key), QStringLiteral("from env"));
        QCOMPARE(c.source(key), Config::Source::Environment);
    }

    void booleanAcceptsCommonSpellings_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("value");
        QTest::newRow("true") << QStringLiteral("true") << true;
        QTest::newRow("TRUE") << QStringLiteral("TRUE") << true;
        QTest::newRow("1") << QStringLiteral("1") << true;
        QTest::newRow("yes") << QStringLiteral("Yes") << true;
        QTest::newRow("on") << QStringLiteral("ON") << true;
        QTest::newRow("false") << QStringLiteral("False") << false;
        QTest::newRow("0") << QStringLiteral("0") << false;
        QTest::newRow("no") << QStringLiteral("NO") << false;
        QTest::newRow("off") << QStringLiteral("off") << false;
    }

    void booleanAcceptsCommonSpellings()
    {
        QFETCH(QString, text);
        QFETCH(bool, value);
        Config c;
        c.define(QStringLiteral("flag"), Config::Type::Boolean,
                 value ? QStringLiteral("false") : QStringLiteral("true"), {});
        QVERIFY(c.set(QStringLiteral("flag"), text).has_value());
        QCOMPARE(c.boolean(QStringLiteral("flag")), value);
        QCOMPARE(c.string(QStringLiteral("flag")),
                 value ? QStringLiteral("true") : QStringLiteral("false"));
    }

    void booleanRejectsOtherWords_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("maybe") << QStringLiteral("maybe");
        QTest::newRow("2") << QStringLiteral("2");
        QTest::newRow("empty") << QString();
        QTest::newRow("y") << QStringLiteral("y");
    }

    void booleanRejectsOtherWords()
    {
        QFETCH(QString, text);
        Config c;
        c.define(QStringLiteral("flag"), Config::Type::Boolean, QStringLiteral("true"), {});
        const auto r = c.set(QStringLiteral("flag"), text);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);
        QCOMPARE(c.boolean(QStringLiteral("flag")), true);
        QCOMPARE(c.source(QStringLiteral("flag")), Config::Source::Default);
    }

    void badIntegerInEnvironmentIsRejectedAndNothingApplied()
    {
        Config c;
        c.define(QStringLiteral("a.name"), Config::Type::String, QStringLiteral("x"), {});
        c.define(QStringLiteral("http.max_body_bytes"), Config::Type::Integer,
                 QStringLiteral("1024"), {});
        const auto r = c.loadEnvironment(environment(
            {{QStringLiteral("COLOPHON_A_NAME"), QStringLiteral("fine")},
             {QStringLiteral("COLOPHON_HTTP_MAX_BODY_BYTES"), QStringLiteral("12kb")}}));
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);
        QVERIFY2(r.error().message.contains(QStringLiteral("COLOPHON_HTTP_MAX_BODY_BYTES")),
                 qPrintable(r.error().message));
        QCOMPARE(c.string(QStringLiteral("a.name")), QStringLiteral("x"));
        QCOMPARE(c.integer(QStringLiteral("http.max_body_bytes")), 1024);
    }

    void typedAccessorsParseValues_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("integer");
        QTest::newRow("plain") << QStringLiteral("42") << qint64(42);
        QTest::newRow("negative") << QStringLiteral("-7") << qint64(-7);
        QTest::newRow("padded") << QStringLiteral(" 9 ") << qint64(9);
        QTest::newRow("large") << QStringLiteral("9000000000") << qint64(9'000'000'000);
    }

    void typedAccessorsParseValues()
    {
        QFETCH(QString, text);
        QFETCH(qint64, integer);
        Config c;
        c.define(QStringLiteral("n"), Config::Type::Integer, QStringLiteral("0"), {});
        QVERIFY(c.set(QStringLiteral("n"), text, Config::Source::File).has_value());
        QCOMPARE(c.integer(QStringLiteral("n")), integer);
        QCOMPARE(c.source(QStringLiteral("n")), Config::Source::File);
    }

    void setRejectsUnknownKeyAndBadNumber()
    {
        Config c;
        c.define(QStringLiteral("ratio"), Config::Type::Number, QStringLiteral("1.5"), {});
        const auto unknown = c.set(QStringLiteral("nope"), QStringLiteral("1"));
        QVERIFY(!unknown.has_value());
        QCOMPARE(unknown.error().field, QStringLiteral("nope"));
        QVERIFY(!c.set(QStringLiteral("ratio"), QStringLiteral("fast")).has_value());
        QVERIFY(!c.set(QStringLiteral("ratio"), QStringLiteral("inf")).has_value());
        QCOMPARE(c.number(QStringLiteral("ratio")), 1.5);
    }

    void definingAKeyTwiceOrClashingEnvironmentNamesThrows()
    {
        Config c;
        c.define(QStringLiteral("http.port"), Config::Type::Integer, QStringLiteral("80"), {});
        QVERIFY_THROWS_EXCEPTION(
            std::logic_error,
            c.define(QStringLiteral("http.port"), Config::Type::Integer, QStringLiteral("80"), {}));
        QVERIFY_THROWS_EXCEPTION(
            std::logic_error,
            c.define(QStringLiteral("http_port"), Config::Type::Integer, QStringLiteral("80"), {}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 c.define(QStringLiteral("Bad-Key"), Config::Type::String, {}, {}));
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 c.define(QStringLiteral("bad.default"), Config::Type::Integer,
                                          QStringLiteral("eighty"), {}));
        QVERIFY(!c.isDefined(QStringLiteral("http_port")));
    }

    void readingUndefinedKeyOrWrongTypeThrows()
    {
        Config c;
        c.define(QStringLiteral("name"), Config::Type::String, QStringLiteral("x"), {});
        QVERIFY_THROWS_EXCEPTION(std::logic_error, c.string(QStringLiteral("missing")));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, c.integer(QStringLiteral("name")));
    }

    void keysAreSortedAndDescribed()
    {
        Config c;
        c.define(QStringLiteral("zeta"), Config::Type::String, {}, QStringLiteral("last"));
        c.define(QStringLiteral("alpha.b"), Config::Type::String, {}, QStringLiteral("first"));
        c.define(QStringLiteral("mid"), Config::Type::Integer, QStringLiteral("1"), {});
        QCOMPARE(c.keys(), (QStringList{QStringLiteral("alpha.b"), QStringLiteral("mid"),
                                        QStringLiteral("zeta")}));
        QCOMPARE(c.description(QStringLiteral("alpha.b")), QStringLiteral("first"));
        QVERIFY(c.isDefined(QStringLiteral("mid")));
        QVERIFY(!c.isDefined(QStringLiteral("alpha")));
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
