// SPDX-License-Identifier: MIT
#include "app/host/servicehost.h"

#include "app/host/systemroutes.h"
#include "backend/auth/jwt.h"
#include "backend/auth/passwordhasher.h"
#include "backend/config/config.h"
#include "backend/db/database.h"
#include "backend/db/groupcommit.h"
#include "backend/db/idempotency.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventbus.h"
#include "backend/events/eventlog.h"
#include "backend/http/httpmessage.h"
#include "backend/http/httpserver.h"
#include "backend/http/router.h"
#include "backend/observability/logger.h"
#include "backend/observability/metrics.h"
#include "services/content/contenthttp.h"
#include "services/content/contentservice.h"
#include "services/user/userhttp.h"
#include "services/user/userservice.h"
#include "sync/synchttp.h"
#include "sync/syncserver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTimer>

namespace colophon {

ServiceHost::ServiceHost(HostRole role, const Config &config, Logger &logger,
                         MetricsRegistry &metrics)
    : m_role(role), m_config(config), m_logger(logger), m_metrics(metrics)
{
    EventLog::registerMigrations(m_migrations);
    UserService::registerMigrations(m_migrations);
    IdempotencyStore::registerMigrations(m_migrations);
    ContentService::registerMigrations(m_migrations);
    sync::SyncServer::registerMigrations(m_migrations);
}

ServiceHost::~ServiceHost()
{
    // Both run what is queued while the services still exist.
    m_credentials.reset();
    m_groupCommit.reset();
    m_scheduler.reset();
    m_snapshotTimer.reset();
    m_snapshotJob.wait(); // at most one snapshot being made
    m_syncTimer.reset();
    m_syncHub.reset();
    m_syncServer.reset();
    m_content.reset();
    m_idempotency.reset();
    m_users.reset();
    m_bus.reset();
    m_log.reset();
    m_db.reset();
}

Result<std::unique_ptr<ServiceHost>> ServiceHost::open(HostRole role, const Config &config,
                                                       Logger &logger, MetricsRegistry &metrics,
                                                       OpenMode mode)
{
    std::unique_ptr<ServiceHost> host(new ServiceHost(role, config, logger, metrics));
    const QString dir = config.string(QStringLiteral("data_dir"));
    if (dir.isEmpty()) {
        return fail(
            Error::invalid(QStringLiteral("no data folder given"), QStringLiteral("data_dir")));
    }
    host->m_dataDir = QFileInfo(dir).absoluteFilePath();
    const QString dbPath = QDir(host->m_dataDir).filePath(QStringLiteral("colophon.db"));
    if (mode == OpenMode::Inspect) {
        if (!QFileInfo::exists(dbPath)) {
            return fail(Error::notFound(
                QStringLiteral("no replica in %1 (run: colophonctl --data %1 migrate)")
                    .arg(host->m_dataDir)));
        }
    } else if (!QDir().mkpath(host->m_dataDir) ||
               !QDir().mkpath(QDir(host->m_dataDir).filePath(QStringLiteral("blobs")))) {
        return fail(Error::unavailable(
            QStringLiteral("cannot create the data folder %1").arg(host->m_dataDir)));
    }
    auto db = Database::openSqlite(
        dbPath, static_cast<int>(config.integer(QStringLiteral("db.busy_timeout_ms"))));
    if (!db) {
        return fail(db.error());
    }
    host->m_db = std::move(*db);
    if (mode == OpenMode::Migrate) {
        auto report = host->migrate();
        if (!report) {
            return fail(report.error());
        }
        host->m_openingMigration = *report;
    }
    if (auto opened = host->openEventLog(); !opened) {
        return fail(opened.error());
    }
    if (mode == OpenMode::Migrate) {
        if (auto opened = host->openServices(); !opened) {
            return fail(opened.error());
        }
    }
    return host;
}

Result<void> ServiceHost::openServices()
{
    auto common =
        PasswordHasher::loadCommonPasswords(QStringLiteral(":/colophon/auth/common-passwords.txt"));
    if (!common) {
        return fail(common.error());
    }
    Argon2Params params = Argon2Params::interactive();
    if (const qint64 ops = m_config.integer(QStringLiteral("auth.argon2_ops")); ops > 0) {
        params.opsLimit = static_cast<unsigned long long>(ops);
    }
    if (const qint64 kib = m_config.integer(QStringLiteral("auth.argon2_mem_kib")); kib > 0) {
        params.memLimit = static_cast<std::size_t>(kib) * 1024;
    }
    m_hasher = std::make_unique<PasswordHasher>(params, PasswordPolicy{}, *common);
    auto key = loadOrCreateSigningKey(QDir(m_dataDir).filePath(QStringLiteral("keys/jwt.key")));
    if (!key) {
        return fail(key.error());
    }
    m_signer = std::make_unique<JwtSigner>(*key);
    UserSettings users;
    users.openRegistration = m_config.boolean(QStringLiteral("auth.open_registration"));
    users.accessTokenSeconds = m_config.integer(QStringLiteral("auth.access_token_seconds"));
    users.refreshTokenSeconds =
        m_config.integer(QStringLiteral("auth.refresh_token_days")) * 24 * 3600;
    users.authorizationCodeSeconds = m_config.integer(QStringLiteral("auth.oauth_code_seconds"));
    if (users.accessTokenSeconds < 1 || users.refreshTokenSeconds < 1 ||
        users.authorizationCodeSeconds < 1) {
        return fail(Error::invalid(QStringLiteral("token lifetimes must be positive"),
                                   QStringLiteral("auth")));
    }
    auto sealing =
        loadOrCreateSigningKey(QDir(m_dataDir).filePath(QStringLiteral("keys/totp.key")));
    if (!sealing) {
        return fail(sealing.error());
    }
    users.secretKey = *sealing;
    users.totpIssuer = m_config.string(QStringLiteral("auth.totp_issuer"));
    const auto setting = [this](const char *key) {
        const qint64 v = m_config.integer(QLatin1String(key));
        return static_cast<int>(std::clamp<qint64>(v, 0, 365 * 24 * 3600));
    };
    users.throttle = ThrottleSettings{
        setting("auth.lockout.account_failures"), setting("auth.lockout.base_seconds"),
        setting("auth.lockout.max_seconds"), setting("auth.lockout.address_failures"),
        setting("auth.lockout.window_seconds")};
    m_users = std::make_unique<UserService>(*m_db, *m_log, *m_hasher, *m_signer, users);
    m_idempotency = std::make_unique<IdempotencyStore>(*m_db);
    m_content = std::make_unique<ContentService>(*m_db, *m_log);
    m_replication.add(&m_content->replication());
    if (m_role == HostRole::Server) {
        // The server's log order is the order every replica follows.
        m_log->setServerOrdered(true);
        m_syncServer = std::make_unique<sync::SyncServer>(*m_db, *m_log, m_replication);
        sync::SnapshotSettings snapshots;
        snapshots.minEvents =
            std::max<qint64>(1, m_config.integer(QStringLiteral("sync.snapshot_min_events")));
        snapshots.maxLagEvents =
            std::max<qint64>(0, m_config.integer(QStringLiteral("sync.snapshot_max_lag_events")));
        m_syncServer->enableSnapshots(QDir(m_dataDir).filePath(QStringLiteral("sync/snapshots")),
                                      snapshots);
    }
    return {};
}

Result<void> ServiceHost::openEventLog()
{
    if (m_log) {
        return {};
    }
    auto applied = appliedVersions(*m_db);
    if (!applied) {
        return fail(applied.error());
    }
    if (!applied->contains(QStringLiteral("event"))) {
        return {}; // Inspect mode on a database never migrated
    }
    auto log = EventLog::open(*m_db);
    if (!log) {
        return fail(log.error());
    }
    m_log = std::move(*log);
    m_bus = std::make_unique<EventBus>(*m_db, *m_log, m_logger);
    return {};
}

Result<MigrationReport> ServiceHost::migrate()
{
    auto report = colophon::migrate(*m_db, m_migrations);
    if (!report) {
        return fail(report.error());
    }
    if (report->applied > 0) {
        nlohmann::json versions = nlohmann::json::object();
        for (auto it = report->versions.cbegin(); it != report->versions.cend(); ++it) {
            versions[it.key().toStdString()] = it.value();
        }
        m_logger.info("schema migrated", {{"applied", report->applied}, {"versions", versions}});
    }
    if (auto opened = openEventLog(); !opened) {
        return fail(opened.error());
    }
    return report;
}

Result<HostStatus> ServiceHost::status()
{
    HostStatus s;
    s.dataDir = m_dataDir;
    s.databasePath = m_db->path();
    s.knownVersions = m_migrations.latestVersions();
    auto applied = appliedVersions(*m_db);
    if (!applied) {
        return fail(applied.error());
    }
    s.schemaVersions = *applied;
    s.upToDate = s.schemaVersions == s.knownVersions;
    if (m_log) {
        s.replicaId = m_log->replicaId();
        auto count = m_log->count();
        if (!count) {
            return fail(count.error());
        }
        s.eventCount = *count;
    }
    return s;
}

void ServiceHost::startScheduler(int intervalMs)
{
    if (!m_content) {
        return;
    }
    const auto fire = [this] {
        auto fired = m_content->runSchedules();
        if (!fired) {
            m_logger.warn("scheduled publication failed",
                          {{"error", fired.error().message.toStdString()}});
        } else if (*fired > 0) {
            m_logger.info("scheduled publication", {{"items", *fired}});
        }
    };
    m_scheduler = std::make_unique<QTimer>();
    QObject::connect(m_scheduler.get(), &QTimer::timeout, fire);
    m_scheduler->start(intervalMs);
    fire();
}

Middleware ServiceHost::requestScopeMiddleware()
{
    return [db = m_db.get()](HttpRequest &req, const HttpNext &next) {
        const bool reads = req.method == HttpMethod::Get || req.method == HttpMethod::Head;
        Database::RequestScope scope(*db, reads ? Database::Reads::OneSnapshot
                                                : Database::Reads::EachOnItsOwn);
        return next(req);
    };
}

void ServiceHost::handOffRequests(HttpServerSettings &settings, const Router &router)
{
    if (!m_credentials) {
        m_credentials =
            std::make_unique<SerialWorker>([db = m_db.get()] { db->closeThreadConnection(); });
        m_credentialsRunner = [worker = m_credentials.get()](std::function<void()> run,
                                                             std::function<void(bool)> done) {
            worker->submit([run = std::move(run), done = std::move(done)] {
                bool ran = true;
                try {
                    run(); // the pipeline answers a throwing handler with 500 itself
                } catch (...) {
                    ran = false;
                }
                done(ran);
            });
        };
    }
    const bool grouped = m_db->dialect().name() == QLatin1String("sqlite");
    if (grouped && !m_groupCommit) {
        m_groupCommit = std::make_unique<GroupCommit>(*m_db);
        Histogram &sizes = m_metrics.histogram("colophon_group_commit_writes",
                                               "Item writes committed together, per transaction",
                                               {}, {1, 2, 4, 8, 16, 32, 64});
        m_groupCommit->setObserver([&sizes](std::size_t jobs) { sizes.observe(double(jobs)); });
        m_groupRunner = [group = m_groupCommit.get()](std::function<void()> run,
                                                      std::function<void(bool)> done) {
            group->submit(std::move(run), std::move(done));
        };
    }
    settings.handOff = [this, &router,
                        grouped](const HttpRequest &req) -> const HttpServerSettings::Runner * {
        // Reads neither hash nor write: spare them the second route match.
        if (req.method == HttpMethod::Get || req.method == HttpMethod::Head ||
            req.method == HttpMethod::Options) {
            return nullptr;
        }
        const auto match = router.match(req.method, req.path);
        if (match.kind != Router::Match::Kind::Found) {
            return nullptr;
        }
        if (match.work == RouteWork::HashesPassword) {
            return &m_credentialsRunner;
        }
        return grouped && match.routeClass == RouteClass::Write ? &m_groupRunner : nullptr;
    };
}

void ServiceHost::registerRoutes(Router &router)
{
    registerSystemRoutes(router, *this);
    if (m_users) {
        registerUserRoutes(router, *m_users);
    }
    if (m_content && m_users && m_idempotency) {
        registerContentRoutes(router, *m_content, *m_users, *m_idempotency);
    }
    if (m_syncServer && m_users && m_bus) {
        startSyncHub();
        sync::registerSyncRoutes(router, *m_syncServer, *m_syncHub,
                                 [users = m_users.get()](HttpRequest &req) -> Result<Principal> {
                                     auto actor = bearerActor(*users, req);
                                     if (!actor) {
                                         return fail(actor.error());
                                     }
                                     return Principal{actor->userId, actor->role};
                                 });
    }
}

void ServiceHost::startSyncHub()
{
    if (m_syncHub) {
        return;
    }
    // Long-polls and streams are answered on this (the main) thread: the
    // bus tells it of each commit, a timer of each second that passes.
    m_syncHub = std::make_unique<sync::SyncHub>(*m_syncServer);
    m_syncTimer = std::make_unique<QTimer>();
    QObject::connect(m_syncTimer.get(), &QTimer::timeout, [hub = m_syncHub.get()] { hub->tick(); });
    m_syncTimer->start(1000);
    m_bus->subscribe(QStringLiteral("sync-hub"), m_syncTimer.get(),
                     [hub = m_syncHub.get()](const Event &e) { hub->notify(e.localSeq); });

    // The snapshot editors share, made ahead on a thread of its own so a
    // fresh replica finds it ready (SnapshotStore::refresh reads only).
    const qint64 every = m_config.integer(QStringLiteral("sync.snapshot_refresh_seconds"));
    if (every <= 0) {
        return;
    }
    m_snapshotTimer = std::make_unique<QTimer>();
    QObject::connect(m_snapshotTimer.get(), &QTimer::timeout, [this] {
        m_snapshotJob.start([this] {
            QElapsedTimer took;
            took.start();
            auto made = m_syncServer->refreshSnapshots();
            if (!made) {
                m_logger.warn("sync snapshot failed",
                              {{"error", made.error().message.toStdString()}});
            } else if (!made->isEmpty()) {
                m_logger.info("sync snapshot made",
                              {{"name", made->toStdString()}, {"ms", took.elapsed()}});
            }
            m_db->closeThreadConnection();
        });
    });
    m_snapshotTimer->start(static_cast<int>(std::min<qint64>(every, 24 * 3600) * 1000));
}

} // namespace colophon
