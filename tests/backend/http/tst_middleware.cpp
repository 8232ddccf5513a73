// SPDX-License-Identifier: MIT
// Proves the gateway middleware through the pipeline: request ids, trace
// context, access log and RED metrics, CORS, token-bucket rate limits, and
// the router's 404/405/OPTIONS and 500-on-exception answers.
#include "backend/http/middleware.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"

#include <QTest>
#include <spdlog/sinks/ostream_sink.h>
#include <sstream>

using namespace colophon;

namespace {

HttpRequest get(std::string path, HeaderList headers = {}, std::string client = "10.0.0.1")
{
    HttpRequest r;
    r.method = HttpMethod::Get;
    r.methodText = "GET";
    r.path = std::move(path);
    r.headers = std::move(headers);
    r.clientAddress = std::move(client);
    return r;
}

std::vector<nlohmann::json> lines(const std::ostringstream &out)
{
    std::vector<nlohmann::json> result;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) {
        result.push_back(nlohmann::json::parse(line));
    }
    return result;
}

} // namespace

class TestMiddleware : public QObject
{
    Q_OBJECT

private:
    std::ostringstream m_out;
    std::unique_ptr<Logger> m_logger;
    MetricsRegistry m_metrics;
    Router m_router;
    LogContext m_seenContext;

private slots:
    void initTestCase()
    {
        m_logger = std::make_unique<Logger>(
            "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(m_out));
        m_router.add(HttpMethod::Get, "/things/{id:int}", [this](HttpRequest &req) {
            m_seenContext = currentLogContext();
            return HttpResponse::json(200, {{"id", req.intParam("id")}});
        });
        m_router.add(HttpMethod::Post, "/things",
                     [](HttpRequest &) { return HttpResponse::empty(201); });
        m_router.add(HttpMethod::Get, "/boom", [](HttpRequest &) -> HttpResponse {
            throw std::runtime_error("secret internals");
        });
        m_router.add(HttpMethod::Post, "/auth/login", RouteClass::Auth,
                     [](HttpRequest &) { return HttpResponse::empty(204); });
        m_router.add(HttpMethod::Get, "/healthz", RouteClass::System,
                     [](HttpRequest &) { return HttpResponse::empty(200); });
    }

    void init() { m_out.str({}); }

    void keepsAWellFormedRequestIdAndMakesOneOtherwise_data()
    {
        QTest::addColumn<QString>("incoming");
        QTest::addColumn<bool>("kept");
        QTest::newRow("kept") << "req-123_abc.Z" << true;
        QTest::newRow("absent") << "" << false;
        QTest::newRow("spaces") << "bad id" << false;
        QTest::newRow("too long") << QString(129, QLatin1Char('a')) << false;
        QTest::newRow("header injection") << "a\r\nX-Evil: 1" << false;
    }
    void keepsAWellFormedRequestIdAndMakesOneOtherwise()
    {
        QFETCH(QString, incoming);
        QFETCH(bool, kept);
        HttpPipeline pipeline(m_router, {requestIdMiddleware()}, *m_logger);
        HeaderList headers;
        if (!incoming.isEmpty()) {
            headers.emplace_back("X-Request-Id", incoming.toStdString());
        }
        HttpRequest req = get("/things/1", headers);
        HttpResponse res = pipeline.handle(req);
        const std::string echoed(res.header("X-Request-Id"));
        if (kept) {
            QCOMPARE(echoed, incoming.toStdString());
        } else {
            QCOMPARE(echoed.size(), size_t(32));
            QVERIFY(echoed != incoming.toStdString());
        }
        QCOMPARE(req.requestId, echoed);
    }

    void continuesAnIncomingTraceWithANewSpan()
    {
        HttpPipeline pipeline(m_router, {requestIdMiddleware(), traceContextMiddleware()},
                              *m_logger);
        const std::string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpRequest req = get("/things/7", {{"traceparent", parent}});
        HttpResponse res = pipeline.handle(req);
        auto out = TraceContext::parse(res.header("traceparent"));
        QVERIFY(out);
        QCOMPARE(out->traceId, std::string("4bf92f3577b34da6a3ce929d0e0e4736"));
        QVERIFY(out->spanId != "00f067aa0ba902b7");
        // The handler ran inside the request's log context.
        QCOMPARE(m_seenContext.traceId, out->traceId);
        QCOMPARE(m_seenContext.requestId, req.requestId);
        QVERIFY(currentLogContext().traceId.empty()); // restored afterwards
    }

    void startsATraceWhenNoneOrAMalformedOneArrives()
    {
        HttpPipeline pipeline(m_router, {traceContextMiddleware()}, *m_logger);
        HttpRequest req = get("/things/7", {{"traceparent", "00-zz-00-01"}});
        HttpResponse res = pipeline.handle(req);
        QVERIFY(TraceContext::parse(res.header("traceparent")));
    }

    void logsOneLinePerRequestAndCountsByRoute()
    {
        MetricsRegistry metrics;
        HttpPipeline pipeline(m_router,
                              {requestIdMiddleware(), traceContextMiddleware(),
                               accessLogMiddleware(*m_logger, metrics)},
                              *m_logger);
        for (int i = 0; i < 3; ++i) {
            HttpRequest req = get("/things/" + std::to_string(i));
            QCOMPARE(pipeline.handle(req).status, 200);
        }
        HttpRequest missing = get("/nowhere");
        QCOMPARE(pipeline.handle(missing).status, 404);

        const auto logged = lines(m_out);
        QCOMPARE(logged.size(), size_t(4));
        QCOMPARE(logged[0]["message"].get<std::string>(), std::string("request"));
        QCOMPARE(logged[0]["data"]["route"].get<std::string>(), std::string("/things/{id:int}"));
        QCOMPARE(logged[0]["data"]["status"].get<int>(), 200);
        QVERIFY(logged[0]["requestId"].is_string());
        QVERIFY(logged[0]["traceId"].is_string());
        QCOMPARE(logged[3]["data"]["route"].get<std::string>(), std::string("unmatched"));

        const std::string text = metrics.renderPrometheus();
        QVERIFY2(text.find("http_requests_total{method=\"GET\",route=\"/things/"
                           "{id:int}\",status=\"200\"} 3") != std::string::npos,
                 text.c_str());
        QVERIFY(text.find("http_request_duration_seconds_count{method=\"GET\",route=\"/things/"
                          "{id:int}\"} 3") != std::string::npos);
        QVERIFY(text.find("route=\"unmatched\",status=\"404\"} 1") != std::string::npos);
    }

    void corsAnswersAllowedOriginsOnly()
    {
        HttpPipeline pipeline(m_router, {corsMiddleware({{"https://app.example"}, 600})},
                              *m_logger);
        HttpRequest allowed = get("/things/1", {{"Origin", "https://app.example"}});
        HttpResponse res = pipeline.handle(allowed);
        QCOMPARE(std::string(res.header("Access-Control-Allow-Origin")),
                 std::string("https://app.example"));
        QCOMPARE(std::string(res.header("Vary")), std::string("Origin"));

        HttpRequest other = get("/things/1", {{"Origin", "https://evil.example"}});
        QVERIFY(pipeline.handle(other).header("Access-Control-Allow-Origin").empty());

        HttpRequest preflight = get("/things", {{"Origin", "https://app.example"},
                                                {"Access-Control-Request-Method", "POST"}});
        preflight.method = HttpMethod::Options;
        HttpResponse pre = pipeline.handle(preflight);
        QCOMPARE(pre.status, 204);
        QCOMPARE(std::string(pre.header("Access-Control-Allow-Methods")),
                 std::string("POST, OPTIONS"));
        QVERIFY(std::string(pre.header("Access-Control-Allow-Headers")).find("If-Match") !=
                std::string::npos);
    }

    void rateLimitRefusesPastTheBucketAndRefills()
    {
        auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
        RateLimitSettings settings;
        settings.authPerMinute = 3;
        HttpPipeline pipeline(m_router, {rateLimitMiddleware(settings, [&now] { return now; })},
                              *m_logger);
        auto login = [&](const std::string &client) {
            HttpRequest req = get("/auth/login", {}, client);
            req.method = HttpMethod::Post;
            return pipeline.handle(req);
        };
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(login("10.0.0.1").status, 204);
        }
        HttpResponse refused = login("10.0.0.1");
        QCOMPARE(refused.status, 429);
        QCOMPARE(std::string(refused.header("Retry-After")), std::string("20"));
        QCOMPARE(std::string(refused.header("Content-Type")),
                 std::string("application/problem+json"));
        QCOMPARE(login("10.0.0.2").status, 204); // another client has its own bucket
        now += std::chrono::seconds(20);
        QCOMPARE(login("10.0.0.1").status, 204);
        QCOMPARE(login("10.0.0.1").status, 429);
        // System routes are never limited.
        for (int i = 0; i < 100; ++i) {
            HttpRequest health = get("/healthz");
            QCOMPARE(pipeline.handle(health).status, 200);
        }
    }

    void rateLimitOfZeroOrDisabledLetsEverythingThrough()
    {
        RateLimitSettings off;
        off.enabled = false;
        off.readPerMinute = 1;
        RateLimitSettings zero;
        zero.readPerMinute = 0;
        for (const auto &settings : {off, zero}) {
            HttpPipeline pipeline(m_router, {rateLimitMiddleware(settings)}, *m_logger);
            for (int i = 0; i < 50; ++i) {
                HttpRequest req = get("/things/1");
                QCOMPARE(pipeline.handle(req).status, 200);
            }
        }
    }

    void routerAnswersNotFoundMethodNotAllowedAndOptions()
    {
        HttpPipeline pipeline(m_router, {}, *m_logger);
        HttpRequest missing = get("/nowhere");
        HttpResponse notFound = pipeline.handle(missing);
        QCOMPARE(notFound.status, 404);
        QCOMPARE(std::string(notFound.header("Content-Type")),
                 std::string("application/problem+json"));

        HttpRequest del = get("/things/1");
        del.method = HttpMethod::Delete;
        HttpResponse notAllowed = pipeline.handle(del);
        QCOMPARE(notAllowed.status, 405);
        QCOMPARE(std::string(notAllowed.header("Allow")), std::string("GET, HEAD, OPTIONS"));

        HttpRequest options = get("/things");
        options.method = HttpMethod::Options;
        HttpResponse opt = pipeline.handle(options);
        QCOMPARE(opt.status, 204);
        QCOMPARE(std::string(opt.header("Allow")), std::string("POST, OPTIONS"));
    }

    void aThrowingHandlerIsA500WithoutItsMessage()
    {
        HttpPipeline pipeline(m_router, {}, *m_logger);
        HttpRequest req = get("/boom");
        HttpResponse res = pipeline.handle(req);
        QCOMPARE(res.status, 500);
        QCOMPARE(std::string(res.header("Content-Type")), std::string("application/problem+json"));
        QVERIFY(res.body.find("secret") == std::string::npos);
        QVERIFY(m_out.str().find("secret internals") != std::string::npos); // but the log has it
    }
};

QTEST_APPLESS_MAIN(TestMiddleware)
#include "tst_middleware.moc"
