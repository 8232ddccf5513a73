// SPDX-License-Identifier: MIT
// The real colophon-server over loopback: its endpoints, limits, timeouts, logs and shutdown.
#include "tests/support/serverprocess.h"
#include "tests/support/testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using colophon::test::HttpReply;
using colophon::test::httpRequest;
using colophon::test::ServerProcess;

namespace {

// The path with each {parameter} replaced by a value of its documented type:
// 1 for an integer, the first value of an enum, a UUID otherwise.
QString sampleTarget(const QJsonObject &api, const QString &path, const QJsonObject &operations)
{
    const QJsonObject components = api.value(QLatin1String("components"))
                                       .toObject()
                                       .value(QLatin1String("parameters"))
                                       .toObject();
    QJsonArray declared = operations.value(QLatin1String("parameters")).toArray();
    for (auto op = operations.begin(); op != operations.end(); ++op) {
        for (const QJsonValue &p :
             op.value().toObject().value(QLatin1String("parameters")).toArray())
            declared.append(p);
    }
    QString target = path;
    static const QRegularExpression placeholder(QStringLiteral("\\{([^}]+)\\}"));
    QRegularExpressionMatch match;
    while ((match = placeholder.match(target)).hasMatch()) {
        QString value = QStringLiteral("01900000-0000-7000-8000-000000000000");
        for (const QJsonValue &entry : declared) {
            QJsonObject param = entry.toObject();
            const QString ref = param.value(QLatin1String("$ref")).toString();
            if (!ref.isEmpty())
                param = components.value(ref.section(u'/', -1)).toObject();
            if (param.value(QLatin1String("name")).toString() != match.captured(1) ||
                param.value(QLatin1String("in")).toString() != QLatin1String("path"))
                continue;
            const QJsonObject schema = param.value(QLatin1String("schema")).toObject();
            if (schema.value(QLatin1String("type")).toString() == QLatin1String("integer"))
                value = QStringLiteral("1");
            else if (schema.contains(QLatin1String("enum")))
                value = schema.value(QLatin1String("enum")).toArray().first().toString();
            break;
        }
        target.replace(match.capturedStart(), match.capturedLength(), value);
    }
    return target;
}

// Bounds generous enough for an AddressSanitizer build on a busy machine.
constexpr int kStartTimeoutMs = 30000;
constexpr int kExitTimeoutMs = 30000;
constexpr int kSettleTimeoutMs = 15000;

QJsonObject jsonObject(const QByteArray &bytes)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject();
}

// The keys of a JSON object's top level, in the order they appear in the text (QJsonObject
// sorts them). Assumes `text` is valid JSON, which the caller checks separately.
QStringList topLevelKeys(const QByteArray &text)
{
    QStringList keys;
    int depth = 0;
    bool inString = false;
    bool expectKey = false;
    qsizetype stringStart = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (inString) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                inString = false;
                if (depth == 1 && expectKey) {
                    keys << QString::fromUtf8(text.mid(stringStart, i - stringStart));
                    expectKey = false;
                }
            }
            continue;
        }
        switch (c) {
        case '"':
            inString = true;
            stringStart = i + 1;
            break;
        case '{':
        case '[':
            ++depth;
            expectKey = depth == 1 && c == '{';
            break;
        case '}':
        case ']':
            --depth;
            break;
        case ',':
            expectKey = depth == 1;
            break;
        default:
            break;
        }
    }
    return keys;
}

QByteArray requestHead(quint16 port, const QByteArray &method, const QByteArray &target,
                       const QByteArray &extraHeaders)
{
    return method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\n" + extraHeaders + "\r\n";
}

bool waitConnected(QTcpSocket &socket, quint16 port)
{
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    return QTest::qWaitFor(
               [&] {
                   return socket.state() == QAbstractSocket::ConnectedState ||
                          socket.state() == QAbstractSocket::UnconnectedState;
               },
               kSettleTimeoutMs) &&
           socket.state() == QAbstractSocket::ConnectedState;
}

using colophon::test::ProgramRun;

// Runs colophon-server to completion (for arguments it must refuse).
ProgramRun runServerToExit(const QStringList &arguments, const QString &workDir)
{
    return colophon::test::runProgram(colophon::test::serverBinary(), arguments, workDir,
                                      kExitTimeoutMs);
}

} // namespace

class TestServerProcess final : public QObject
{
    Q_OBJECT

private:
    // Starts a server or fails the calling test; use with QVERIFY.
    static bool startServer(ServerProcess &server, const QList<QPair<QString, QString>> &env = {},
                            const QStringList &arguments = {})
    {
        if (server.start(arguments, env, kStartTimeoutMs))
            return true;
        qWarning("server did not start: %s", qPrintable(server.diagnostics()));
        return false;
    }

    // After a request of its own has come and gone: the descriptors of an idle, warmed-up server.
    static int idleFdCount(ServerProcess &server)
    {
        const HttpReply warmUp = httpRequest(server.port(), "GET", "/healthz");
        if (warmUp.status != 200)
            return -1;
        // The server closes its side of a Connection: close exchange just after writing.
        int previous = -1;
        int current = server.openFdCount();
        for (int i = 0; i < 50 && current != previous; ++i) {
            QTest::qWait(100);
            previous = current;
            current = server.openFdCount();
        }
        return current;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(colophon::test::serverBinary()),
                 qPrintable(colophon::test::serverBinary()));
        QVERIFY2(QFile::exists(colophon::test::ctlBinary()),
                 qPrintable(colophon::test::ctlBinary()));
    }

    void demoContentFillsANewReplicaWithPublishedArticles()
    {
        ServerProcess server;
        QVERIFY(
            startServer(server,
                        {{QStringLiteral("COLOPHON_AUTH_ARGON2_OPS"), QStringLiteral("1")},
                         {QStringLiteral("COLOPHON_AUTH_ARGON2_MEM_KIB"), QStringLiteral("8")}},
                        {QStringLiteral("--bootstrap-admin"), QStringLiteral("admin@example.com"),
                         QStringLiteral("--demo-content")}));
        const HttpReply page = httpRequest(server.port(), "GET", "/api/v1/public/content");
        QCOMPARE(page.status, 200);
        const QJsonObject body = QJsonDocument::fromJson(page.body).object();
        QCOMPARE(body.value(QLatin1String("pagination"))
                     .toObject()
                     .value(QLatin1String("totalItems"))
                     .toInt(),
                 3); // the published ones; the review and draft items stay private
        QVERIFY(server.signalAndWait(SIGTERM, kExitTimeoutMs));

        // Without an admin to author it, the option is a usage error.
        ServerProcess lone;
        QVERIFY(!lone.start({QStringLiteral("--demo-content")}, {}, kStartTimeoutMs));
        QVERIFY(lone.waitForExit(kExitTimeoutMs));
        QCOMPARE(lone.process().exitCode(), 2);
    }

    void startsPrintsItsUrlAndIsHealthyAndReady()
    {
        ServerProcess server;
        QVERIFY(startServer(server));
        QVERIFY(server.url().startsWith(QLatin1String("http://127.0.0.1:")));
        QVERIFY(server.port() != 0);
        qInfo("started in %lld ms (spawn to URL on stderr, seen by the test)",
              server.startElapsedMs());
        QVERIFY2(server.startElapsedMs() < 15000, "started within 15 s");

        const HttpReply health = httpRequest(server.port(), "GET", "/healthz");
        QCOMPARE(health.status, 200);
        QVERIFY2(health.header("Content-Type").startsWith("application/json"),
                 health.header("Content-Type").constData());
        QCOMPARE(QJsonDocument::fromJson(health.body),
                 QJsonDocument(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}}));

        const HttpReply ready = httpRequest(server.port(), "GET", "/readyz");
        QCOMPARE(ready.status, 200);

        const auto listening = server.waitForLogLine([](const QJsonObject &o) {
            return o.value(QLatin1String("message")).toString() == QLatin1String("listening");
        });
        QVERIFY2(listening, qPrintable(server.diagnostics()));
        const QJsonObject data = listening->value(QLatin1String("data")).toObject();
        QCOMPARE(data.value(QLatin1String("url")).toString(), server.url());
        QVERIFY(data.value(QLatin1String("startupMs")).isDouble());
        QVERIFY(data.value(QLatin1String("startupMs")).toDouble() >= 0);
        qInfo("the server reports startupMs = %g",
              data.value(QLatin1String("startupMs")).toDouble());
    }

    void metricsCountRequestsAndPassPromtool()
    {
        ServerProcess server;
        QVERIFY(startServer(server));
        constexpr int kHealthChecks = 3;
        for (int i = 0; i < kHealthChecks; ++i)
            QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);

        const HttpReply metrics = httpRequest(server.port(), "GET", "/metrics");
        QCOMPARE(metrics.status, 200);
        QVERIFY2(metrics.header("Content-Type").startsWith("text/plain"),
                 metrics.header("Content-Type").constData());
        const QString text = QString::fromUtf8(metrics.body);
        QVERIFY2(
            text.contains(
                QStringLiteral(
                    "\nhttp_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} %1\n")
                    .arg(kHealthChecks)),
            qPrintable(text));
        QVERIFY2(text.contains(QLatin1String(
                     "http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\"")),
                 qPrintable(text));
        QVERIFY2(
            text.contains(
                QStringLiteral(
                    "http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} %1\n")
                    .arg(kHealthChecks)),
            qPrintable(text));

        const QString promtool = QStringLiteral("/usr/bin/promtool");
        if (!QFile::exists(promtool))
            QFAIL("promtool is not installed (installer/install-deps.sh installs it)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(QStringLiteral("metrics.txt"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(metrics.body), metrics.body.size());
        out.close();

        QProcess check;
        check.setStandardInputFile(file);
        check.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY(check.waitForFinished(kExitTimeoutMs));
        const QByteArray report = check.readAllStandardOutput() + check.readAllStandardError();
        QCOMPARE(check.exitStatus(), QProcess::NormalExit);
        QVERIFY2(check.exitCode() == 0, report.constData());
    }

    void openApiDocumentIsValidAndTrueToTheServer()
    {
        ServerProcess server;
        QVERIFY(startServer(server));
        const HttpReply doc = httpRequest(server.port(), "GET", "/api/v1/openapi.json");
        QCOMPARE(doc.status, 200);
        QVERIFY2(doc.header("Content-Type").startsWith("application/json"),
                 doc.header("Content-Type").constData());
        const QJsonObject api = jsonObject(doc.body);
        QVERIFY2(!api.isEmpty(), doc.body.left(500).constData());

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(QStringLiteral("openapi.json"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(doc.body), doc.body.size());
        out.close();

        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        QVERIFY2(!python.isEmpty(), "python3 is not on PATH");
        QProcess validate;
        validate.start(python, {colophon::test::sourceDir() +
                                    QStringLiteral("/tests/tools/validate_openapi.py"),
                                file});
        QVERIFY(validate.waitForFinished(kExitTimeoutMs));
        const QByteArray report =
            validate.readAllStandardOutput() + validate.readAllStandardError();
        QCOMPARE(validate.exitStatus(), QProcess::NormalExit);
        QVERIFY2(validate.exitCode() == 0, report.constData());

        // Every documented operation exists on this server (no 404 "no
        // resource", no 405), and every public GET without parameters answers 200.
        const QJsonObject paths = api.value(QLatin1String("paths")).toObject();
        QVERIFY(!paths.isEmpty());
        int checked = 0;
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            const QJsonObject operations = it.value().toObject();
            const QString target = sampleTarget(api, it.key(), operations);
            for (auto op = operations.begin(); op != operations.end(); ++op) {
                const QByteArray method = op.key().toUpper().toUtf8();
                const HttpReply reply =
                    method == "GET" ? httpRequest(server.port(), method, target.toUtf8())
                                    : httpRequest(server.port(), method, target.toUtf8(), {}, "{}");
                const QString what = QStringLiteral("%1 %2 answered %3: %4")
                                         .arg(QString::fromUtf8(method), it.key())
                                         .arg(reply.status)
                                         .arg(QString::fromUtf8(reply.body.left(200)));
                QVERIFY2(reply.status != 405, qPrintable(what));
                QVERIFY2(!(reply.status == 404 && reply.body.contains("no resource at")),
                         qPrintable(what));
                const bool secured = op.value().toObject().contains(QLatin1String("security"));
                // An operation that cannot answer without a query parameter
                // (an OAuth request) is asked only whether it exists.
                bool needsQuery = false;
                for (const QJsonValue p :
                     op.value().toObject().value(QLatin1String("parameters")).toArray()) {
                    const QJsonObject param = p.toObject();
                    needsQuery |=
                        param.value(QLatin1String("in")).toString() == QLatin1String("query") &&
                        param.value(QLatin1String("required")).toBool();
                }
                if (method == "GET" && !secured && !needsQuery && !it.key().contains(u'{')) {
                    QVERIFY2(reply.status == 200, qPrintable(what));
                }
                ++checked;
            }
        }
        qInfo("%d documented operations exist on the server", checked);
    }

    void unknownRouteIsProblem404AndWrongMethodIs405WithAllow()
    {
        ServerProcess server;
        QVERIFY(startServer(server));
        const HttpReply missing = httpRequest(server.port(), "GET", "/no/such/route");
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.header("Content-Type"), QByteArray("application/problem+json"));
        const QJsonObject problem = jsonObject(missing.body);
        QVERIFY2(!problem.isEmpty(), missing.body.constData());
        QCOMPARE(problem.value(QLatin1String("status")).toInt(), 404);

        const HttpReply post = httpRequest(server.port(), "POST", "/healthz");
        QCOMPARE(post.status, 405);
        QList<QByteArray> allowed = post.header("Allow").split(',');
        for (QByteArray &method : allowed)
            method = method.trimmed();
        QVERIFY2(allowed.contains(QByteArray("GET")), post.header("Allow").constData());
        QCOMPARE(post.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(jsonObject(post.body).value(QLatin1String("status")).toInt(), 405);
    }

    void oversizedBodyIsRefusedWithoutBeingBuffered()
    {
        ServerProcess server;
        QVERIFY(startServer(server));
        QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
        const qint64 baselineKiB = server.residentKiB();
        QVERIFY(baselineKiB > 0);

        constexpr qint64 kBodyBytes = 20'000'000;
        constexpr qint64 kChunkBytes = 1 << 20;
        QTcpSocket socket;
        QVERIFY(waitConnected(socket, server.port()));
        socket.write(requestHead(server.port(), "POST", "/healthz",
                                 "Content-Length: " + QByteArray::number(kBodyBytes) + "\r\n"));
        const QByteArray chunk(kChunkBytes, 'x');
        QByteArray received;
        qint64 sent = 0;
        qint64 peakKiB = baselineKiB;
        while (sent < kBodyBytes && socket.state() == QAbstractSocket::ConnectedState) {
            const qint64 n = std::min(kChunkBytes, kBodyBytes - sent);
            socket.write(chunk.constData(), n);
            sent += n;
            // Wait until the kernel took the chunk, or the server closed the connection.
            const bool taken = QTest::qWaitFor(
                [&] {
                    received += socket.readAll();
                    return socket.bytesToWrite() == 0 ||
                           socket.state() != QAbstractSocket::ConnectedState;
                },
                kSettleTimeoutMs);
            peakKiB = std::max(peakKiB, server.residentKiB());
            if (!taken)
                break; // the server stopped reading without closing: the checks below tell
        }
        std::optional<HttpReply> reply;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         received += socket.readAll();
                         reply = colophon::test::parseHttpReply(
                             received, socket.state() == QAbstractSocket::UnconnectedState);
                         return reply.has_value() ||
                                socket.state() == QAbstractSocket::UnconnectedState;
                     },
                     kSettleTimeoutMs),
                 "no answer and no hang-up");
        QVERIFY2(reply, received.left(300).constData());
        QCOMPARE(reply->status, 413);
        QCOMPARE(reply->header("Content-Type"), QByteArray("application/problem+json"));
        peakKiB = std::max(peakKiB, server.residentKiB());
        qInfo("sent %lld of %lld body bytes; server resident memory %lld KiB before, %lld KiB at "
              "most after",
              sent, kBodyBytes, baselineKiB, peakKiB);
        QVERIFY2(peakKiB - baselineKiB < 10 * 1024,
                 qPrintable(QStringLiteral("grew by %1 KiB").arg(peakKiB - baselineKiB)));
        QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
    }

    void oversizedBodyWithExpectContinueIsRefusedBeforeTheBodyIsSent()
    {
        ServerProcess server;
        QVERIFY(startServer(server));
        QTcpSocket socket;
        QVERIFY(waitConnected(socket, server.port()));
        socket.write(requestHead(server.port(), "POST", "/healthz",
                                 "Content-Length: 20000000\r\nExpect: 100-continue\r\n"));
        QByteArray received;
        std::optional<HttpReply> reply;
        QVERIFY(QTest::qWaitFor(
            [&] {
                received += socket.readAll();
                reply = colophon::test::parseHttpReply(
                    received, socket.state() == QAbstractSocket::UnconnectedState);
                return reply.has_value() || socket.state() == QAbstractSocket::UnconnectedState;
            },
            kSettleTimeoutMs));
        QVERIFY2(reply, received.constData());
        // The first answer is the refusal, not "100 Continue"; no body byte was sent.
        QCOMPARE(reply->status, 413);
        QCOMPARE(reply->header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(reply->header("Connection").toLower().contains("close"));
        QCOMPARE(jsonObject(reply->body).value(QLatin1String("status")).toInt(), 413);
    }

    void slowClientIsDisconnectedAfterTheReadTimeout()
    {
        ServerProcess server;
        QVERIFY(startServer(
            server, {{QStringLiteral("COLOPHON_HTTP_READ_TIMEOUT_MS"), QStringLiteral("300")}}));
        const int baseline = idleFdCount(server);
        QVERIFY(baseline > 0);

        QTcpSocket socket;
        QVERIFY(waitConnected(socket, server.port()));
        QElapsedTimer timer;
        timer.start();
        socket.write("GET /heal"); // half a request line, then nothing
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         socket.readAll();
                         return socket.state() == QAbstractSocket::UnconnectedState;
                     },
                     kSettleTimeoutMs),
                 "the server kept a silent client connected");
        qInfo("the server hung up on the silent client after %lld ms", timer.elapsed());
        QTRY_COMPARE_WITH_TIMEOUT(server.openFdCount(), baseline, kSettleTimeoutMs);
        QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
    }

    void clientVanishingMidBodyCostsNothing()
    {
        // The default read timeout (15 s) is longer than the waits below: the server must notice
        // the client has gone, not time it out.
        ServerProcess server;
        QVERIFY(startServer(server));
        const int baseline = idleFdCount(server);
        QVERIFY(baseline > 0);

        QTcpSocket socket;
        QVERIFY(waitConnected(socket, server.port()));
        socket.write(requestHead(server.port(), "POST", "/healthz", "Content-Length: 100000\r\n") +
                     QByteArray(10, 'x'));
        QVERIFY(QTest::qWaitFor([&] { return socket.bytesToWrite() == 0; }, kSettleTimeoutMs));
        QTRY_VERIFY_WITH_TIMEOUT(server.openFdCount() > baseline, kSettleTimeoutMs);
        socket.disconnectFromHost();
        QVERIFY(QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                                kSettleTimeoutMs));

        QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(server.openFdCount(), baseline, 10000);
        QVERIFY(server.isRunning());
    }

    void stdoutIsOneStructuredJsonObjectPerLine()
    {
        ServerProcess server;
        QVERIFY(startServer(server));

        const HttpReply tagged =
            httpRequest(server.port(), "GET", "/healthz", {{"X-Request-Id", "test-req-1"}});
        QCOMPARE(tagged.status, 200);
        QCOMPARE(tagged.header("X-Request-Id"), QByteArray("test-req-1"));
        const auto taggedLine = server.waitForLogLine([](const QJsonObject &o) {
            return o.value(QLatin1String("message")).toString() == QLatin1String("request") &&
                   o.value(QLatin1String("requestId")).toString() == QLatin1String("test-req-1");
        });
        QVERIFY2(taggedLine, qPrintable(server.diagnostics()));
        QCOMPARE(taggedLine->value(QLatin1String("data")).toObject().value(QLatin1String("path")),
                 QJsonValue(QStringLiteral("/healthz")));

        const QByteArray traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const HttpReply traced =
            httpRequest(server.port(), "GET", "/healthz",
                        {{"traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"},
                         {"X-Request-Id", "test-req-2"}});
        QCOMPARE(traced.status, 200);
        const QList<QByteArray> parts = traced.header("traceparent").split('-');
        QVERIFY2(parts.size() == 4, traced.header("traceparent").constData());
        QCOMPARE(parts.at(1), traceId);
        const auto tracedLine = server.waitForLogLine([](const QJsonObject &o) {
            return o.value(QLatin1String("message")).toString() == QLatin1String("request") &&
                   o.value(QLatin1String("requestId")).toString() == QLatin1String("test-req-2");
        });
        QVERIFY2(tracedLine, qPrintable(server.diagnostics()));
        QCOMPARE(tracedLine->value(QLatin1String("traceId")).toString().toUtf8(), traceId);
        QCOMPARE(tracedLine->value(QLatin1String("spanId")).toString().toUtf8(), parts.at(2));

        // Also the lines of start-up and shutdown.
        QVERIFY2(server.signalAndWait(SIGTERM, kExitTimeoutMs), qPrintable(server.diagnostics()));
        const QStringList expectedKeys{
            QStringLiteral("timestamp"), QStringLiteral("level"),   QStringLiteral("service"),
            QStringLiteral("traceId"),   QStringLiteral("spanId"),  QStringLiteral("userId"),
            QStringLiteral("requestId"), QStringLiteral("message"), QStringLiteral("data")};
        static const QRegularExpression timestamp(
            QStringLiteral("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$"));
        const QList<QByteArray> lines = server.stdoutLines();
        QVERIFY(lines.size() >= 5); // listening, 2 requests, stopping, stopped
        for (const QByteArray &line : lines) {
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
            QCOMPARE(topLevelKeys(line), expectedKeys);
            const QString ts = doc.object().value(QLatin1String("timestamp")).toString();
            QVERIFY2(timestamp.match(ts).hasMatch(), qPrintable(ts));
            QVERIFY2(doc.object().value(QLatin1String("data")).isObject(), line.constData());
        }
        QVERIFY2(server.stdoutText().endsWith('\n'), "stdout ends in a partial line");
    }

    void sigtermLetsAnInFlightRequestFinish()
    {
        ServerProcess server;
        QVERIFY(startServer(server));
        const int baseline = idleFdCount(server);
        QVERIFY(baseline > 0);

        QTcpSocket socket;
        QVERIFY(waitConnected(socket, server.port()));
        socket.write(requestHead(server.port(), "GET", "/healthz", "Content-Length: 20\r\n") +
                     QByteArray(10, 'a'));
        QVERIFY(QTest::qWaitFor([&] { return socket.bytesToWrite() == 0; }, kSettleTimeoutMs));
        // Accepted, and a moment to read the header: the request is in flight.
        QTRY_VERIFY_WITH_TIMEOUT(server.openFdCount() > baseline, kSettleTimeoutMs);
        QTest::qWait(300);

        QCOMPARE(::kill(static_cast<pid_t>(server.pid()), SIGTERM), 0);
        QTest::qWait(200);
        QVERIFY(server.isRunning());
        socket.write(QByteArray(10, 'b'));

        QByteArray received;
        std::optional<HttpReply> reply;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         received += socket.readAll();
                         reply = colophon::test::parseHttpReply(
                             received, socket.state() == QAbstractSocket::UnconnectedState);
                         return reply.has_value() ||
                                socket.state() == QAbstractSocket::UnconnectedState;
                     },
                     kSettleTimeoutMs),
                 received.constData());
        QVERIFY2(reply, received.constData());
        QCOMPARE(reply->status, 200);
        QVERIFY2(reply->header("Connection").toLower().contains("close"),
                 reply->header("Connection").constData());
        QCOMPARE(QJsonDocument::fromJson(reply->body),
                 QJsonDocument(QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")}}));

        QVERIFY2(server.waitForExit(kExitTimeoutMs), qPrintable(server.diagnostics()));
        QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
        QVERIFY2(server.process().exitCode() == 0, qPrintable(server.diagnostics()));
    }

    void idleServerExitsCleanlyOnStopSignal_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }

    void idleServerExitsCleanlyOnStopSignal()
    {
        QFETCH(int, signal);
        ServerProcess server;
        QVERIFY(startServer(server));
        QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(server.signalAndWait(signal, kExitTimeoutMs), qPrintable(server.diagnostics()));
        qInfo("exited %lld ms after the signal", timer.elapsed());
        QVERIFY2(timer.elapsed() < 15000, "exits within 15 s");
        QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
        QVERIFY2(server.process().exitCode() == 0, qPrintable(server.diagnostics()));
        const auto stopped = server.waitForLogLine(
            [](const QJsonObject &o) {
                return o.value(QLatin1String("message")).toString() == QLatin1String("stopped");
            },
            0);
        QVERIFY2(stopped, "no 'stopped' log line");
    }

    void readRoutesAreRateLimitedButSystemRoutesNever()
    {
        ServerProcess server;
        QVERIFY(startServer(server,
                            {{QStringLiteral("COLOPHON_RATE_LIMIT_READ"), QStringLiteral("5")}}));
        for (int i = 1; i <= 5; ++i) {
            const HttpReply reply = httpRequest(server.port(), "GET", "/api/v1/openapi.json");
            QVERIFY2(reply.status == 200,
                     qPrintable(QStringLiteral("request %1 answered %2").arg(i).arg(reply.status)));
        }
        for (int i = 6; i <= 8; ++i) {
            const HttpReply reply = httpRequest(server.port(), "GET", "/api/v1/openapi.json");
            QVERIFY2(reply.status == 429,
                     qPrintable(QStringLiteral("request %1 answered %2").arg(i).arg(reply.status)));
            bool ok = false;
            const int retryAfter = reply.header("Retry-After").toInt(&ok);
            QVERIFY2(ok && retryAfter >= 1, reply.header("Retry-After").constData());
            QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
            QCOMPARE(jsonObject(reply.body).value(QLatin1String("status")).toInt(), 429);
        }
        for (int i = 0; i < 20; ++i)
            QCOMPARE(httpRequest(server.port(), "GET", "/healthz").status, 200);
    }

    void rateLimitsCanBeSwitchedOff()
    {
        ServerProcess server;
        QVERIFY(startServer(server,
                            {{QStringLiteral("COLOPHON_RATE_LIMIT"), QStringLiteral("0")},
                             {QStringLiteral("COLOPHON_RATE_LIMIT_READ"), QStringLiteral("5")}}));
        for (int i = 1; i <= 50; ++i) {
            const HttpReply reply = httpRequest(server.port(), "GET", "/api/v1/openapi.json");
            QVERIFY2(reply.status == 200,
                     qPrintable(QStringLiteral("request %1 answered %2").arg(i).arg(reply.status)));
        }
    }

    void badConfigurationIsAUsageError_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("configFile"); // written and passed with --config if not empty
        QTest::addColumn<QString>("mentioned");     // stderr must name it
        QTest::newRow("listen address")
            << QStringList{QStringLiteral("--listen"), QStringLiteral("nonsense")} << QByteArray()
            << QStringLiteral("nonsense");
        QTest::newRow("log level")
            << QStringList{QStringLiteral("--log-level"), QStringLiteral("loud")} << QByteArray()
            << QStringLiteral("loud");
        QTest::newRow("unknown config key")
            << QStringList() << QByteArray(R"({"http": {"no_such_setting": 1}})")
            << QStringLiteral("http.no_such_setting");
    }

    void badConfigurationIsAUsageError()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, configFile);
        QFETCH(QString, mentioned);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QStringList args{QStringLiteral("--data"), dir.filePath(QStringLiteral("data"))};
        if (!arguments.contains(QStringLiteral("--listen")))
            args << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:0");
        args << arguments;
        if (!configFile.isEmpty()) {
            const QString path = dir.filePath(QStringLiteral("config.json"));
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write(configFile), configFile.size());
            f.close();
            args << QStringLiteral("--config") << path;
        }
        const ProgramRun run = runServerToExit(args, dir.path());
        QVERIFY2(run.finished, "the server did not exit");
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QVERIFY2(run.exitCode == 2, run.err.constData());
        QVERIFY2(QString::fromUtf8(run.err).contains(mentioned), run.err.constData());
        QVERIFY2(!run.err.contains("listening on"), run.err.constData());
    }

    void secondServerOnTheSamePortFails()
    {
        ServerProcess first;
        QVERIFY(startServer(first));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const ProgramRun run = runServerToExit(
            {QStringLiteral("--data"), dir.filePath(QStringLiteral("data")),
             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(first.port())},
            dir.path());
        QVERIFY2(run.finished, "the second server did not exit");
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QVERIFY2(run.exitCode == 1, run.err.constData());
        QVERIFY2(run.err.contains("cannot listen"), run.err.constData());
        // The first one is unharmed.
        QCOMPARE(httpRequest(first.port(), "GET", "/healthz").status, 200);
    }
};

QTEST_GUILESS_MAIN(TestServerProcess)
#include "tst_serverprocess.moc"
