// SPDX-License-Identifier: MIT
// Errors on the wire: RFC 9457 problem+json, and the one table that turns an
// Error code into an HTTP status. Never an HTML page, never a stack trace.
#pragma once

#include "backend/core/error.h"
#include "backend/http/httpmessage.h"

namespace colophon {

int httpStatusFor(ErrorCode code);
std::string_view reasonPhrase(int status);

// {"type":"about:blank" or a colophon problem URI,"title","status","detail","instance", extra...}
HttpResponse problemResponse(int status, std::string detail, const nlohmann::json &extra = nullptr);
HttpResponse problemResponse(const Error &error);

} // namespace colophon
