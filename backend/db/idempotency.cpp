// SPDX-License-Identifier: MIT
#include "backend/db/idempotency.h"

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"

namespace colophon {

void IdempotencyStore::registerMigrations(MigrationRegistry &registry)
{
    registry.add({QStringLiteral("idempotency"),
                  1,
                  QStringLiteral("answers of POST requests by Idempotency-Key"),
                  {QStringLiteral("CREATE TABLE idempotency_keys ("
                                  " scope TEXT NOT NULL,"
                                  " key TEXT NOT NULL,"
                                  " request_hash TEXT NOT NULL,"
                                  " status INTEGER NOT NULL DEFAULT 0,"
                                  " body TEXT NOT NULL DEFAULT '',"
                                  " location TEXT NOT NULL DEFAULT '',"
                                  " etag TEXT NOT NULL DEFAULT '',"
                                  " created_at INTEGER NOT NULL,"
                                  " PRIMARY KEY (scope, key))"),
                   QStringLiteral("CREATE INDEX idempotency_keys_created ON idempotency_keys "
                                  "(created_at)")},
                  {}});
}

Result<std::optional<StoredAnswer>> IdempotencyStore::reserve(const QString &scope,
                                                              const QString &key,
                                                              const QString &requestHash,
                                                              qint64 nowMs)
{
    return m_db.transact([&](Transaction &tx) -> Result<std::optional<StoredAnswer>> {
        if (auto expired = execSql(tx.db(),
                                   QStringLiteral("DELETE FROM idempotency_keys WHERE "
                                                  "created_at < ?"),
                                   {nowMs - kLifetimeMs});
            !expired) {
            return fail(expired.error());
        }
        auto q = execSql(tx.db(),
                         QStringLiteral("SELECT request_hash, status, body, location, etag, "
                                        "created_at FROM idempotency_keys WHERE scope = ? AND "
                                        "key = ?"),
                         {scope, key});
        if (!q) {
            return fail(q.error());
        }
        if (q->next() &&
            !(q->value(1).toInt() == 0 && q->value(5).toLongLong() < nowMs - kAbandonedAfterMs)) {
            StoredAnswer a;
            a.requestHash = q->value(0).toString();
            a.status = q->value(1).toInt();
            a.pending = a.status == 0;
            a.body = q->value(2).toString().toStdString();
            a.location = q->value(3).toString().toStdString();
            a.etag = q->value(4).toString().toStdString();
            return std::optional<StoredAnswer>(std::move(a));
        }
        if (auto inserted =
                execSql(tx.db(),
                        // A reservation abandoned by a crash is taken over.
                        QStringLiteral("INSERT INTO idempotency_keys (scope, key, request_hash, "
                                       "created_at) VALUES (?, ?, ?, ?) ON CONFLICT "
                                       "(scope, key) DO UPDATE SET request_hash = "
                                       "excluded.request_hash, created_at = "
                                       "excluded.created_at, status = 0, body = '', "
                                       "location = '', etag = ''"),
                        {scope, key, requestHash, nowMs});
            !inserted) {
            return fail(inserted.error());
        }
        return std::optional<StoredAnswer>();
    });
}

Result<void> IdempotencyStore::finish(const QString &scope, const QString &key,
                                      const StoredAnswer &answer)
{
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        auto q = execSql(tx.db(),
                         QStringLiteral("UPDATE idempotency_keys SET status = ?, body = ?, "
                                        "location = ?, etag = ? WHERE scope = ? AND key = ?"),
                         {answer.status, QString::fromStdString(answer.body),
                          QString::fromStdString(answer.location),
                          QString::fromStdString(answer.etag), scope, key});
        if (!q) {
            return fail(q.error());
        }
        return {};
    });
}

Result<void> IdempotencyStore::release(const QString &scope, const QString &key)
{
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        auto q = execSql(tx.db(),
                         QStringLiteral("DELETE FROM idempotency_keys WHERE scope = ? AND key = ?"),
                         {scope, key});
        if (!q) {
            return fail(q.error());
        }
        return {};
    });
}

} // namespace colophon
