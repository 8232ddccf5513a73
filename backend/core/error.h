// SPDX-License-Identifier: MIT
// Errors crossing a service or platform API: a code, a message for people and,
// where one is to blame, the offending field. Nothing throws across an API.
#pragma once

#include <QString>
#include <tl/expected.hpp>

namespace colophon {

enum class ErrorCode {
    InvalidInput,       // the caller sent something malformed or out of range
    NotFound,           // the thing named does not exist (or is not visible)
    Conflict,           // uniqueness or state conflict
    PreconditionFailed, // a stale If-Match or version
    PermissionDenied,   // authenticated but not allowed
    Unauthenticated,    // no or bad credentials
    RateLimited,        // too many attempts
    Unavailable,        // a transient failure: retrying may help
    Internal,           // a bug or a broken invariant
};

struct Error
{
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QString field;
    int retryAfterSeconds = 0; // for RateLimited: when trying again may succeed

    static Error invalid(QString message, QString field = {})
    {
        return {ErrorCode::InvalidInput, std::move(message), std::move(field)};
    }
    static Error notFound(QString message) { return {ErrorCode::NotFound, std::move(message), {}}; }
    static Error conflict(QString message) { return {ErrorCode::Conflict, std::move(message), {}}; }
    static Error unavailable(QString message)
    {
        return {ErrorCode::Unavailable, std::move(message), {}};
    }
    static Error internal(QString message) { return {ErrorCode::Internal, std::move(message), {}}; }
    static Error rateLimited(QString message, int retryAfterSeconds)
    {
        return {ErrorCode::RateLimited, std::move(message), {}, retryAfterSeconds};
    }

    // True for failures where trying again later may succeed.
    bool isTransient() const { return code == ErrorCode::Unavailable; }
};

// The stable machine-readable name of a code ("not-found", "invalid-input", ...).
QString errorCodeName(ErrorCode code);

template <typename T> using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(Error e)
{
    return tl::unexpected<Error>(std::move(e));
}

} // namespace colophon
