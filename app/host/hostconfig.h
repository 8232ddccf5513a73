// SPDX-License-Identifier: MIT
// Every setting a Colophon process reads, declared once with its default, and
// the typed structs built from them. Precedence: defaults < config file <
// environment (COLOPHON_...) < command line.
#pragma once

#include "backend/core/error.h"
#include "backend/http/httpserver.h"
#include "backend/http/middleware.h"

#include <QString>

namespace colophon {

class Config;

// Declares all keys on config.
void defineHostConfig(Config &config);

// Loads the layers above the defaults: the file (when given), the
// environment, then the command-line values (key, value) in order.
Result<void> loadConfigLayers(Config &config, const QString &configFile,
                              const std::vector<std::pair<QString, QString>> &commandLine);

// "127.0.0.1:8080" → host and port (port 0 allowed); errors name the value.
Result<std::pair<std::string, std::uint16_t>> parseListenAddress(const QString &text);

Result<HttpServerSettings> httpServerSettings(const Config &config);
RateLimitSettings rateLimitSettings(const Config &config);
CorsSettings corsSettings(const Config &config);

} // namespace colophon
