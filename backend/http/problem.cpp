// SPDX-License-Identifier: MIT
#include "backend/http/problem.h"

#include <cctype>

namespace colophon {

int httpStatusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidInput:
        return 422;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::PreconditionFailed:
        return 412;
    case ErrorCode::PermissionDenied:
        return 403;
    case ErrorCode::Unauthenticated:
        return 401;
    case ErrorCode::RateLimited:
        return 429;
    case ErrorCode::Unavailable:
        return 503;
    case ErrorCode::Internal:
        return 500;
    }
    return 500;
}

std::string_view reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

HttpResponse problemResponse(int status, std::string detail, const nlohmann::json &extra)
{
    nlohmann::ordered_json body;
    body["type"] = "about:blank";
    body["title"] = std::string(reasonPhrase(status));
    body["status"] = status;
    body["detail"] = std::move(detail);
    // Every problem carries a machine-readable code; by default the title's
    // slug ("bad-request", "content-too-large").
    std::string code;
    for (char c : std::string(reasonPhrase(status))) {
        code += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    body["code"] = code;
    if (extra.is_object()) {
        for (auto it = extra.begin(); it != extra.end(); ++it) {
            body[it.key()] = it.value();
        }
    }
    HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers.emplace_back("Content-Type", "application/problem+json");
    return r;
}

HttpResponse problemResponse(const Error &error)
{
    nlohmann::json extra = {{"code", errorCodeName(error.code).toStdString()}};
    if (!error.field.isEmpty()) {
        extra["field"] = error.field.toStdString();
    }
    const int status = httpStatusFor(error.code);
    // An internal error's message may name tables or statements: keep it in the log.
    const std::string detail = error.code == ErrorCode::Internal
                                   ? std::string("an internal error occurred")
                                   : error.message.toStdString();
    HttpResponse res = problemResponse(status, detail, extra);
    if (error.code == ErrorCode::RateLimited && error.retryAfterSeconds > 0) {
        res.setHeader("Retry-After", std::to_string(error.retryAfterSeconds));
    }
    return res;
}

} // namespace colophon
