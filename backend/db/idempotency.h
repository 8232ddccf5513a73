// SPDX-License-Identifier: MIT
// Idempotency-Key support for POST requests: the first request with a key
// reserves it, its answer is stored, and a retry with the same key and the
// same request gets that answer again instead of a second effect. Keys are
// scoped (per route and caller) and forgotten after a day.
#pragma once

#include "backend/core/error.h"

#include <QString>
#include <optional>
#include <string>

namespace colophon {

class Database;
class MigrationRegistry;

struct StoredAnswer
{
    QString requestHash; // of the request that reserved the key
    bool pending = true; // reserved, no answer yet (in flight, or lost to a crash)
    int status = 0;
    std::string body;
    std::string location;
    std::string etag;
};

class IdempotencyStore final
{
public:
    explicit IdempotencyStore(Database &db) : m_db(db) {}
    static void registerMigrations(MigrationRegistry &registry);

    // Reserves scope/key for this request and answers nullopt, or answers
    // what is already held under it.
    Result<std::optional<StoredAnswer>> reserve(const QString &scope, const QString &key,
                                                const QString &requestHash, qint64 nowMs);
    Result<void> finish(const QString &scope, const QString &key, const StoredAnswer &answer);
    // Gives the key up (the request failed; a retry may use it again).
    Result<void> release(const QString &scope, const QString &key);

    static constexpr qint64 kLifetimeMs = 24 * 3600 * 1000;
    // A reservation without an answer this old was lost (the process died
    // mid-request): the next request with the key takes it over.
    static constexpr qint64 kAbandonedAfterMs = 60 * 1000;

private:
    Database &m_db;
};

} // namespace colophon
