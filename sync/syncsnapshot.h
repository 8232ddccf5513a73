// SPDX-License-Identifier: MIT
// Snapshots (docs/sync-protocol.md, "Snapshot"): a fresh replica starts from
// the server's rows as of a sequence instead of applying every event, then
// pulls the events after it.
//
// A snapshot is an SQLite file holding, for one view (what an account may
// see), the visible events up to its sequence and the projection rows of
// every stream whose events are all visible (`snapshot_streams`), zstd-
// compressed. Applying a whole stream's events makes exactly its rows
// (ReplicationHandler::snapshotTables), so copying them is the same as
// applying them; the few visible events of partly visible streams (an item
// of someone else that was withdrawn) are applied as a pull would.
//
// Invariants: a snapshot never holds what its view may not see; it is
// immutable once named (`<view>-<seq>`), so a download resumes by offset; a
// replica installs one only while it holds nothing replicated, in one
// transaction with its cursor, so a crash leaves it as it was.
#pragma once

#include "backend/core/error.h"
#include "backend/events/replication.h"

#include <QByteArray>
#include <QString>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace colophon {

class Database;
class EventLog;
class Transaction;

namespace sync {

struct SnapshotSettings
{
    qint64 minEvents = 5000; // a shorter log is simply pulled
    // A snapshot further behind the head than this, or than its own
    // sequence, is made again.
    qint64 maxLagEvents = 20000;
    qint64 partBytes = qint64(8) * 1024 * 1024; // the most one part request returns
    // A snapshot of one account's view serves that account's first sync:
    // it is removed this long after it was made (a cut download of it may
    // resume meanwhile), so accounts do not each keep one for good.
    qint64 accountViewSeconds = 3600;
};

// Server side: makes snapshots on demand, one per view, and serves their bytes.
class SnapshotStore final
{
public:
    SnapshotStore(Database &db, EventLog &log, const ReplicationRegistry &registry, QString dir,
                  SnapshotSettings settings = {});

    const SnapshotSettings &settings() const { return m_settings; }

    // The snapshot principal may start from: {name, seq, size, sha256}. A
    // recent one is reused; otherwise it is made now (seconds for 100,000
    // items; requests for the same view wait for it). NotFound when the log
    // is too short to be worth one, or the database is not SQLite.
    Result<nlohmann::json> offer(const Principal &principal);

    // Makes the snapshot editors and admins share ahead of time, when the
    // newest is missing or stale and the log is long enough, so a fresh
    // replica finds one ready. For a background thread: it only reads the
    // log. The name of the snapshot made, or empty when none was needed.
    Result<QString> refresh();

    struct Part
    {
        QByteArray data;
        qint64 total = 0; // the whole file's size
    };
    // Up to partBytes of the named snapshot from offset. NotFound when it is
    // gone (made again since) or is not of principal's view; InvalidInput
    // for an offset outside it.
    Result<Part> part(const Principal &principal, const QString &name, qint64 offset) const;

private:
    QString viewOf(const Principal &principal) const;
    // The newest snapshot of view kept that may still be offered at head,
    // or -1 (its sequence).
    qint64 reusable(const QString &view, qint64 head) const;
    // Removes the account views' snapshots older than accountViewSeconds.
    void prune() const;
    Result<nlohmann::json> make(const Principal &principal, const QString &view);
    // Fills the attached snapshot for principal; everything when tx is null
    // (a plain read), else event by event by visibility, in tx. Its sequence.
    Result<qint64> fill(const Principal &principal, Transaction *tx);
    nlohmann::json describe(const QString &name, qint64 seq, const QString &path) const;

    Database &m_db;
    EventLog &m_log;
    const ReplicationRegistry &m_registry;
    QString m_dir;
    SnapshotSettings m_settings;
    std::mutex m_mutex; // one snapshot made at a time
};

// Replica side: installs the (uncompressed) snapshot at path in one
// transaction: its events into the log, the rows of its whole streams into
// the projections, its other events applied as pulled ones are; alongside
// runs in the same transaction (the cursor). Returns how many events it held.
// The write-ahead log it grows is checkpointed in the background
// by Database::transact (kCheckpointFrames).
Result<qint64> installSnapshotFile(Database &db, EventLog &log, const ReplicationRegistry &registry,
                                   const QString &path,
                                   const std::function<Result<void>(Transaction &)> &alongside);
// The sequence an (uncompressed) snapshot file is as of.
Result<qint64> snapshotSeq(Database &db, const QString &path);

// Compresses one file into another as a zstd frame (RFC 8878), level 1,
// with its checksum.
Result<void> compressFile(const QString &from, const QString &to);

// Replica side: a snapshot's download, unpacked as it arrives. Each part is
// hashed and decompressed into the database file while it is in memory, so the
// download is never read back; a resumed download feeds what it had first.
class SnapshotUnpacker final
{
public:
    // Truncates (creates) the uncompressed file at path.
    static Result<std::unique_ptr<SnapshotUnpacker>> open(const QString &path);
    ~SnapshotUnpacker();
    SnapshotUnpacker(const SnapshotUnpacker &) = delete;
    SnapshotUnpacker &operator=(const SnapshotUnpacker &) = delete;

    Result<void> feed(const QByteArray &compressed);
    // Checks the frame is whole (zstd's own checksum included) and
    // returns the SHA-256 of the bytes fed, in lowercase hex.
    Result<QString> finish();

private:
    struct State;
    explicit SnapshotUnpacker(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

// The SHA-256 of a file, in lowercase hex.
Result<QString> fileSha256(const QString &path);

} // namespace sync
} // namespace colophon
