// SPDX-License-Identifier: MIT
// Proves the libcurl client against the project's own Beast server on a
// loopback port: requests and responses round-trip, an HTTP error status is
// a response, refused connections and timeouts are errors, one connection is
// kept alive across calls, and Server-Sent Events stream through SseParser
// until either side ends them. Then SseParser alone, chunk by chunk.
#include "backend/http/httpserver.h"
#include "backend/http/middleware.h"
#include "backend/http/responsestream.h"
#include "backend/http/router.h"
#include "backend/net/httpclient.h"
#include "backend/observability/logger.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>
#include <atomic>
#include <spdlog/sinks/null_sink.h>
#include <thread>

using namespace colophon;
using namespace std::chrono_literals;

namespace {

using Events = std::vector<SseParser::SseEvent>;

Events parseAll(const QList<QByteArray> &chunks)
{
    SseParser parser;
    Events all;
    for (const QByteArray &chunk : chunks) {
        for (auto &e : parser.feed(chunk)) {
            all.push_back(std::move(e));
        }
    }
    return all;
}

QByteArray describe(const Events &events)
{
    QByteArray out;
    for (const auto &e : events) {
        out += "[" + e.event + "|" + e.data + "|" + e.id + "]";
    }
    return out;
}

// Local ports of the loopback sockets, in any state (TIME_WAIT too), whose
// remote end is the given port: the client side of every connection made to
// it. Read from the kernel, so it counts what curl did, not what it reports.
QSet<QByteArray> clientPortsTo(quint16 serverPort)
{
    QFile table(QStringLiteral("/proc/net/tcp"));
    if (!table.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray remote =
        ':' + QByteArray::number(serverPort, 16).toUpper().rightJustified(4, '0');
    QSet<QByteArray> ports;
    table.readLine(); // the heading
    for (QByteArray line = table.readLine(); !line.isEmpty(); line = table.readLine()) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 2 && fields[2].endsWith(remote)) {
            ports.insert(fields[1]);
        }
    }
    return ports;
}

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private:
    Logger m_logger{"test", std::make_shared<spdlog::sinks::null_sink_mt>()};
    Router m_router;
    std::unique_ptr<HttpPipeline> m_pipeline;
    std::unique_ptr<HttpServer> m_server;
    std::atomic<bool> m_streamGone{false};

    HttpServerSettings settings()
    {
        HttpServerSettings s;
        s.port = 0;
        s.threads = 2;
        s.idleTimeout = 10000ms;
        s.drainTimeout = 5000ms;
        return s;
    }
    QString url(const char *path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_server->port()).arg(path);
    }
    static HttpClientRequest get(const QString &url)
    {
        HttpClientRequest r;
        r.url = url;
        return r;
    }

private slots:
    void initTestCase()
    {
        m_router.add(HttpMethod::Get, "/hello",
                     [](HttpRequest &) { return HttpResponse::text(200, "hello"); });
        m_router.add(HttpMethod::Post, "/echo", [](HttpRequest &req) {
            nlohmann::json reply = {
                {"method", req.methodText},
                {"contentType", std::string(req.header("Content-Type"))},
                {"test", std::string(req.header("X-Test"))},
                {"expect", std::string(req.header("Expect"))},
                {"received", req.jsonBody().value_or(nullptr)},
            };
            HttpResponse r = HttpResponse::json(201, reply);
            r.setHeader("X-Reply", "yes");
            return r;
        });
        m_router.add(HttpMethod::Get, "/slow", [](HttpRequest &) {
            std::this_thread::sleep_for(1500ms);
            return HttpResponse::text(200, "finished");
        });
        m_router.add(HttpMethod::Get, "/events/finite", [](HttpRequest &) {
            auto stream = std::make_shared<ResponseStream>();
            std::thread([stream] {
                stream->send(": hello\n\n");
                for (int i = 1; i <= 3; ++i) {
                    stream->send(ResponseStream::sseEvent("{\"n\":" + std::to_string(i) + "}",
                                                          "tick", std::to_string(i)));
                    std::this_thread::sleep_for(10ms);
                }
                stream->send(ResponseStream::sseEvent("first\nsecond", "lines"));
                stream->close();
            }).detach();
            return HttpResponse::streaming(stream, "text/event-stream");
        });
        m_router.add(HttpMethod::Get, "/events/endless", [this](HttpRequest &) {
            auto stream = std::make_shared<ResponseStream>();
            stream->setOnClientGone([this] { m_streamGone = true; });
            std::thread([stream] {
                // Events until the client goes away (bounded: 10 s).
                for (int i = 1; i < 1000 && stream->send(ResponseStream::sseEvent(
                                                std::to_string(i), "tick", std::to_string(i)));
                     ++i) {
                    std::this_thread::sleep_for(10ms);
                }
            }).detach();
            return HttpResponse::streaming(stream, "text/event-stream");
        });
        m_pipeline = std::make_unique<HttpPipeline>(
            m_router, std::vector<Middleware>{requestIdMiddleware()}, m_logger);
    }

    void init()
    {
        m_server = std::make_unique<HttpServer>(settings(), *m_pipeline, m_logger);
        QVERIFY(m_server->start());
    }
    void cleanup()
    {
        m_server.reset();
        m_streamGone = false;
    }

    void getReturnsStatusHeadersAndBody()
    {
        HttpClient client;
        auto r = client.send(get(url("/hello")));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, QByteArray("hello"));
        QCOMPARE(r->header("content-type"), QByteArray("text/plain; charset=utf-8"));
        QCOMPARE(r->header("CONTENT-LENGTH"), QByteArray("5"));
        QVERIFY(!r->header("X-Request-Id").isEmpty());
        QVERIFY(r->header("X-Absent").isEmpty());
    }

    void postRoundTripsAJsonBodyAndHeaders()
    {
        HttpClient client;
        HttpClientRequest req;
        req.method = "POST";
        req.url = url("/echo");
        req.headers = {{"Content-Type", "application/json"}, {"X-Test", "round trip"}};
        // Large enough that curl would otherwise wait for 100-continue.
        const QByteArray filler(2 * 1024 * 1024, 'x');
        req.body = "{\"title\":\"Colophon\",\"n\":42,\"filler\":\"" + filler + "\"}";
        auto r = client.send(req);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QCOMPARE(r->status, 201);
        QCOMPARE(r->header("x-reply"), QByteArray("yes"));
        const QJsonObject reply = QJsonDocument::fromJson(r->body).object();
        QCOMPARE(reply["method"].toString(), QStringLiteral("POST"));
        QCOMPARE(reply["contentType"].toString(), QStringLiteral("application/json"));
        QCOMPARE(reply["test"].toString(), QStringLiteral("round trip"));
        QCOMPARE(reply["expect"].toString(), QString());
        const QJsonObject received = reply["received"].toObject();
        QCOMPARE(received["title"].toString(), QStringLiteral("Colophon"));
        QCOMPARE(received["n"].toInt(), 42);
        QCOMPARE(received["filler"].toString().size(), filler.size());
    }

    void anErrorStatusIsAResponseNotAnError()
    {
        HttpClient client;
        auto r = client.send(get(url("/nowhere")));
        QVERIFY(r);
        QCOMPARE(r->status, 404);
        QCOMPARE(r->header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(r->body.contains("404"));
    }

    void aRefusedConnectionIsAnUnavailableErrorNamingTheUrl()
    {
        auto closed = std::make_unique<HttpServer>(settings(), *m_pipeline, m_logger);
        QVERIFY(closed->start());
        const QString target = QStringLiteral("http://127.0.0.1:%1/hello").arg(closed->port());
        closed.reset(); // the port was just closed
        HttpClient client;
        auto r = client.send(get(target));
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Unavailable);
        QVERIFY(r.error().isTransient());
        QVERIFY2(r.error().message.contains(target), qPrintable(r.error().message));
        // The same client still works afterwards.
        auto ok = client.send(get(url("/hello")));
        QVERIFY(ok);
        QCOMPARE(ok->status, 200);
    }

    void aSlowServerIsATimeoutError()
    {
        HttpClient client;
        HttpClientRequest req = get(url("/slow"));
        req.timeoutMs = 300;
        QElapsedTimer t;
        t.start();
        auto r = client.send(req);
        QVERIFY(!r);
        QVERIFY2(t.elapsed() < 1400, "the timeout was not applied");
        QCOMPARE(r.error().code, ErrorCode::Unavailable);
        QVERIFY2(r.error().message.contains(QStringLiteral("/slow")),
                 qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(QStringLiteral("Timeout"), Qt::CaseInsensitive),
                 qPrintable(r.error().message));
    }

    void reusesOneConnectionAcrossFiftyCalls()
    {
        HttpClient client;
        for (int i = 0; i < 50; ++i) {
            auto r = client.send(get(url("/hello")));
            QVERIFY(r);
            QCOMPARE(r->status, 200);
        }
        QCOMPARE(m_server->requestsServed(), std::uint64_t(50));
        QCOMPARE(m_server->openConnections(), 1);
        QCOMPARE(clientPortsTo(m_server->port()).size(), 1);
    }

    void refusesMalformedRequestsBeforeSending()
    {
        HttpClient client;
        HttpClientRequest injected = get(url("/hello"));
        injected.headers = {{"X-Test", "a\r\nX-Evil: 1"}};
        auto r = client.send(injected);
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::InvalidInput);

        HttpClientRequest badMethod = get(url("/hello"));
        badMethod.method = "GET /x";
        QCOMPARE(client.send(badMethod).error().code, ErrorCode::InvalidInput);

        auto ftp = client.send(get(QStringLiteral("ftp://127.0.0.1/file")));
        QVERIFY(!ftp);
        QCOMPARE(ftp.error().code, ErrorCode::InvalidInput);
        QCOMPARE(m_server->requestsServed(), std::uint64_t(0));
    }

    void streamDeliversServerSentEventsUntilTheServerEnds()
    {
        HttpClient client;
        SseParser parser;
        Events events;
        int chunks = 0;
        auto status = client.stream(get(url("/events/finite")), [&](QByteArrayView chunk) {
            ++chunks;
            for (auto &e : parser.feed(chunk)) {
                events.push_back(std::move(e));
            }
            return true;
        });
        QVERIFY2(status, qPrintable(status ? QString() : status.error().message));
        QCOMPARE(*status, 200);
        QVERIFY(chunks >= 1);
        QCOMPARE(describe(events), QByteArray("[tick|{\"n\":1}|1][tick|{\"n\":2}|2]"
                                              "[tick|{\"n\":3}|3][lines|first\nsecond|3]"));
    }

    void streamStopsWhenTheCallbackReturnsFalse()
    {
        HttpClient client;
        SseParser parser;
        Events events;
        HttpClientRequest req = get(url("/events/endless"));
        req.timeoutMs = 0; // a stream meant to stay open
        QElapsedTimer t;
        t.start();
        auto status = client.stream(req, [&](QByteArrayView chunk) {
            for (auto &e : parser.feed(chunk)) {
                events.push_back(std::move(e));
            }
            return events.size() < 3;
        });
        QVERIFY2(status, qPrintable(status ? QString() : status.error().message));
        QCOMPARE(*status, 200);
        QVERIFY(t.elapsed() < 5000);
        QVERIFY(events.size() >= 3);
        QCOMPARE(events[2].id, QByteArray("3"));
        QCOMPARE(events[2].data, QByteArray("3"));
        QTRY_VERIFY_WITH_TIMEOUT(m_streamGone.load(), 3000);
        // The client goes on working on a fresh connection.
        auto r = client.send(get(url("/hello")));
        QVERIFY(r);
        QCOMPARE(r->body, QByteArray("hello"));
    }

    void sseParsesTheSameWhereverAChunkSplits()
    {
        const QByteArray text = "\xEF\xBB\xBF: opening comment\r\n"
                                "event: add\r\n"
                                "data: one\r\n"
                                "id: 7\r\n"
                                "\r\n"
                                "data:two\rdata:  three\r\r"
                                "event: ignored\n"
                                "id: 8\n"
                                "\n"
                                "retry: 100\n"
                                "unknown: x\n"
                                "data\n"
                                "\n"
                                "data: tail-without-blank-line";
        const Events whole = parseAll({text});
        const QByteArray expected = "[add|one|7][|two\n three|7][||8]";
        QCOMPARE(describe(whole), expected);
        for (int i = 0; i <= text.size(); ++i) {
            const Events split = parseAll({text.left(i), text.mid(i)});
            QVERIFY2(describe(split) == expected, qPrintable(QStringLiteral("split at %1").arg(i)));
        }
        QList<QByteArray> bytes;
        for (const char c : text) {
            bytes.append(QByteArray(1, c));
        }
        QCOMPARE(describe(parseAll(bytes)), expected);
    }

    void sseHandlesEveryLineEnding()
    {
        QCOMPARE(describe(parseAll({"data: a\n\n"})), QByteArray("[|a|]"));
        QCOMPARE(describe(parseAll({"data: a\r\n\r\n"})), QByteArray("[|a|]"));
        QCOMPARE(describe(parseAll({"data: a\r\r"})), QByteArray("[|a|]"));
        // A CR at a chunk's end, its LF at the next one's start: one line end, not two.
        QCOMPARE(describe(parseAll({"data: a\r", "\ndata: b\r", "\n\r", "\n"})),
                 QByteArray("[|a\nb|]"));
    }

    void sseJoinsMultiLineDataWithNewlines()
    {
        QCOMPARE(describe(parseAll({"event: doc\ndata: {\ndata:  \"a\": 1\ndata: }\n\n"})),
                 QByteArray("[doc|{\n \"a\": 1\n}|]"));
        QCOMPARE(describe(parseAll({"data:\ndata:\n\n"})), QByteArray("[|\n|]"));
    }

    void sseIgnoresCommentsAndEmptyBlocks()
    {
        QCOMPARE(describe(parseAll({": heartbeat\n\n", ":\n\n", ": x\ndata: y\n\n"})),
                 QByteArray("[|y|]"));
        // An event name with no data dispatches nothing, and does not leak into the next event.
        QCOMPARE(describe(parseAll({"event: lonely\n\ndata: z\n\n"})), QByteArray("[|z|]"));
        // Nothing is dispatched until the blank line arrives.
        SseParser parser;
        QVERIFY(parser.feed("data: pending\n").empty());
        QCOMPARE(describe(parser.feed("\n")), QByteArray("[|pending|]"));
    }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
