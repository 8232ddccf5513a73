// SPDX-License-Identifier: MIT
// A replica for event tests: a migrated SQLite file with the event log, a projection table and an
// effects table that durable subscribers write to. Shared by the tests and the crash helper.
#pragma once

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"

#include <QStringList>
#include <memory>
#include <optional>
#include <thread>

namespace colophon::test {

inline MigrationRegistry eventTestRegistry()
{
    MigrationRegistry registry;
    EventLog::registerMigrations(registry);
    registry.add({QStringLiteral("test"),
                  1,
                  QStringLiteral("projection and effects"),
                  {
                      QStringLiteral("CREATE TABLE projection (stream TEXT PRIMARY KEY,"
                                     " title TEXT NOT NULL)"),
                      // One row per (subscriber, event): a second application is a Conflict.
                      QStringLiteral("CREATE TABLE effects (subscriber TEXT NOT NULL,"
                                     " event_seq INTEGER NOT NULL, event_id TEXT NOT NULL,"
                                     " PRIMARY KEY (subscriber, event_seq))"),
                  },
                  {}});
    return registry;
}

struct Replica
{
    std::unique_ptr<Database> db;
    std::unique_ptr<EventLog> log;
};

// Opens (creating and migrating if needed) the replica at path.
inline Result<Replica> openReplica(const QString &path, HybridClock::WallClock wallClock = {})
{
    auto db = Database::openSqlite(path);
    if (!db) {
        return fail(db.error());
    }
    if (auto migrated = migrate(**db, eventTestRegistry()); !migrated) {
        return fail(migrated.error());
    }
    auto log = EventLog::open(**db, std::move(wallClock));
    if (!log) {
        return fail(log.error());
    }
    return Replica{std::move(*db), std::move(*log)};
}

// What a durable subscriber does with an event: one effects row, in its transaction.
inline Result<void> recordEffect(Transaction &tx, const QString &subscriber, const Event &e)
{
    auto q = execSql(tx.db(),
                     QStringLiteral("INSERT INTO effects (subscriber, event_seq, event_id) "
                                    "VALUES (?, ?, ?)"),
                     {subscriber, e.localSeq, uuidText(e.id)});
    if (!q) {
        return fail(q.error());
    }
    return {};
}

// The event seqs a subscriber has applied, in order.
inline QList<qint64> effectSeqs(Database &db, const QString &subscriber)
{
    QList<qint64> seqs;
    auto q = execSql(db.connection(),
                     QStringLiteral("SELECT event_seq FROM effects WHERE subscriber = ? "
                                    "ORDER BY event_seq"),
                     {subscriber});
    if (!q) {
        return {-1};
    }
    while (q->next()) {
        seqs << q->value(0).toLongLong();
    }
    return seqs;
}

// Appends one event per call, each in its own committed transaction.
inline Result<Event> appendOne(Database &db, EventLog &log, const QString &type,
                               const QString &stream = QStringLiteral("test/1"))
{
    return db.transact([&](Transaction &tx) {
        return log.append(tx, NewEvent{type, stream, {{"n", type.toStdString()}}, {}, 1});
    });
}

inline QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 i = from; i <= to; ++i) {
        out << i;
    }
    return out;
}

// fn() on a thread of its own (so on a connection of its own), closed before the thread ends.
template <typename F> auto onOtherThread(Database &db, F fn) -> decltype(fn())
{
    std::optional<decltype(fn())> result;
    std::thread t([&] {
        result.emplace(fn());
        db.closeThreadConnection();
    });
    t.join();
    return std::move(*result);
}

} // namespace colophon::test
