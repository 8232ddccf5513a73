// SPDX-License-Identifier: MIT
// The composition root shared by colophon, colophon-server and colophonctl:
// it opens the replica in a data folder, applies migrations, and builds and
// owns the platform (database, event log, event bus) and the services, so
// every service behaves the same in each program. Wiring only, no logic; the
// role is the only thing that differs between programs.
#pragma once

#include "backend/core/error.h"
#include "backend/core/serialworker.h"
#include "backend/core/singleflight.h"
#include "backend/db/migrations.h"
#include "backend/events/replication.h"
#include "backend/http/httpserver.h"
#include "backend/http/middleware.h"

#include <QMap>
#include <QString>
#include <memory>
#include <vector>

QT_FORWARD_DECLARE_CLASS(QTimer)

namespace colophon {

class Config;
class Database;
class GroupCommit;
class EventBus;
class EventLog;
class Logger;
class MetricsRegistry;
class JwtSigner;
class PasswordHasher;
class Router;
class UserService;
class ContentService;
class IdempotencyStore;
namespace sync {
class SyncServer;
class SyncHub;
} // namespace sync

enum class HostRole { Desktop, Server, Tool };

struct HostStatus
{
    QString dataDir;
    QString databasePath;
    QString replicaId;                 // empty until migrated
    QMap<QString, int> schemaVersions; // applied, per owner
    QMap<QString, int> knownVersions;  // what this program knows
    qint64 eventCount = 0;
    bool upToDate = false;
};

class ServiceHost final
{
public:
    enum class OpenMode {
        Migrate, // create the folder and database as needed and apply migrations
        Inspect, // open what is there, change nothing (for status)
    };

    // Opens the replica in config's data_dir. Logger and metrics belong to
    // the caller and outlive the host.
    static Result<std::unique_ptr<ServiceHost>> open(HostRole role, const Config &config,
                                                     Logger &logger, MetricsRegistry &metrics,
                                                     OpenMode mode = OpenMode::Migrate);
    ~ServiceHost();

    HostRole role() const { return m_role; }
    QString dataDir() const { return m_dataDir; }
    const Config &config() const { return m_config; }
    Logger &logger() { return m_logger; }
    MetricsRegistry &metrics() { return m_metrics; }
    Database &database() { return *m_db; }
    const MigrationRegistry &migrations() const { return m_migrations; }
    // Null in Inspect mode on a database that was never migrated.
    EventLog *eventLog() { return m_log.get(); }
    EventBus *eventBus() { return m_bus.get(); }
    // The services; null in Inspect mode.
    UserService *users() { return m_users.get(); }
    ContentService *content() { return m_content.get(); }

    Result<HostStatus> status();

    // Applies pending migrations; idempotent. Open in Migrate mode has
    // already run it once: openingMigration() says what that run applied.
    Result<MigrationReport> migrate();
    const MigrationReport &openingMigration() const { return m_openingMigration; }

    // Fires due schedules (content publishAt/unpublishAt) now, then every
    // intervalMs on the calling thread's event loop; a due time that passed
    // while the process was down fires at once.
    void startScheduler(int intervalMs = 1000);

    // What replicates, service by service (every role), and the server's
    // side of sync (the server role only; null elsewhere).
    const ReplicationRegistry &replication() const { return m_replication; }
    sync::SyncServer *syncServer() { return m_syncServer.get(); }

    // The routes of the system (/healthz, /readyz, /metrics, OpenAPI) and of
    // every service, on router.
    void registerRoutes(Router &router);
    // The innermost middleware of a server of this host: each request runs
    // in a Database::RequestScope, so its caches read data_version once; a
    // GET or HEAD reads from one snapshot (Database::Reads::OneSnapshot).
    Middleware requestScopeMiddleware();
    // Hands requests off the server's I/O threads, which go on serving
    // their other connections meanwhile:
    // - the routes that hash a password (RouteWork::HashesPassword: sign-in,
    //   registration, a password change, creating and deleting an account)
    //   to one thread of their own, one at a time: a hash takes tens of
    //   milliseconds of a core and 64 MiB;
    // - the other writes (RouteClass::Write) to one GroupCommit, so the
    //   writes waiting at a moment share a commit. SQLite only: on
    //   PostgreSQL, where an error spoils the rest of its transaction, they
    //   stay on the I/O threads.
    void handOffRequests(HttpServerSettings &settings, const Router &router);
    // Null until handOffRequests() made it (and on PostgreSQL).
    const GroupCommit *groupCommit() const { return m_groupCommit.get(); }

private:
    ServiceHost(HostRole role, const Config &config, Logger &logger, MetricsRegistry &metrics);
    Result<void> openEventLog();
    Result<void> openServices();
    void startSyncHub();

    HostRole m_role;
    const Config &m_config;
    Logger &m_logger;
    MetricsRegistry &m_metrics;
    QString m_dataDir;
    MigrationRegistry m_migrations;
    MigrationReport m_openingMigration;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventLog> m_log;
    std::unique_ptr<EventBus> m_bus;
    ReplicationRegistry m_replication;
    std::unique_ptr<sync::SyncServer> m_syncServer;
    std::unique_ptr<sync::SyncHub> m_syncHub;
    std::unique_ptr<QTimer> m_syncTimer;
    // Snapshots made ahead of time, one thread at a time.
    std::unique_ptr<QTimer> m_snapshotTimer;
    SingleFlight m_snapshotJob;
    std::unique_ptr<PasswordHasher> m_hasher;
    std::unique_ptr<JwtSigner> m_signer;
    std::unique_ptr<UserService> m_users;
    std::unique_ptr<IdempotencyStore> m_idempotency;
    std::unique_ptr<ContentService> m_content;
    std::unique_ptr<QTimer> m_scheduler;
    std::unique_ptr<GroupCommit> m_groupCommit;
    HttpServerSettings::Runner m_groupRunner;
    std::unique_ptr<SerialWorker> m_credentials;
    HttpServerSettings::Runner m_credentialsRunner;
};

} // namespace colophon
