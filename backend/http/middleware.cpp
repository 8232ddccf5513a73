// SPDX-License-Identifier: MIT
#include "backend/http/middleware.h"

#include "backend/http/problem.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"

#include <chrono>
#include <random>
#include <unordered_map>

namespace colophon {

namespace {

bool validRequestId(std::string_view id)
{
    if (id.empty() || id.size() > 128) {
        return false;
    }
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string randomHex(int bytes)
{
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    std::uint64_t bits = 0;
    for (int i = 0; i < bytes; ++i) {
        if (i % 8 == 0) {
            bits = rng();
        }
        const auto b = static_cast<unsigned>(bits & 0xff);
        bits >>= 8;
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xf]);
    }
    return out;
}

} // namespace

Middleware requestIdMiddleware()
{
    return [](HttpRequest &req, const HttpNext &next) {
        const std::string_view incoming = req.header("X-Request-Id");
        req.requestId = validRequestId(incoming) ? std::string(incoming) : randomHex(16);
        HttpResponse res = next(req);
        res.setHeader("X-Request-Id", req.requestId);
        return res;
    };
}

Middleware traceContextMiddleware()
{
    return [](HttpRequest &req, const HttpNext &next) {
        auto parent = TraceContext::parse(req.header("traceparent"));
        req.trace = parent ? parent->child() : TraceContext::generate();
        LogContextScope scope(LogContext{req.trace.traceId, req.trace.spanId, {}, req.requestId});
        HttpResponse res = next(req);
        res.setHeader("traceparent", req.trace.toTraceparent());
        return res;
    };
}

Middleware accessLogMiddleware(const Logger &logger, MetricsRegistry &metrics)
{
    return [&logger, &metrics](HttpRequest &req, const HttpNext &next) {
        const auto start = std::chrono::steady_clock::now();
        HttpResponse res = next(req);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::string route =
            req.routePattern.empty() ? std::string("unmatched") : req.routePattern;
        const std::string method(methodName(req.method));

        // Registry lookups take a lock; each I/O thread keeps its own index.
        struct Instruments
        {
            Counter *requests;
            Histogram *duration;
        };
        thread_local std::unordered_map<std::string, Instruments> cache;
        thread_local const MetricsRegistry *cachedFor = nullptr;
        if (cachedFor != &metrics) {
            cache.clear();
            cachedFor = &metrics;
        }
        const std::string key = method + ' ' + route + ' ' + std::to_string(res.status);
        auto it = cache.find(key);
        if (it == cache.end()) {
            const MetricLabels labels{{"method", method}, {"route", route}};
            MetricLabels withStatus = labels;
            withStatus.emplace_back("status", std::to_string(res.status));
            Instruments ins{&metrics.counter("http_requests_total",
                                             "HTTP requests by route and status", withStatus),
                            &metrics.histogram("http_request_duration_seconds",
                                               "HTTP request duration by route", labels)};
            it = cache.emplace(key, ins).first;
        }
        it->second.requests->inc();
        it->second.duration->observe(seconds);

        const LogLevel level = res.status >= 500 ? LogLevel::Error : LogLevel::Info;
        if (logger.shouldLog(level)) {
            LogContextScope scope(
                LogContext{req.trace.traceId, req.trace.spanId, req.userId, req.requestId});
            logger.log(level, "request",
                       {{"method", req.methodText},
                        {"path", req.path},
                        {"route", route},
                        {"status", res.status},
                        {"durationMs", seconds * 1000.0},
                        {"bytes", res.stream ? -1 : static_cast<long long>(res.body.size())},
                        {"client", req.clientAddress},
                        {"userAgent", std::string(req.header("User-Agent"))}});
        }
        return res;
    };
}

Middleware corsMiddleware(CorsSettings settings)
{
    return [settings = std::move(settings)](HttpRequest &req, const HttpNext &next) {
        const std::string origin(req.header("Origin"));
        bool allowed = false;
        bool any = false;
        for (const std::string &o : settings.allowedOrigins) {
            any = any || o == "*";
            allowed = allowed || o == "*" || o == origin;
        }
        const bool preflight = req.method == HttpMethod::Options && !origin.empty() &&
                               !req.header("Access-Control-Request-Method").empty();
        HttpResponse res = next(req);
        if (origin.empty() || !allowed) {
            return res;
        }
        res.setHeader("Access-Control-Allow-Origin", any ? "*" : origin);
        if (!any) {
            res.setHeader("Vary", "Origin");
        }
        res.setHeader("Access-Control-Expose-Headers",
                      "ETag, Location, Retry-After, X-Request-Id, traceparent");
        if (preflight && res.status < 300) {
            res.setHeader("Access-Control-Allow-Methods",
                          req.allowedMethods.empty() ? "GET, HEAD, OPTIONS" : req.allowedMethods);
            res.setHeader("Access-Control-Allow-Headers",
                          "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, "
                          "X-Request-Id, traceparent");
            res.setHeader("Access-Control-Max-Age", std::to_string(settings.maxAgeSeconds));
        }
        return res;
    };
}

Middleware rateLimitMiddleware(const RateLimitSettings &settings, RateLimiter::Clock clock)
{
    struct Limiters
    {
        Limiters(const RateLimitSettings &s, const RateLimiter::Clock &clock)
            : read(s.enabled ? s.readPerMinute : 0, 0, clock),
              write(s.enabled ? s.writePerMinute : 0, 0, clock),
              auth(s.enabled ? s.authPerMinute : 0, 0, clock)
        {
        }
        RateLimiter read, write, auth;
    };
    auto limiters = std::make_shared<Limiters>(settings, clock);
    return [limiters](HttpRequest &req, const HttpNext &next) {
        RateLimiter *limiter = nullptr;
        switch (req.routeClass) {
        case RouteClass::Read:
            limiter = &limiters->read;
            break;
        case RouteClass::Write:
            limiter = &limiters->write;
            break;
        case RouteClass::Auth:
            limiter = &limiters->auth;
            break;
        case RouteClass::System:
            break; // health checks and metrics are never limited
        }
        if (limiter && limiter->enabled()) {
            const auto decision = limiter->take(std::string(routeClassName(req.routeClass)) + '|' +
                                                req.clientAddress);
            if (!decision.allowed) {
                HttpResponse res = problemResponse(429, "too many requests; try again later",
                                                   {{"code", "rate-limited"}});
                res.setHeader("Retry-After", std::to_string(decision.retryAfterSeconds));
                return res;
            }
        }
        return next(req);
    };
}

HttpPipeline::HttpPipeline(const Router &router, std::vector<Middleware> middleware,
                           const Logger &logger)
    : m_router(router), m_logger(logger)
{
    HttpNext chain = [this](HttpRequest &req) -> HttpResponse {
        if (req.method == HttpMethod::Options && !req.allowedMethods.empty()) {
            HttpResponse res = HttpResponse::empty(204);
            res.setHeader("Allow", req.allowedMethods);
            return res;
        }
        if (!req.routeHandler && req.allowedMethods.empty()) {
            return problemResponse(404, "no resource at " + req.path);
        }
        if (!req.routeHandler) {
            HttpResponse res = problemResponse(405, std::string(methodName(req.method)) +
                                                        " is not allowed on " + req.path);
            res.setHeader("Allow", req.allowedMethods);
            return res;
        }
        try {
            return (*req.routeHandler)(req);
        } catch (const std::exception &e) {
            m_logger.error("handler threw", {{"route", req.routePattern}, {"error", e.what()}});
        } catch (...) {
            m_logger.error("handler threw", {{"route", req.routePattern}});
        }
        return problemResponse(500, "an internal error occurred");
    };
    for (auto it = middleware.rbegin(); it != middleware.rend(); ++it) {
        chain = [mw = *it, inner = std::move(chain)](HttpRequest &req) { return mw(req, inner); };
    }
    m_chain = std::move(chain);
}

HttpResponse HttpPipeline::handle(HttpRequest &request) const
{
    // Match up front so middleware sees the route (metrics labels, rate-limit class).
    Router::Match match = m_router.match(request.method, request.path);
    if (match.pattern) {
        request.routePattern = *match.pattern;
    }
    request.routeClass = match.routeClass;
    request.params = std::move(match.params);
    request.allowedMethods = std::move(match.allow);
    request.routeHandler = match.handler;
    try {
        return m_chain(request);
    } catch (const std::exception &e) {
        m_logger.error("request failed", {{"error", e.what()}});
    } catch (...) {
        m_logger.error("request failed");
    }
    return problemResponse(500, "an internal error occurred");
}

} // namespace colophon
