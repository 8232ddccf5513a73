// SPDX-License-Identifier: MIT
#include "backend/http/router.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace colophon {

namespace {

std::vector<std::string_view> splitPath(std::string_view path)
{
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= path.size()) {
        const size_t slash = path.find('/', start);
        const std::string_view part = path.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!part.empty()) {
            parts.push_back(part);
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return parts;
}

bool isInt(std::string_view s)
{
    if (s.empty() || s.size() > 18) {
        return false;
    }
    const size_t first = s[0] == '-' ? 1 : 0;
    return first < s.size() && std::all_of(s.begin() + first, s.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c));
           });
}

bool isUuid(std::string_view s)
{
    if (s.size() != 36) {
        return false;
    }
    for (size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

RouteClass defaultClass(HttpMethod m)
{
    return (m == HttpMethod::Get || m == HttpMethod::Head || m == HttpMethod::Options)
               ? RouteClass::Read
               : RouteClass::Write;
}

} // namespace

void Router::add(HttpMethod method, const std::string &pattern, HttpHandler handler)
{
    add(method, pattern, defaultClass(method), std::move(handler));
}

void Router::add(HttpMethod method, const std::string &pattern, RouteClass routeClass,
                 HttpHandler handler)
{
    add(method, pattern, routeClass, RouteWork::Ordinary, std::move(handler));
}

void Router::add(HttpMethod method, const std::string &pattern, RouteClass routeClass,
                 RouteWork work, HttpHandler handler)
{
    if (pattern.empty() || pattern[0] != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    Route route{method, pattern, {}, routeClass, work, std::move(handler)};
    for (std::string_view part : splitPath(pattern)) {
        Segment seg;
        if (part.front() == '{') {
            if (part.back() != '}') {
                throw std::invalid_argument("unclosed parameter in route " + pattern);
            }
            const std::string_view inner = part.substr(1, part.size() - 2);
            const size_t colon = inner.find(':');
            seg.text = std::string(inner.substr(0, colon));
            const std::string_view type =
                colon == std::string_view::npos ? "" : inner.substr(colon + 1);
            if (type.empty()) {
                seg.type = Segment::Type::String;
            } else if (type == "int") {
                seg.type = Segment::Type::Int;
            } else if (type == "uuid") {
                seg.type = Segment::Type::Uuid;
            } else {
                throw std::invalid_argument("unknown parameter type in route " + pattern);
            }
            if (seg.text.empty()) {
                throw std::invalid_argument("unnamed parameter in route " + pattern);
            }
        } else {
            seg.text = std::string(part);
        }
        route.segments.push_back(std::move(seg));
    }
    for (const Route &r : m_routes) {
        if (r.method == method && r.pattern == pattern) {
            throw std::invalid_argument("route registered twice: " + pattern);
        }
    }
    m_routes.push_back(std::move(route));
}

bool Router::matches(const Route &route, const std::vector<std::string_view> &parts,
                     std::vector<std::pair<std::string, std::string>> *params)
{
    if (route.segments.size() != parts.size()) {
        return false;
    }
    for (size_t i = 0; i < parts.size(); ++i) {
        const Segment &seg = route.segments[i];
        const std::string_view part = parts[i];
        switch (seg.type) {
        case Segment::Type::Literal:
            if (part != seg.text) {
                return false;
            }
            continue;
        case Segment::Type::Int:
            if (!isInt(part)) {
                return false;
            }
            break;
        case Segment::Type::Uuid:
            if (!isUuid(part)) {
                return false;
            }
            break;
        case Segment::Type::String:
            break;
        }
        if (params) {
            params->emplace_back(seg.text, std::string(part));
        }
    }
    return true;
}

std::vector<std::pair<HttpMethod, std::string>> Router::routes() const
{
    std::vector<std::pair<HttpMethod, std::string>> out;
    out.reserve(m_routes.size());
    for (const Route &route : m_routes) {
        out.emplace_back(route.method, route.pattern);
    }
    return out;
}

Router::Match Router::match(HttpMethod method, std::string_view path) const
{
    const std::vector<std::string_view> parts = splitPath(path);
    const HttpMethod wanted = method == HttpMethod::Head ? HttpMethod::Get : method;
    Match result;
    for (const Route &route : m_routes) {
        if (route.method != wanted) {
            continue;
        }
        result.params.clear(); // of a route that matched only in part
        if (matches(route, parts, &result.params)) {
            result.kind = Match::Kind::Found;
            result.handler = &route.handler;
            result.pattern = &route.pattern;
            result.routeClass = route.routeClass;
            result.work = route.work;
            break;
        }
    }
    if (result.kind != Match::Kind::Found) {
        result.params.clear();
    } else if (method != HttpMethod::Options) {
        return result; // only OPTIONS and a refusal name the methods allowed
    }
    std::vector<HttpMethod> allowed;
    for (const Route &route : m_routes) {
        if (matches(route, parts, nullptr) &&
            std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
            allowed.push_back(route.method);
            if (!result.pattern) {
                result.pattern = &route.pattern;
            }
        }
    }
    if (allowed.empty()) {
        result.kind = Match::Kind::NotFound;
        result.pattern = nullptr;
        return result;
    }
    if (std::find(allowed.begin(), allowed.end(), HttpMethod::Get) != allowed.end()) {
        allowed.push_back(HttpMethod::Head);
    }
    allowed.push_back(HttpMethod::Options);
    for (HttpMethod m : allowed) {
        if (!result.allow.empty()) {
            result.allow += ", ";
        }
        result.allow += methodName(m);
    }
    if (result.kind != Match::Kind::Found) {
        result.kind = Match::Kind::MethodNotAllowed;
    }
    return result;
}

} // namespace colophon
