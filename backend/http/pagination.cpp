// SPDX-License-Identifier: MIT
#include "backend/http/pagination.h"

#include <charconv>

namespace colophon {

namespace {

Result<int> positiveParam(const HttpRequest &request, const char *name, int fallback, int max)
{
    const auto text = request.query(name);
    if (!text) {
        return fallback;
    }
    int value = 0;
    auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || p != text->data() + text->size() || value < 1) {
        return fail(
            Error::invalid(QStringLiteral("%1 must be a positive integer").arg(QLatin1String(name)),
                           QLatin1String(name)));
    }
    if (value > max) {
        return fail(Error::invalid(
            QStringLiteral("%1 must be at most %2").arg(QLatin1String(name)).arg(max),
            QLatin1String(name)));
    }
    return value;
}

std::string hrefFor(const HttpRequest &request, int page, int limit)
{
    std::string query;
    std::string_view rest = request.rawQuery;
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        const std::string_view key = pair.substr(0, pair.find('='));
        if (pair.empty() || key == "page" || key == "limit") {
            continue;
        }
        query += std::string(pair) + "&";
    }
    query += "page=" + std::to_string(page) + "&limit=" + std::to_string(limit);
    return request.path + "?" + query;
}

} // namespace

Result<PageRequest> parsePageRequest(const HttpRequest &request, int defaultLimit, int maxLimit)
{
    auto page = positiveParam(request, "page", 1, 1'000'000'000);
    if (!page) {
        return fail(page.error());
    }
    auto limit = positiveParam(request, "limit", defaultLimit, maxLimit);
    if (!limit) {
        return fail(limit.error());
    }
    return PageRequest{*page, *limit};
}

nlohmann::json paginationJson(const PageRequest &page, std::int64_t totalItems)
{
    const std::int64_t totalPages = (totalItems + page.limit - 1) / page.limit;
    return {{"page", page.page},
            {"limit", page.limit},
            {"totalItems", totalItems},
            {"totalPages", totalPages}};
}

nlohmann::json pageLinks(const HttpRequest &request, const PageRequest &page,
                         std::int64_t totalItems)
{
    const std::int64_t totalPages = (totalItems + page.limit - 1) / page.limit;
    nlohmann::json links = {{"self", {{"href", hrefFor(request, page.page, page.limit)}}}};
    if (page.page < totalPages) {
        links["next"] = {{"href", hrefFor(request, page.page + 1, page.limit)}};
    }
    if (page.page > 1) {
        const int prev = static_cast<int>(
            std::min<std::int64_t>(page.page - 1, std::max<std::int64_t>(totalPages, 1)));
        links["prev"] = {{"href", hrefFor(request, prev, page.limit)}};
    }
    return links;
}

std::string makeEtag(std::string_view version)
{
    return "\"" + std::string(version) + "\"";
}

Result<void> checkIfMatch(const HttpRequest &request, const std::string &currentEtag, bool required)
{
    const std::string_view header = request.header("If-Match");
    if (header.empty()) {
        if (required) {
            return fail(Error{ErrorCode::PreconditionFailed,
                              QStringLiteral("If-Match is required for this change"),
                              QStringLiteral("If-Match")});
        }
        return {};
    }
    std::string_view rest = header;
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        std::string_view tag = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!tag.empty() && tag.front() == ' ') {
            tag.remove_prefix(1);
        }
        while (!tag.empty() && tag.back() == ' ') {
            tag.remove_suffix(1);
        }
        if (tag == "*" || tag == currentEtag) {
            return {};
        }
    }
    return fail(Error{ErrorCode::PreconditionFailed,
                      QStringLiteral("the resource has changed since it was read (ETag %1)")
                          .arg(QString::fromStdString(currentEtag)),
                      QStringLiteral("If-Match")});
}

} // namespace colophon
