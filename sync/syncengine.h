// SPDX-License-Identifier: MIT
// The replica side of sync (DESIGN §4): pushes this replica's events to the
// server and applies what it pulls, through the same apply code as local
// changes.
//
// Invariants: the projections always equal the server's state plus this
// replica's events the server has not decided yet (the content projection is
// order-independent, so applying pulled events under pending ones is the
// rebase); a pulled event is stored and applied at most once (by id), in the
// same transaction as the cursor it advances; a refused event is kept in the
// log with its reason and its stream is rebuilt without it; the outbox is
// the log itself (own events without a server sequence), so a crash at any
// step loses nothing and repeats nothing the server has not already answered.
#pragma once

#include "backend/core/error.h"
#include "backend/events/replication.h"
#include "sync/syncprotocol.h"

#include <QHash>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <optional>

namespace colophon {

class Database;
class EventLog;

namespace sync {

struct SyncReport
{
    int pushed = 0;     // taken by the server
    int duplicates = 0; // the server had them already
    int rejected = 0;   // refused: undone here
    int deferred = 0;   // to be sent again (a gap, a clock too far ahead)
    int pulled = 0;     // received
    int applied = 0;    // new here, applied
    bool refetched = false;
    qint64 cursor = 0;      // the server sequence applied up to
    qint64 pending = 0;     // own events still to push
    QStringList refusals;   // "<type> <id>: <message>" for each refused event
    qint64 snapshotSeq = 0; // started from the server's snapshot as of this sequence
    qint64 snapshotEvents = 0;
    QString snapshotError; // a snapshot that could not be installed: the log was pulled instead
    struct SnapshotTiming
    {
        qint64 bytes = 0;      // compressed, as downloaded
        qint64 offerMs = 0;    // asking for it (the server may make it then)
        qint64 downloadMs = 0; // receiving its parts
        qint64 unpackMs = 0;   // hashing and decompressing them as they came
        qint64 installMs = 0;  // copying it into the replica, one transaction
    } snapshotTiming;
    nlohmann::json toJson() const;
};

class SyncEngine final
{
public:
    SyncEngine(Database &db, EventLog &log, const ReplicationRegistry &registry,
               SyncTransport &transport);

    // The replica's stored state: the server sequence pulled up to, the
    // mark the server last reported, the account it syncs as.
    Result<qint64> cursor() const;
    Result<nlohmann::json> account() const;
    // The same, read from a replica's database without an engine.
    static Result<qint64> storedCursor(Database &db);
    static Result<nlohmann::json> storedAccount(Database &db);

    // A fresh replica (nothing replicated yet) starts from the server's
    // snapshot instead of pulling every event. Downloads go to dir (by
    // default "sync" beside the replica's database; empty: never), and a
    // cut download resumes where it stopped.
    void setSnapshotDir(const QString &dir) { m_snapshotDir = dir; }

    // Checks that the server speaks this protocol; once per engine is enough.
    Result<nlohmann::json> hello();
    // Pushes the outbox in batches until it is empty or the server defers.
    Result<SyncReport> push();
    // Pulls and applies until caught up (waitMs: long-poll on the first page).
    Result<SyncReport> pull(int waitMs = 0);
    // hello (once), push, pull, and push again what the pull made possible.
    Result<SyncReport> sync();

    // Whether this replica holds exactly the events the server holds for
    // its account, up to its cursor (after pulling what is new): compares
    // the order-independent checksums of the two sets.
    struct Verification
    {
        bool comparable = false; // false for an account that does not see every item
        bool same = false;
        QString server;
        QString local;
        qint64 cursor = 0;
    };
    Result<Verification> verify();

    // Own events waiting to be pushed that name another actor than the
    // account this replica syncs as: changes made before it was paired.
    Result<int> foreignPending() const;
    // Makes those changes the account's own (the person confirmed it), so
    // the server takes them as the signed-in user's.
    Result<int> adoptPending(const QString &userId);

private:
    static Result<QString> state(Database &db, const QString &key);
    Result<void> setState(Transaction &tx, const QString &key, const QString &value);
    // Rebuilds each stream (to the type of the event that forces it, whose
    // handler owns it) from its events that still count.
    Result<void> undo(Transaction &tx, const QHash<QString, QString> &streams);
    // The server found this replica's clock too far ahead: learns the
    // correction and re-stamps the pending events from the first one ahead.
    Result<void> restamp(qint64 serverTimeMs);
    // A fresh replica: fetches and installs the server's snapshot. The
    // sequence it is as of, or nothing when there is none (pull from 0).
    Result<std::optional<qint64>> startFromSnapshot(SyncReport &report);

    Database &m_db;
    EventLog &m_log;
    const ReplicationRegistry &m_registry;
    SyncTransport &m_transport;
    bool m_greeted = false;
    int m_pushLimit = 500;
    int m_pullLimit = 1000;
    qint64 m_maxAheadMs = 60000;
    QString m_snapshotDir;
};

} // namespace sync
} // namespace colophon
