// SPDX-License-Identifier: MIT
#include "sync/syncserver.h"

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"
#include "backend/events/eventlog.h"
#include "backend/events/uuidv7.h"

#include <QDateTime>
#include <algorithm>
#include <set>

namespace colophon::sync {

namespace {

nlohmann::json outcome(const Event &e, qint64 dseq, const char *status)
{
    return {{"id", uuidText(e.id).toStdString()}, {"dseq", dseq}, {"status", status}};
}

nlohmann::json refusal(nlohmann::json out, const Error &error)
{
    out["code"] = errorCodeName(error.code).toStdString();
    out["message"] = error.message.toStdString();
    if (!error.field.isEmpty()) {
        out["field"] = error.field.toStdString();
    }
    return out;
}

bool validReplicaId(const QString &id)
{
    return !id.isEmpty() && id.size() <= 64 && !QUuid::fromString(id).isNull();
}

} // namespace

SyncServer::SyncServer(Database &db, EventLog &log, const ReplicationRegistry &registry,
                       SyncLimits limits, Clock clock)
    : m_db(db), m_log(log), m_registry(registry), m_limits(limits),
      m_clock(clock ? std::move(clock) : [] { return QDateTime::currentMSecsSinceEpoch(); })
{
}

void SyncServer::registerMigrations(MigrationRegistry &registry)
{
    registry.add({QStringLiteral("sync"),
                  1,
                  QStringLiteral("devices and their marks, refusals, a replica's sync state"),
                  {
                      // Server: each replica that pushed or pulled, its account
                      // and the last of its events decided.
                      QStringLiteral("CREATE TABLE sync_devices ("
                                     " replica_id TEXT PRIMARY KEY,"
                                     " user_id TEXT NOT NULL,"
                                     " mark INTEGER NOT NULL DEFAULT 0,"
                                     " role TEXT NOT NULL DEFAULT '',"
                                     " first_seen INTEGER NOT NULL,"
                                     " last_seen INTEGER NOT NULL)"),
                      // Server: refused events, so a repeated push gets the same answer.
                      QStringLiteral("CREATE TABLE sync_refusals ("
                                     " replica_id TEXT NOT NULL,"
                                     " dseq INTEGER NOT NULL,"
                                     " event_id TEXT NOT NULL,"
                                     " code TEXT NOT NULL,"
                                     " message TEXT NOT NULL,"
                                     " at INTEGER NOT NULL,"
                                     " PRIMARY KEY (replica_id, dseq))"),
                      // Replica: cursor, mark, account and server, as key and value.
                      QStringLiteral("CREATE TABLE sync_state ("
                                     " key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
                  },
                  {}});
}

Result<nlohmann::json> SyncServer::hello(const nlohmann::json &request) const
{
    const qint64 protocol = integer(request, "protocol");
    if (protocol < 0) {
        return fail(Error::invalid(QStringLiteral("hello needs the replica's protocol version"),
                                   QStringLiteral("protocol")));
    }
    if (protocol < kMinProtocolVersion || protocol > kProtocolVersion) {
        return fail(Error{ErrorCode::Conflict,
                          QStringLiteral("this server speaks sync protocol %1 to %2 and the "
                                         "replica speaks %3: update the %4")
                              .arg(kMinProtocolVersion)
                              .arg(kProtocolVersion)
                              .arg(protocol)
                              .arg(protocol > kProtocolVersion ? QStringLiteral("server")
                                                               : QStringLiteral("replica")),
                          QStringLiteral("protocol")});
    }
    return nlohmann::json{{"protocol", kProtocolVersion},
                          {"minProtocol", kMinProtocolVersion},
                          {"serverId", m_log.replicaId().toStdString()},
                          {"serverTime", m_clock()},
                          {"snapshots", m_snapshots != nullptr},
                          {"limits",
                           {{"pushEvents", m_limits.maxPushEvents},
                            {"pullEvents", m_limits.maxPullEvents},
                            {"waitMs", m_limits.maxWaitMs},
                            {"maxAheadMs", m_limits.maxAheadMs}}}};
}

Result<nlohmann::json> SyncServer::device(Transaction &tx, const Principal &principal,
                                          const QString &replicaId)
{
    if (!validReplicaId(replicaId)) {
        return fail(Error::invalid(QStringLiteral("replicaId must be the replica's UUID"),
                                   QStringLiteral("replicaId")));
    }
    if (replicaId == m_log.replicaId()) {
        return fail(Error::invalid(QStringLiteral("that is the server's own id"),
                                   QStringLiteral("replicaId")));
    }
    const qint64 now = m_clock();
    auto q = tx.execCached(
        QStringLiteral("SELECT user_id, mark, role FROM sync_devices WHERE replica_id = ?"),
        {replicaId});
    if (!q) {
        return fail(q.error());
    }
    if ((*q)->next()) {
        const QString owner = (*q)->value(0).toString();
        if (owner != principal.userId) {
            return fail(Error{ErrorCode::PermissionDenied,
                              QStringLiteral("this replica is paired with another account"),
                              QStringLiteral("replicaId")});
        }
        return nlohmann::json{{"mark", (*q)->value(1).toLongLong()},
                              {"role", (*q)->value(2).toString().toStdString()}};
    }
    auto made = tx.execCached(QStringLiteral("INSERT INTO sync_devices (replica_id, user_id, mark, "
                                             "role, first_seen, last_seen) VALUES (?, ?, 0, ?, ?, "
                                             "?)"),
                              {replicaId, principal.userId, roleName(principal.role), now, now});
    if (!made) {
        return fail(made.error());
    }
    return nlohmann::json{{"mark", 0}, {"role", roleName(principal.role).toStdString()}};
}

Result<nlohmann::json> SyncServer::push(const Principal &principal, const nlohmann::json &request)
{
    if (!request.is_object()) {
        return fail(Error::invalid(QStringLiteral("a push is a JSON object")));
    }
    const QString replicaId = text(request, "replicaId");
    const auto events = request.find("events");
    if (events == request.end() || !events->is_array()) {
        return fail(Error::invalid(QStringLiteral("a push carries a list of events"),
                                   QStringLiteral("events")));
    }
    if (static_cast<int>(events->size()) > m_limits.maxPushEvents) {
        return fail(
            Error::invalid(QStringLiteral("at most %1 events per push").arg(m_limits.maxPushEvents),
                           QStringLiteral("events")));
    }
    // Every entry is checked for its numbers before anything is decided.
    for (const auto &entry : *events) {
        if (!entry.is_object() || integer(entry, "dseq") <= 0 || integer(entry, "prev") < 0 ||
            integer(entry, "prev") >= integer(entry, "dseq")) {
            return fail(Error::invalid(QStringLiteral("each pushed event needs dseq > prev >= 0"),
                                       QStringLiteral("events")));
        }
    }
    return m_db.transact([&](Transaction &tx) -> Result<nlohmann::json> {
        auto dev = device(tx, principal, replicaId);
        if (!dev) {
            return fail(dev.error());
        }
        qint64 mark = (*dev)["mark"].get<qint64>();
        const qint64 now = m_clock();
        nlohmann::json results = nlohmann::json::array();
        bool stopped = false;
        for (const auto &entry : *events) {
            const qint64 dseq = integer(entry, "dseq");
            const qint64 prev = integer(entry, "prev");
            auto parsed =
                Event::fromWire(entry.contains("event") ? entry["event"] : nlohmann::json());
            const Event e = parsed ? *parsed : Event{};
            nlohmann::json out = outcome(e, dseq, "applied");
            if (stopped) {
                out["status"] = "deferred";
                out["code"] = "after-deferred";
                results.push_back(out);
                continue;
            }
            if (dseq <= mark) {
                // Decided before: the same answer again.
                out["status"] = "duplicate";
                if (parsed) {
                    auto stored = m_log.find(e.id);
                    if (!stored) {
                        return fail(stored.error());
                    }
                    if (*stored) {
                        out["serverSeq"] = (*stored)->localSeq;
                    }
                }
                auto refused = tx.execCached(QStringLiteral("SELECT code, message FROM "
                                                            "sync_refusals WHERE replica_id = ? "
                                                            "AND dseq = ?"),
                                             {replicaId, dseq});
                if (!refused) {
                    return fail(refused.error());
                }
                if ((*refused)->next()) {
                    out["status"] = "rejected";
                    out["code"] = (*refused)->value(0).toString().toStdString();
                    out["message"] = (*refused)->value(1).toString().toStdString();
                }
                results.push_back(out);
                continue;
            }
            if (prev != mark) {
                out["status"] = "deferred";
                out["code"] = "gap";
                out["message"] = QStringLiteral("the server has this replica's events up to %1")
                                     .arg(mark)
                                     .toStdString();
                results.push_back(out);
                stopped = true;
                continue;
            }
            if (parsed && e.hlc.physicalMs > now + m_limits.maxAheadMs) {
                out["status"] = "deferred";
                out["code"] = "clock-ahead";
                out["message"] = "the event is stamped too far ahead of server time: re-stamp it";
                results.push_back(out);
                stopped = true;
                continue;
            }
            // Decide: refused or taken, each in a savepoint of its own.
            Error why;
            auto decided = m_db.transact([&](Transaction &inner) -> Result<qint64> {
                if (!parsed) {
                    return fail(parsed.error());
                }
                if (e.replicaId != replicaId) {
                    return fail(Error::invalid(QStringLiteral("a replica pushes its own events "
                                                              "only"),
                                               QStringLiteral("replicaId")));
                }
                if (e.actorId != principal.userId) {
                    return fail(Error{ErrorCode::PermissionDenied,
                                      QStringLiteral("the event names another actor than the "
                                                     "signed-in account"),
                                      QStringLiteral("actorId")});
                }
                ReplicationHandler *handler = m_registry.handlerFor(e.type);
                if (!handler) {
                    return fail(Error::invalid(
                        QStringLiteral("%1 events are not replicated to this server").arg(e.type),
                        QStringLiteral("type")));
                }
                auto extra = handler->validate(inner, principal, e);
                if (!extra) {
                    return fail(extra.error());
                }
                auto fresh = m_log.storeRemote(inner, e);
                if (!fresh) {
                    return fail(fresh.error());
                }
                if (!*fresh) {
                    return fail(Error{ErrorCode::Conflict,
                                      QStringLiteral("an event with this id exists"),
                                      QStringLiteral("id")});
                }
                if (auto ok = handler->apply(inner, e); !ok) {
                    return fail(ok.error());
                }
                auto stored = m_log.find(e.id);
                if (!stored || !*stored) {
                    return fail(Error{
                        ErrorCode::Internal, QStringLiteral("a stored event went missing"), {}});
                }
                for (const NewEvent &ne : *extra) {
                    auto appended = m_log.append(inner, ne);
                    if (!appended) {
                        return fail(appended.error());
                    }
                    ReplicationHandler *h = m_registry.handlerFor(appended->type);
                    if (h) {
                        if (auto ok = h->apply(inner, *appended); !ok) {
                            return fail(ok.error());
                        }
                    }
                }
                return (*stored)->localSeq;
            });
            if (decided) {
                out["serverSeq"] = *decided;
            } else {
                why = decided.error();
                if (why.code == ErrorCode::Unavailable || why.code == ErrorCode::Internal) {
                    return fail(why); // not a decision: the whole push is retried
                }
                out = refusal(outcome(e, dseq, "rejected"), why);
                auto noted = tx.execCached(
                    QStringLiteral("INSERT INTO sync_refusals (replica_id, dseq, event_id, code, "
                                   "message, at) VALUES (?, ?, ?, ?, ?, ?)"),
                    {replicaId, dseq, uuidText(e.id), errorCodeName(why.code), why.message, now});
                if (!noted) {
                    return fail(noted.error());
                }
            }
            mark = dseq;
            results.push_back(out);
        }
        auto saved = tx.execCached(
            QStringLiteral("UPDATE sync_devices SET mark = ?, last_seen = ? WHERE replica_id = ?"),
            {mark, now, replicaId});
        if (!saved) {
            return fail(saved.error());
        }
        return nlohmann::json{{"results", std::move(results)}, {"mark", mark}, {"serverTime", now}};
    });
}

Result<nlohmann::json> SyncServer::pull(const Principal &principal, const PullRequest &request)
{
    if (request.since < 0) {
        return fail(
            Error::invalid(QStringLiteral("since must not be negative"), QStringLiteral("since")));
    }
    const int limit = std::clamp(request.limit, 1, m_limits.maxPullEvents);
    return m_db.transact([&](Transaction &tx) -> Result<nlohmann::json> {
        auto dev = device(tx, principal, request.replicaId);
        if (!dev) {
            return fail(dev.error());
        }
        const QString role = roleName(principal.role);
        nlohmann::json answer = {
            {"mark", (*dev)["mark"]},
            {"serverTime", m_clock()},
            {"account",
             {{"userId", principal.userId.toStdString()}, {"role", role.toStdString()}}}};
        if (QString::fromStdString((*dev)["role"].get<std::string>()) != role) {
            // What this account may see changed: the replica must start over
            // from the beginning. The new role is recorded only when it does
            // (a pull from 0), so a lost answer is simply asked again.
            if (request.since > 0) {
                answer["mustRefetch"] = true;
                answer["events"] = nlohmann::json::array();
                answer["next"] = 0;
                answer["more"] = true;
                return answer;
            }
            auto saved = tx.execCached(
                QStringLiteral("UPDATE sync_devices SET role = ? WHERE replica_id = ?"),
                {role, request.replicaId});
            if (!saved) {
                return fail(saved.error());
            }
        }
        auto page = m_log.readAfter(request.since, limit);
        if (!page) {
            return fail(page.error());
        }
        nlohmann::json events = nlohmann::json::array();
        std::set<QUuid> sent;
        qint64 next = request.since;
        const auto send = [&](const Event &e) {
            if (sent.insert(e.id).second) {
                events.push_back({{"serverSeq", e.localSeq}, {"event", e.toWire()}});
            }
        };
        for (const Event &e : *page) {
            next = e.localSeq;
            ReplicationHandler *handler = m_registry.handlerFor(e.type);
            if (!handler) {
                continue; // the server's own business (sign-ins, accounts)
            }
            const Visibility seen = handler->visibility(tx, principal, e);
            if (seen == Visibility::Hidden) {
                continue;
            }
            if (seen == Visibility::VisibleWithHistory) {
                auto history = m_log.readStream(tx, e.stream);
                if (!history) {
                    return fail(history.error());
                }
                for (const Event &earlier : *history) {
                    if (earlier.localSeq < e.localSeq) {
                        send(earlier);
                    }
                }
            }
            send(e);
        }
        answer["events"] = std::move(events);
        answer["next"] = next;
        answer["more"] = static_cast<int>(page->size()) == limit;
        answer["mustRefetch"] = false;
        if (request.checksum && !answer["more"].get<bool>()) {
            auto sum = checksum(principal, next);
            if (!sum) {
                return fail(sum.error());
            }
            answer["checksum"] = *sum;
        }
        return answer;
    });
}

Result<void> SyncServer::admit(const Principal &principal, const QString &replicaId)
{
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        auto dev = device(tx, principal, replicaId);
        if (!dev) {
            return fail(dev.error());
        }
        return {};
    });
}

Result<nlohmann::json> SyncServer::checksum(const Principal &principal, qint64 seq) const
{
    if (!isAllowed(principal.role, Action::ContentReadAllDrafts)) {
        return nlohmann::json(nullptr);
    }
    auto q = execSql(m_db.connection(),
                     QStringLiteral("SELECT id, type FROM event_log WHERE seq <= ?"), {seq});
    if (!q) {
        return fail(q.error());
    }
    EventSetChecksum sum;
    while (q->next()) {
        if (m_registry.replicates(q->value(1).toString())) {
            sum.add(q->value(0).toString());
        }
    }
    return nlohmann::json(sum.hex().toStdString());
}

Result<qint64> SyncServer::head() const
{
    return m_log.lastSeq();
}

void SyncServer::enableSnapshots(const QString &dir, SnapshotSettings settings)
{
    m_snapshots = std::make_unique<SnapshotStore>(m_db, m_log, m_registry, dir, settings);
}

Result<nlohmann::json> SyncServer::snapshotOffer(const Principal &principal,
                                                 const QString &replicaId)
{
    if (!m_snapshots) {
        return fail(
            Error::notFound(QStringLiteral("this server makes no snapshots: pull the log")));
    }
    if (auto ok = admit(principal, replicaId); !ok) {
        return fail(ok.error());
    }
    return m_snapshots->offer(principal);
}

Result<QString> SyncServer::refreshSnapshots()
{
    return m_snapshots ? m_snapshots->refresh() : Result<QString>(QString());
}

Result<SnapshotStore::Part> SyncServer::snapshotPart(const Principal &principal,
                                                     const QString &name, qint64 offset) const
{
    if (!m_snapshots) {
        return fail(Error::notFound(QStringLiteral("this server makes no snapshots")));
    }
    return m_snapshots->part(principal, name, offset);
}

} // namespace colophon::sync
