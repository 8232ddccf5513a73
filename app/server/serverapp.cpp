// SPDX-License-Identifier: MIT
#include "app/server/serverapp.h"

#include "app/host/democontent.h"
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
    const CommonOptions common = addCommonOptions(
        parser, QStringLiteral("trace, debug, info, warn, error, critical or off."));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("Address to serve on, HOST:PORT (port 0: any free port)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption bootstrapOption(
        QStringLiteral("bootstrap-admin"),
        QStringLiteral("Create the first admin account with this email and print its password."),
        QStringLiteral("EMAIL"));
    const QCommandLineOption demoOption(
        QStringLiteral("demo-content"),
        QStringLiteral("With --bootstrap-admin: fill the new replica with demo categories and "
                       "articles, authored by that admin."));
    parser.addOptions({listenOption, bootstrapOption, demoOption});
    parser.process(arguments);
    if (!parser.positionalArguments().isEmpty()) {
        return usageError(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
    }

    if (parser.isSet(demoOption) && !parser.isSet(bootstrapOption)) {
        return usageError(QStringLiteral("--demo-content needs --bootstrap-admin (its author)"));
    }

    Config config;
    std::vector<std::pair<QString, QString>> extra;
    if (parser.isSet(listenOption)) {
        extra.emplace_back(QStringLiteral("listen"), parser.value(listenOption));
    }
    const auto level = loadHostConfig(config, parser, common, extra);
    if (!level) {
        return usageError(level.error().message);
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
        if (parser.isSet(demoOption)) {
            auto seeded =
                seedDemoContent(*(*host)->content(), Actor{admin->id, Role::Admin, QString()});
            if (!seeded) {
                std::fprintf(stderr, "colophon-server: cannot add the demo content: %s\n",
                             qPrintable(seeded.error().message));
                return 1;
            }
            logger.info("demo content added", {{"items", *seeded}});
        }
    }

    Router router;
    (*host)->registerRoutes(router);
    HttpPipeline pipeline(
        router,
        {requestIdMiddleware(), traceContextMiddleware(), accessLogMiddleware(logger, metrics),
         corsMiddleware(corsSettings(config)), rateLimitMiddleware(rateLimitSettings(config)),
         (*host)->requestScopeMiddleware()},
        logger);
    Database &db = (*host)->database();
    serverSettings->threadFinished = [&db] { db.closeThreadConnection(); };
    (*host)->handOffRequests(*serverSettings, router);
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
    (*host)->startScheduler();
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
