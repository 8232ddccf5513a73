// SPDX-License-Identifier: MIT
// The server side of sync (DESIGN §4): hello, push and pull over the
// server's event log, whose order is the one every replica follows.
//
// Invariants: a replica's events are taken in its own order, each exactly
// once: the device's high-water mark (the last of its events the server
// decided, taken or refused) advances in the same transaction as the
// events' effects, an event at or below it is answered as a duplicate with
// its first outcome, and one after a gap stops the batch. Every pushed event
// is decided by the service that owns its type, as the authenticated
// principal; the actor it names must be that principal. A refused event
// still advances the mark, so it never blocks the ones after it. Pull sends
// only what the principal may see, in server order.
#pragma once

#include "backend/core/error.h"
#include "backend/events/replication.h"
#include "sync/syncprotocol.h"
#include "sync/syncsnapshot.h"

#include <QString>
#include <functional>
#include <nlohmann/json.hpp>

namespace colophon {

class Database;
class EventLog;
class MigrationRegistry;

namespace sync {

class SyncServer final
{
public:
    using Clock = std::function<qint64()>; // epoch milliseconds
    SyncServer(Database &db, EventLog &log, const ReplicationRegistry &registry,
               SyncLimits limits = {}, Clock clock = {});

    // The sync tables (devices and their marks, refusals); also a replica's state.
    static void registerMigrations(MigrationRegistry &registry);

    const SyncLimits &limits() const { return m_limits; }

    // {protocol, replicaId}: the server's versions, limits and time, or a
    // Conflict that says what to upgrade.
    Result<nlohmann::json> hello(const nlohmann::json &request) const;
    // {replicaId, events: [{dseq, prev, event}]}: an outcome per event.
    Result<nlohmann::json> push(const Principal &principal, const nlohmann::json &request);
    // The visible events after request.since, the next cursor and the mark.
    // Answers at once (a long-poll waits in the HTTP layer, see waitFor()).
    Result<nlohmann::json> pull(const Principal &principal, const PullRequest &request);

    // Checks that the replica may sync as principal (its id is valid and it
    // is not paired with another account), registering it if new.
    Result<void> admit(const Principal &principal, const QString &replicaId);

    // The order-independent checksum of the events of the log up to seq that
    // replicate: the XOR of the first 16 bytes of the SHA-256 of each id, in
    // hex. Null for an account that does not see every item (what it holds
    // depends on when it pulled).
    Result<nlohmann::json> checksum(const Principal &principal, qint64 seq) const;

    // The newest server sequence.
    Result<qint64> head() const;

    // Snapshots for fresh replicas, kept in dir (see syncsnapshot.h).
    void enableSnapshots(const QString &dir, SnapshotSettings settings = {});
    bool snapshots() const { return m_snapshots != nullptr; }
    // The snapshot the replica may start from, once it is admitted; NotFound
    // when snapshots are off or there is none worth making.
    Result<nlohmann::json> snapshotOffer(const Principal &principal, const QString &replicaId);
    // SnapshotStore::refresh(); empty when snapshots are off.
    Result<QString> refreshSnapshots();
    Result<SnapshotStore::Part> snapshotPart(const Principal &principal, const QString &name,
                                             qint64 offset) const;

private:
    Result<nlohmann::json> device(Transaction &tx, const Principal &principal,
                                  const QString &replicaId);

    Database &m_db;
    EventLog &m_log;
    const ReplicationRegistry &m_registry;
    SyncLimits m_limits;
    Clock m_clock;
    std::unique_ptr<SnapshotStore> m_snapshots;
};

} // namespace sync
} // namespace colophon
