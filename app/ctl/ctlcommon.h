// SPDX-License-Identifier: MIT
// What every colophonctl command shares: its exit codes and how it prints.
// Data goes to stdout; each error is one line "colophonctl: <message>" on stderr.
#pragma once

#include "backend/core/error.h"

#include <QString>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace colophon::ctl {

constexpr int kFailure = 1;
constexpr int kUsage = 2;

// One line on stderr; a newline inside the message would split it.
inline void printError(QString message)
{
    message.replace(QLatin1Char('\r'), QLatin1Char(' '))
        .replace(QLatin1Char('\n'), QLatin1Char(' '));
    std::fprintf(stderr, "colophonctl: %s\n", qPrintable(message));
    std::fflush(stderr);
}

inline int failWith(const QString &message, int code = kFailure)
{
    printError(message);
    return code;
}

// "field: message" when the error names a field, else the message.
inline QString describe(const Error &error)
{
    return error.field.isEmpty() ? error.message
                                 : error.field + QStringLiteral(": ") + error.message;
}

inline int failWith(const Error &error)
{
    return failWith(describe(error), kFailure);
}

// Compact, one line: an object, or one line of JSON Lines.
// A password from the first line of a file or of standard input (exactly
// one of them), never from argv, where other users could read it.
Result<QString> readPassword(const QString &file, bool fromStdin);

inline void printJson(const nlohmann::json &j)
{
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    std::fflush(stdout);
}

} // namespace colophon::ctl
