// SPDX-License-Identifier: MIT
// Structured logging: one JSON object a line with the blueprint's fields, via spdlog.
#pragma once

#include <QString>
#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <spdlog/common.h>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace colophon {

enum class LogLevel { Trace, Debug, Info, Warn, Error, Critical, Off };

// "trace", "debug", "info", "warn" (or "warning"), "error", "critical", "off";
// ASCII case is ignored. Anything else gives nullopt.
std::optional<LogLevel> parseLogLevel(std::string_view name);
// The name written in the "level" field: "trace", "debug", "info", "warn", ...
std::string_view logLevelName(LogLevel level);

// Who and what a log line is about. Empty ids are written as null.
struct LogContext
{
    std::string traceId;
    std::string spanId;
    std::string userId;
    std::string requestId;
};

// The calling thread's context; empty until a LogContextScope sets it.
const LogContext &currentLogContext();
// The W3C traceparent of the current log context (the request being served),
// or an empty string outside any trace: what events caused here carry.
QString currentTraceparent();

// Sets the calling thread's log context for its lifetime and restores the
// previous one on destruction, so scopes nest. Must be destroyed on the thread
// that created it.
class LogContextScope final
{
public:
    explicit LogContextScope(LogContext ctx);
    ~LogContextScope();
    LogContextScope(const LogContextScope &) = delete;
    LogContextScope &operator=(const LogContextScope &) = delete;

private:
    LogContext m_previous;
};

// One log line without its newline:
// {"timestamp":"2025-04-21T14:30:00.000Z","level":"info","service":"...","traceId":...,
//  "spanId":...,"userId":...,"requestId":...,"message":"...","data":{...}}
// The timestamp is UTC with milliseconds. Empty ids are null. data is always an
// object: null becomes {}, any other non-object is wrapped as {"value": data}.
// Invalid UTF-8 is replaced rather than thrown on.
std::string formatLogLine(std::chrono::system_clock::time_point t, LogLevel level,
                          std::string_view service, const LogContext &ctx, std::string_view message,
                          const nlohmann::json &data);

// A service's logger. Copies made with withService() share the sink and the
// level. All members are safe to call from any thread.
class Logger final
{
public:
    // Writes to stdout unless a sink is given (tests pass an ostream_sink_mt).
    // The sink's pattern is set to "%v": the line is formatted here.
    explicit Logger(std::string service, spdlog::sink_ptr sink = {});

    // Same sink and (shared) level, another service name.
    Logger withService(std::string service) const;

    const std::string &service() const { return m_service; }

    void setLevel(LogLevel level);
    LogLevel level() const;
    bool shouldLog(LogLevel level) const;

    // Writes one line if the level passes; flushes on warn and above.
    void log(LogLevel level, std::string_view message,
             const nlohmann::json &data = nlohmann::json::object()) const;
    void trace(std::string_view m, const nlohmann::json &d = nlohmann::json::object()) const
    {
        log(LogLevel::Trace, m, d);
    }
    void debug(std::string_view m, const nlohmann::json &d = nlohmann::json::object()) const
    {
        log(LogLevel::Debug, m, d);
    }
    void info(std::string_view m, const nlohmann::json &d = nlohmann::json::object()) const
    {
        log(LogLevel::Info, m, d);
    }
    void warn(std::string_view m, const nlohmann::json &d = nlohmann::json::object()) const
    {
        log(LogLevel::Warn, m, d);
    }
    void error(std::string_view m, const nlohmann::json &d = nlohmann::json::object()) const
    {
        log(LogLevel::Error, m, d);
    }
    void critical(std::string_view m, const nlohmann::json &d = nlohmann::json::object()) const
    {
        log(LogLevel::Critical, m, d);
    }

    void flush() const;

private:
    Logger(std::string service, std::shared_ptr<spdlog::logger> logger,
           std::shared_ptr<std::atomic<LogLevel>> level);

    std::string m_service;
    std::shared_ptr<spdlog::logger> m_logger;
    std::shared_ptr<std::atomic<LogLevel>> m_level;
};

} // namespace colophon
