// SPDX-License-Identifier: MIT
// The API's list conventions: page/limit in, a pagination object and
// _links (self, next, prev) out; ETag and If-Match for optimistic concurrency.
#pragma once

#include "backend/core/error.h"
#include "backend/http/httpmessage.h"

namespace colophon {

struct PageRequest
{
    int page = 1;   // 1-based
    int limit = 20; // 1..maxLimit
    std::int64_t offset() const { return static_cast<std::int64_t>(page - 1) * limit; }
};

// Reads page (default 1) and limit (default 20, at most maxLimit); a value
// that is not a positive integer, or above the maximum, is an InvalidInput
// error naming the parameter.
Result<PageRequest> parsePageRequest(const HttpRequest &request, int defaultLimit = 20,
                                     int maxLimit = 100);

// {"page","limit","totalItems","totalPages"}
nlohmann::json paginationJson(const PageRequest &page, std::int64_t totalItems);

// {"self":{"href"},"next":{"href"},"prev":{"href"}}; next/prev only where they
// exist. The request's other query parameters are kept.
nlohmann::json pageLinks(const HttpRequest &request, const PageRequest &page,
                         std::int64_t totalItems);

// A strong validator from a version number or content hash: "\"v3\"".
std::string makeEtag(std::string_view version);

// Checks If-Match against the current ETag: an absent header passes (unless
// required), "*" passes, a list passes if any matches; otherwise
// PreconditionFailed (412), or PreconditionFailed with "required" when absent and required.
Result<void> checkIfMatch(const HttpRequest &request, const std::string &currentEtag,
                          bool required = false);

} // namespace colophon
