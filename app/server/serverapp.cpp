// SPDX-License-Identifier: MIT
#include "app/server/serverapp.h"

#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/auth/recoverycodes.h"
#include "backend/config/config.h"
#include "backend/db/database.h"
#include "backend/events/eventbus.h"
#include "backend/events/eventlog.h"
#include "backend/http/httpserver.h"
#include "backend/http/middleware.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "services/user/userservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <csignal>
#include <cstdio>
#include <thread>

namespace colophon {

namespace {

int usageError(const QString &message)
{
    std::fprintf(stderr, "colophon-server: %s\n", qPrintable(message));
    return 2;
}

// Waits for SIGTERM/SIGINT (blocked in every thread by main) and asks the
// Qt event loop to quit. Detached: it lives until the process ends.
void watchStopSignals()
{
    std::thread([] {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        int signal = 0;
        if (sigwait(&set, &signal) == 0) {
            QMetaObject::invokeMethod(
                QCoreApplication::instance(), [] { QCoreApplication::quit(); },
                Qt::QueuedConnection);
        }
    }).detach();
}

} // namespace

int runServer(const QStringList &arguments)
{
    QElapsedTimer startTimer;
    startTimer.start();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Colophon's server: the REST API, public delivery and sync."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"),
                                        QStringLiteral("Data folder of the replica."),
                                        QStringLiteral("DIR"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("Address to serve on, HOST:PORT (port 0: any free port)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption logLevelOption(
        QStringLiteral("log-level"),
        QStringLiteral("trace, debug, info, warn, error, critical or off."),
        QStringLiteral("LEVEL"));
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("A JSON configuration file."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption bootstrapOption(
        QStringLiteral("bootstrap-admin"),
        QStringLiteral("Create the first admin account with this email and print its password."),
        QStringLiteral("EMAIL"));
    parser.addOptions({dataOption, listenOption, logLevelOption, configOption, bootstrapOption});
    parser.process(arguments);
    if (!parser.positionalArguments().isEmpty()) {
        return usageError(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    }

    Config config;
    defineHostConfig(config);
    std::vector<std::pair<QString, QString>> commandLine;
    if (parser.isSet(dataOption)) {
        commandLine.emplace_back(QStringLiteral("data_dir"), parser.value(dataOption));
    }
    if (parser.isSet(listenOption)) {
        commandLine.emplace_back(QStringLiteral("listen"), parser.value(listenOption));
    }
    if (parser.isSet(logLevelOption)) {
        commandLine.emplace_back(QStringLiteral("log_level"), parser.value(logLevelOption));
    }
    if (auto loaded = loadConfigLayers(config, parser.value(configOption), commandLine); !loaded) {
        return usageError(loaded.error().message);
    }
    const auto level = parseLogLevel(config.string(QStringLiteral("log_level")).toStdString());
    if (!level) {
        return usageError(QStringLiteral("unknown log level '%1'")
                              .arg(config.string(QStringLiteral("log_level"))));
    }
    auto serverSettings = httpServerSettings(config);
    if (!serverSettings) {
        return usageError(serverSettings.error().message);
    }

    Logger logger("colophon-server");
    logger.setLevel(*level);
    MetricsRegistry metrics;

    auto host = ServiceHost::open(HostRole::Server, config, logger, metrics);
    if (!host) {
        logger.critical("cannot open the replica", {{"error", host.error().message.toStdString()}});
        std::fprintf(stderr, "colophon-server: %s\n", qPrintable(host.error().message));
        return 1;
    }
    (*host)->eventBus()->start();
    if (parser.isSet(bootstrapOption)) {
        // The password goes to the terminal only, never to the log.
        const QString password = randomToken(18);
        auto admin = (*host)->users()->createUser(
            Actor::system(), {parser.value(bootstrapOption), password, QStringLiteral("Admin"),
                              QStringLiteral("Colophon"), Role::Admin});
        if (!admin) {
            std::fprintf(stderr, "colophon-server: cannot create the admin: %s\n",
                         qPrintable(admin.error().message));
            return 1;
        }
        std::fprintf(
            stderr,
            "colophon-server: created admin %s with one-time password: %s\n"
            "colophon-server: sign in with POST /api/v1/auth/login, then change it with POST "
            "/api/v1/me/password\n",
            qPrintable(admin->email), qPrintable(password));
    }

    Router router;
    (*host)->registerRoutes(router);
    HttpPipeline pipeline(
        router,
        {requestIdMiddleware(), traceContextMiddleware(), accessLogMiddleware(logger, metrics),
         corsMiddleware(corsSettings(config)), rateLimitMiddleware(rateLimitSettings(config))},
        logger);
    Database &db = (*host)->database();
    serverSettings->threadFinished = [&db] { db.closeThreadConnection(); };
    HttpServer server(*serverSettings, pipeline, logger);
    if (auto started = server.start(); !started) {
        logger.critical("cannot listen", {{"error", started.error().message.toStdString()}});
        std::fprintf(stderr, "colophon-server: %s\n", qPrintable(started.error().message));
        return 1;
    }
    const std::string hostText =
        server.host().find(':') != std::string::npos ? "[" + server.host() + "]" : server.host();
    const std::string url = "http://" + hostText + ":" + std::to_string(server.port());
    watchStopSignals();
    logger.info("listening", {{"url", url},
                              {"dataDir", (*host)->dataDir().toStdString()},
                              {"replicaId", (*host)->eventLog()->replicaId().toStdString()},
                              {"startupMs", startTimer.elapsed()}});
    std::fprintf(stderr, "colophon-server: listening on %s (data in %s)\n", url.c_str(),
                 qPrintable((*host)->dataDir()));

    const int code = QCoreApplication::exec();

    logger.info("stopping: draining in-flight requests",
                {{"openConnections", server.openConnections()}});
    server.stop();
    logger.info("stopped", {{"requestsServed", server.requestsServed()}});
    logger.flush();
    return code;
}

} // namespace colophon
