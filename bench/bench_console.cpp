// SPDX-License-Identifier: MIT
// colophon-bench-console: how fast the desktop console opens a large replica.
//
// Seeds a replica with 100,000 items (5% published) through the content
// service, then starts the real `colophon` program on it several times
// (offscreen, acting as an editor via --as) with --probe-startup, which
// prints the time from process start to the first painted page of the
// content list, the time from choosing a status filter to its painted
// result, and its peak resident memory. The bench also times each run from
// spawning the process to that line. Targets (issue 5): first paint under
// 700 ms, filter under 100 ms, peak memory under 250 MB.
#include "app/host/servicehost.h"
#include "backend/auth/recoverycodes.h"
#include "bench/benchsupport.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <algorithm>
#include <cstdio>

using namespace colophon;
using namespace colophon::bench;

namespace {

const char *const kEmail = "bench@colophon.local";

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? -1 : v[v.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Console start-up and filter figures."));
    parser.addHelpOption();
    const QCommandLineOption itemsOption(QStringLiteral("items"),
                                         QStringLiteral("Items to seed (default 100000)."),
                                         QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption runsOption(QStringLiteral("runs"),
                                        QStringLiteral("Console starts to time (default 5)."),
                                        QStringLiteral("N"), QStringLiteral("5"));
    const QCommandLineOption replicaOption(
        QStringLiteral("replica"),
        QStringLiteral("Seed (or, when seeded before, reuse) the replica in DIR instead of a "
                       "temporary one."),
        QStringLiteral("DIR"));
    parser.addOptions({itemsOption, runsOption, replicaOption});
    parser.process(app);
    const int items = std::max(1, parser.value(itemsOption).toInt());
    const int runs = std::max(1, parser.value(runsOption).toInt());
    const QString console =
        QCoreApplication::applicationDirPath() + QStringLiteral("/../app/console/colophon");

    auto replica = openBenchReplica(parser.value(replicaOption));
    if (!replica) {
        return 1;
    }
    const QString dataDir = replica->dataDir;
    if (replica->host->users()->localActor(QLatin1String(kEmail))) {
        std::printf("colophon-bench-console: reusing the replica in %s\n", qPrintable(dataDir));
    } else {
        UserService &users = *replica->host->users();
        ContentService &content = *replica->host->content();
        if (auto made = users.createUser(Actor::system(), {QLatin1String(kEmail), randomToken(18),
                                                           QStringLiteral("Bench"),
                                                           QStringLiteral("Editor"), Role::Editor});
            !made) {
            std::fprintf(stderr, "cannot create the bench user: %s\n",
                         qPrintable(made.error().message));
            return 1;
        }
        const Actor actor = *users.localActor(QLatin1String(kEmail));
        QElapsedTimer seeding;
        seeding.start();
        for (int start = 0; start < items; start += 1000) {
            std::vector<ContentDraft> batch;
            for (int n = start; n < std::min(items, start + 1000); ++n) {
                batch.push_back(benchDraft(n + 1));
            }
            auto report = content.importItems(actor, batch);
            if (!report || !report->rejected.empty()) {
                std::fprintf(stderr, "import failed\n");
                return 1;
            }
        }
        // 5% published: the filter has something to find.
        ContentQuery drafts;
        drafts.limit = 100;
        int published = 0;
        for (qint64 offset = 0; published < items / 20; offset += 2000) {
            drafts.offset = offset;
            auto page = content.list(actor, drafts);
            if (!page || page->items.empty()) {
                break;
            }
            for (const ContentItem &item : page->items) {
                ContentChange publish;
                publish.status = ContentStatus::Published;
                if (content.update(actor, item.id, publish)) {
                    ++published;
                }
                if (published >= items / 20) {
                    break;
                }
            }
        }
        std::printf("colophon-bench-console: seeded %d items (%d published) in %.1f s\n", items,
                    published, seeding.elapsed() / 1000.0);
    }
    replica->host.reset(); // the console opens the replica on its own

    std::vector<double> firstPaint, spawnToPaint, filter, rss, jump, jumpMax, stall, startupStall;
    for (int run = 0; run < runs; ++run) {
        QProcess process;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::SeparateChannels);
        QElapsedTimer spawn;
        spawn.start();
        const qint64 spawnEpochMs = QDateTime::currentMSecsSinceEpoch();
        process.start(console, {QStringLiteral("--data"), dataDir, QStringLiteral("--as"),
                                QLatin1String(kEmail), QStringLiteral("--probe-startup")});
        QByteArray line;
        double lineAt = -1;
        while (process.state() != QProcess::NotRunning || process.canReadLine()) {
            if (process.canReadLine()) {
                line = process.readLine();
                lineAt = spawn.nsecsElapsed() / 1e6;
                break;
            }
            process.waitForReadyRead(100);
            if (spawn.elapsed() > 120000) {
                break;
            }
        }
        process.waitForFinished(30000);
        const QJsonObject figures = QJsonDocument::fromJson(line).object();
        if (figures.isEmpty()) {
            std::fprintf(stderr, "run %d: no figures; stderr: %s\n", run + 1,
                         process.readAllStandardError().constData());
            return 1;
        }
        const double paint = figures.value(QStringLiteral("firstPaintMs")).toDouble();
        firstPaint.push_back(paint);
        filter.push_back(figures.value(QStringLiteral("filterMs")).toDouble());
        rss.push_back(figures.value(QStringLiteral("peakRssKiB")).toDouble() / 1024.0);
        jump.push_back(figures.value(QStringLiteral("scrollJumpMedianMs")).toDouble());
        jumpMax.push_back(figures.value(QStringLiteral("scrollJumpMaxMs")).toDouble());
        stall.push_back(figures.value(QStringLiteral("maxStallMs")).toDouble());
        startupStall.push_back(figures.value(QStringLiteral("startupStallMs")).toDouble());
        // From spawning the process (exec, loading Qt, opening the replica) to
        // the first painted list, on the wall clock.
        spawnToPaint.push_back(figures.value(QStringLiteral("firstPaintEpochMs")).toDouble() -
                               spawnEpochMs);
        std::printf("run %d: first paint %.0f ms after main(), filter %.0f ms, rows %d -> %d, "
                    "peak RSS %.1f MiB; from spawn: first paint %.0f ms, report %.0f ms\n",
                    run + 1, paint, filter.back(), figures.value(QStringLiteral("rows")).toInt(),
                    figures.value(QStringLiteral("filteredRows")).toInt(), rss.back(),
                    spawnToPaint.back(), lineAt);
        std::fflush(stdout);
    }
    std::printf("\nmedian of %d runs over %d items:\n", runs, items);
    std::printf("  first painted list: %.0f ms from spawning the process (target < 700 ms); "
                "%.0f ms after main()\n",
                median(spawnToPaint), median(firstPaint));
    std::printf("  status filter to painted result: %.0f ms (target < 100 ms)\n", median(filter));
    std::printf("  scroll bar jumps across the list to painted rows: median %.0f ms, slowest "
                "%.0f ms\n",
                median(jump), median(jumpMax));
    std::printf("  longest UI-thread stall after the first paint (filter, scrolling): %.0f ms "
                "(target: never over 50 ms); while building the window: %.0f ms\n",
                median(stall), median(startupStall));
    std::printf("  peak resident memory: %.1f MiB (target < 250 MB)\n", median(rss));
    return 0;
}
