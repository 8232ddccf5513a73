// SPDX-License-Identifier: MIT
#include "app/host/systemroutes.h"

#include "app/host/servicehost.h"
#include "backend/http/problem.h"
#include "backend/http/router.h"
#include "backend/observability/metrics.h"

#include <QFile>
#include <stdexcept>

namespace colophon {

namespace {

std::string loadOpenApi()
{
    QFile f(QStringLiteral(":/colophon/openapi.json"));
    if (!f.open(QIODevice::ReadOnly)) {
        throw std::runtime_error("the OpenAPI document is missing from the resources");
    }
    const QByteArray bytes = f.readAll();
    // Parsed once so a broken document fails at start, not at the first request.
    return nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size()).dump();
}

} // namespace

void registerSystemRoutes(Router &router, ServiceHost &host)
{
    router.add(HttpMethod::Get, "/healthz", RouteClass::System, [](HttpRequest &) {
        return HttpResponse::json(200, {{"status", "ok"}});
    });

    router.add(HttpMethod::Get, "/readyz", RouteClass::System, [&host](HttpRequest &) {
        auto current = isUpToDate(host.database(), host.migrations());
        if (!current) {
            return problemResponse(503, "database not reachable");
        }
        if (!*current) {
            return problemResponse(503, "database schema is not current; run migrations");
        }
        return HttpResponse::json(200, {{"status", "ready"}});
    });

    router.add(HttpMethod::Get, "/metrics", RouteClass::System, [&host](HttpRequest &) {
        return HttpResponse::text(200, host.metrics().renderPrometheus(),
                                  "text/plain; version=0.0.4; charset=utf-8");
    });

    auto openapi = std::make_shared<const std::string>(loadOpenApi());
    router.add(HttpMethod::Get, "/api/v1/openapi.json", RouteClass::Read, [openapi](HttpRequest &) {
        return HttpResponse::text(200, *openapi, "application/json");
    });
}

} // namespace colophon
