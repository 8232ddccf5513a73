// SPDX-License-Identifier: MIT
#include "backend/http/httpmessage.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace colophon {

std::string_view methodName(HttpMethod m)
{
    switch (m) {
    case HttpMethod::Get:
        return "GET";
    case HttpMethod::Head:
        return "HEAD";
    case HttpMethod::Post:
        return "POST";
    case HttpMethod::Put:
        return "PUT";
    case HttpMethod::Patch:
        return "PATCH";
    case HttpMethod::Delete:
        return "DELETE";
    case HttpMethod::Options:
        return "OPTIONS";
    case HttpMethod::Other:
        return "OTHER";
    }
    return "OTHER";
}

HttpMethod parseMethod(std::string_view name)
{
    static constexpr std::pair<std::string_view, HttpMethod> table[] = {
        {"GET", HttpMethod::Get},         {"HEAD", HttpMethod::Head},
        {"POST", HttpMethod::Post},       {"PUT", HttpMethod::Put},
        {"PATCH", HttpMethod::Patch},     {"DELETE", HttpMethod::Delete},
        {"OPTIONS", HttpMethod::Options},
    };
    for (const auto &[text, method] : table) {
        if (name == text) {
            return method;
        }
    }
    return HttpMethod::Other;
}

std::string_view routeClassName(RouteClass c)
{
    switch (c) {
    case RouteClass::Read:
        return "read";
    case RouteClass::Write:
        return "write";
    case RouteClass::Auth:
        return "auth";
    case RouteClass::System:
        return "system";
    }
    return "read";
}

bool iequals(std::string_view a, std::string_view b)
{
    // ASCII only, as header names are: std::tolower is a call per byte and
    // depends on the locale.
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c | 0x20) : c; };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view findHeader(const HeaderList &headers, std::string_view name)
{
    for (const auto &[k, v] : headers) {
        if (iequals(k, name)) {
            return v;
        }
    }
    return {};
}

std::string percentDecode(std::string_view in, bool plusIsSpace)
{
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%' && i + 2 < in.size()) {
            int value = 0;
            auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
            if (ec == std::errc() && p == in.data() + i + 3) {
                out.push_back(static_cast<char>(value));
                i += 2;
                continue;
            }
        }
        out.push_back(plusIsSpace && c == '+' ? ' ' : c);
    }
    return out;
}

std::optional<std::string> HttpRequest::query(std::string_view key) const
{
    std::string_view rest = rawQuery;
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const size_t eq = pair.find('=');
        const std::string name = percentDecode(pair.substr(0, eq), true);
        if (name == key) {
            return eq == std::string_view::npos ? std::string{}
                                                : percentDecode(pair.substr(eq + 1), true);
        }
    }
    return std::nullopt;
}

std::string HttpRequest::param(std::string_view name) const
{
    for (const auto &[k, v] : params) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

std::int64_t HttpRequest::intParam(std::string_view name) const
{
    const std::string v = param(name);
    std::int64_t out = 0;
    std::from_chars(v.data(), v.data() + v.size(), out);
    return out;
}

std::optional<nlohmann::json> HttpRequest::jsonBody() const
{
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) {
        return std::nullopt;
    }
    return j;
}

void HttpResponse::setHeader(std::string name, std::string value)
{
    for (auto &[k, v] : headers) {
        if (iequals(k, name)) {
            v = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

HttpResponse HttpResponse::json(int status, const nlohmann::json &body)
{
    HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
}

HttpResponse HttpResponse::text(int status, std::string body, std::string contentType)
{
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", std::move(contentType));
    return r;
}

HttpResponse HttpResponse::empty(int status)
{
    HttpResponse r;
    r.status = status;
    return r;
}

HttpResponse HttpResponse::streaming(std::shared_ptr<ResponseStream> stream,
                                     std::string contentType)
{
    HttpResponse r;
    r.status = 200;
    r.stream = std::move(stream);
    r.headers.emplace_back("Content-Type", std::move(contentType));
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
}

} // namespace colophon
