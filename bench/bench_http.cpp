// SPDX-License-Identifier: MIT
// HTTP throughput and latency of colophon-server's stack, against nginx on
// the same machine. Runs the real HttpServer with the server's middleware in
// process, on a temporary replica, and loads it with wrk (64 connections,
// 2 threads) on loopback:
//   GET /healthz              no database
//   GET /bench/items/{id}     one SQLite row by primary key
//   POST /bench/items         one event appended with its projection row
//   nginx                     a 69-byte static JSON file (the loopback ceiling)
// Usage: colophon-bench-http [--duration SECONDS] [--connections N] [--threads N]
//                            [--only nginx|health|read|write|auth|inprocess]
//   POST /api/v1/auth/login   sign-in with argon2id at the configured cost
//   GET /api/v1/me            an authenticated read (JWT check + session + account)
#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "backend/http/problem.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "bench/benchsupport.h"
#include "services/user/userservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <cstdio>

using namespace colophon;

using namespace colophon::bench;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Measures colophon-server against nginx with wrk on loopback."));
    parser.addHelpOption();
    const QCommandLineOption durationOption(QStringLiteral("duration"),
                                            QStringLiteral("Seconds per target (default 10)."),
                                            QStringLiteral("SECONDS"), QStringLiteral("10"));
    const QCommandLineOption connectionsOption(QStringLiteral("connections"),
                                               QStringLiteral("wrk connections (default 64)."),
                                               QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption threadsOption(QStringLiteral("threads"),
                                           QStringLiteral("Server I/O threads (default 2)."),
                                           QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption onlyOption(
        QStringLiteral("only"),
        QStringLiteral("One group: nginx, health, read, write, auth or inprocess."),
        QStringLiteral("GROUP"));
    parser.addOptions({durationOption, connectionsOption, threadsOption, onlyOption});
    parser.process(app); // --help, or an unknown option, exits here
    bool ok[3] = {};
    const int seconds = parser.value(durationOption).toInt(&ok[0]);
    const int connections = parser.value(connectionsOption).toInt(&ok[1]);
    const int threads = parser.value(threadsOption).toInt(&ok[2]);
    const QString only = parser.value(onlyOption);
    static const QStringList groups{QStringLiteral("nginx"), QStringLiteral("health"),
                                    QStringLiteral("read"),  QStringLiteral("write"),
                                    QStringLiteral("auth"),  QStringLiteral("inprocess")};
    if (!ok[0] || !ok[1] || !ok[2] || seconds < 1 || connections < 1 || threads < 1 ||
        (!only.isEmpty() && !groups.contains(only))) {
        std::fprintf(stderr, "colophon-bench-http: bad arguments; see --help\n");
        return 2;
    }
    if (!wrkInstalled("colophon-bench-http")) {
        return 1;
    }

    auto replica = openBenchReplica();
    if (!replica) {
        return 1;
    }
    const QTemporaryDir &dir = replica->dir;
    const Config &config = *replica->config;
    Logger &logger = *replica->logger;
    MetricsRegistry &metrics = *replica->metrics;
    ServiceHost *host = replica->host.get();
    Database &db = host->database();
    EventLog &log = *host->eventLog();

    // A projection of the bench's own, seeded with 10,000 rows of ~200 bytes.
    const int rows = 10000;
    auto seeded = db.transact([&](Transaction &tx) -> Result<void> {
        if (auto made =
                execSql(tx.db(), QStringLiteral("CREATE TABLE bench_items (id INTEGER PRIMARY KEY, "
                                                "title TEXT NOT NULL, body TEXT NOT NULL)"));
            !made) {
            return fail(made.error());
        }
        for (int i = 1; i <= rows; ++i) {
            auto ins = execSql(
                tx.db(),
                QStringLiteral("INSERT INTO bench_items (id, title, body) VALUES (?, ?, ?)"),
                {i, QStringLiteral("Item %1").arg(i), QString(200, QLatin1Char('x'))});
            if (!ins) {
                return fail(ins.error());
            }
        }
        return {};
    });
    if (!seeded) {
        std::fprintf(stderr, "seeding failed: %s\n", qPrintable(seeded.error().message));
        return 1;
    }

    // A user for the sign-in runs, hashed with the configured argon2id cost.
    const QString benchPassword = QStringLiteral("a bench password of some length");
    auto benchUser = host->users()->createUser(
        Actor::system(), {QStringLiteral("bench@colophon.local"), benchPassword,
                          QStringLiteral("Bench"), QStringLiteral("User"), Role::Creator});
    if (!benchUser) {
        std::fprintf(stderr, "cannot create the bench user: %s\n",
                     qPrintable(benchUser.error().message));
        return 1;
    }
    auto benchTokens = host->users()->login(benchUser->email, benchPassword, {});
    if (!benchTokens || !benchTokens->tokens) {
        std::fprintf(stderr, "cannot sign in: %s\n",
                     benchTokens ? "an MFA step was asked for"
                                 : qPrintable(benchTokens.error().message));
        return 1;
    }

    Router router;
    host->registerRoutes(router);
    router.add(HttpMethod::Get, "/bench/items/{id:int}", [&db](HttpRequest &req) {
        auto q =
            db.execCached(QStringLiteral("SELECT id, title, body FROM bench_items WHERE id = ?"),
                          {QVariant::fromValue<qint64>(req.intParam("id"))});
        if (!q) {
            return problemResponse(q.error());
        }
        QSqlQuery &row = **q;
        if (!row.next()) {
            return problemResponse(404, "no such item");
        }
        return HttpResponse::json(200, {{"id", row.value(0).toLongLong()},
                                        {"title", row.value(1).toString().toStdString()},
                                        {"body", row.value(2).toString().toStdString()}});
    });
    router.add(HttpMethod::Post, "/bench/items", [&db, &log](HttpRequest &req) {
        auto body = req.jsonBody();
        if (!body || !body->contains("title") || !(*body)["title"].is_string()) {
            return problemResponse(422, "title is required");
        }
        const QString title = QString::fromStdString((*body)["title"].get<std::string>());
        auto done = db.transact([&](Transaction &tx) -> Result<qint64> {
            auto ins = db.execCached(
                QStringLiteral("INSERT INTO bench_items (title, body) VALUES (?, '')"), {title});
            if (!ins) {
                return fail(ins.error());
            }
            const qint64 id = (*ins)->lastInsertId().toLongLong();
            auto ev = log.append(tx, {QStringLiteral("BenchItemCreated"),
                                      QStringLiteral("bench/%1").arg(id),
                                      {{"id", id}, {"title", title.toStdString()}},
                                      {},
                                      1});
            if (!ev) {
                return fail(ev.error());
            }
            return id;
        });
        if (!done) {
            return problemResponse(done.error());
        }
        return HttpResponse::json(201, {{"id", *done}});
    });

    if (only == QLatin1String("inprocess")) {
        // The read route's handler alone, no HTTP: what one row costs in-process.
        HttpRequest req;
        const auto *route = router.match(HttpMethod::Get, "/bench/items/1").handler;
        QElapsedTimer t;
        t.start();
        const int n = 200000;
        std::size_t bytes = 0;
        for (int i = 0; i < n; ++i) {
            req.params = {{"id", std::to_string(1 + i % rows)}};
            bytes += (*route)(req).body.size();
        }
        std::printf("read handler in-process: %.2f us/op (%zu bytes)\n",
                    t.nsecsElapsed() / 1000.0 / n, bytes);
        return 0;
    }

    InProcessServer server(router, config, logger, metrics, *host, threads);
    if (auto started = server.start(); !started) {
        std::fprintf(stderr, "cannot start: %s\n", qPrintable(started.error().message));
        return 1;
    }
    const QString base = server.baseUrl();

    const QString readScript = writeScript(
        dir, QStringLiteral("read.lua"),
        QStringLiteral("math.randomseed(42)\nrequest = function()\n"
                       "  return wrk.format(nil, \"/bench/items/\" .. math.random(1, %1))\nend\n")
            .arg(rows));
    const QString writeScriptPath = writeScript(
        dir, QStringLiteral("write.lua"),
        QStringLiteral(
            "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
            "wrk.body = '{\"title\":\"a benchmark item\"}'\n"));

    std::printf("colophon-bench-http: wrk -t2 -c%d -d%ds on loopback, server with %d I/O threads, "
                "same 2 cores\n",
                connections, seconds, threads);
    std::fflush(stdout);
    auto wanted = [&only](const char *name) {
        return only.isEmpty() || only == QLatin1String(name);
    };
    Figures nginx, health, read, readRandom, write, login, me;
    if (wanted("nginx")) {
        nginx = runNginx(dir, seconds, connections);
    }
    if (wanted("health")) {
        health = runWrk(QStringLiteral("GET /healthz"), base + QStringLiteral("/healthz"), seconds,
                        connections);
    }
    if (wanted("read")) {
        // The same request every time, like the nginx run: a real query per
        // request on a warm cache. wrk's Lua request() hook, needed for
        // random ids, costs wrk itself about a third of its rate here, so
        // the random-id run is printed beside it, not compared with nginx.
        read = runWrk(QStringLiteral("GET one SQLite row"),
                      base + QStringLiteral("/bench/items/4242"), seconds, connections);
        readRandom =
            runWrk(QStringLiteral("GET random rows (wrk Lua)"),
                   base + QStringLiteral("/bench/items/1"), seconds, connections, readScript);
    }
    const qint64 before = log.count().value_or(0);
    if (wanted("write")) {
        write =
            runWrk(QStringLiteral("POST event + projection"), base + QStringLiteral("/bench/items"),
                   seconds, connections, writeScriptPath);
    }
    const qint64 appended = log.count().value_or(0) - before;
    if (wanted("auth")) {
        const QString loginScript = writeScript(
            dir, QStringLiteral("login.lua"),
            QStringLiteral(
                "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                "wrk.body = '{\"email\":\"bench@colophon.local\",\"password\":\"%1\"}'\n")
                .arg(benchPassword));
        me = runWrk(QStringLiteral("GET /api/v1/me (bearer)"), base + QStringLiteral("/api/v1/me"),
                    seconds, connections, {},
                    {QStringLiteral("-H"),
                     QStringLiteral("Authorization: Bearer ") + benchTokens->tokens->accessToken});
        // Each sign-in costs an argon2id hash (64 MiB, ~0.1 s of a core at
        // the interactive setting): 8 connections keep both cores busy
        // without queueing past wrk's timeout.
        login = runWrk(QStringLiteral("POST login, 8 conns"),
                       base + QStringLiteral("/api/v1/auth/login"), seconds, 8, loginScript,
                       {QStringLiteral("--timeout"), QStringLiteral("10s")});
    }
    server.stop();

    printTable({&nginx, &health, &read, &readRandom, &write, &me, &login});
    if (nginx.requestsPerSecond > 0 && only.isEmpty()) {
        std::printf("\nread route / nginx static: %.0f%% (target: 50%% or more)\n",
                    100.0 * read.requestsPerSecond / nginx.requestsPerSecond);
        std::printf("healthz / nginx static:    %.0f%%\n",
                    100.0 * health.requestsPerSecond / nginx.requestsPerSecond);
    }
    std::printf("events appended during the write run: %lld\n", static_cast<long long>(appended));
    return 0;
}
