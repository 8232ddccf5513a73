// SPDX-License-Identifier: MIT
// The gateway concerns every request passes through, in this order: request
// id, trace context, access log and metrics, CORS, rate limit; then the route.
// HttpPipeline composes them once over a Router; the server calls handle().
#pragma once

#include "backend/http/httpmessage.h"
#include "backend/http/ratelimiter.h"

#include <memory>
#include <string>
#include <vector>

namespace colophon {

class Logger;
class MetricsRegistry;
class Router;

using HttpNext = std::function<HttpResponse(HttpRequest &)>;
using Middleware = std::function<HttpResponse(HttpRequest &, const HttpNext &)>;

// X-Request-Id: a well-formed incoming id (1-128 of [A-Za-z0-9._-]) is kept,
// otherwise one is made; echoed on the response.
Middleware requestIdMiddleware();
// W3C traceparent: continues an incoming trace with a new span, or starts
// one; echoes traceparent; sets the thread's log context for the request.
Middleware traceContextMiddleware();
// One log line per request and the RED metrics per route.
Middleware accessLogMiddleware(const Logger &logger, MetricsRegistry &metrics);

struct CorsSettings
{
    std::vector<std::string> allowedOrigins; // exact origins, or "*"; empty: CORS off
    int maxAgeSeconds = 600;
};
Middleware corsMiddleware(CorsSettings settings);

struct RateLimitSettings
{
    // Requests per minute per client address, by route class; 0 disables one.
    double readPerMinute = 1200;
    double writePerMinute = 300;
    double authPerMinute = 20;
    bool enabled = true;
};
Middleware rateLimitMiddleware(const RateLimitSettings &settings, RateLimiter::Clock clock = {});

class HttpPipeline final
{
public:
    HttpPipeline(const Router &router, std::vector<Middleware> middleware, const Logger &logger);
    // Matches the route, runs the middleware and the handler. Never throws:
    // an exception from a handler is logged and answered 500.
    HttpResponse handle(HttpRequest &request) const;

private:
    const Router &m_router;
    const Logger &m_logger;
    HttpNext m_chain;
};

} // namespace colophon
