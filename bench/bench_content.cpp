// SPDX-License-Identifier: MIT
// The content service at 100,000 items: how fast they import, and what the
// content API serves over HTTP, against nginx on the same machine. On a
// temporary replica, in this process:
//   seeding     ContentService::importItems in batches of 1000 (target: 20,000
//               items/s or more), then a share moved through the workflow with
//               ContentService::update (published, in review, archived)
// then colophon-server's HTTP stack in process, loaded with wrk (64
// connections, 2 threads) on loopback, with an editor's bearer token:
//   nginx                                  a 69-byte static file (the ceiling)
//   GET /api/v1/content?status=published&limit=20&sort=-updatedAt
//   GET /api/v1/content/{id}               random ids (wrk Lua)
//   POST /api/v1/content                   one new item per request (wrk Lua)
// and at the end the peak resident memory of this process (VmHWM) while
// seeding, through the sign-in, while serving, and while serving item reads
// with a sign-in halfway through them (one more read run), and the size of
// the database. Figures are
// printed, never asserted. Usage: colophon-bench-content [--duration SECONDS] [--connections N]
// [--threads N]
//                               [--items N] [--seed-only] [--only nginx,list,read,create]
#include "app/host/hostconfig.h"
#include "app/host/servicehost.h"
#include "backend/config/config.h"
#include "backend/db/database.h"
#include "backend/db/groupcommit.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "bench/benchsupport.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

using namespace colophon;
using namespace colophon::bench;

namespace {

constexpr int kBatch = 1000;
constexpr int kRandomIds = 10000; // ids the random-read script picks from

const char *const kBenchEmail = "bench@colophon.local";

qint64 fileSize(const QString &path)
{
    const QFileInfo info(path);
    return info.exists() ? info.size() : 0;
}

double mib(qint64 bytes)
{
    return double(bytes) / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Seeds the content service and measures its HTTP API against nginx with wrk."));
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
    const QCommandLineOption itemsOption(QStringLiteral("items"),
                                         QStringLiteral("Items to seed (default 100000)."),
                                         QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption seedOnlyOption(
        QStringLiteral("seed-only"),
        QStringLiteral("Only seed and print the import rate (for profiling the write path)."));
    const QCommandLineOption onlyOption(
        QStringLiteral("only"),
        QStringLiteral("Run only these HTTP targets, comma-separated: nginx, list, read, create "
                       "(default: all; for profiling one of them)."),
        QStringLiteral("TARGETS"), QStringLiteral("nginx,list,read,create"));
    parser.addOptions({durationOption, connectionsOption, threadsOption, itemsOption,
                       seedOnlyOption, onlyOption});
    parser.process(app); // --help, or an unknown option, exits here
    bool ok[4] = {};
    const int seconds = parser.value(durationOption).toInt(&ok[0]);
    const int connections = parser.value(connectionsOption).toInt(&ok[1]);
    const int threads = parser.value(threadsOption).toInt(&ok[2]);
    const int items = parser.value(itemsOption).toInt(&ok[3]);
    const QStringList only = parser.value(onlyOption).split(u',', Qt::SkipEmptyParts);
    const QStringList targets{QStringLiteral("nginx"), QStringLiteral("list"),
                              QStringLiteral("read"), QStringLiteral("create")};
    const bool knownTargets = std::all_of(only.cbegin(), only.cend(),
                                          [&](const QString &t) { return targets.contains(t); });
    if (!ok[0] || !ok[1] || !ok[2] || !ok[3] || seconds < 1 || connections < 1 || threads < 1 ||
        items < 1 || only.isEmpty() || !knownTargets) {
        std::fprintf(stderr, "colophon-bench-content: bad arguments; see --help\n");
        return 2;
    }
    if (!wrkInstalled("colophon-bench-content")) {
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
    ContentService &content = *host->content();
    UserService &users = *host->users();

    // An editor: sees every item, publishes.
    const QString password = QStringLiteral("a bench password of some length");
    auto editor = users.createUser(Actor::system(),
                                   {QLatin1String(kBenchEmail), password, QStringLiteral("Bench"),
                                    QStringLiteral("Editor"), Role::Editor});
    if (!editor) {
        std::fprintf(stderr, "cannot create the bench user: %s\n",
                     qPrintable(editor.error().message));
        return 1;
    }
    auto actor = users.localActor(QLatin1String(kBenchEmail));
    if (!actor) {
        std::fprintf(stderr, "no actor: %s\n", qPrintable(actor.error().message));
        return 1;
    }

    std::printf("colophon-bench-content: %d items, wrk -t2 -c%d -d%ds on loopback, server with "
                "%d I/O threads, same 2 cores\n",
                items, connections, seconds, threads);
    std::fflush(stdout);

    // Seeding through the service, a batch per transaction. Only the
    // importItems calls are timed, not the making of the drafts.
    qint64 importNs = 0;
    for (int start = 0; start < items; start += kBatch) {
        std::vector<ContentDraft> batch;
        batch.reserve(kBatch);
        for (int n = start; n < std::min(items, start + kBatch); ++n) {
            batch.push_back(benchDraft(n + 1));
        }
        QElapsedTimer t;
        t.start();
        auto report = content.importItems(*actor, batch);
        importNs += t.nsecsElapsed();
        if (!report || !report->rejected.empty()) {
            std::fprintf(stderr, "import failed: %s\n",
                         qPrintable(report ? report->rejected.front().second.message
                                           : report.error().message));
            return 1;
        }
    }
    const double importPerSecond = items / (double(importNs) / 1e9);
    std::printf("seed: %d items via importItems in batches of %d: %.0f items/s "
                "(%.1f s; target: 20000/s or more)\n",
                items, kBatch, importPerSecond, double(importNs) / 1e9);
    std::fflush(stdout);
    if (parser.isSet(seedOnlyOption)) {
        return 0;
    }

    // importItems answers counts, not ids: read them from the projection.
    QStringList ids;
    {
        auto q = execSql(db.connection(), QStringLiteral("SELECT id FROM content_items ORDER BY "
                                                         "created_at, id"));
        if (!q) {
            std::fprintf(stderr, "cannot read ids: %s\n", qPrintable(q.error().message));
            return 1;
        }
        while (q->next()) {
            ids << q->value(0).toString();
        }
    }

    // The workflow: of every 20 items, 6 published, 2 in review, 1 archived (45%).
    QElapsedTimer statusTimer;
    statusTimer.start();
    int changed = 0;
    int published = 0;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const int slot = int(i % 20);
        if (slot >= 9) {
            continue;
        }
        ContentChange change;
        change.status = slot < 6   ? ContentStatus::Published
                        : slot < 8 ? ContentStatus::Review
                                   : ContentStatus::Archived;
        auto updated = content.update(*actor, ids[i], change);
        if (!updated) {
            std::fprintf(stderr, "status change failed: %s\n", qPrintable(updated.error().message));
            return 1;
        }
        ++changed;
        published += slot < 6 ? 1 : 0;
    }
    const double statusSeconds = double(statusTimer.nsecsElapsed()) / 1e9;
    std::printf("workflow: %d status changes via update (%d published): %.0f changes/s (%.1f s)\n",
                changed, published, changed / statusSeconds, statusSeconds);
    const qint64 seedingPeakKiB = peakResidentKiB();
    bool peakReset = resetPeakResident();
    std::fflush(stdout);

    // The sign-in hashes the password with argon2id in 64 MiB of its own (by
    // design): its peak is printed apart from the serving's.
    const qint64 beforeSignInKiB = residentKiB();
    auto tokens = users.login(QLatin1String(kBenchEmail), password, {});
    if (!tokens || !tokens->tokens) {
        std::fprintf(stderr, "cannot sign in: %s\n",
                     tokens ? "an MFA step was asked for" : qPrintable(tokens.error().message));
        return 1;
    }
    const qint64 signInPeakKiB = peakResidentKiB();
    peakReset = peakReset && resetPeakResident();
    const qint64 servingStartKiB = residentKiB();
    const QStringList bearer{QStringLiteral("-H"), QStringLiteral("Authorization: Bearer ") +
                                                       tokens->tokens->accessToken};

    Router router;
    host->registerRoutes(router);
    InProcessServer server(router, config, logger, metrics, *host, threads);
    if (auto started = server.start(); !started) {
        std::fprintf(stderr, "cannot start: %s\n", qPrintable(started.error().message));
        return 1;
    }
    const QString base = server.baseUrl();

    // Random reads: ids drawn from every status (an editor sees them all).
    QStringList sample;
    QRandomGenerator random(42);
    for (int i = 0; i < std::min<qsizetype>(kRandomIds, ids.size()); ++i) {
        sample << u'"' + ids[random.bounded(int(ids.size()))] + u'"';
    }
    const QString readScript = writeScript(
        dir, QStringLiteral("read.lua"),
        QStringLiteral("math.randomseed(42)\nlocal ids = {%1}\nrequest = function()\n"
                       "  return wrk.format(nil, \"/api/v1/content/\" .. ids[math.random(#ids)])\n"
                       "end\n")
            .arg(sample.join(u',')));
    // Creates: a different title each time (and so a fresh slug).
    const QString writeScriptPath = writeScript(
        dir, QStringLiteral("create.lua"),
        QStringLiteral(
            "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
            "local threads = 0\n"
            "function setup(thread)\n  threads = threads + 1\n  thread:set(\"tid\", threads)\n"
            "end\n"
            "counter = 0\n"
            "function request()\n  counter = counter + 1\n"
            "  return wrk.format(nil, nil, nil, string.format('{\"title\":\"Bench post %d-%d\","
            "\"description\":\"Made by wrk.\",\"body\":\"# A post\\\\n\\\\nA short body.\","
            "\"tags\":[\"bench\"]}', tid, counter))\nend\n"));

    std::vector<Figures> figures;
    if (only.contains(QLatin1String("nginx"))) {
        figures.push_back(runNginx(dir, seconds, connections));
    }
    if (only.contains(QLatin1String("list"))) {
        figures.push_back(runWrk(QStringLiteral("GET content?status=published"),
                                 base + QStringLiteral("/api/v1/content?status=published&"
                                                       "limit=20&sort=-updatedAt"),
                                 seconds, connections, {}, bearer));
    }
    if (only.contains(QLatin1String("read"))) {
        figures.push_back(runWrk(QStringLiteral("GET content/{id} (random, Lua)"),
                                 base + QStringLiteral("/api/v1/content/") + ids.front(), seconds,
                                 connections, readScript, bearer));
    }
    const qint64 before = host->eventLog()->count().value_or(0);
    if (only.contains(QLatin1String("create"))) {
        figures.push_back(runWrk(QStringLiteral("POST content (Lua)"),
                                 base + QStringLiteral("/api/v1/content"), seconds, connections,
                                 writeScriptPath, bearer));
    }
    const qint64 created = host->eventLog()->count().value_or(0) - before;
    const qint64 peakKiB = peakResidentKiB();

    // Once more the item reads, with a sign-in halfway: what the server
    // holds at its busiest plus one password hash.
    qint64 signInUnderLoadKiB = -1;
    if (only.contains(QLatin1String("read")) && peakReset && resetPeakResident()) {
        std::thread signIn([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(seconds * 500));
            (void)users.login(QLatin1String(kBenchEmail), password, {});
            db.closeThreadConnection();
        });
        (void)runWrk(QStringLiteral("GET content/{id} with a sign-in"),
                     base + QStringLiteral("/api/v1/content/") + ids.front(), seconds, connections,
                     readScript, bearer);
        signIn.join();
        signInUnderLoadKiB = peakResidentKiB();
    }
    server.stop();

    std::vector<const Figures *> rows;
    for (const Figures &f : figures) {
        rows.push_back(&f);
    }
    printTable(rows);
    const auto figuresOf = [&](const QString &prefix) {
        const auto found = std::find_if(figures.cbegin(), figures.cend(), [&](const Figures &f) {
            return f.name.startsWith(prefix);
        });
        return found == figures.cend() ? Figures{} : *found;
    };
    const Figures nginx = figuresOf(QStringLiteral("nginx"));
    const Figures list = figuresOf(QStringLiteral("GET content?"));
    const Figures read = figuresOf(QStringLiteral("GET content/"));
    if (nginx.requestsPerSecond > 0) {
        std::printf("\n");
        if (list.requestsPerSecond > 0) {
            std::printf("listing / nginx static:   %.0f%%\n",
                        100.0 * list.requestsPerSecond / nginx.requestsPerSecond);
        }
        if (read.requestsPerSecond > 0) {
            std::printf("item by id / nginx static: %.0f%%\n",
                        100.0 * read.requestsPerSecond / nginx.requestsPerSecond);
        }
    }
    std::printf("items created during the POST run: %lld (%.0f/s)\n",
                static_cast<long long>(created), double(created) / seconds);
    if (const GroupCommit *group = host->groupCommit(); group != nullptr) {
        const auto stats = group->stats();
        if (stats.groups > 0) {
            std::printf("group commit: %llu writes in %llu transactions (%.1f per commit)\n",
                        static_cast<unsigned long long>(stats.jobs),
                        static_cast<unsigned long long>(stats.groups),
                        double(stats.jobs) / double(stats.groups));
        }
    }
    std::printf("peak resident memory (VmHWM): %.1f MiB while seeding; %.1f MiB through the "
                "sign-in (from %.1f MiB resident)\n",
                seedingPeakKiB / 1024.0, signInPeakKiB / 1024.0, beforeSignInKiB / 1024.0);
    std::printf("peak resident memory while serving: %.1f MiB %s (%.1f MiB resident at the "
                "start)\n",
                peakKiB / 1024.0,
                peakReset ? "during the HTTP runs (reset after the sign-in)"
                          : "after the runs (could not reset: includes seeding)",
                servingStartKiB / 1024.0);
    if (signInUnderLoadKiB > 0) {
        std::printf("peak resident memory with a sign-in amid the item reads: %.1f MiB\n",
                    signInUnderLoadKiB / 1024.0);
    }
    const QString dbPath = db.path();
    std::printf("database: %.1f MiB (%s) + WAL %.1f MiB, %lld items, %lld events\n",
                mib(fileSize(dbPath)), qPrintable(QFileInfo(dbPath).fileName()),
                mib(fileSize(dbPath + QStringLiteral("-wal"))),
                static_cast<long long>(ids.size() + created),
                static_cast<long long>(host->eventLog()->count().value_or(0)));
    return 0;
}
