// SPDX-License-Identifier: MIT
#include "backend/events/eventlog.h"

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"

#include <QDateTime>

namespace colophon {

namespace {

const QString kColumns = QStringLiteral(
    "seq, id, type, type_version, stream, payload, actor_id, replica_id, hlc, server_seq, "
    "traceparent, recorded_at");

Event eventFromRow(const QSqlQuery &q)
{
    Event e;
    e.localSeq = q.value(0).toLongLong();
    e.id = QUuid::fromString(q.value(1).toString());
    e.type = q.value(2).toString();
    e.typeVersion = q.value(3).toInt();
    e.stream = q.value(4).toString();
    e.payload = nlohmann::json::parse(q.value(5).toString().toStdString(), nullptr, false);
    e.actorId = q.value(6).toString();
    e.replicaId = q.value(7).toString();
    e.hlc = Hlc::parse(q.value(8).toString()).value_or(Hlc{});
    if (!q.value(9).isNull()) {
        e.serverSeq = q.value(9).toLongLong();
    }
    e.traceparent = q.value(10).toString();
    e.recordedAtMs = q.value(11).toLongLong();
    return e;
}

Result<std::vector<Event>> eventsOf(Result<QSqlQuery> q)
{
    if (!q) {
        return fail(q.error());
    }
    std::vector<Event> events;
    while (q->next()) {
        events.push_back(eventFromRow(*q));
    }
    return events;
}

} // namespace

void EventLog::registerMigrations(MigrationRegistry &registry)
{
    registry.add({QStringLiteral("event"),
                  1,
                  QStringLiteral("event log, checkpoints, replica"),
                  {
                      QStringLiteral("CREATE TABLE event_log ("
                                     " seq ${PK},"
                                     " id TEXT NOT NULL UNIQUE,"
                                     " type TEXT NOT NULL,"
                                     " type_version INTEGER NOT NULL DEFAULT 1,"
                                     " stream TEXT NOT NULL,"
                                     " payload TEXT NOT NULL,"
                                     " actor_id TEXT,"
                                     " replica_id TEXT NOT NULL,"
                                     " hlc TEXT NOT NULL,"
                                     " server_seq INTEGER,"
                                     " traceparent TEXT,"
                                     " recorded_at INTEGER NOT NULL)"),
                      QStringLiteral("CREATE INDEX event_log_stream ON event_log (stream, seq)"),
                      QStringLiteral("CREATE INDEX event_log_hlc ON event_log (hlc)"),
                      QStringLiteral("CREATE TABLE event_checkpoints ("
                                     " subscriber TEXT PRIMARY KEY,"
                                     " seq INTEGER NOT NULL,"
                                     " updated_at INTEGER NOT NULL)"),
                      QStringLiteral("CREATE TABLE event_replica ("
                                     " key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
                  },
                  {}});
    registry.add({QStringLiteral("event"),
                  2,
                  QStringLiteral("events by actor (activity views, exports)"),
                  {QStringLiteral("CREATE INDEX event_log_actor ON event_log (actor_id, seq)")},
                  {}});
}

Result<std::unique_ptr<EventLog>> EventLog::open(Database &db, HybridClock::WallClock wallClock)
{
    auto replica = db.transact([&](Transaction &tx) -> Result<QString> {
        auto existing = queryValue(tx.db(), QStringLiteral("SELECT value FROM event_replica WHERE "
                                                           "key = 'replica_id'"));
        if (existing) {
            return existing->toString();
        }
        if (existing.error().code != ErrorCode::NotFound) {
            return fail(existing.error());
        }
        const QString id = uuidText(UuidV7Generator(wallClock).next());
        auto made = execSql(
            tx.db(),
            QStringLiteral("INSERT INTO event_replica (key, value) VALUES ('replica_id', ?)"),
            {id});
        if (!made) {
            return fail(made.error());
        }
        return id;
    });
    if (!replica) {
        return fail(replica.error());
    }
    std::unique_ptr<EventLog> log(new EventLog(db, *replica, std::move(wallClock)));
    auto newest = queryValue(db.connection(), QStringLiteral("SELECT MAX(hlc) FROM event_log"));
    if (!newest) {
        return fail(newest.error());
    }
    if (auto stamp = Hlc::parse(newest->toString())) {
        log->m_clock.update(*stamp);
    }
    return log;
}

EventLog::EventLog(Database &db, QString replicaId, HybridClock::WallClock wallClock)
    : m_db(db), m_replicaId(replicaId), m_clock(replicaId, wallClock), m_ids(wallClock)
{
}

void EventLog::setCommittedListener(std::function<void(qint64)> listener)
{
    m_committed = std::move(listener);
}

Result<Event> EventLog::append(Transaction &tx, const NewEvent &in, const QString &traceparent)
{
    if (in.type.isEmpty() || in.stream.isEmpty()) {
        return fail(Error::invalid(QStringLiteral("an event needs a type and a stream")));
    }
    if (!in.payload.is_object()) {
        return fail(Error::invalid(QStringLiteral("an event payload must be a JSON object")));
    }
    Event e;
    e.id = m_ids.next();
    e.type = in.type;
    e.typeVersion = in.typeVersion;
    e.stream = in.stream;
    e.payload = in.payload;
    e.actorId = in.actorId;
    e.replicaId = m_replicaId;
    e.hlc = m_clock.now();
    e.traceparent = traceparent;
    e.recordedAtMs = QDateTime::currentMSecsSinceEpoch();

    auto q = m_db.execCached(
        QStringLiteral("INSERT INTO event_log (id, type, type_version, stream, payload, "
                       "actor_id, replica_id, hlc, traceparent, recorded_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {uuidText(e.id), e.type, e.typeVersion, e.stream, QString::fromStdString(e.payload.dump()),
         e.actorId.isEmpty() ? QVariant() : QVariant(e.actorId), e.replicaId, e.hlc.toString(),
         e.traceparent.isEmpty() ? QVariant() : QVariant(e.traceparent), e.recordedAtMs});
    if (!q) {
        return fail(q.error());
    }
    e.localSeq = (*q)->lastInsertId().toLongLong();
    if (m_committed) {
        tx.onCommit([listener = m_committed, seq = e.localSeq] { listener(seq); });
    }
    return e;
}

Result<std::vector<Event>> EventLog::readAfter(qint64 seq, int limit) const
{
    return eventsOf(execSql(
        m_db.connection(),
        QStringLiteral("SELECT %1 FROM event_log WHERE seq > ? ORDER BY seq LIMIT ?").arg(kColumns),
        {seq, limit}));
}

Result<std::vector<Event>> EventLog::readInvolving(const QString &stream, const QString &actorId,
                                                   int limit) const
{
    return eventsOf(execSql(m_db.connection(),
                            QStringLiteral("SELECT %1 FROM event_log WHERE stream = ? OR "
                                           "actor_id = ? ORDER BY seq LIMIT ?")
                                .arg(kColumns),
                            {stream, actorId, limit}));
}

Result<int> EventLog::redactStream(Transaction &tx, const QString &stream,
                                   const std::function<void(nlohmann::json &)> &redact)
{
    auto q = execSql(tx.db(), QStringLiteral("SELECT seq, payload FROM event_log WHERE stream = ?"),
                     {stream});
    if (!q) {
        return fail(q.error());
    }
    std::vector<std::pair<qint64, std::string>> rewritten;
    while (q->next()) {
        nlohmann::json payload =
            nlohmann::json::parse(q->value(1).toString().toStdString(), nullptr, false);
        if (payload.is_discarded()) {
            continue;
        }
        redact(payload);
        rewritten.emplace_back(q->value(0).toLongLong(), payload.dump());
    }
    for (const auto &[seq, payload] : rewritten) {
        if (auto u =
                execSql(tx.db(), QStringLiteral("UPDATE event_log SET payload = ? WHERE seq = ?"),
                        {QString::fromStdString(payload), seq});
            !u) {
            return fail(u.error());
        }
    }
    return static_cast<int>(rewritten.size());
}

Result<qint64> EventLog::count() const
{
    auto v = queryValue(m_db.connection(), QStringLiteral("SELECT COUNT(*) FROM event_log"));
    if (!v) {
        return fail(v.error());
    }
    return v->toLongLong();
}

Result<qint64> EventLog::lastSeq() const
{
    auto v = queryValue(m_db.connection(),
                        QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM event_log"));
    if (!v) {
        return fail(v.error());
    }
    return v->toLongLong();
}

} // namespace colophon
