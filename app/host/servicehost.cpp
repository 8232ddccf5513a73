// SPDX-License-Identifier: MIT
#include "app/host/servicehost.h"

#include "app/host/systemroutes.h"
#include "backend/config/config.h"
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventbus.h"
#include "backend/events/eventlog.h"
#include "backend/observability/logger.h"

#include <QDir>
#include <QFileInfo>

namespace colophon {

ServiceHost::ServiceHost(HostRole role, const Config &config, Logger &logger,
                         MetricsRegistry &metrics)
    : m_role(role), m_config(config), m_logger(logger), m_metrics(metrics)
{
    EventLog::registerMigrations(m_migrations);
    // Services register their migrations here as they arrive.
}

ServiceHost::~ServiceHost()
{
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
    return host;
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

void ServiceHost::registerRoutes(Router &router)
{
    registerSystemRoutes(router, *this);
}

} // namespace colophon
