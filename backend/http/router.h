// SPDX-License-Identifier: MIT
// Maps method and path to a handler. Patterns are literal segments and typed
// parameters: {name} (any one segment), {name:int} (a 64-bit integer),
// {name:uuid} (a canonical UUID). A path that matches with another method
// answers 405 with Allow; HEAD is served by GET; OPTIONS is answered for
// every known path.
#pragma once

#include "backend/http/httpmessage.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace colophon {

class Router final
{
public:
    // Throws std::invalid_argument on a malformed pattern or unknown type:
    // a programming error, found by the first test that builds the routes.
    void add(HttpMethod method, const std::string &pattern, HttpHandler handler);
    void add(HttpMethod method, const std::string &pattern, RouteClass routeClass,
             HttpHandler handler);
    void add(HttpMethod method, const std::string &pattern, RouteClass routeClass, RouteWork work,
             HttpHandler handler);

    struct Match
    {
        enum class Kind { Found, NotFound, MethodNotAllowed } kind = Kind::NotFound;
        const HttpHandler *handler = nullptr;
        const std::string *pattern = nullptr;
        RouteClass routeClass = RouteClass::Read;
        RouteWork work = RouteWork::Ordinary;
        std::vector<std::pair<std::string, std::string>> params;
        // "GET, HEAD, OPTIONS": for OPTIONS, 404 and 405 only (empty when a
        // route was found for any other method, where nothing sends it).
        std::string allow;
    };
    Match match(HttpMethod method, std::string_view path) const;

    // Every registered route as (method, pattern), in registration order;
    // HEAD and OPTIONS, answered generically, are not listed unless added.
    std::vector<std::pair<HttpMethod, std::string>> routes() const;

private:
    struct Segment
    {
        enum class Type { Literal, String, Int, Uuid } type = Type::Literal;
        std::string text; // the literal, or the parameter's name
    };
    struct Route
    {
        HttpMethod method;
        std::string pattern;
        std::vector<Segment> segments;
        RouteClass routeClass;
        RouteWork work;
        HttpHandler handler;
    };
    static bool matches(const Route &route, const std::vector<std::string_view> &parts,
                        std::vector<std::pair<std::string, std::string>> *params);
    std::vector<Route> m_routes;
};

} // namespace colophon
