// SPDX-License-Identifier: MIT
// Tests of the structured logger: the JSON line, levels, services and log context.
#include "backend/observability/logger.h"

#include <QRegularExpression>
#include <QTest>
#include <memory>
#include <spdlog/sinks/ostream_sink.h>
#include <sstream>
#include <thread>
#include <vector>

using namespace colophon;
using namespace std::chrono_literals;

namespace {

// A logger writing into a string stream the test reads back.
struct CapturedLogger
{
    std::ostringstream stream;
    Logger logger;

    explicit CapturedLogger(std::string service = "test-service")
        : logger(std::move(service), std::make_shared<spdlog::sinks::ostream_sink_mt>(stream))
    {
    }

    std::vector<std::string> lines() const
    {
        std::vector<std::string> out;
        std::istringstream in(stream.str());
        for (std::string line; std::getline(in, line);)
            out.push_back(line);
        return out;
    }
};

const std::vector<std::string> kFields{"timestamp", "level",     "service", "traceId", "spanId",
                                       "userId",    "requestId", "message", "data"};

std::vector<std::string> keysOf(const nlohmann::ordered_json &object)
{
    std::vector<std::string> keys;
    for (const auto &item : object.items())
        keys.push_back(item.key());
    return keys;
}

std::chrono::system_clock::time_point at20250421()
{
    using namespace std::chrono;
    return sys_days{year{2025} / April / 21} + 14h + 30min;
}

} // namespace

class TestLogger final : public QObject
{
    Q_OBJECT

private slots:
    void lineHasExactlyTheNineFieldsInOrder()
    {
        CapturedLogger c;
        c.logger.info("Content item created", {{"contentId", "content123"}});
        const auto lines = c.lines();
        QCOMPARE(lines.size(), std::size_t(1));
        const auto json = nlohmann::ordered_json::parse(lines[0]);
        QVERIFY(json.is_object());
        QCOMPARE(keysOf(json), kFields);
        QCOMPARE(json["level"].get<std::string>(), std::string("info"));
        QCOMPARE(json["service"].get<std::string>(), std::string("test-service"));
        QCOMPARE(json["message"].get<std::string>(), std::string("Content item created"));
        QCOMPARE(json["data"]["contentId"].get<std::string>(), std::string("content123"));
    }

    void formatLogLineMatchesTheBlueprintExample()
    {
        const LogContext ctx{"abc123def456", "span456", "user789", "req123"};
        const std::string line =
            formatLogLine(at20250421(), LogLevel::Info, "content-service", ctx,
                          "Content item created", {{"contentType", "article"}});
        QCOMPARE(line, std::string(R"({"timestamp":"2025-04-21T14:30:00.000Z","level":"info",)"
                                   R"("service":"content-service","traceId":"abc123def456",)"
                                   R"("spanId":"span456","userId":"user789","requestId":"req123",)"
                                   R"("message":"Content item created",)"
                                   R"("data":{"contentType":"article"}})"));
    }

    void timestampIsUtcWithMilliseconds()
    {
        const auto line = nlohmann::ordered_json::parse(
            formatLogLine(at20250421() + 7s + 42ms + 999us, LogLevel::Info, "s", {}, "m", {}));
        QCOMPARE(line["timestamp"].get<std::string>(), std::string("2025-04-21T14:30:07.042Z"));

        CapturedLogger c;
        c.logger.info("now");
        const auto now = nlohmann::ordered_json::parse(c.lines().at(0));
        const QRegularExpression iso(
            QStringLiteral(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$)"));
        const QString stamp = QString::fromStdString(now["timestamp"].get<std::string>());
        QVERIFY2(iso.match(stamp).hasMatch(), qPrintable(stamp));
    }

    void contextIdsAppearAndEmptyOnesAreNull()
    {
        CapturedLogger c;
        {
            LogContextScope scope({"trace-1", "", "user-1", ""});
            c.logger.info("with context");
        }
        c.logger.info("without context");
        const auto lines = c.lines();
        QCOMPARE(lines.size(), std::size_t(2));
        const auto with = nlohmann::ordered_json::parse(lines[0]);
        QCOMPARE(with["traceId"].get<std::string>(), std::string("trace-1"));
        QVERIFY(with["spanId"].is_null());
        QCOMPARE(with["userId"].get<std::string>(), std::string("user-1"));
        QVERIFY(with["requestId"].is_null());
        const auto without = nlohmann::ordered_json::parse(lines[1]);
        for (const char *id : {"traceId", "spanId", "userId", "requestId"})
            QVERIFY2(without[id].is_null(), id);
    }

    void dataIsAlwaysAnObject()
    {
        // The "data" field as written, compact.
        const auto dataOf = [](const nlohmann::json &data) {
            return nlohmann::ordered_json::parse(
                       formatLogLine(at20250421(), LogLevel::Info, "s", {}, "m", data))["data"]
                .dump();
        };
        QCOMPARE(dataOf(nlohmann::json::object()), std::string("{}"));
        QCOMPARE(dataOf(nlohmann::json()), std::string("{}"));
        QCOMPARE(dataOf(42), std::string(R"({"value":42})"));
        QCOMPARE(dataOf("text"), std::string(R"({"value":"text"})"));
        QCOMPARE(dataOf(nlohmann::json::array({1, 2})), std::string(R"({"value":[1,2]})"));
        QCOMPARE(dataOf({{"a", {{"b", true}}}}), std::string(R"({"a":{"b":true}})"));
    }

    void multiLineMessageWithQuotesStaysOneValidLine()
    {
        CapturedLogger c;
        const std::string message = "first line\nsecond \"quoted\" line\r\n\tand a \\ backslash";
        c.logger.warn(message, {{"sql", "SELECT \"x\"\nFROM t"}});
        const auto lines = c.lines();
        QCOMPARE(lines.size(), std::size_t(1));
        const auto json = nlohmann::ordered_json::parse(lines[0]);
        QCOMPARE(json["message"].get<std::string>(), message);
        QCOMPARE(json["data"]["sql"].get<std::string>(), std::string("SELECT \"x\"\nFROM t"));
    }

    void invalidUtf8IsReplacedNotThrown()
    {
        CapturedLogger c;
        c.logger.error(std::string("bad \xff byte"));
        const auto lines = c.lines();
        QCOMPARE(lines.size(), std::size_t(1));
        const auto json = nlohmann::ordered_json::parse(lines[0]);
        QVERIFY(json["message"].get<std::string>().starts_with("bad "));
    }

    void levelNamesRoundTrip_data()
    {
        QTest::addColumn<int>("level");
        QTest::addColumn<QString>("name");
        QTest::newRow("trace") << int(LogLevel::Trace) << "trace";
        QTest::newRow("debug") << int(LogLevel::Debug) << "debug";
        QTest::newRow("info") << int(LogLevel::Info) << "info";
        QTest::newRow("warn") << int(LogLevel::Warn) << "warn";
        QTest::newRow("error") << int(LogLevel::Error) << "error";
        QTest::newRow("critical") << int(LogLevel::Critical) << "critical";
        QTest::newRow("off") << int(LogLevel::Off) << "off";
    }
    void levelNamesRoundTrip()
    {
        QFETCH(int, level);
        QFETCH(QString, name);
        const auto l = static_cast<LogLevel>(level);
        QCOMPARE(QString::fromUtf8(logLevelName(l).data(), qsizetype(logLevelName(l).size())),
                 name);
        QCOMPARE(parseLogLevel(name.toStdString()), std::optional<LogLevel>(l));
    }

    void parseLogLevelAcceptsWarningAndIgnoresCase()
    {
        QCOMPARE(parseLogLevel("warning"), std::optional<LogLevel>(LogLevel::Warn));
        QCOMPARE(parseLogLevel("WARN"), std::optional<LogLevel>(LogLevel::Warn));
        QCOMPARE(parseLogLevel("Debug"), std::optional<LogLevel>(LogLevel::Debug));
        QCOMPARE(parseLogLevel(""), std::nullopt);
        QCOMPARE(parseLogLevel("verbose"), std::nullopt);
        QCOMPARE(parseLogLevel("err"), std::nullopt);
        QCOMPARE(parseLogLevel("info "), std::nullopt);
    }

    void levelFiltersLowerLevels()
    {
        CapturedLogger c;
        QCOMPARE(c.logger.level(), LogLevel::Info);
        c.logger.debug("hidden by default");
        c.logger.setLevel(LogLevel::Warn);
        QVERIFY(!c.logger.shouldLog(LogLevel::Info));
        QVERIFY(c.logger.shouldLog(LogLevel::Warn));
        QVERIFY(c.logger.shouldLog(LogLevel::Critical));
        QVERIFY(!c.logger.shouldLog(LogLevel::Off));
        c.logger.trace("no");
        c.logger.info("no");
        c.logger.warn("yes-warn");
        c.logger.error("yes-error");
        c.logger.critical("yes-critical");
        c.logger.log(LogLevel::Off, "never");
        const auto lines = c.lines();
        QCOMPARE(lines.size(), std::size_t(3));
        QCOMPARE(nlohmann::ordered_json::parse(lines[0])["level"].get<std::string>(),
                 std::string("warn"));
        QCOMPARE(nlohmann::ordered_json::parse(lines[1])["level"].get<std::string>(),
                 std::string("error"));
        QCOMPARE(nlohmann::ordered_json::parse(lines[2])["level"].get<std::string>(),
                 std::string("critical"));

        c.logger.setLevel(LogLevel::Off);
        c.logger.critical("silenced");
        QCOMPARE(c.lines().size(), std::size_t(3));

        c.logger.setLevel(LogLevel::Trace);
        c.logger.trace("now visible");
        QCOMPARE(c.lines().size(), std::size_t(4));
    }

    void withServiceSharesSinkAndLevel()
    {
        CapturedLogger c("gateway");
        const Logger content = c.logger.withService("content-service");
        QCOMPARE(content.service(), std::string("content-service"));
        c.logger.setLevel(LogLevel::Error);
        QCOMPARE(content.level(), LogLevel::Error);
        content.warn("filtered by the shared level");
        content.error("from content");
        c.logger.error("from gateway");
        const auto lines = c.lines();
        QCOMPARE(lines.size(), std::size_t(2));
        QCOMPARE(nlohmann::ordered_json::parse(lines[0])["service"].get<std::string>(),
                 std::string("content-service"));
        QCOMPARE(nlohmann::ordered_json::parse(lines[1])["service"].get<std::string>(),
                 std::string("gateway"));

        Logger copy = content;
        copy.setLevel(LogLevel::Debug);
        QCOMPARE(c.logger.level(), LogLevel::Debug);
    }

    void logContextScopeNestsAndRestores()
    {
        QVERIFY(currentLogContext().traceId.empty());
        QVERIFY(currentLogContext().requestId.empty());
        {
            LogContextScope outer({"t1", "s1", "u1", "r1"});
            QCOMPARE(currentLogContext().traceId, std::string("t1"));
            {
                LogContextScope inner({"t2", "s2", "", "r2"});
                QCOMPARE(currentLogContext().traceId, std::string("t2"));
                QCOMPARE(currentLogContext().spanId, std::string("s2"));
                QVERIFY(currentLogContext().userId.empty());
            }
            QCOMPARE(currentLogContext().traceId, std::string("t1"));
            QCOMPARE(currentLogContext().spanId, std::string("s1"));
            QCOMPARE(currentLogContext().userId, std::string("u1"));
            QCOMPARE(currentLogContext().requestId, std::string("r1"));
        }
        QVERIFY(currentLogContext().traceId.empty());
        QVERIFY(currentLogContext().spanId.empty());
        QVERIFY(currentLogContext().userId.empty());
        QVERIFY(currentLogContext().requestId.empty());
    }

    void logContextIsPerThread()
    {
        LogContextScope scope({"main-trace", "", "", ""});
        std::string seenByOtherThread = "unset";
        std::thread([&] { seenByOtherThread = currentLogContext().traceId; }).join();
        QVERIFY(seenByOtherThread.empty());
        QCOMPARE(currentLogContext().traceId, std::string("main-trace"));
    }

    void concurrentLoggingWritesWholeLines()
    {
        CapturedLogger c;
        constexpr int kThreads = 4;
        constexpr int kPerThread = 500;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                LogContextScope scope({"trace-" + std::to_string(t), "", "", ""});
                for (int i = 0; i < kPerThread; ++i)
                    c.logger.info("message", {{"thread", t}, {"i", i}});
            });
        }
        for (auto &thread : threads)
            thread.join();
        const auto lines = c.lines();
        QCOMPARE(lines.size(), std::size_t(kThreads * kPerThread));
        for (const auto &line : lines) {
            const auto json = nlohmann::ordered_json::parse(line);
            QCOMPARE(json["traceId"].get<std::string>(),
                     "trace-" + std::to_string(json["data"]["thread"].get<int>()));
        }
    }
};

QTEST_GUILESS_MAIN(TestLogger)
#include "tst_logger.moc"
