// SPDX-License-Identifier: MIT
// The content service at 100,000 items: how fast they import, and what
// colophon-server serves over HTTP, against nginx on the same machine. On a
// temporary replica, in this process:
//   seeding     ContentService::importItems in batches of 1000 (target: 20,000
//               items/s or more), then a share moved through the workflow with
//               ContentService::update (published, in review, archived)
// then the real colophon-server (a child process) on that replica, signed in
// to over HTTP as an editor and loaded with wrk (64 connections, 2 threads)
// on loopback:
//   nginx                                  a 69-byte static file (the ceiling)
//   GET /api/v1/content?status=published&limit=20&sort=-updatedAt
//   GET /api/v1/content/{id}               random ids (wrk Lua)
//   POST /api/v1/content                   one new item per request (wrk Lua)
//   GET /api/v1/content/{id} once more, with a sign-in halfway through
// with the server's CPU per request, and its peak resident memory (VmHWM,
// reset between phases) through the sign-in, while serving, and with the
// sign-in amid the item reads; then the size of the database. Figures are
// printed, never asserted.
// Usage: colophon-bench-content [--duration SECONDS] [--connections N] [--threads N]
//                               [--items N] [--seed-only] [--only nginx,list,read,create]
#include "app/host/servicehost.h"
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "backend/net/httpclient.h"
#include "bench/benchsupport.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
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

// Signs the bench's editor in over HTTP: the access token, or empty (with
// the reason on stderr).
QString signIn(const QString &base, const QString &password)
{
    HttpClient client;
    HttpClientRequest request;
    request.method = "POST";
    request.url = base + QStringLiteral("/api/v1/auth/login");
    request.headers = {{"Content-Type", "application/json"}};
    request.body = QJsonDocument(QJsonObject{{QStringLiteral("email"), QLatin1String(kBenchEmail)},
                                             {QStringLiteral("password"), password}})
                       .toJson(QJsonDocument::Compact);
    auto response = client.send(request);
    if (!response || response->status != 200) {
        std::fprintf(stderr, "cannot sign in: %s\n",
                     response ? response->body.constData() : qPrintable(response.error().message));
        return {};
    }
    return QJsonDocument::fromJson(response->body)
        .object()
        .value(QStringLiteral("accessToken"))
        .toString();
}

// From the server's /metrics: the item writes it committed in groups, and
// in how many transactions (both 0 when it shows none).
std::pair<double, double> groupCommitFigures(const QString &base)
{
    HttpClient client;
    HttpClientRequest request;
    request.url = base + QStringLiteral("/metrics");
    auto response = client.send(request);
    double writes = 0;
    double commits = 0;
    if (response && response->status == 200) {
        for (const QByteArray &line : response->body.split('\n')) {
            if (line.startsWith("colophon_group_commit_writes_sum ")) {
                writes = line.split(' ').back().toDouble();
            } else if (line.startsWith("colophon_group_commit_writes_count ")) {
                commits = line.split(' ').back().toDouble();
            }
        }
    }
    return {writes, commits};
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
    ServiceHost *host = replica->host.get();
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
        auto q = execSql(host->database().connection(),
                         QStringLiteral("SELECT id FROM content_items ORDER BY created_at, id"));
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
    std::fflush(stdout);

    // Served by the real colophon-server on the seeded replica, so its
    // memory and CPU are the server's alone, not this bench's ids and heap.
    const QString dataDir = replica->dataDir;
    const qint64 seededItems = ids.size();
    const QString firstId = ids.front();
    QStringList sample;
    QRandomGenerator random(42);
    for (int i = 0; i < std::min<qsizetype>(kRandomIds, ids.size()); ++i) {
        sample << u'"' + ids[random.bounded(int(ids.size()))] + u'"';
    }
    ids.clear();
    replica->host.reset(); // closes the database for the server
    auto server = ServerChild::start(
        dataDir, {{QStringLiteral("COLOPHON_HTTP_THREADS"), QString::number(threads)}});
    if (!server) {
        return 1;
    }
    const qint64 pid = server->pid();
    const QString base = server->url();
    const qint64 atRestKiB = residentKiB(pid);

    // The sign-in hashes the password with argon2id in 64 MiB of its own (by
    // design): its peak is printed apart from the serving's.
    bool peakReset = resetPeakResident(pid);
    const QString token = signIn(base, password);
    if (token.isEmpty()) {
        return 1;
    }
    const qint64 signInPeakKiB = peakResidentKiB(pid);
    peakReset = peakReset && resetPeakResident(pid);
    const qint64 servingStartKiB = residentKiB(pid);
    const QStringList bearer{QStringLiteral("-H"),
                             QStringLiteral("Authorization: Bearer ") + token};

    // Random reads: ids drawn from every status (an editor sees them all).
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
                                 seconds, connections, {}, bearer, pid));
    }
    if (only.contains(QLatin1String("read"))) {
        figures.push_back(runWrk(QStringLiteral("GET content/{id} (random, Lua)"),
                                 base + QStringLiteral("/api/v1/content/") + firstId, seconds,
                                 connections, readScript, bearer, pid));
    }
    if (only.contains(QLatin1String("create"))) {
        figures.push_back(runWrk(QStringLiteral("POST content (Lua)"),
                                 base + QStringLiteral("/api/v1/content"), seconds, connections,
                                 writeScriptPath, bearer, pid));
    }
    const qint64 peakKiB = peakResidentKiB(pid);

    // Once more the item reads, with a sign-in halfway: what the server
    // holds at its busiest plus one password hash.
    qint64 signInUnderLoadKiB = -1;
    if (only.contains(QLatin1String("read")) && peakReset && resetPeakResident(pid)) {
        std::thread signingIn([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(seconds * 500));
            (void)signIn(base, password);
        });
        figures.push_back(runWrk(QStringLiteral("GET content/{id}, a sign-in"),
                                 base + QStringLiteral("/api/v1/content/") + firstId, seconds,
                                 connections, readScript, bearer, pid));
        signingIn.join();
        signInUnderLoadKiB = peakResidentKiB(pid);
    }
    const auto [groupWrites, groupCommits] = groupCommitFigures(base);
    if (!server->stop()) {
        std::fprintf(stderr, "colophon-server did not stop cleanly\n");
        return 1;
    }

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
    const Figures read = figuresOf(QStringLiteral("GET content/{id} (random"));
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
    // What the runs made, read from the replica once the server is gone.
    auto after = openBenchReplica(dataDir);
    if (!after) {
        return 1;
    }
    Database &db = after->host->database();
    qint64 itemsAfter = -1;
    if (auto q = execSql(db.connection(), QStringLiteral("SELECT count(*) FROM content_items"));
        q && q->next()) {
        itemsAfter = q->value(0).toLongLong();
    }
    const qint64 events = after->host->eventLog()->count().value_or(-1);
    std::printf("items created during the POST run: %lld (%.0f/s)\n",
                static_cast<long long>(itemsAfter - seededItems),
                double(itemsAfter - seededItems) / seconds);
    if (groupCommits > 0) {
        std::printf("group commit: %.0f writes in %.0f transactions (%.1f per commit)\n",
                    groupWrites, groupCommits, groupWrites / groupCommits);
    }
    std::printf("peak resident memory (VmHWM) of this bench while seeding in process: %.1f MiB\n",
                seedingPeakKiB / 1024.0);
    std::printf("colophon-server: %.1f MiB resident at rest; peak %.1f MiB through the sign-in\n",
                atRestKiB / 1024.0, signInPeakKiB / 1024.0);
    std::printf("colophon-server peak while serving: %.1f MiB %s (%.1f MiB resident at the "
                "start)\n",
                peakKiB / 1024.0,
                peakReset ? "during the HTTP runs (reset after the sign-in)"
                          : "since the server started (could not reset: includes the sign-in)",
                servingStartKiB / 1024.0);
    if (signInUnderLoadKiB > 0) {
        std::printf("colophon-server peak with a sign-in amid the item reads: %.1f MiB\n",
                    signInUnderLoadKiB / 1024.0);
    }
    const QString dbPath = db.path();
    std::printf("database: %.1f MiB (%s) + WAL %.1f MiB, %lld items, %lld events\n",
                mib(fileSize(dbPath)), qPrintable(QFileInfo(dbPath).fileName()),
                mib(fileSize(dbPath + QStringLiteral("-wal"))), static_cast<long long>(itemsAfter),
                static_cast<long long>(events));
    return 0;
}
