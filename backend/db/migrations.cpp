// SPDX-License-Identifier: MIT
#include "backend/db/migrations.h"

#include "backend/db/database.h"
#include "backend/db/sqlquery.h"

#include <stdexcept>

namespace colophon {

namespace {

const QString kCreateTable =
    QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " service TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL,"
                   " applied_at INTEGER NOT NULL, PRIMARY KEY (service, version))");

Result<QMap<QString, int>> readVersions(const QSqlDatabase &db)
{
    auto q = execSql(db, QStringLiteral("SELECT service, MAX(version) FROM schema_migrations "
                                        "GROUP BY service"));
    if (!q) {
        return fail(q.error());
    }
    QMap<QString, int> versions;
    while (q->next()) {
        versions.insert(q->value(0).toString(), q->value(1).toInt());
    }
    return versions;
}

Result<void> checkNotNewer(const QMap<QString, int> &applied, const QMap<QString, int> &known)
{
    for (auto it = applied.cbegin(); it != applied.cend(); ++it) {
        const int mine = known.value(it.key(), 0);
        if (it.value() > mine) {
            return fail(Error{ErrorCode::Conflict,
                              QStringLiteral("the database schema of '%1' is at version %2, newer "
                                             "than this program knows (%3); use a newer Colophon")
                                  .arg(it.key())
                                  .arg(it.value())
                                  .arg(mine),
                              {}});
        }
    }
    return {};
}

} // namespace

void MigrationRegistry::add(Migration migration)
{
    const int latest = latestVersions().value(migration.service, 0);
    if (migration.service.isEmpty() || migration.version != latest + 1) {
        throw std::logic_error("migration " + migration.service.toStdString() + " v" +
                               std::to_string(migration.version) + " is not the next version");
    }
    m_migrations.push_back(std::move(migration));
}

QMap<QString, int> MigrationRegistry::latestVersions() const
{
    QMap<QString, int> latest;
    for (const Migration &m : m_migrations) {
        latest[m.service] = std::max(latest.value(m.service, 0), m.version);
    }
    return latest;
}

Result<QMap<QString, int>> appliedVersions(Database &db)
{
    auto exists = execSql(db.connection(), db.dialect().tableExistsSql(),
                          {QStringLiteral("schema_migrations")});
    if (!exists) {
        return fail(exists.error());
    }
    if (!exists->next()) {
        return QMap<QString, int>{};
    }
    return readVersions(db.connection());
}

Result<bool> isUpToDate(Database &db, const MigrationRegistry &registry)
{
    auto applied = appliedVersions(db);
    if (!applied) {
        return fail(applied.error());
    }
    return *applied == registry.latestVersions();
}

Result<MigrationReport> migrate(Database &db, const MigrationRegistry &registry)
{
    return db.transact([&](Transaction &tx) -> Result<MigrationReport> {
        if (auto made = execSql(tx.db(), kCreateTable); !made) {
            return fail(made.error());
        }
        auto applied = readVersions(tx.db());
        if (!applied) {
            return fail(applied.error());
        }
        if (auto ok = checkNotNewer(*applied, registry.latestVersions()); !ok) {
            return fail(ok.error());
        }
        MigrationReport report;
        report.versions = *applied;
        for (const Migration &m : registry.migrations()) {
            if (m.version <= applied->value(m.service, 0)) {
                continue;
            }
            for (const QString &statement : m.statements) {
                const QString sql = db.dialect().expand(statement);
                if (auto done = execSql(tx.db(), sql); !done) {
                    Error e = done.error();
                    e.message = QStringLiteral("migration %1 v%2 failed: %3")
                                    .arg(m.service)
                                    .arg(m.version)
                                    .arg(e.message);
                    return fail(e);
                }
            }
            if (m.step) {
                if (auto done = m.step(tx); !done) {
                    return fail(done.error());
                }
            }
            auto recorded = execSql(tx.db(),
                                    db.dialect().expand(QStringLiteral(
                                        "INSERT INTO schema_migrations (service, version, "
                                        "description, applied_at) VALUES (?, ?, ?, ${NOW_MS})")),
                                    {m.service, m.version, m.description});
            if (!recorded) {
                return fail(recorded.error());
            }
            report.versions[m.service] = m.version;
            ++report.applied;
        }
        return report;
    });
}

} // namespace colophon
