// SPDX-License-Identifier: MIT
// The replica's event log: every change of state, in this replica's order.
//
// Invariants: an event is appended inside the caller's write transaction, so
// it is stored if and only if the projection change beside it commits; local
// sequence numbers only grow; the clock is seeded from the newest stored stamp
// at start, so stamps keep growing across restarts even if the wall clock
// stepped back.
#pragma once

#include "backend/core/error.h"
#include "backend/events/event.h"
#include "backend/events/hybridclock.h"
#include "backend/events/uuidv7.h"

#include <QStringList>
#include <functional>
#include <memory>
#include <vector>

namespace colophon {

class Database;
class MigrationRegistry;
class Transaction;

// A filtered, paged read of the log, newest first (activity views, audits).
// Every non-empty filter must hold; an empty one does not filter.
struct EventQuery
{
    QStringList types;    // exact type names, any of them; empty: all
    QString typePrefix;   // e.g. "Content": types starting so (case-sensitive)
    QString stream;       // exact, e.g. "content/<id>"
    QString streamPrefix; // e.g. "user/"
    QString actorId;      // who caused it
    // Time window by the HLC physical time (when the change was made, on the
    // replica that made it; not when this replica recorded it): sinceMs
    // inclusive, untilMs exclusive; 0 leaves that side open.
    qint64 sinceMs = 0;
    qint64 untilMs = 0;
    // Paging cursor: only events with localSeq < beforeSeq; 0 starts at the
    // newest. Pass the last (oldest) localSeq of a page to get the next.
    qint64 beforeSeq = 0;
    int limit = 100; // clamped to 1..1000
};

class EventLog final
{
public:
    // Adds the log's own tables (events, checkpoints, replica identity).
    static void registerMigrations(MigrationRegistry &registry);

    // Opens the log of a migrated database: reads or creates the replica id
    // and seeds the clock. wallClock is for tests.
    static Result<std::unique_ptr<EventLog>> open(Database &db,
                                                  HybridClock::WallClock wallClock = {});

    QString replicaId() const { return m_replicaId; }
    HybridClock &clock() { return m_clock; }

    // Stamps and stores the event in tx; on commit, the committed-listener is
    // told the new sequence. The traceparent is taken from the caller.
    Result<Event> append(Transaction &tx, NewEvent event, const QString &traceparent = {});

    // Events after seq in log order, at most limit.
    Result<std::vector<Event>> readAfter(qint64 seq, int limit) const;
    // Events of the stream or caused by the actor, in log order, at most limit.
    Result<std::vector<Event>> readInvolving(const QString &stream, const QString &actorId,
                                             int limit) const;
    // Events matching q, newest first (by local sequence), at most q.limit
    // (clamped to 1..1000). A negative cursor or time, or an empty window
    // (untilMs <= sinceMs), is InvalidInput naming the field.
    Result<std::vector<Event>> query(const EventQuery &q) const;
    // Erasure of personal data (the right to be forgotten): rewrites the
    // payload of every event of the stream in tx with redact. The one place
    // the log is changed after the fact; ids, order and stamps stay.
    Result<int> redactStream(Transaction &tx, const QString &stream,
                             const std::function<void(nlohmann::json &)> &redact);
    Result<qint64> count() const;
    Result<qint64> lastSeq() const;

    // --- Replication (DESIGN §4) ---
    // On the server, the log's own order is the order every replica follows:
    // each stored event's serverSeq is its localSeq.
    void setServerOrdered(bool on) { m_serverOrdered = on; }
    bool serverOrdered() const { return m_serverOrdered; }
    // Stores an event made elsewhere as it is (id, stamp, replica, actor) and
    // merges its stamp into the clock. When an event with that id is stored
    // already, only records serverSeq (if given). True when it was new.
    Result<bool> storeRemote(Transaction &tx, const Event &event,
                             std::optional<qint64> serverSeq = {});
    // Stores, in tx and in their order, the events of a snapshot attached as
    // schema (its event_log table is the server's, seq being the server
    // sequence), and merges their newest stamp into the clock. For a replica
    // that holds none of them yet; an event already stored fails the whole.
    // Returns how many were stored.
    Result<qint64> storeSnapshot(Transaction &tx, const QString &schema);
    // The same once the snapshot's rows were copied into an empty log as
    // they are (seq = server_seq, recorded_at the server's): merges their
    // newest stamp into the clock and tells the committed listener.
    Result<qint64> snapshotStored(Transaction &tx, const QString &schema);
    // The event with this id, if stored.
    Result<std::optional<Event>> find(const QUuid &id) const;
    // This replica's own events the server has neither acknowledged nor
    // refused, in log order, at most limit.
    Result<std::vector<Event>> pending(int limit) const;
    Result<qint64> pendingCount() const;
    // The server took the event at serverSeq.
    Result<void> acknowledge(Transaction &tx, const QUuid &id, qint64 serverSeq);
    // The server refused the event: it stays in the log with the reason and
    // no longer counts (the caller undoes its effect).
    Result<void> markRejected(Transaction &tx, const QUuid &id, const nlohmann::json &reason);
    // Rewrites an own event the server has not decided yet: its stamp (a
    // clock that ran ahead), its actor and payload (content made before the
    // replica was paired, adopted by the signed-in account). The caller
    // re-applies its stream. NotFound for any other event.
    Result<void> rewritePending(Transaction &tx, const Event &event);
    // The newest stamp of the events that are not own pending ones: what the
    // server and this replica agree has happened.
    Result<std::optional<Hlc>> newestSettledStamp(Transaction &tx) const;
    // The stream's events that count (not refused), in log order, read in tx.
    Result<std::vector<Event>> readStream(Transaction &tx, const QString &stream) const;
    // Refused events, newest first.
    Result<std::vector<Event>> rejected(int limit) const;

    // Called (on the committing thread) after each transaction that appended
    // events commits, with the highest sequence it wrote. The event bus hooks in here.
    void setCommittedListener(std::function<void(qint64)> listener);

private:
    EventLog(Database &db, QString replicaId, HybridClock::WallClock wallClock);
    Result<void> setServerSeq(qint64 seq, qint64 serverSeq);
    Database &m_db;
    QString m_replicaId;
    HybridClock m_clock;
    UuidV7Generator m_ids;
    std::function<void(qint64)> m_committed;
    bool m_serverOrdered = false;
};

} // namespace colophon
