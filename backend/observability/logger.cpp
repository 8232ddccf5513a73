// SPDX-License-Identifier: MIT
// Structured JSON log lines, the thread's log context and the spdlog-backed Logger.
#include "backend/observability/logger.h"

#include "backend/observability/tracecontext.h"

#include <array>
#include <cstdio>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <utility>

namespace colophon {

namespace {

thread_local LogContext t_logContext;

spdlog::level::level_enum toSpdlog(LogLevel level)
{
    switch (level) {
    case LogLevel::Trace:
        return spdlog::level::trace;
    case LogLevel::Debug:
        return spdlog::level::debug;
    case LogLevel::Info:
        return spdlog::level::info;
    case LogLevel::Warn:
        return spdlog::level::warn;
    case LogLevel::Error:
        return spdlog::level::err;
    case LogLevel::Critical:
        return spdlog::level::critical;
    case LogLevel::Off:
        return spdlog::level::off;
    }
    return spdlog::level::off;
}

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != b[i])
            return false;
    }
    return true;
}

// ISO-8601 UTC with milliseconds: 2025-04-21T14:30:00.000Z
std::string isoTimestamp(std::chrono::system_clock::time_point t)
{
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t);
    const auto day = floor<days>(ms);
    const year_month_day ymd{day};
    const hh_mm_ss hms{ms - day};
    std::array<char, 64> buf{};
    const int n = std::snprintf(
        buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
        static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

nlohmann::ordered_json idOrNull(const std::string &id)
{
    return id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(id);
}

} // namespace

std::optional<LogLevel> parseLogLevel(std::string_view name)
{
    static constexpr std::array<std::pair<std::string_view, LogLevel>, 8> names{{
        {"trace", LogLevel::Trace},
        {"debug", LogLevel::Debug},
        {"info", LogLevel::Info},
        {"warn", LogLevel::Warn},
        {"warning", LogLevel::Warn},
        {"error", LogLevel::Error},
        {"critical", LogLevel::Critical},
        {"off", LogLevel::Off},
    }};
    for (const auto &[text, level] : names) {
        if (equalsIgnoringAsciiCase(name, text))
            return level;
    }
    return std::nullopt;
}

std::string_view logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Trace:
        return "trace";
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warn:
        return "warn";
    case LogLevel::Error:
        return "error";
    case LogLevel::Critical:
        return "critical";
    case LogLevel::Off:
        return "off";
    }
    return "off";
}

const LogContext &currentLogContext()
{
    return t_logContext;
}

LogContextScope::LogContextScope(LogContext ctx)
    : m_previous(std::exchange(t_logContext, std::move(ctx)))
{
}

LogContextScope::~LogContextScope()
{
    t_logContext = std::move(m_previous);
}

std::string formatLogLine(std::chrono::system_clock::time_point t, LogLevel level,
                          std::string_view service, const LogContext &ctx, std::string_view message,
                          const nlohmann::json &data)
{
    nlohmann::ordered_json line;
    line["timestamp"] = isoTimestamp(t);
    line["level"] = std::string(logLevelName(level));
    line["service"] = std::string(service);
    line["traceId"] = idOrNull(ctx.traceId);
    line["spanId"] = idOrNull(ctx.spanId);
    line["userId"] = idOrNull(ctx.userId);
    line["requestId"] = idOrNull(ctx.requestId);
    line["message"] = std::string(message);
    if (data.is_object()) {
        line["data"] = nlohmann::ordered_json(data);
    } else if (data.is_null()) {
        line["data"] = nlohmann::ordered_json::object();
    } else {
        line["data"] = nlohmann::ordered_json{{"value", nlohmann::ordered_json(data)}};
    }
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Logger::Logger(std::string service, spdlog::sink_ptr sink)
    : m_service(std::move(service)),
      m_level(std::make_shared<std::atomic<LogLevel>>(LogLevel::Info))
{
    if (!sink)
        sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    // Not registered with spdlog's global registry: each Logger owns its spdlog logger.
    m_logger = std::make_shared<spdlog::logger>("colophon", std::move(sink));
    m_logger->set_pattern("%v");
    m_logger->set_level(spdlog::level::trace); // filtering is done by m_level
    m_logger->flush_on(spdlog::level::warn);
}

Logger::Logger(std::string service, std::shared_ptr<spdlog::logger> logger,
               std::shared_ptr<std::atomic<LogLevel>> level)
    : m_service(std::move(service)), m_logger(std::move(logger)), m_level(std::move(level))
{
}

Logger Logger::withService(std::string service) const
{
    return Logger(std::move(service), m_logger, m_level);
}

void Logger::setLevel(LogLevel level)
{
    m_level->store(level, std::memory_order_relaxed);
}

LogLevel Logger::level() const
{
    return m_level->load(std::memory_order_relaxed);
}

bool Logger::shouldLog(LogLevel level) const
{
    return level != LogLevel::Off && level >= this->level();
}

void Logger::log(LogLevel level, std::string_view message, const nlohmann::json &data) const
{
    if (!shouldLog(level))
        return;
    const std::string line = formatLogLine(std::chrono::system_clock::now(), level, m_service,
                                           currentLogContext(), message, data);
    m_logger->log(toSpdlog(level), spdlog::string_view_t(line.data(), line.size()));
}

void Logger::flush() const
{
    m_logger->flush();
}

QString currentTraceparent()
{
    const LogContext &ctx = currentLogContext();
    if (ctx.traceId.empty()) {
        return {};
    }
    return QString::fromStdString(TraceContext{ctx.traceId, ctx.spanId, 1}.toTraceparent());
}

} // namespace colophon
