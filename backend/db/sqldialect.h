// SPDX-License-Identifier: MIT
// The seam between services and the SQL engine: what differs between SQLite and
// PostgreSQL is said here once, so a service's SQL never branches on the engine.
#pragma once

#include <QString>
#include <QStringList>

namespace colophon {

class SqlDialect
{
public:
    virtual ~SqlDialect() = default;
    virtual QString name() const = 0;
    virtual QString driverName() const = 0;
    // The statement that opens a write transaction: writers serialise here, not
    // at their first write, so read-then-write never fails with "locked".
    virtual QString beginWriteTransaction() const = 0;
    // Statements run once on every new connection.
    virtual QStringList connectionSetup() const = 0;
    // Replaces the dialect's placeholders in migration SQL:
    // ${PK} an auto-incrementing 64-bit primary key, ${BLOB} a byte column,
    // ${NOW_MS} the current time in epoch milliseconds.
    virtual QString expand(QString sql) const = 0;
    // A query with one placeholder (the table name) that returns a row when
    // the table exists.
    virtual QString tableExistsSql() const = 0;
};

class SqliteDialect final : public SqlDialect
{
public:
    explicit SqliteDialect(int busyTimeoutMs = 5000) : m_busyTimeoutMs(busyTimeoutMs) {}
    QString name() const override { return QStringLiteral("sqlite"); }
    QString driverName() const override { return QStringLiteral("QSQLITE"); }
    QString beginWriteTransaction() const override { return QStringLiteral("BEGIN IMMEDIATE"); }
    QStringList connectionSetup() const override;
    QString expand(QString sql) const override;
    QString tableExistsSql() const override
    {
        return QStringLiteral("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
    }
    int busyTimeoutMs() const { return m_busyTimeoutMs; }

private:
    int m_busyTimeoutMs;
};

} // namespace colophon
