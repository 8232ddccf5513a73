// SPDX-License-Identifier: MIT
// Forward-only schema migrations, registered by each service for its own
// tables and applied at start in one transaction.
//
// Invariants: a service's versions are 1..N without gaps; an applied version is
// never applied again; a database that holds a version (or a service) this
// program does not know is refused untouched, since an older program must not
// write a newer schema.
#pragma once

#include "backend/core/error.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

namespace colophon {

class Database;
class Transaction;

struct Migration
{
    QString service; // owner of the tables, e.g. "content"
    int version = 0; // 1, 2, 3 ... per service
    QString description;
    QStringList statements; // SQL with the dialect's ${...} placeholders
    // Optional data step run after the statements, in the same transaction.
    std::function<Result<void>(Transaction &)> step;
};

struct MigrationReport
{
    QMap<QString, int> versions; // service -> version after migrating
    int applied = 0;             // steps applied by this run
};

class MigrationRegistry final
{
public:
    // Throws std::logic_error on a duplicate or out-of-order version: that is
    // a programming error, caught by any test that builds the registry.
    void add(Migration migration);
    const std::vector<Migration> &migrations() const { return m_migrations; }
    QMap<QString, int> latestVersions() const;

private:
    std::vector<Migration> m_migrations;
};

// Applies every pending migration in one write transaction.
Result<MigrationReport> migrate(Database &db, const MigrationRegistry &registry);

// The versions recorded in the database (empty when never migrated).
Result<QMap<QString, int>> appliedVersions(Database &db);

// Whether the database holds exactly the registry's latest versions.
Result<bool> isUpToDate(Database &db, const MigrationRegistry &registry);

} // namespace colophon
