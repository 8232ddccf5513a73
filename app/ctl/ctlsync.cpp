// SPDX-License-Identifier: MIT
#include "app/ctl/ctlsync.h"

#include "app/ctl/ctlcommon.h"
#include "app/host/servicehost.h"
#include "backend/db/database.h"
#include "backend/events/eventlog.h"
#include "sync/remote.h"
#include "sync/syncengine.h"

#include <QCommandLineParser>
#include <QRandomGenerator>
#include <QThread>
#include <csignal>
#include <unistd.h>

namespace colophon::ctl {

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_waiting = 0; // blocked on the server's stream

// Stops at once while it only waits for the stream (nothing is written
// then); otherwise after the sync in progress has committed.
extern "C" void onStopSignal(int)
{
    if (g_waiting) {
        _exit(0);
    }
    g_stop = 1;
}

void tellRefusals(const sync::SyncReport &report)
{
    for (const QString &r : report.refusals) {
        printError(QStringLiteral("the server refused a change, undone here: %1").arg(r));
    }
}

int syncOnce(ServiceHost &host, sync::Remote &remote, bool quietReport = false)
{
    sync::SyncEngine engine(host.database(), *host.eventLog(), host.replication(), remote);
    auto report = engine.sync();
    if (!report) {
        return failWith(QStringLiteral("sync with %1 failed: %2")
                            .arg(remote.server(), describe(report.error())));
    }
    tellRefusals(*report);
    if (!quietReport) {
        printJson(report->toJson());
    }
    return 0;
}

int addRemote(ServiceHost &host, const QCommandLineParser &parser, const QString &url)
{
    if (sync::Remote::load(host.dataDir())) {
        return failWith(QStringLiteral("this replica is paired already: colophonctl remote remove "
                                       "first"));
    }
    const QString file = parser.value(QStringLiteral("password-file"));
    auto password = readPassword(file, file.isEmpty());
    if (!password) {
        return failWith(password.error().message, kUsage);
    }
    const QString code = parser.value(QStringLiteral("code"));
    auto remote = sync::Remote::pair(host.dataDir(), url, parser.value(QStringLiteral("email")),
                                     *password, [&code] { return code; });
    if (!remote) {
        return failWith(
            QStringLiteral("pairing with %1 failed: %2").arg(url, describe(remote.error())));
    }
    sync::SyncEngine engine(host.database(), *host.eventLog(), host.replication(), **remote);
    // Learn the account first; changes made here before pairing are pushed
    // as that account only when the person says so.
    auto pulled = engine.hello().and_then([&](auto &&) { return engine.pull(); });
    if (!pulled) {
        return failWith(QStringLiteral("paired with %1, but the first sync failed: %2")
                            .arg((*remote)->server(), describe(pulled.error())));
    }
    auto foreign = engine.foreignPending();
    if (!foreign) {
        return failWith(foreign.error());
    }
    if (*foreign > 0) {
        if (!parser.isSet(QStringLiteral("adopt-local"))) {
            (void)sync::Remote::forget(host.dataDir());
            return failWith(QStringLiteral("%1 changes were made on this replica before pairing; "
                                           "to push them as %2, run remote add again with "
                                           "--adopt-local (not paired)")
                                .arg(*foreign)
                                .arg((*remote)->email()));
        }
        auto account = engine.account();
        auto adopted = engine.adoptPending(
            account ? QString::fromStdString(account->value("userId", std::string())) : QString());
        if (!adopted) {
            return failWith(adopted.error());
        }
    }
    auto report = engine.sync();
    if (!report) {
        return failWith(QStringLiteral("paired with %1, but the first sync failed: %2")
                            .arg((*remote)->server(), describe(report.error())));
    }
    tellRefusals(*report);
    // The first pull (perhaps from a snapshot) belongs to this sync too.
    report->pulled += pulled->pulled;
    report->applied += pulled->applied;
    report->snapshotSeq = pulled->snapshotSeq;
    report->snapshotEvents = pulled->snapshotEvents;
    report->snapshotError = pulled->snapshotError;
    auto account = engine.account();
    printJson({{"server", (*remote)->server().toStdString()},
               {"email", (*remote)->email().toStdString()},
               {"account", account ? *account : nlohmann::json(nullptr)},
               {"sync", report->toJson()}});
    return 0;
}

int showRemote(ServiceHost &host)
{
    auto remote = sync::Remote::load(host.dataDir());
    if (!remote) {
        return failWith(remote.error().message);
    }
    auto account = sync::SyncEngine::storedAccount(host.database());
    auto cursor = sync::SyncEngine::storedCursor(host.database());
    auto pending = host.eventLog()->pendingCount();
    auto refused = host.eventLog()->rejected(20);
    nlohmann::json refusals = nlohmann::json::array();
    for (const Event &e : refused ? *refused : std::vector<Event>{}) {
        refusals.push_back({{"id", e.id.toString(QUuid::WithoutBraces).toStdString()},
                            {"type", e.type.toStdString()},
                            {"stream", e.stream.toStdString()},
                            {"reason", e.rejection}});
    }
    printJson({{"server", (*remote)->server().toStdString()},
               {"email", (*remote)->email().toStdString()},
               {"account", account ? *account : nlohmann::json(nullptr)},
               {"cursor", cursor ? *cursor : 0},
               {"pending", pending ? *pending : 0},
               {"refused", refusals}});
    return 0;
}

// Syncs now, then whenever the server's stream says something was
// committed; a broken stream or sync is retried with backoff and jitter.
int watch(ServiceHost &host, sync::Remote &remote)
{
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    sync::SyncEngine engine(host.database(), *host.eventLog(), host.replication(), remote);
    int failures = 0;
    while (!g_stop) {
        auto report = engine.sync();
        if (report) {
            failures = 0;
            tellRefusals(*report);
            printJson(report->toJson());
            const qint64 cursor = report->cursor;
            // Follow the stream until it shows something past the cursor,
            // or until our own outbox has something (checked each poke).
            g_waiting = 1;
            auto watched = remote.watch(host.eventLog()->replicaId(), [&](qint64 head) {
                if (g_stop) {
                    return false;
                }
                auto pending = host.eventLog()->pendingCount();
                const bool keepWaiting = head <= cursor && !(pending && *pending > 0);
                g_waiting = keepWaiting ? 1 : 0;
                return keepWaiting;
            });
            g_waiting = 0;
            if (watched) {
                continue;
            }
            report = fail(watched.error());
        }
        ++failures;
        printError(QStringLiteral("sync with %1 failed: %2")
                       .arg(remote.server(), describe(report.error())));
        const int backoffMs = std::min(30000, 500 << std::min(failures, 6));
        const int jitter = static_cast<int>(QRandomGenerator::global()->bounded(backoffMs / 2 + 1));
        for (int waited = 0; waited < backoffMs / 2 + jitter && !g_stop; waited += 100) {
            QThread::msleep(100);
        }
    }
    return 0;
}

// Syncs, then compares this replica's events with the server's by checksum.
int verify(ServiceHost &host, sync::Remote &remote)
{
    if (int synced = syncOnce(host, remote, true); synced != 0) {
        return synced;
    }
    sync::SyncEngine engine(host.database(), *host.eventLog(), host.replication(), remote);
    auto v = engine.verify();
    if (!v) {
        return failWith(QStringLiteral("verifying with %1 failed: %2")
                            .arg(remote.server(), describe(v.error())));
    }
    printJson({{"cursor", v->cursor},
               {"comparable", v->comparable},
               {"same", v->same},
               {"server", v->server.toStdString()},
               {"local", v->local.toStdString()}});
    if (v->comparable && !v->same) {
        return failWith(QStringLiteral("this replica's events differ from the server's up to "
                                       "sequence %1: make a new replica and pair it")
                            .arg(v->cursor));
    }
    return 0;
}

} // namespace

void addSyncOptions(QCommandLineParser &parser)
{
    parser.addOption(QCommandLineOption(QStringLiteral("code"),
                                        QStringLiteral("The authenticator or a recovery code, for "
                                                       "an account with two-step sign-in (remote "
                                                       "add)."),
                                        QStringLiteral("CODE")));
    parser.addOption(QCommandLineOption(QStringLiteral("adopt-local"),
                                        QStringLiteral("Push changes made on this replica before "
                                                       "pairing as the signed-in account (remote "
                                                       "add).")));
    parser.addOption(QCommandLineOption(
        QStringLiteral("verify"), QStringLiteral("After syncing, check this replica's events "
                                                 "against the server's by checksum (sync).")));
    parser.addOption(QCommandLineOption(QStringLiteral("watch"),
                                        QStringLiteral("Keep syncing as the server's stream tells "
                                                       "of changes (sync).")));
}

QString syncUsage()
{
    return QStringLiteral(
        "  remote add URL   pair this replica with a server: --email EMAIL, the password on\n"
        "                   standard input (or --password-file FILE), [--code CODE],\n"
        "                   [--adopt-local] to push what was made here before as yours\n"
        "  remote show      the server, account, sync cursor, pending and refused changes\n"
        "  remote remove    sign out and forget the server\n"
        "  sync [--watch|--verify]  push this replica's changes and pull the server's\n");
}

bool isSyncCommand(const QStringList &args)
{
    return !args.isEmpty() &&
           (args.front() == QLatin1String("remote") || args.front() == QLatin1String("sync"));
}

std::optional<QString> checkSyncCommand(const QCommandLineParser &parser, const QStringList &args)
{
    const QString command = args.join(u' ');
    if (args.front() == QLatin1String("sync")) {
        if (args.size() != 1) {
            return QStringLiteral("sync takes no arguments");
        }
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("watch")) || parser.isSet(QStringLiteral("verify"))) {
        return QStringLiteral("--watch and --verify go with sync");
    }
    if (args.size() == 3 && args.at(1) == QLatin1String("add")) {
        if (!parser.isSet(QStringLiteral("email"))) {
            return QStringLiteral("remote add needs --email EMAIL");
        }
        if (parser.isSet(QStringLiteral("password-file")) &&
            parser.isSet(QStringLiteral("password-stdin"))) {
            return QStringLiteral("give one of --password-file FILE and --password-stdin");
        }
        return std::nullopt;
    }
    if (command == QLatin1String("remote show") || command == QLatin1String("remote remove")) {
        return std::nullopt;
    }
    return QStringLiteral("unknown command '%1' (remote add URL, remote show, remote remove, sync)")
        .arg(command);
}

int runSyncCommand(ServiceHost &host, const QCommandLineParser &parser, const QStringList &args)
{
    if (args.front() == QLatin1String("remote")) {
        if (args.at(1) == QLatin1String("add")) {
            return addRemote(host, parser, args.at(2));
        }
        if (args.at(1) == QLatin1String("show")) {
            return showRemote(host);
        }
        if (auto forgotten = sync::Remote::forget(host.dataDir()); !forgotten) {
            return failWith(forgotten.error().message);
        }
        printJson({{"paired", false}});
        return 0;
    }
    auto remote = sync::Remote::load(host.dataDir());
    if (!remote) {
        return failWith(remote.error().message);
    }
    if (parser.isSet(QStringLiteral("watch"))) {
        return watch(host, **remote);
    }
    if (parser.isSet(QStringLiteral("verify"))) {
        return verify(host, **remote);
    }
    return syncOnce(host, **remote);
}

} // namespace colophon::ctl
