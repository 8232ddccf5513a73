// SPDX-License-Identifier: MIT
// Proves IdempotencyStore: a key is reserved once, its answer is replayed,
// an abandoned reservation is taken over, and keys expire after a day.
#include "backend/db/database.h"
#include "backend/db/idempotency.h"
#include "backend/db/migrations.h"

#include <QTemporaryDir>
#include <QTest>

using colophon::Database;
using colophon::IdempotencyStore;
using colophon::MigrationRegistry;
using colophon::StoredAnswer;

class TestIdempotency final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<IdempotencyStore> m_store;
    const qint64 m_now = 1'750'000'000'000;

private slots:
    void init()
    {
        static int n = 0;
        auto db = Database::openSqlite(m_dir.filePath(QStringLiteral("i%1.db").arg(n++)));
        QVERIFY(db);
        m_db = std::move(*db);
        MigrationRegistry registry;
        IdempotencyStore::registerMigrations(registry);
        QVERIFY(colophon::migrate(*m_db, registry));
        m_store = std::make_unique<IdempotencyStore>(*m_db);
    }

    void cleanup()
    {
        m_store.reset();
        m_db.reset();
    }

    void theFirstRequestReservesAndARetryGetsTheStoredAnswer()
    {
        auto first =
            m_store->reserve(QStringLiteral("s"), QStringLiteral("k"), QStringLiteral("h1"), m_now);
        QVERIFY(first);
        QVERIFY(!first->has_value()); // reserved for this request
        auto during = m_store->reserve(QStringLiteral("s"), QStringLiteral("k"),
                                       QStringLiteral("h1"), m_now + 10);
        QVERIFY(during && during->has_value());
        QVERIFY((*during)->pending);
        QVERIFY(m_store->finish(QStringLiteral("s"), QStringLiteral("k"),
                                {QStringLiteral("h1"), false, 201, "{\"id\":1}", "/x/1", "\"1\""}));
        auto retry = m_store->reserve(QStringLiteral("s"), QStringLiteral("k"),
                                      QStringLiteral("h1"), m_now + 20);
        QVERIFY(retry && retry->has_value());
        QVERIFY(!(*retry)->pending);
        QCOMPARE((*retry)->status, 201);
        QCOMPARE((*retry)->body, std::string("{\"id\":1}"));
        QCOMPARE((*retry)->requestHash, QStringLiteral("h1"));
        // Another scope has its own keys.
        auto other =
            m_store->reserve(QStringLiteral("t"), QStringLiteral("k"), QStringLiteral("h2"), m_now);
        QVERIFY(other && !other->has_value());
    }

    void anAbandonedReservationIsTakenOver()
    {
        QVERIFY(m_store->reserve(QStringLiteral("s"), QStringLiteral("k"), QStringLiteral("h1"),
                                 m_now));
        auto later =
            m_store->reserve(QStringLiteral("s"), QStringLiteral("k"), QStringLiteral("h2"),
                             m_now + IdempotencyStore::kAbandonedAfterMs + 1);
        QVERIFY(later);
        QVERIFY(!later->has_value());
    }

    void keysExpireAfterADayAndCanBeReleased()
    {
        QVERIFY(
            m_store->reserve(QStringLiteral("s"), QStringLiteral("k"), QStringLiteral("h"), m_now));
        QVERIFY(m_store->finish(QStringLiteral("s"), QStringLiteral("k"),
                                {QStringLiteral("h"), false, 201, "{}", "", ""}));
        auto expired =
            m_store->reserve(QStringLiteral("s"), QStringLiteral("k"), QStringLiteral("h"),
                             m_now + IdempotencyStore::kLifetimeMs + 1);
        QVERIFY(expired && !expired->has_value());
        QVERIFY(m_store->release(QStringLiteral("s"), QStringLiteral("k")));
        auto again = m_store->reserve(QStringLiteral("s"), QStringLiteral("k"), QStringLiteral("h"),
                                      m_now + IdempotencyStore::kLifetimeMs + 2);
        QVERIFY(again && !again->has_value());
    }
};

QTEST_GUILESS_MAIN(TestIdempotency)
#include "tst_idempotency.moc"
