// SPDX-License-Identifier: MIT
// Sync at 100,000 items, over HTTP to a real colophon-server process on
// loopback (docs/sync-protocol.md). Seeds a server replica with items through
// ContentService::importItems, starts colophon-server on it, then measures:
//   first sync     a fresh replica pairs and syncs everything: from the
//                  server's snapshot, made on demand and then kept, and by
//                  pulling every event through the content projection
//                  (target: 20,000 events or items per second or more)
//   push           a replica pushes 10,000 items made offline (events/s)
//   edit→visible   replica A edits and pushes; replica B follows the
//                  server's event stream and pulls; the time from A's edit to
//                  B holding it, over many edits (target: p50 under 100 ms,
//                  p99 under 1 s)
// Figures are printed, never asserted.
// Usage: colophon-bench-sync [--items N] [--edits N] [--server-data DIR]
//                            [--first-sync-only] [--repeat N]
// --server-data keeps the seeded server in DIR and reuses it on the next run,
// for iterating on the first sync without seeding again.
#include "app/host/servicehost.h"
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "bench/benchsupport.h"
#include "services/content/contentservice.h"
#include "services/user/userservice.h"
#include "sync/remote.h"
#include "sync/syncengine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

using namespace colophon;
using namespace colophon::bench;

namespace {

const char *const kEmail = "sync-bench@colophon.local";
const QString kPassword = QStringLiteral("a bench password of some length");

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
    return v[i];
}

// The remote, timing its calls: what the wire and the server take, apart
// from what the replica spends applying.
class TimedTransport final : public sync::SyncTransport
{
public:
    explicit TimedTransport(sync::Remote &remote) : m_remote(remote) {}
    Result<nlohmann::json> hello(const nlohmann::json &r) override { return m_remote.hello(r); }
    Result<nlohmann::json> push(const nlohmann::json &r) override
    {
        return timed([&] { return m_remote.push(r); });
    }
    Result<nlohmann::json> pull(const sync::PullRequest &r) override
    {
        return timed([&] { return m_remote.pull(r); });
    }
    Result<nlohmann::json> snapshotOffer(const QString &replicaId) override
    {
        return timed([&] { return m_remote.snapshotOffer(replicaId); });
    }
    Result<QByteArray> snapshotPart(const QString &name, qint64 offset) override
    {
        return timed([&] { return m_remote.snapshotPart(name, offset); });
    }
    double seconds() const { return m_ns / 1e9; }
    void reset() { m_ns = 0; }

private:
    template <typename F> auto timed(F &&f) -> decltype(f())
    {
        QElapsedTimer t;
        t.start();
        auto r = f();
        m_ns += t.nsecsElapsed();
        return r;
    }
    sync::Remote &m_remote;
    qint64 m_ns = 0;
};

// A paired replica in its own folder, with its engine.
struct Paired
{
    std::unique_ptr<BenchReplica> replica;
    std::unique_ptr<sync::Remote> remote;
    std::unique_ptr<TimedTransport> timed;
    std::unique_ptr<sync::SyncEngine> engine;
};

std::optional<Paired> pair(const QString &url)
{
    Paired p;
    p.replica = openBenchReplica({}, HostRole::Tool);
    if (!p.replica) {
        return std::nullopt;
    }
    auto remote = sync::Remote::pair(p.replica->dataDir, url, QLatin1String(kEmail), kPassword, {});
    if (!remote) {
        std::fprintf(stderr, "pairing failed: %s\n", qPrintable(remote.error().message));
        return std::nullopt;
    }
    p.remote = std::move(*remote);
    ServiceHost &host = *p.replica->host;
    p.timed = std::make_unique<TimedTransport>(*p.remote);
    p.engine = std::make_unique<sync::SyncEngine>(host.database(), *host.eventLog(),
                                                  host.replication(), *p.timed);
    return p;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Sync figures at 100,000 items."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("items"), QStringLiteral("Items on the server."),
                      QStringLiteral("N"), QStringLiteral("100000")});
    parser.addOption({QStringLiteral("edits"), QStringLiteral("Edits for the latency."),
                      QStringLiteral("N"), QStringLiteral("200")});
    parser.addOption({QStringLiteral("server-data"),
                      QStringLiteral("Keep the seeded server here; reuse it if seeded."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("first-sync-only"),
                      QStringLiteral("Measure the first sync from a snapshot only.")});
    parser.addOption({QStringLiteral("repeat"),
                      QStringLiteral("Runs of the first sync from a snapshot already made."),
                      QStringLiteral("N"), QStringLiteral("1")});
    parser.process(app);
    const int items = std::max(1, parser.value(QStringLiteral("items")).toInt());
    const int edits = std::max(1, parser.value(QStringLiteral("edits")).toInt());
    const bool firstSyncOnly = parser.isSet(QStringLiteral("first-sync-only"));
    const int repeat = std::max(1, parser.value(QStringLiteral("repeat")).toInt());

    // The server's replica, seeded in this process, then closed.
    QTemporaryDir scratch;
    const QString serverData =
        parser.isSet(QStringLiteral("server-data"))
            ? QDir(parser.value(QStringLiteral("server-data"))).absolutePath()
            : scratch.path();
    const QString seededMark = serverData + QStringLiteral("/seeded-%1").arg(items);
    if (!QDir().mkpath(serverData)) {
        std::fprintf(stderr, "cannot make %s\n", qPrintable(serverData));
        return 1;
    }
    if (!QFileInfo::exists(seededMark)) {
        auto seed = openBenchReplica(serverData);
        if (!seed) {
            return 1;
        }
        UserService &users = *seed->host->users();
        if (!users.createUser(Actor::system(),
                              {QLatin1String(kEmail), kPassword, QStringLiteral("Sync"),
                               QStringLiteral("Bench"), Role::Editor})) {
            std::fprintf(stderr, "cannot create the bench account\n");
            return 1;
        }
        auto actor = users.localActor(QLatin1String(kEmail));
        QElapsedTimer t;
        t.start();
        for (int done = 0; done < items;) {
            std::vector<ContentDraft> batch;
            for (int i = 0; i < 1000 && done + i < items; ++i) {
                batch.push_back(benchDraft(done + i));
            }
            done += static_cast<int>(batch.size());
            if (!seed->host->content()->importItems(*actor, batch)) {
                std::fprintf(stderr, "seeding failed\n");
                return 1;
            }
        }
        std::printf("colophon-bench-sync: seeded %d items in %.1f s\n", items,
                    t.elapsed() / 1000.0);
        QFile mark(seededMark);
        (void)mark.open(QIODevice::WriteOnly);
    }

    // A reused server's snapshots go, so the first sync below finds none made.
    QDir(serverData + QStringLiteral("/sync/snapshots")).removeRecursively();
    auto server = ServerChild::start(serverData);
    if (!server) {
        return 1;
    }
    const QString url = server->url();

    // First sync of a fresh replica: from a snapshot the server makes on
    // demand (cold), from the one it then keeps (warm), and by pulling every
    // event (a server too small for a snapshot, or one on PostgreSQL).
    struct Way
    {
        const char *name;
        bool snapshot;
    };
    std::optional<Paired> b;
    QElapsedTimer t;
    std::vector<Way> ways{{"snapshot, made on demand", true}};
    for (int i = 0; i < repeat; ++i) {
        ways.push_back({"snapshot, already made", true});
    }
    if (!firstSyncOnly) {
        ways.push_back({"pulling the log", false});
    }
    std::vector<double> readySeconds;
    for (const Way &way : ways) {
        b = pair(url);
        if (!b) {
            return 1;
        }
        if (!way.snapshot) {
            b->engine->setSnapshotDir({});
        }
        t.start();
        auto first = b->engine->sync();
        const double firstSeconds = t.elapsed() / 1000.0;
        if (!first) {
            std::fprintf(stderr, "first sync failed: %s\n", qPrintable(first.error().message));
            return 1;
        }
        std::printf("first sync (%s): %d events (%d items) in %.2f s: %.0f events/s, %.0f "
                    "items/s (%.2f s waiting for the server, %.2f s applying)%s\n",
                    way.name, first->pulled, items, firstSeconds, first->pulled / firstSeconds,
                    items / firstSeconds, b->timed->seconds(), firstSeconds - b->timed->seconds(),
                    way.snapshot && first->snapshotSeq == 0 ? " [no snapshot was offered]" : "");
        if (way.snapshot) {
            if (&way != &ways.front()) {
                readySeconds.push_back(firstSeconds);
            }
            const auto &timing = first->snapshotTiming;
            std::printf("  snapshot of %.1f MB: making %.2f s, download %.2f s, unpacking %.2f s, "
                        "installing %.2f s\n",
                        timing.bytes / 1e6, timing.offerMs / 1000.0, timing.downloadMs / 1000.0,
                        timing.unpackMs / 1000.0, timing.installMs / 1000.0);
        }
        // The install's write-ahead log is folded into the database behind it.
        t.restart();
        b->replica->host->database().waitForCheckpoint();
        std::printf("  then the background checkpoint: %.2f s more\n", t.elapsed() / 1000.0);
    }
    if (readySeconds.size() > 1) {
        const double median = percentile(readySeconds, 0.5);
        std::printf("first sync from a snapshot already made, %zu runs: median %.2f s, %.0f "
                    "items/s (fastest %.2f s, slowest %.2f s)\n",
                    readySeconds.size(), median, items / median,
                    *std::min_element(readySeconds.begin(), readySeconds.end()),
                    *std::max_element(readySeconds.begin(), readySeconds.end()));
    }
    if (firstSyncOnly) {
        server->stop();
        return 0;
    }

    // Push of items made offline.
    auto a = pair(url);
    if (!a || !a->engine->sync()) {
        return 1;
    }
    ServiceHost &ah = *a->replica->host;
    auto aActor =
        Actor{QString::fromStdString(a->engine->account()->value("userId", "")), Role::Editor, {}};
    const int offline = 10000;
    std::vector<ContentDraft> drafts;
    for (int i = 0; i < offline; ++i) {
        drafts.push_back(benchDraft(items + i));
    }
    if (auto imported = ah.content()->importItems(aActor, drafts);
        !imported || !imported->rejected.empty()) {
        std::fprintf(stderr, "the offline items were not made: %s\n",
                     qPrintable(imported ? imported->rejected.front().second.message
                                         : imported.error().message));
        return 1;
    }
    a->timed->reset();
    t.restart();
    auto pushed = a->engine->push();
    const double pushSeconds = t.elapsed() / 1000.0;
    if (!pushed) {
        std::fprintf(stderr, "push failed: %s\n", qPrintable(pushed.error().message));
        return 1;
    }
    std::printf("push: %d events in %.2f s: %.0f events/s (%.2f s waiting for the server)\n",
                pushed->pushed, pushSeconds, pushed->pushed / pushSeconds, a->timed->seconds());
    if (!b->engine->sync() || !a->engine->sync()) {
        return 1;
    }

    // Edit to visible: A edits one item again and again; B follows the stream.
    auto made = ah.content()->create(aActor, benchDraft(items + offline));
    if (!made || !a->engine->sync() || !b->engine->sync()) {
        return 1;
    }
    const QString id = made->id;
    std::atomic<int> seen{-1};
    std::atomic<bool> stop{false};
    std::vector<qint64> seenAt(edits, 0);
    QElapsedTimer clock;
    clock.start();
    std::thread follower([&] {
        ServiceHost &bh = *b->replica->host;
        const Actor reader{aActor.userId, Role::Editor, {}};
        while (!stop) {
            (void)b->remote->watch(bh.eventLog()->replicaId(), [&](qint64) {
                if (stop) {
                    return false;
                }
                if (b->engine->pull()) {
                    auto item = bh.content()->get(reader, id);
                    if (item && item->title.startsWith(QLatin1String("edit "))) {
                        const int n = item->title.mid(5).toInt();
                        if (n > seen && n < edits) {
                            seenAt[n] = clock.nsecsElapsed();
                            seen = n;
                        }
                    }
                }
                return true;
            });
        }
    });
    std::vector<double> latencies;
    for (int n = 0; n < edits; ++n) {
        ContentChange change;
        change.title = QStringLiteral("edit %1").arg(n);
        const qint64 start = clock.nsecsElapsed();
        if (!ah.content()->update(aActor, id, change) || !a->engine->push()) {
            std::fprintf(stderr, "edit %d failed\n", n);
            break;
        }
        while (seen < n && clock.nsecsElapsed() - start < 5'000'000'000) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
        if (seen >= n) {
            latencies.push_back((seenAt[n] - start) / 1e6);
        }
    }
    stop = true;
    // Wake the follower's stream with one more commit.
    ContentChange last;
    last.title = QStringLiteral("done");
    (void)ah.content()->update(aActor, id, last);
    (void)a->engine->push();
    follower.join();
    std::printf("edit→visible: %zu of %d edits seen: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                latencies.size(), edits, percentile(latencies, 0.5), percentile(latencies, 0.99),
                latencies.empty() ? 0.0 : *std::max_element(latencies.begin(), latencies.end()));
    server->stop();
    return 0;
}
