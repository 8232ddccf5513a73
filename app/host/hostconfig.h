// SPDX-License-Identifier: MIT
// Every setting a Colophon process reads, declared once with its default, and
// the typed structs built from them. Precedence: defaults < config file <
// environment (COLOPHON_...) < command line.
#pragma once

#include "backend/core/error.h"
#include "backend/http/httpserver.h"
#include "backend/http/middleware.h"
#include "backend/observability/logger.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>

namespace colophon {

class Config;

// Declares all keys on config (loadHostConfig does it too).
void defineHostConfig(Config &config);

// The options every program takes: --data, --config and --log-level.
struct CommonOptions
{
    QCommandLineOption data;
    QCommandLineOption config;
    QCommandLineOption logLevel;
};
CommonOptions addCommonOptions(QCommandLineParser &parser, const QString &logLevelHelp);

// Declares every key, then loads the layers above the defaults: the --config
// file, the environment, then the command line (extra key/value pairs first,
// the common options last, so an explicit option wins). Returns the effective
// log level; an error names the key and where its value came from.
Result<LogLevel> loadHostConfig(Config &config, const QCommandLineParser &parser,
                                const CommonOptions &options,
                                const std::vector<std::pair<QString, QString>> &extra = {});

// "127.0.0.1:8080" → host and port (port 0 allowed); errors name the value.
Result<std::pair<std::string, std::uint16_t>> parseListenAddress(const QString &text);

Result<HttpServerSettings> httpServerSettings(const Config &config);
RateLimitSettings rateLimitSettings(const Config &config);
CorsSettings corsSettings(const Config &config);

} // namespace colophon
