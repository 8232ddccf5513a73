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
#include "backend/http/httpserver.h"
#include "backend/http/middleware.h"
#include "backend/http/problem.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "services/user/userservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <cstdio>
#include <sys/resource.h>

using namespace colophon;

namespace {

struct Figures
{
    QString name;
    double requestsPerSecond = 0;
    double cpuMicrosPerRequest = 0; // this process (the server), user + system
    QString p50;
    QString p99;
    QString errors;
};

// Parses wrk --latency output.
Figures parseWrk(const QString &name, const QString &out)
{
    Figures f;
    f.name = name;
    const auto rps = QRegularExpression(QStringLiteral("Requests/sec:\\s+([0-9.]+)")).match(out);
    f.requestsPerSecond = rps.hasMatch() ? rps.captured(1).toDouble() : 0;
    f.p50 = QRegularExpression(QStringLiteral("\\s50%\\s+(\\S+)")).match(out).captured(1);
    f.p99 = QRegularExpression(QStringLiteral("\\s99%\\s+(\\S+)")).match(out).captured(1);
    const auto non2xx =
        QRegularExpression(QStringLiteral("Non-2xx or 3xx responses: (\\d+)")).match(out);
    const auto sockErr = QRegularExpression(QStringLiteral("Socket errors: ([^\\n]+)")).match(out);
    f.errors =
        (non2xx.hasMatch() ? QStringLiteral("non-2xx %1 ").arg(non2xx.captured(1)) : QString()) +
        (sockErr.hasMatch() ? sockErr.captured(1) : QString());
    return f;
}

double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Figures runWrk(const QString &name, const QString &url, int seconds, int connections,
               const QString &script = {}, const QStringList &extra = {})
{
    const double cpuBefore = processCpuSeconds();
    QStringList args{QStringLiteral("-t2"), QStringLiteral("-c%1").arg(connections),
                     QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--latency")};
    if (!script.isEmpty()) {
        args << QStringLiteral("-s") << script;
    }
    args << extra;
    args << url;
    QProcess wrk;
    wrk.start(QStringLiteral("wrk"), args);
    if (!wrk.waitForFinished((seconds + 30) * 1000) || wrk.exitCode() != 0) {
        std::fprintf(stderr, "wrk failed for %s: %s\n", qPrintable(name),
                     wrk.readAllStandardError().constData());
        return Figures{name, 0, 0, {}, {}, QStringLiteral("wrk failed")};
    }
    Figures f = parseWrk(name, QString::fromUtf8(wrk.readAllStandardOutput()));
    if (f.requestsPerSecond > 0) {
        f.cpuMicrosPerRequest =
            (processCpuSeconds() - cpuBefore) * 1e6 / (f.requestsPerSecond * seconds);
    }
    return f;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

// nginx with 2 workers serving one small file: the ceiling this machine's
// loopback and load generator allow.
Figures runNginx(const QTemporaryDir &dir, int seconds, int connections)
{
    const QString nginx =
        QStandardPaths::findExecutable(QStringLiteral("nginx"), {QStringLiteral("/usr/sbin")});
    if (nginx.isEmpty()) {
        return Figures{QStringLiteral("nginx static 69 B"),  0, 0, {}, {},
                       QStringLiteral("nginx not installed")};
    }
    const QString root = dir.filePath(QStringLiteral("www"));
    QDir().mkpath(root);
    // nginx's workers run as an unprivileged user: let them read the files.
    const auto readable = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                          QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                          QFileDevice::ExeOther;
    QFile::setPermissions(dir.path(), readable);
    QFile::setPermissions(root, readable);
    QFile file(root + QStringLiteral("/health.json"));
    file.open(QIODevice::WriteOnly);
    file.write(
        QByteArray(
            "{\"status\":\"ok\",\"service\":\"colophon\",\"note\":\"a 69-byte static body!!\"}\n")
            .left(69));
    file.close();
    file.setPermissions(readable &
                        ~(QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther));
    const quint16 port = freePort();
    QFile conf(dir.filePath(QStringLiteral("nginx.conf")));
    conf.open(QIODevice::WriteOnly);
    conf.write(QStringLiteral(
                   "daemon off; worker_processes 2; pid %1/nginx.pid; error_log stderr warn;\n"
                   "events { worker_connections 1024; }\n"
                   "http { access_log off; client_body_temp_path %1/tmp; proxy_temp_path %1/tmp;\n"
                   "  fastcgi_temp_path %1/tmp; uwsgi_temp_path %1/tmp; scgi_temp_path %1/tmp;\n"
                   "  server { listen 127.0.0.1:%2; root %3; default_type application/json; } }\n")
                   .arg(dir.path())
                   .arg(port)
                   .arg(root)
                   .toUtf8());
    conf.close();
    QDir().mkpath(dir.filePath(QStringLiteral("tmp")));
    QProcess server;
    server.start(nginx, {QStringLiteral("-c"), conf.fileName(), QStringLiteral("-p"), dir.path()});
    if (!server.waitForStarted(5000)) {
        return Figures{QStringLiteral("nginx static 69 B"),  0, 0, {}, {},
                       QStringLiteral("nginx did not start")};
    }
    QThread::msleep(300);
    Figures f =
        runWrk(QStringLiteral("nginx static 69 B"),
               QStringLiteral("http://127.0.0.1:%1/health.json").arg(port), seconds, connections);
    f.cpuMicrosPerRequest = 0; // nginx's CPU is not this process's
    server.terminate();
    server.waitForFinished(5000);
    return f;
}

QString writeScript(const QTemporaryDir &dir, const QString &name, const QString &lua)
{
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(lua.toUtf8());
    return f.fileName();
}

} // namespace

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
    if (QStandardPaths::findExecutable(QStringLiteral("wrk")).isEmpty()) {
        std::fprintf(
            stderr,
            "colophon-bench-http: wrk is not installed (installer/install-deps.sh installs it)\n");
        return 1;
    }

    QTemporaryDir dir;
    Config config;
    defineHostConfig(config);
    config.set(QStringLiteral("data_dir"), dir.filePath(QStringLiteral("data")));
    config.set(QStringLiteral("log_level"), QStringLiteral("warn"));
    Logger logger("colophon-bench");
    logger.setLevel(LogLevel::Warn);
    MetricsRegistry metrics;
    auto host = ServiceHost::open(HostRole::Server, config, logger, metrics);
    if (!host) {
        std::fprintf(stderr, "cannot open replica: %s\n", qPrintable(host.error().message));
        return 1;
    }
    Database &db = (*host)->database();
    EventLog &log = *(*host)->eventLog();

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
    auto benchUser = (*host)->users()->createUser(
        Actor::system(), {QStringLiteral("bench@colophon.local"), benchPassword,
                          QStringLiteral("Bench"), QStringLiteral("User"), Role::Creator});
    if (!benchUser) {
        std::fprintf(stderr, "cannot create the bench user: %s\n",
                     qPrintable(benchUser.error().message));
        return 1;
    }
    auto benchTokens = (*host)->users()->login(benchUser->email, benchPassword, {});
    if (!benchTokens || !benchTokens->tokens) {
        std::fprintf(stderr, "cannot sign in: %s\n",
                     benchTokens ? "an MFA step was asked for"
                                 : qPrintable(benchTokens.error().message));
        return 1;
    }

    Router router;
    (*host)->registerRoutes(router);
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

    RateLimitSettings noLimits;
    noLimits.enabled = false;
    HttpPipeline pipeline(router,
                          {requestIdMiddleware(), traceContextMiddleware(),
                           accessLogMiddleware(logger, metrics), corsMiddleware({}),
                           rateLimitMiddleware(noLimits)},
                          logger);
    auto settings = httpServerSettings(config);
    settings->port = 0;
    settings->threads = threads;
    settings->threadFinished = [&db] { db.closeThreadConnection(); };
    HttpServer server(*settings, pipeline, logger);
    if (auto started = server.start(); !started) {
        std::fprintf(stderr, "cannot start: %s\n", qPrintable(started.error().message));
        return 1;
    }
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(server.port());

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

    std::printf("\n%-26s %12s %10s %10s %14s  %s\n", "target", "requests/s", "p50", "p99",
                "server CPU/req", "errors");
    for (const Figures *f : {&nginx, &health, &read, &readRandom, &write, &me, &login}) {
        if (!f->name.isEmpty()) {
            const QString cpu = f->cpuMicrosPerRequest > 0
                                    ? QStringLiteral("%1 us").arg(f->cpuMicrosPerRequest, 0, 'f', 1)
                                    : QStringLiteral("-");
            std::printf("%-26s %12.0f %10s %10s %14s  %s\n", qPrintable(f->name),
                        f->requestsPerSecond, qPrintable(f->p50), qPrintable(f->p99),
                        qPrintable(cpu), qPrintable(f->errors));
        }
    }
    if (nginx.requestsPerSecond > 0 && only.isEmpty()) {
        std::printf("\nread route / nginx static: %.0f%% (target: 50%% or more)\n",
                    100.0 * read.requestsPerSecond / nginx.requestsPerSecond);
        std::printf("healthz / nginx static:    %.0f%%\n",
                    100.0 * health.requestsPerSecond / nginx.requestsPerSecond);
    }
    std::printf("events appended during the write run: %lld\n", static_cast<long long>(appended));
    return 0;
}
