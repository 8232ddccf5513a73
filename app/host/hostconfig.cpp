// SPDX-License-Identifier: MIT
#include "app/host/hostconfig.h"

#include "backend/config/config.h"

namespace colophon {

void defineHostConfig(Config &c)
{
    using T = Config::Type;
    c.define(QStringLiteral("data_dir"), T::String, QStringLiteral("./data"),
             QStringLiteral("folder of the replica: the database file and blobs"));
    c.define(QStringLiteral("listen"), T::String, QStringLiteral("127.0.0.1:8080"),
             QStringLiteral("server address HOST:PORT; port 0 picks a free port"));
    c.define(QStringLiteral("log_level"), T::String, QStringLiteral("info"),
             QStringLiteral("trace, debug, info, warn, error, critical or off"));
    c.define(QStringLiteral("db.busy_timeout_ms"), T::Integer, QStringLiteral("5000"),
             QStringLiteral("how long a writer waits for another before failing"));
    c.define(QStringLiteral("http.threads"), T::Integer, QStringLiteral("0"),
             QStringLiteral("I/O threads; 0: one per core"));
    c.define(QStringLiteral("http.max_header_bytes"), T::Integer, QStringLiteral("16384"),
             QStringLiteral("largest request header accepted (431 above)"));
    c.define(QStringLiteral("http.max_body_bytes"), T::Integer, QStringLiteral("10485760"),
             QStringLiteral("largest request body accepted (413 above)"));
    c.define(QStringLiteral("http.read_timeout_ms"), T::Integer, QStringLiteral("15000"),
             QStringLiteral("time to receive one whole request"));
    c.define(QStringLiteral("http.idle_timeout_ms"), T::Integer, QStringLiteral("5000"),
             QStringLiteral("keep-alive: time a connection may wait for its next request"));
    c.define(QStringLiteral("http.write_timeout_ms"), T::Integer, QStringLiteral("30000"),
             QStringLiteral("time to send one response or stream chunk"));
    c.define(QStringLiteral("http.drain_timeout_ms"), T::Integer, QStringLiteral("10000"),
             QStringLiteral("on shutdown, how long in-flight requests may finish"));
    c.define(QStringLiteral("http.max_connections"), T::Integer, QStringLiteral("1024"),
             QStringLiteral("open connections at most (503 above)"));
    c.define(QStringLiteral("http.trusted_proxies"), T::String, QString(),
             QStringLiteral("comma-separated proxy addresses whose X-Forwarded-For is believed"));
    c.define(QStringLiteral("http.cors_origins"), T::String, QString(),
             QStringLiteral("comma-separated origins allowed by CORS, or *; empty: none"));
    c.define(QStringLiteral("auth.open_registration"), T::Boolean, QStringLiteral("true"),
             QStringLiteral("anyone may register an account (as a consumer)"));
    c.define(QStringLiteral("auth.access_token_seconds"), T::Integer, QStringLiteral("900"),
             QStringLiteral("lifetime of an access token"));
    c.define(QStringLiteral("auth.oauth_code_seconds"), T::Integer, QStringLiteral("60"),
             QStringLiteral("lifetime of an OAuth authorization code, sign-in to exchange"));
    c.define(QStringLiteral("sync.snapshot_min_events"), T::Integer, QStringLiteral("5000"),
             QStringLiteral("a fresh replica of a server with fewer events pulls the log "
                            "instead of starting from a snapshot"));
    c.define(QStringLiteral("sync.snapshot_max_lag_events"), T::Integer, QStringLiteral("20000"),
             QStringLiteral("a snapshot this many events behind the head is made again"));
    c.define(QStringLiteral("sync.snapshot_refresh_seconds"), T::Integer, QStringLiteral("60"),
             QStringLiteral("how often the server checks whether the snapshot editors share is "
                            "stale and makes it again in the background; 0: only on demand"));
    c.define(QStringLiteral("auth.refresh_token_days"), T::Integer, QStringLiteral("30"),
             QStringLiteral("lifetime of a session and its refresh tokens"));
    c.define(QStringLiteral("auth.argon2_ops"), T::Integer, QStringLiteral("0"),
             QStringLiteral("argon2id passes; 0: libsodium's interactive setting"));
    c.define(QStringLiteral("auth.argon2_mem_kib"), T::Integer, QStringLiteral("0"),
             QStringLiteral("argon2id memory in KiB; 0: libsodium's interactive setting (64 MiB)"));
    c.define(QStringLiteral("auth.lockout.account_failures"), T::Integer, QStringLiteral("5"),
             QStringLiteral("failed sign-ins of one account before it is locked; 0 disables"));
    c.define(QStringLiteral("auth.lockout.base_seconds"), T::Integer, QStringLiteral("30"),
             QStringLiteral("the first account lock; each further failure doubles it"));
    c.define(QStringLiteral("auth.lockout.max_seconds"), T::Integer, QStringLiteral("900"),
             QStringLiteral("the longest account lock"));
    c.define(QStringLiteral("auth.lockout.address_failures"), T::Integer, QStringLiteral("20"),
             QStringLiteral("failed sign-ins from one client address per window; 0 disables"));
    c.define(QStringLiteral("auth.lockout.window_seconds"), T::Integer, QStringLiteral("600"),
             QStringLiteral("the address window, and how long an account's failures are kept"));
    c.define(QStringLiteral("auth.totp_issuer"), T::String, QStringLiteral("Colophon"),
             QStringLiteral("the issuer name authenticator apps show"));
    c.define(QStringLiteral("rate_limit"), T::Boolean, QStringLiteral("true"),
             QStringLiteral("per-client rate limits on or off (0 for benchmarks)"));
    c.define(QStringLiteral("rate_limit.read"), T::Integer, QStringLiteral("1200"),
             QStringLiteral("read requests per minute per client; 0 disables"));
    c.define(QStringLiteral("rate_limit.write"), T::Integer, QStringLiteral("300"),
             QStringLiteral("write requests per minute per client; 0 disables"));
    c.define(QStringLiteral("rate_limit.auth"), T::Integer, QStringLiteral("20"),
             QStringLiteral("sign-in requests per minute per client; 0 disables"));
}

CommonOptions addCommonOptions(QCommandLineParser &parser, const QString &logLevelHelp)
{
    CommonOptions o{
        QCommandLineOption(QStringLiteral("data"), QStringLiteral("Data folder of the replica."),
                           QStringLiteral("DIR")),
        QCommandLineOption(QStringLiteral("config"), QStringLiteral("A JSON configuration file."),
                           QStringLiteral("FILE")),
        QCommandLineOption(QStringLiteral("log-level"), logLevelHelp, QStringLiteral("LEVEL")),
    };
    parser.addOptions({o.data, o.config, o.logLevel});
    return o;
}

Result<LogLevel> loadHostConfig(Config &config, const QCommandLineParser &parser,
                                const CommonOptions &options,
                                const std::vector<std::pair<QString, QString>> &extra)
{
    defineHostConfig(config);
    if (parser.isSet(options.config)) {
        if (auto loaded = config.loadFile(parser.value(options.config)); !loaded) {
            return fail(loaded.error());
        }
    }
    if (auto loaded = config.loadEnvironment(); !loaded) {
        return fail(loaded.error());
    }
    std::vector<std::pair<QString, QString>> commandLine = extra;
    if (parser.isSet(options.data)) {
        commandLine.emplace_back(QStringLiteral("data_dir"), parser.value(options.data));
    }
    if (parser.isSet(options.logLevel)) {
        commandLine.emplace_back(QStringLiteral("log_level"), parser.value(options.logLevel));
    }
    for (const auto &[key, value] : commandLine) {
        if (auto set = config.set(key, value); !set) {
            return fail(set.error());
        }
    }
    const QString levelName = config.string(QStringLiteral("log_level"));
    const auto level = parseLogLevel(levelName.toStdString());
    if (!level) {
        return fail(Error::invalid(QStringLiteral("unknown log level '%1'").arg(levelName),
                                   QStringLiteral("log_level")));
    }
    return *level;
}

Result<std::pair<std::string, std::uint16_t>> parseListenAddress(const QString &text)
{
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const int port = colon < 0 ? -1 : text.mid(colon + 1).toInt(&ok);
    QString host = colon < 0 ? QString() : text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']'))) {
        host = host.mid(1, host.size() - 2);
    }
    if (!ok || port < 0 || port > 65535 || host.isEmpty()) {
        return fail(Error::invalid(QStringLiteral("listen address '%1' is not HOST:PORT").arg(text),
                                   QStringLiteral("listen")));
    }
    return std::pair{host.toStdString(), static_cast<std::uint16_t>(port)};
}

namespace {
std::vector<std::string> splitList(const QString &text)
{
    std::vector<std::string> out;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty()) {
            out.push_back(part.trimmed().toStdString());
        }
    }
    return out;
}
} // namespace

Result<HttpServerSettings> httpServerSettings(const Config &c)
{
    auto listen = parseListenAddress(c.string(QStringLiteral("listen")));
    if (!listen) {
        return fail(listen.error());
    }
    HttpServerSettings s;
    s.host = listen->first;
    s.port = listen->second;
    s.threads = static_cast<int>(c.integer(QStringLiteral("http.threads")));
    s.maxHeaderBytes = static_cast<std::size_t>(c.integer(QStringLiteral("http.max_header_bytes")));
    s.maxBodyBytes = static_cast<std::uint64_t>(c.integer(QStringLiteral("http.max_body_bytes")));
    s.readTimeout = std::chrono::milliseconds(c.integer(QStringLiteral("http.read_timeout_ms")));
    s.idleTimeout = std::chrono::milliseconds(c.integer(QStringLiteral("http.idle_timeout_ms")));
    s.writeTimeout = std::chrono::milliseconds(c.integer(QStringLiteral("http.write_timeout_ms")));
    s.drainTimeout = std::chrono::milliseconds(c.integer(QStringLiteral("http.drain_timeout_ms")));
    s.maxConnections = static_cast<int>(c.integer(QStringLiteral("http.max_connections")));
    s.trustedProxies = splitList(c.string(QStringLiteral("http.trusted_proxies")));
    if (s.maxHeaderBytes < 1024 || s.maxConnections < 1 || s.threads < 0 ||
        s.readTimeout.count() < 1 || s.idleTimeout.count() < 1 || s.writeTimeout.count() < 1) {
        return fail(
            Error::invalid(QStringLiteral("http settings out of range (header >= 1024 bytes, "
                                          "connections >= 1, timeouts >= 1 ms)"),
                           QStringLiteral("http")));
    }
    return s;
}

RateLimitSettings rateLimitSettings(const Config &c)
{
    RateLimitSettings s;
    s.enabled = c.boolean(QStringLiteral("rate_limit"));
    s.readPerMinute = static_cast<double>(c.integer(QStringLiteral("rate_limit.read")));
    s.writePerMinute = static_cast<double>(c.integer(QStringLiteral("rate_limit.write")));
    s.authPerMinute = static_cast<double>(c.integer(QStringLiteral("rate_limit.auth")));
    return s;
}

CorsSettings corsSettings(const Config &c)
{
    CorsSettings s;
    s.allowedOrigins = splitList(c.string(QStringLiteral("http.cors_origins")));
    return s;
}

} // namespace colophon
