// SPDX-License-Identifier: MIT
// The sync protocol's shared vocabulary (docs/sync-protocol.md): its version,
// limits and the transport a replica speaks it over. The server side is
// SyncServer, the replica side SyncEngine; HttpSyncTransport carries it over
// HTTP and tests carry it in-process.
#pragma once

#include "backend/core/error.h"

#include <QByteArray>
#include <QString>
#include <array>
#include <nlohmann/json.hpp>

namespace colophon::sync {

// Bumped on any change a peer of the previous version would misread.
inline constexpr int kProtocolVersion = 1;
// The oldest replica protocol this server still serves.
inline constexpr int kMinProtocolVersion = 1;

struct SyncLimits
{
    int maxPushEvents = 500;   // per push request
    int maxPullEvents = 1000;  // per pull answer
    int maxWaitMs = 25000;     // the longest long-poll
    qint64 maxAheadMs = 60000; // a stamp further ahead of server time is re-stamped
};

struct PullRequest
{
    QString replicaId;
    qint64 since = 0; // the server sequence already applied
    int limit = 1000;
    int waitMs = 0; // long-poll: wait this long for something new
    // Also the checksum of every event the account may see up to the answer's
    // cursor, once the answer reaches the head (see SyncEngine::verify).
    bool checksum = false;
};

// A field of a protocol message: the string, or empty when absent or not a
// string; the integer, or `otherwise`.
QString text(const nlohmann::json &object, const char *key);
qint64 integer(const nlohmann::json &object, const char *key, qint64 otherwise = -1);

// The checksum of a set of events, whatever their order: the XOR of the
// first 16 bytes of the SHA-256 of each id.
class EventSetChecksum final
{
public:
    void add(const QString &eventId);
    QString hex() const;

private:
    std::array<unsigned char, 16> m_sum{};
};

// How a replica reaches the server: each call is one request and its answer
// (the answer's JSON), or a transport or server error.
class SyncTransport
{
public:
    virtual ~SyncTransport() = default;
    virtual Result<nlohmann::json> hello(const nlohmann::json &request) = 0;
    virtual Result<nlohmann::json> push(const nlohmann::json &request) = 0;
    virtual Result<nlohmann::json> pull(const PullRequest &request) = 0;
    // The snapshot a fresh replica may start from ({name, seq, size,
    // sha256}), or NotFound when the server has none to give.
    virtual Result<nlohmann::json> snapshotOffer(const QString &replicaId);
    // Bytes of the named snapshot from offset: the server sends at most its
    // part size at once. NotFound when that snapshot is gone.
    virtual Result<QByteArray> snapshotPart(const QString &name, qint64 offset);
};

} // namespace colophon::sync
