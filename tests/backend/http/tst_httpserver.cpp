// SPDX-License-Identifier: MIT
// Proves the Beast HTTP server over real loopback sockets: keep-alive and
// Connection: close, HEAD, header and body limits (431, 413) enforced before
// reading, Expect: 100-continue, read and idle timeouts, clients vanishing,
// the connection limit, Server-Sent Events, trusted proxies, requests handed
// off their I/O thread, and a graceful drain that lets an in-flight request
// finish.
#include "backend/core/serialworker.h"
#include "backend/http/httpserver.h"
#include "backend/http/middleware.h"
#include "backend/http/responsestream.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTest>
#include <atomic>
#include <future>
#include <spdlog/sinks/null_sink.h>
#include <thread>

using namespace colophon;
using namespace std::chrono_literals;

namespace {

struct RawResponse
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

// A deliberately dumb blocking HTTP/1.1 client, so the test controls every byte.
class RawClient
{
public:
    bool connect(quint16 port)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        return m_socket.waitForConnected(5000);
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(5000);
    }
    QByteArray readLine(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (!m_buffer.contains("\r\n") && t.elapsed() < timeoutMs) {
            if (!fill(timeoutMs - static_cast<int>(t.elapsed()))) {
                break;
            }
        }
        const int nl = m_buffer.indexOf("\r\n");
        if (nl < 0) {
            return {};
        }
        QByteArray line = m_buffer.left(nl);
        m_buffer.remove(0, nl + 2);
        return line;
    }
    QByteArray readExactly(int n, int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (m_buffer.size() < n && t.elapsed() < timeoutMs) {
            if (!fill(timeoutMs - static_cast<int>(t.elapsed()))) {
                break;
            }
        }
        QByteArray out = m_buffer.left(n);
        m_buffer.remove(0, out.size());
        return out;
    }
    std::optional<RawResponse> readResponse(bool head = false, int timeoutMs = 5000)
    {
        RawResponse r;
        const QByteArray status = readLine(timeoutMs);
        if (!status.startsWith("HTTP/1.")) {
            return std::nullopt;
        }
        m_statusLine = status;
        r.status = status.mid(9, 3).toInt();
        for (QByteArray line = readLine(timeoutMs); !line.isEmpty(); line = readLine(timeoutMs)) {
            const int colon = line.indexOf(':');
            r.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
        if (head || r.status == 204 || r.status == 100) {
            return r;
        }
        if (r.headers.value("transfer-encoding") == "chunked") {
            for (;;) {
                const int size = readLine(timeoutMs).toInt(nullptr, 16);
                if (size == 0) {
                    readLine(timeoutMs);
                    break;
                }
                r.body += readExactly(size, timeoutMs);
                readLine(timeoutMs);
            }
        } else {
            r.body = readExactly(r.headers.value("content-length").toInt(), timeoutMs);
        }
        return r;
    }
    // True once the peer has closed (EOF) within the time.
    bool waitClosed(int timeoutMs = 5000)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (m_socket.state() == QAbstractSocket::UnconnectedState) {
                return true;
            }
            if (m_socket.waitForReadyRead(50)) {
                m_buffer += m_socket.readAll();
            } else if (m_socket.error() == QAbstractSocket::RemoteHostClosedError) {
                return true;
            }
        }
        return m_socket.state() == QAbstractSocket::UnconnectedState;
    }
    void close() { m_socket.abort(); }
    // Everything received and not yet read as a response.
    QByteArray received() const { return m_buffer; }
    QByteArray lastStatusLine() const { return m_statusLine; }

private:
    bool fill(int timeoutMs)
    {
        if (m_socket.bytesAvailable() == 0 && !m_socket.waitForReadyRead(std::max(1, timeoutMs))) {
            return false;
        }
        m_buffer += m_socket.readAll();
        return true;
    }
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_statusLine;
};

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

private:
    Logger m_logger{"test", std::make_shared<spdlog::sinks::null_sink_mt>()};
    Router m_router;
    std::unique_ptr<HttpPipeline> m_pipeline;
    std::unique_ptr<HttpServer> m_server;
    std::atomic<bool> m_streamGone{false};
    std::atomic<int> m_threadsFinished{0};

    HttpServerSettings settings()
    {
        HttpServerSettings s;
        s.port = 0;
        s.threads = 2;
        s.maxHeaderBytes = 4096;
        s.maxBodyBytes = 64 * 1024;
        s.readTimeout = 400ms;
        s.idleTimeout = 300ms;
        s.writeTimeout = 2000ms;
        s.drainTimeout = 5000ms;
        s.maxConnections = 16;
        s.threadFinished = [this] { ++m_threadsFinished; };
        return s;
    }
    void startServer(HttpServerSettings s)
    {
        m_server = std::make_unique<HttpServer>(s, *m_pipeline, m_logger);
        QVERIFY(m_server->start());
        QVERIFY(m_server->port() != 0);
    }
    quint16 port() const { return m_server->port(); }

private slots:
    void initTestCase()
    {
        m_router.add(HttpMethod::Get, "/hello",
                     [](HttpRequest &) { return HttpResponse::text(200, "hello"); });
        m_router.add(HttpMethod::Post, "/echo",
                     [](HttpRequest &req) { return HttpResponse::text(200, req.body); });
        m_router.add(HttpMethod::Get, "/slow", [](HttpRequest &) {
            std::this_thread::sleep_for(400ms);
            return HttpResponse::text(200, "finished");
        });
        m_router.add(HttpMethod::Get, "/fields", [](HttpRequest &) {
            HttpResponse res = HttpResponse::text(200, "fields");
            res.headers.emplace_back("X-Twice", "first");
            res.headers.emplace_back("x-twice", "second");
            res.headers.emplace_back("X-Note", "a\r\nSet-Cookie: stolen=1");
            res.headers.emplace_back("Content-Length", "999");
            res.headers.emplace_back("Connection", "keep-alive");
            return res;
        });
        m_router.add(HttpMethod::Get, "/nothing",
                     [](HttpRequest &) { return HttpResponse::text(204, ""); });
        m_router.add(HttpMethod::Get, "/whoami",
                     [](HttpRequest &req) { return HttpResponse::text(200, req.clientAddress); });
        m_router.add(HttpMethod::Get, "/events", [this](HttpRequest &) {
            auto stream = std::make_shared<ResponseStream>();
            stream->setOnClientGone([this] { m_streamGone = true; });
            std::thread([stream] {
                for (int i = 1; i <= 3; ++i) {
                    stream->send(ResponseStream::sseEvent("{\"n\":" + std::to_string(i) + "}",
                                                          "tick", std::to_string(i)));
                    std::this_thread::sleep_for(10ms);
                }
                // Heartbeats until the client goes away (bounded: 5 s).
                for (int i = 0; i < 500 && stream->send(": heartbeat\n\n"); ++i) {
                    std::this_thread::sleep_for(10ms);
                }
            }).detach();
            return HttpResponse::streaming(stream, "text/event-stream");
        });
        m_pipeline = std::make_unique<HttpPipeline>(
            m_router, std::vector<Middleware>{requestIdMiddleware()}, m_logger);
    }

    void init() { startServer(settings()); }
    void cleanup()
    {
        m_server.reset();
        m_streamGone = false;
    }

    void servesSeveralRequestsOnOneKeptAliveConnection()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        for (int i = 0; i < 3; ++i) {
            c.send(get("/hello"));
            auto r = c.readResponse();
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            QCOMPARE(r->body, QByteArray("hello"));
            QVERIFY(!r->headers.value("date").isEmpty());
            QVERIFY(!r->headers.value("x-request-id").isEmpty());
        }
        QCOMPARE(m_server->requestsServed(), std::uint64_t(3));
    }

    void honoursConnectionClose()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/hello", "Connection: close\r\n"));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->headers.value("connection").toLower(), QByteArray("close"));
        QVERIFY(c.waitClosed());
    }

    void headAnswersTheLengthWithoutABody()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        auto head = c.readResponse(true);
        QVERIFY(head);
        QCOMPARE(head->status, 200);
        QCOMPARE(head->headers.value("content-length"), QByteArray("5"));
        // No body bytes were sent: the next response starts right away.
        c.send(get("/hello"));
        auto next = c.readResponse();
        QVERIFY(next);
        QCOMPARE(next->body, QByteArray("hello"));
    }

    // The server writes the head itself: a field set twice is sent once
    // (the last), a CR or LF in a value cannot start a field of its own, and
    // the framing fields are the server's whatever a handler set.
    void writesEachFieldOnceAndNoFieldOutOfAValue()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/fields", "Connection: close\r\n"));
        QVERIFY(c.waitClosed());
        const QByteArray raw = c.received();
        const qsizetype end = raw.indexOf("\r\n\r\n");
        QVERIFY2(end > 0, raw.constData());
        const QByteArray head = raw.left(end + 2).toLower(); // each field ends with CRLF
        const QByteArray body = raw.mid(end + 4);
        QVERIFY2(head.startsWith("http/1.1 200 ok\r\n"), head.constData());
        QCOMPARE(head.count("\r\nx-twice:"), 1);
        QVERIFY(head.contains("\r\nx-twice: second\r\n"));
        QVERIFY(head.contains("\r\nx-note: a  set-cookie: stolen=1\r\n"));
        QVERIFY(!head.contains("\r\nset-cookie"));
        QCOMPARE(head.count("\r\ncontent-length:"), 1);
        QVERIFY(head.contains("\r\ncontent-length: 6\r\n"));
        QCOMPARE(head.count("\r\nconnection:"), 1);
        QVERIFY(head.contains("\r\nconnection: close\r\n"));
        QCOMPARE(head.count("\r\nserver: colophon\r\n"), 1);
        QCOMPARE(head.count("\r\ndate: "), 1);
        QCOMPARE(body, QByteArray("fields"));
    }

    void noContentHasNoLengthAndNoBody()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/nothing"));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 204);
        QVERIFY(!r->headers.contains("content-length"));
        c.send(get("/hello")); // the connection goes on right after the head
        auto next = c.readResponse();
        QVERIFY(next);
        QCOMPARE(next->body, QByteArray("hello"));
    }

    void http10KeepsAliveOnlyWhenAsked()
    {
        RawClient kept;
        QVERIFY(kept.connect(port()));
        kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        auto first = kept.readResponse();
        QVERIFY(first);
        QVERIFY(kept.lastStatusLine().startsWith("HTTP/1.0 200"));
        QCOMPARE(first->headers.value("connection").toLower(), QByteArray("keep-alive"));
        kept.send("GET /hello HTTP/1.0\r\n\r\n");
        auto second = kept.readResponse();
        QVERIFY(second);
        QCOMPARE(second->body, QByteArray("hello"));
        QVERIFY(!second->headers.contains("connection"));
        QVERIFY(kept.waitClosed());
    }

    void refusesOversizedHeadersWith431()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/hello", "X-Filler: " + QByteArray(8000, 'x') + "\r\n"));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 431);
        QCOMPARE(r->headers.value("content-type"), QByteArray("application/problem+json"));
        QVERIFY(c.waitClosed());
    }

    void refusesAnOversizedBodyOnItsLengthBeforeReadingIt()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 20000000\r\n\r\n");
        auto r = c.readResponse(); // answered although no body byte was sent
        QVERIFY(r);
        QCOMPARE(r->status, 413);
        QCOMPARE(r->headers.value("connection").toLower(), QByteArray("close"));
    }

    void refusesAnOversizedChunkedBodyWhileReading()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray chunk =
            QByteArray::number(16 * 1024, 16) + "\r\n" + QByteArray(16 * 1024, 'a') + "\r\n";
        for (int i = 0; i < 6; ++i) {
            c.send(chunk);
        }
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 413);
    }

    void answersExpectContinueThenReadsTheBody()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        auto interim = c.readResponse();
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        c.send("12345");
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, QByteArray("12345"));
    }

    void expectContinueOverTheLimitGets413Instead()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 900000\r\nExpect: "
               "100-continue\r\n\r\n");
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 413);
    }

    void closesAKeptAliveConnectionAfterTheIdleTimeout()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/hello"));
        QVERIFY(c.readResponse());
        QVERIFY(c.waitClosed(3000));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 0, 3000);
    }

    void closesASlowClientAfterTheReadTimeout()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send("GET /hel"); // and never the rest
        QVERIFY(c.waitClosed(3000));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 0, 3000);
    }

    void aClientVanishingMidBodyCostsNothing()
    {
        for (int i = 0; i < 5; ++i) {
            RawClient c;
            QVERIFY(c.connect(port()));
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\n\r\n0123456789");
            c.close();
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 0, 3000);
        RawClient after;
        QVERIFY(after.connect(port()));
        after.send(get("/hello"));
        auto r = after.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
    }

    void answersMalformedRequestsWith400()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: banana\r\n\r\n");
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QCOMPARE(r->headers.value("content-type"), QByteArray("application/problem+json"));
    }

    void refusesConnectionsPastTheLimitWith503()
    {
        cleanup();
        HttpServerSettings s = settings();
        s.maxConnections = 2;
        s.idleTimeout = 5000ms;
        s.readTimeout = 5000ms;
        startServer(s);
        RawClient a, b, c;
        QVERIFY(a.connect(port()));
        QVERIFY(b.connect(port()));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 2, 3000);
        QVERIFY(c.connect(port()));
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 503);
        QCOMPARE(r->headers.value("retry-after"), QByteArray("1"));
        QVERIFY(nlohmann::json::parse(r->body.toStdString())["status"] == 503);
        // The held connections still work.
        a.send(get("/hello"));
        QCOMPARE(a.readResponse()->status, 200);
    }

    void streamsServerSentEventsAndNoticesTheClientLeaving()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/events"));
        auto head = c.readResponse(true);
        QVERIFY(head);
        QCOMPARE(head->status, 200);
        QCOMPARE(head->headers.value("content-type"), QByteArray("text/event-stream"));
        QCOMPARE(head->headers.value("transfer-encoding"), QByteArray("chunked"));
        QByteArray events;
        QElapsedTimer t;
        t.start();
        while (!events.contains("id: 3") && t.elapsed() < 5000) {
            const int size = c.readLine().toInt(nullptr, 16);
            events += c.readExactly(size);
            c.readLine();
        }
        QVERIFY2(events.contains("id: 1\nevent: tick\ndata: {\"n\":1}\n\n"), events.constData());
        QVERIFY(events.contains("data: {\"n\":3}"));
        QVERIFY(!m_streamGone);
        c.close();
        QTRY_VERIFY_WITH_TIMEOUT(m_streamGone.load(), 3000);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->openConnections(), 0, 3000);
    }

    void believesForwardedForOnlyFromTrustedProxies()
    {
        RawClient direct;
        QVERIFY(direct.connect(port()));
        direct.send(get("/whoami", "X-Forwarded-For: 203.0.113.7\r\n"));
        QCOMPARE(direct.readResponse()->body, QByteArray("127.0.0.1"));

        cleanup();
        HttpServerSettings s = settings();
        s.trustedProxies = {"127.0.0.1"};
        startServer(s);
        RawClient proxied;
        QVERIFY(proxied.connect(port()));
        proxied.send(get("/whoami", "X-Forwarded-For: 198.51.100.1, 203.0.113.7, 127.0.0.1\r\n"));
        QCOMPARE(proxied.readResponse()->body, QByteArray("203.0.113.7"));
    }

    void stopLetsAnInFlightRequestFinish()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/slow"));
        QTest::qWait(100); // the handler is now sleeping
        m_threadsFinished = 0;
        std::thread stopper([this] { m_server->stop(); });
        auto r = c.readResponse();
        stopper.join();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, QByteArray("finished"));
        QCOMPARE(r->headers.value("connection").toLower(), QByteArray("close"));
        QCOMPARE(m_threadsFinished.load(), 2); // each I/O thread ran its exit hook
        RawClient late;
        QVERIFY(!late.connect(port()) || !late.readResponse(false, 500));
    }

    void stopClosesIdleConnectionsWithoutWaitingForThem()
    {
        cleanup();
        HttpServerSettings s = settings();
        s.idleTimeout = 60000ms;
        s.drainTimeout = 30000ms;
        startServer(s);
        RawClient idle;
        QVERIFY(idle.connect(port()));
        idle.send(get("/hello"));
        QVERIFY(idle.readResponse());
        QElapsedTimer t;
        t.start();
        m_server->stop();
        QVERIFY2(t.elapsed() < 10000, "stop waited for an idle connection");
        QVERIFY(idle.waitClosed(2000));
    }

    void streamsEndWhenTheServerDrains()
    {
        RawClient c;
        QVERIFY(c.connect(port()));
        c.send(get("/events"));
        QVERIFY(c.readResponse(true));
        m_server->stop();
        QVERIFY(c.waitClosed(3000));
        QTRY_VERIFY_WITH_TIMEOUT(m_streamGone.load(), 3000);
    }

    // A request handed off runs on the runner's thread: the only I/O thread
    // answers another connection while the first is held there, and the
    // held answer comes once the runner is done. One the runner reports as
    // not kept is 503 with Retry-After.
    void aHandedOffRequestLeavesItsIoThreadServing()
    {
        cleanup();
        std::promise<void> release;
        const std::shared_future<void> released = release.get_future().share();
        std::atomic<bool> keep{true};
        std::atomic<int> handedOff{0};
        SerialWorker worker;
        const HttpServerSettings::Runner runner = [&](std::function<void()> run,
                                                      std::function<void(bool)> done) {
            ++handedOff;
            worker.submit([&, run = std::move(run), done = std::move(done)] {
                released.wait();
                run();
                done(keep.load());
            });
        };
        HttpServerSettings s = settings();
        s.threads = 1;
        s.handOff = [&runner](const HttpRequest &req) {
            return req.method == HttpMethod::Post ? &runner : nullptr;
        };
        startServer(s);

        RawClient held;
        QVERIFY(held.connect(port()));
        held.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nheld");
        RawClient other;
        QVERIFY(other.connect(port()));
        other.send(get("/hello"));
        const auto answered = other.readResponse();
        QVERIFY(answered);
        QCOMPARE(answered->body, QByteArray("hello"));
        QCOMPARE(handedOff.load(), 1);
        QVERIFY(!held.readResponse(false, 100)); // still with the runner

        release.set_value();
        const auto kept = held.readResponse();
        QVERIFY(kept);
        QCOMPARE(kept->status, 200);
        QCOMPARE(kept->body, QByteArray("held"));

        keep = false;
        held.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nlost");
        const auto dropped = held.readResponse();
        QVERIFY(dropped);
        QCOMPARE(dropped->status, 503);
        QCOMPARE(dropped->headers.value("retry-after"), QByteArray("1"));
        QCOMPARE(handedOff.load(), 2);
        cleanup(); // the server goes before the runner it was given
    }

    void startFailsClearlyWhenThePortIsTaken()
    {
        HttpServerSettings s = settings();
        s.port = port();
        HttpServer second(s, *m_pipeline, m_logger);
        auto started = second.start();
        QVERIFY(!started);
        QVERIFY(started.error().message.contains(QStringLiteral("cannot listen")));
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
