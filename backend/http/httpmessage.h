// SPDX-License-Identifier: MIT
// Requests and responses as handlers see them: plain values, no Beast types,
// so a service's routes compile without the HTTP machinery.
#pragma once

#include "backend/observability/tracecontext.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace colophon {

class ResponseStream;
struct HttpResponse;

enum class HttpMethod { Get, Head, Post, Put, Patch, Delete, Options, Other };
std::string_view methodName(HttpMethod m);
HttpMethod parseMethod(std::string_view name);

// How a route is rate-limited: strict on sign-in, generous on reads.
enum class RouteClass { Read, Write, Auth, System };
std::string_view routeClassName(RouteClass c);

// What a route's handler does beyond a request's usual work, so a server can
// run it where it belongs. HashesPassword: it runs argon2id on a password
// (tens of milliseconds of a core, and 64 MiB), so it should not hold an I/O
// thread's other connections, nor a group of writes.
enum class RouteWork { Ordinary, HashesPassword };

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive header lookup; empty when absent.
std::string_view findHeader(const HeaderList &headers, std::string_view name);
bool iequals(std::string_view a, std::string_view b);
std::string percentDecode(std::string_view in, bool plusIsSpace);

struct HttpRequest
{
    HttpMethod method = HttpMethod::Get;
    std::string methodText;
    std::string target; // as received: path and query
    std::string path;   // percent-decoded path, without the query
    std::string rawQuery;
    HeaderList headers;
    std::string body;
    std::string peerAddress;   // the socket's remote address
    std::string clientAddress; // the client, through trusted proxies

    // Filled by the server before middleware runs.
    std::string routePattern; // "/api/v1/content/{id:uuid}", or empty when none matched
    RouteClass routeClass = RouteClass::Read;
    std::vector<std::pair<std::string, std::string>> params;
    std::string requestId;
    TraceContext trace;
    std::string userId;         // set by authentication, once it exists
    std::string allowedMethods; // for OPTIONS and 405, from the router
    const std::function<HttpResponse(HttpRequest &)> *routeHandler = nullptr; // null: 404 or 405

    std::string_view header(std::string_view name) const { return findHeader(headers, name); }
    // A query parameter, percent-decoded; nullopt when absent. The first wins.
    std::optional<std::string> query(std::string_view key) const;
    // A path parameter by name; its type was checked by the router.
    std::string param(std::string_view name) const;
    std::int64_t intParam(std::string_view name) const;
    // Parses the body as JSON; nullopt when it is not valid JSON.
    std::optional<nlohmann::json> jsonBody() const;
};

struct HttpResponse
{
    int status = 200;
    HeaderList headers;
    std::string body;
    // When set, the body is streamed (chunked) from it instead.
    std::shared_ptr<ResponseStream> stream;

    void setHeader(std::string name, std::string value);
    std::string_view header(std::string_view name) const { return findHeader(headers, name); }

    static HttpResponse json(int status, const nlohmann::json &body);
    static HttpResponse text(int status, std::string body,
                             std::string contentType = "text/plain; charset=utf-8");
    static HttpResponse empty(int status);
    static HttpResponse streaming(std::shared_ptr<ResponseStream> stream, std::string contentType);
};

using HttpHandler = std::function<HttpResponse(HttpRequest &)>;

} // namespace colophon
