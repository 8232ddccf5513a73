// SPDX-License-Identifier: MIT
#include "backend/events/eventlog.h"

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"

#include <QDateTime>
#include <QRegularExpression>
#include <algorithm>

namespace colophon {

namespace {

const QString kColumns = QStringLiteral(
    "seq, id, type, type_version, stream, payload, actor_id, replica_id, hlc, server_seq, "
    "traceparent, recorded_at, rejected");

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
    if (!q.value(12).isNull()) {
        e.rejection = nlohmann::json::parse(q.value(12).toString().toStdString(), nullptr, false);
    }
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

constexpr int kMaxQueryLimit = 1000;

// The smallest text above every text that starts with prefix (in code point
// order, which is SQLite's binary order of UTF-8), or empty when there is none:
// "user/" -> "user0". Lets a prefix filter be a range the stream index serves.
QString prefixUpperBound(const QString &prefix)
{
    QList<uint> points = prefix.toUcs4();
    while (!points.isEmpty()) {
        uint last = points.takeLast();
        if (last >= 0x10FFFF) {
            continue; // no code point above it: carry to the one before
        }
        ++last;
        if (last >= 0xD800 && last <= 0xDFFF) {
            last = 0xE000; // surrogates are not code points
        }
        points.append(last);
        return QString::fromUcs4(reinterpret_cast<const char32_t *>(points.constData()),
                                 points.size());
    }
    return {};
}

// "hlc >= ?" with this bound keeps the events stamped at ms or later: a stamp's
// text starts with its physical time, zero-padded to 16 digits.
QString hlcBound(qint64 ms)
{
    return QStringLiteral("%1").arg(ms, 16, 10, QLatin1Char('0'));
}

void addPrefix(QStringList &where, QVariantList &values, const QString &column,
               const QString &prefix)
{
    where << column + QStringLiteral(" >= ?");
    values << prefix;
    if (const QString upper = prefixUpperBound(prefix); !upper.isEmpty()) {
        where << column + QStringLiteral(" < ?");
        values << upper;
    }
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
    registry.add({QStringLiteral("event"),
                  3,
                  QStringLiteral("replication: refused events, the outbox, server order"),
                  {QStringLiteral("ALTER TABLE event_log ADD COLUMN rejected TEXT"),
                   // The outbox: own events not yet taken by the server (empty there).
                   QStringLiteral("CREATE INDEX event_log_outbox ON event_log (replica_id, seq) "
                                  "WHERE server_seq IS NULL AND rejected IS NULL"),
                   QStringLiteral("CREATE INDEX event_log_server_seq ON event_log (server_seq) "
                                  "WHERE server_seq IS NOT NULL")},
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

Result<Event> EventLog::append(Transaction &tx, NewEvent in, const QString &traceparent)
{
    if (in.type.isEmpty() || in.stream.isEmpty()) {
        return fail(Error::invalid(QStringLiteral("an event needs a type and a stream")));
    }
    if (!in.payload.is_object()) {
        return fail(Error::invalid(QStringLiteral("an event payload must be a JSON object")));
    }
    Event e;
    e.id = m_ids.next();
    // Moved, not copied: a payload carries the item's body.
    e.type = std::move(in.type);
    e.typeVersion = in.typeVersion;
    e.stream = std::move(in.stream);
    e.payload = std::move(in.payload);
    e.actorId = std::move(in.actorId);
    e.replicaId = m_replicaId;
    e.hlc = m_clock.now();
    e.traceparent = traceparent;
    e.recordedAtMs = QDateTime::currentMSecsSinceEpoch();

    // Every write appends here: through the C API, the payload bound as the
    // UTF-8 it is dumped to.
    auto q = tx.statement("INSERT INTO event_log (id, type, type_version, stream, payload, "
                          "actor_id, replica_id, hlc, traceparent, recorded_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!q) {
        return fail(q.error());
    }
    // An empty actor or traceparent is stored as NULL (a null QString binds NULL).
    q->bind(1, uuidText(e.id)).bind(2, e.type).bind(3, e.typeVersion).bind(4, e.stream);
    q->bind(5, e.payload.dump());
    q->bind(6, e.actorId.isEmpty() ? QString() : e.actorId);
    q->bind(7, e.replicaId).bind(8, e.hlc.toString());
    q->bind(9, e.traceparent.isEmpty() ? QString() : e.traceparent);
    q->bind(10, e.recordedAtMs);
    if (auto ran = q->run(); !ran) {
        return fail(ran.error());
    }
    e.localSeq = q->lastInsertId();
    if (m_serverOrdered) {
        if (auto ok = setServerSeq(e.localSeq, e.localSeq); !ok) {
            return fail(ok.error());
        }
        e.serverSeq = e.localSeq;
    }
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

Result<std::vector<Event>> EventLog::query(const EventQuery &q) const
{
    if (q.beforeSeq < 0) {
        return fail(Error::invalid(QStringLiteral("beforeSeq must not be negative"),
                                   QStringLiteral("beforeSeq")));
    }
    if (q.sinceMs < 0) {
        return fail(Error::invalid(QStringLiteral("sinceMs must not be negative"),
                                   QStringLiteral("sinceMs")));
    }
    if (q.untilMs < 0) {
        return fail(Error::invalid(QStringLiteral("untilMs must not be negative"),
                                   QStringLiteral("untilMs")));
    }
    if (q.untilMs > 0 && q.untilMs <= q.sinceMs) {
        return fail(Error::invalid(QStringLiteral("the time window ends before it begins"),
                                   QStringLiteral("untilMs")));
    }
    QStringList where;
    QVariantList values;
    QStringList types;
    for (const QString &t : q.types) {
        if (!t.isEmpty() && !types.contains(t)) {
            types << t;
        }
    }
    if (!types.isEmpty()) {
        for (const QString &t : types) {
            values << t;
        }
        where << QStringLiteral("type IN (%1)").arg(sqlPlaceholders(types.size()));
    }
    if (!q.typePrefix.isEmpty()) {
        addPrefix(where, values, QStringLiteral("type"), q.typePrefix);
    }
    if (!q.stream.isEmpty()) {
        where << QStringLiteral("stream = ?");
        values << q.stream;
    }
    if (!q.streamPrefix.isEmpty()) {
        addPrefix(where, values, QStringLiteral("stream"), q.streamPrefix);
    }
    if (!q.actorId.isEmpty()) {
        where << QStringLiteral("actor_id = ?");
        values << q.actorId;
    }
    if (q.sinceMs > 0) {
        where << QStringLiteral("hlc >= ?");
        values << hlcBound(q.sinceMs);
    }
    if (q.untilMs > 0) {
        where << QStringLiteral("hlc < ?");
        values << hlcBound(q.untilMs);
    }
    if (q.beforeSeq > 0) {
        where << QStringLiteral("seq < ?");
        values << q.beforeSeq;
    }
    values << std::clamp(q.limit, 1, kMaxQueryLimit);
    const QString filter = where.isEmpty()
                               ? QString()
                               : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    return eventsOf(execSql(m_db.connection(),
                            QStringLiteral("SELECT %1 FROM event_log%2 ORDER BY seq DESC LIMIT ?")
                                .arg(kColumns, filter),
                            values));
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

Result<void> EventLog::setServerSeq(qint64 seq, qint64 serverSeq)
{
    auto q = m_db.statement("UPDATE event_log SET server_seq = ? WHERE seq = ?");
    if (!q) {
        return fail(q.error());
    }
    if (auto ran = q->bind(1, serverSeq).bind(2, seq).run(); !ran) {
        return fail(ran.error());
    }
    return {};
}

Result<bool> EventLog::storeRemote(Transaction &tx, const Event &in,
                                   std::optional<qint64> serverSeq)
{
    if (in.type.isEmpty() || in.stream.isEmpty() || in.id.isNull() || !in.payload.is_object()) {
        return fail(Error::invalid(QStringLiteral("a replicated event needs an id, a type, a "
                                                  "stream and an object payload")));
    }
    const QString id = uuidText(in.id);
    auto q = m_db.execCached(
        QStringLiteral("INSERT INTO event_log (id, type, type_version, stream, payload, "
                       "actor_id, replica_id, hlc, server_seq, recorded_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"),
        {id, in.type, in.typeVersion, in.stream, QString::fromStdString(in.payload.dump()),
         in.actorId.isEmpty() ? QVariant() : QVariant(in.actorId), in.replicaId, in.hlc.toString(),
         serverSeq ? QVariant(*serverSeq) : QVariant(), QDateTime::currentMSecsSinceEpoch()});
    if (!q) {
        return fail(q.error());
    }
    if ((*q)->numRowsAffected() == 0) {
        if (serverSeq) {
            auto ack = m_db.execCached(QStringLiteral("UPDATE event_log SET server_seq = ? WHERE "
                                                      "id = ? AND server_seq IS NULL"),
                                       {*serverSeq, id});
            if (!ack) {
                return fail(ack.error());
            }
        }
        return false;
    }
    const qint64 seq = (*q)->lastInsertId().toLongLong();
    if (m_serverOrdered) {
        if (auto ok = setServerSeq(seq, seq); !ok) {
            return fail(ok.error());
        }
    }
    m_clock.update(in.hlc);
    if (m_committed) {
        tx.onCommit([listener = m_committed, seq] { listener(seq); });
    }
    return true;
}

namespace {

// A schema name that is safe to put in SQL.
Result<void> attachedSchema(const QString &schema)
{
    static const QRegularExpression identifier(QStringLiteral("^[a-z_][a-z0-9_]*$"));
    if (!identifier.match(schema).hasMatch()) {
        return fail(Error::invalid(QStringLiteral("%1 is not a schema name").arg(schema)));
    }
    return {};
}

} // namespace

Result<qint64> EventLog::storeSnapshot(Transaction &tx, const QString &schema)
{
    if (auto ok = attachedSchema(schema); !ok) {
        return fail(ok.error());
    }
    auto stored = tx.execCached(
        QStringLiteral("INSERT INTO event_log (id, type, type_version, stream, payload, actor_id, "
                       "replica_id, hlc, server_seq, recorded_at) SELECT id, type, type_version, "
                       "stream, payload, actor_id, replica_id, hlc, seq, ? FROM %1.event_log "
                       "ORDER BY seq")
            .arg(schema),
        {QDateTime::currentMSecsSinceEpoch()});
    if (!stored) {
        return fail(stored.error());
    }
    const qint64 count = (*stored)->numRowsAffected();
    if (auto ok = snapshotStored(tx, schema); !ok) {
        return fail(ok.error());
    }
    return count;
}

Result<qint64> EventLog::snapshotStored(Transaction &tx, const QString &schema)
{
    if (auto ok = attachedSchema(schema); !ok) {
        return fail(ok.error());
    }
    auto newest = tx.execCached(
        QStringLiteral("SELECT MAX(hlc), (SELECT MAX(seq) FROM main.event_log), COUNT(*) FROM "
                       "%1.event_log")
            .arg(schema),
        {});
    if (!newest) {
        return fail(newest.error());
    }
    if (!(*newest)->next()) {
        return qint64(0);
    }
    if (const auto stamp = Hlc::parse((*newest)->value(0).toString())) {
        m_clock.update(*stamp);
    }
    const qint64 last = (*newest)->value(1).toLongLong();
    const qint64 count = (*newest)->value(2).toLongLong();
    if (m_committed && count > 0) {
        tx.onCommit([listener = m_committed, last] { listener(last); });
    }
    return count;
}

Result<std::optional<Event>> EventLog::find(const QUuid &id) const
{
    auto events = eventsOf(execSql(
        m_db.connection(), QStringLiteral("SELECT %1 FROM event_log WHERE id = ?").arg(kColumns),
        {uuidText(id)}));
    if (!events) {
        return fail(events.error());
    }
    if (events->empty()) {
        return std::optional<Event>();
    }
    return std::optional<Event>(std::move(events->front()));
}

Result<std::vector<Event>> EventLog::pending(int limit) const
{
    return eventsOf(execSql(m_db.connection(),
                            QStringLiteral("SELECT %1 FROM event_log WHERE replica_id = ? AND "
                                           "server_seq IS NULL AND rejected IS NULL ORDER BY seq "
                                           "LIMIT ?")
                                .arg(kColumns),
                            {m_replicaId, limit}));
}

Result<qint64> EventLog::pendingCount() const
{
    auto v = queryValue(m_db.connection(),
                        QStringLiteral("SELECT COUNT(*) FROM event_log WHERE replica_id = ? AND "
                                       "server_seq IS NULL AND rejected IS NULL"),
                        {m_replicaId});
    if (!v) {
        return fail(v.error());
    }
    return v->toLongLong();
}

Result<void> EventLog::acknowledge(Transaction &, const QUuid &id, qint64 serverSeq)
{
    auto q = m_db.execCached(QStringLiteral("UPDATE event_log SET server_seq = ? WHERE id = ?"),
                             {serverSeq, uuidText(id)});
    if (!q) {
        return fail(q.error());
    }
    return {};
}

Result<void> EventLog::markRejected(Transaction &, const QUuid &id, const nlohmann::json &reason)
{
    auto q = m_db.execCached(QStringLiteral("UPDATE event_log SET rejected = ? WHERE id = ?"),
                             {QString::fromStdString(reason.dump()), uuidText(id)});
    if (!q) {
        return fail(q.error());
    }
    return {};
}

Result<void> EventLog::rewritePending(Transaction &tx, const Event &event)
{
    auto q = execSql(
        tx.db(),
        QStringLiteral("UPDATE event_log SET hlc = ?, actor_id = ?, payload = ? WHERE "
                       "id = ? AND replica_id = ? AND server_seq IS NULL AND rejected "
                       "IS NULL"),
        {event.hlc.toString(), event.actorId.isEmpty() ? QVariant() : QVariant(event.actorId),
         QString::fromStdString(event.payload.dump()), uuidText(event.id), m_replicaId});
    if (!q) {
        return fail(q.error());
    }
    if (q->numRowsAffected() != 1) {
        return fail(
            Error::notFound(QStringLiteral("no pending own event %1").arg(uuidText(event.id))));
    }
    return {};
}

Result<std::optional<Hlc>> EventLog::newestSettledStamp(Transaction &tx) const
{
    auto q = execSql(tx.db(),
                     QStringLiteral("SELECT MAX(hlc) FROM event_log WHERE NOT (replica_id = ? AND "
                                    "server_seq IS NULL AND rejected IS NULL)"),
                     {m_replicaId});
    if (!q) {
        return fail(q.error());
    }
    if (!q->next() || q->value(0).isNull()) {
        return std::optional<Hlc>();
    }
    return Hlc::parse(q->value(0).toString());
}

Result<std::vector<Event>> EventLog::readStream(Transaction &tx, const QString &stream) const
{
    return eventsOf(execSql(tx.db(),
                            QStringLiteral("SELECT %1 FROM event_log WHERE stream = ? AND "
                                           "rejected IS NULL ORDER BY seq")
                                .arg(kColumns),
                            {stream}));
}

Result<std::vector<Event>> EventLog::rejected(int limit) const
{
    return eventsOf(execSql(m_db.connection(),
                            QStringLiteral("SELECT %1 FROM event_log WHERE rejected IS NOT NULL "
                                           "ORDER BY seq DESC LIMIT ?")
                                .arg(kColumns),
                            {limit}));
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
