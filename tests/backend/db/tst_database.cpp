// SPDX-License-Identifier: MIT
// Tests of Database: connection setup, per-thread connections, transactions, savepoints, hooks.
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>
#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

using colophon::Database;
using colophon::Error;
using colophon::ErrorCode;
using colophon::execSql;
using colophon::fail;
using colophon::queryValue;
using colophon::Result;
using colophon::Transaction;

Q_DECLARE_METATYPE(colophon::ErrorCode)

namespace {

QString describe(const Error &e)
{
    return QStringLiteral("%1: %2").arg(colophon::errorCodeName(e.code), e.message);
}

// The failure message of a result, empty when it holds a value (QVERIFY2 evaluates it anyway).
template <typename T> QString why(const Result<T> &r)
{
    return r ? QString() : describe(r.error());
}

// Runs one statement, failing loudly when it does not work.
bool run(const QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values = {})
{
    auto q = execSql(db, sql, values);
    if (!q) {
        qWarning("%s", qPrintable(describe(q.error())));
    }
    return q.has_value();
}

Result<void> insertItem(Transaction &tx, const QString &name)
{
    auto q = execSql(tx.db(), QStringLiteral("INSERT INTO items (name) VALUES (?)"), {name});
    if (!q) {
        return fail(q.error());
    }
    return {};
}

// The item names in this thread's view of the database, sorted.
QStringList itemNames(Database &db)
{
    QStringList names;
    auto q = execSql(db.connection(), QStringLiteral("SELECT name FROM items ORDER BY name"));
    if (!q) {
        return {QStringLiteral("<error: %1>").arg(q.error().message)};
    }
    while (q->next()) {
        names << q->value(0).toString();
    }
    return names;
}

// fn() on a thread of its own, with that thread's connection closed before it ends.
template <typename F> auto onOtherThread(Database &db, F fn) -> decltype(fn())
{
    std::optional<decltype(fn())> result;
    std::thread t([&] {
        result.emplace(fn());
        db.closeThreadConnection();
    });
    t.join();
    return std::move(*result);
}

} // namespace

class TestDatabase final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Database> open(const QString &name, int busyTimeoutMs = 5000)
    {
        auto db = Database::openSqlite(m_dir.filePath(name), busyTimeoutMs);
        if (!db) {
            qWarning("%s", qPrintable(describe(db.error())));
            return nullptr;
        }
        return std::move(*db);
    }

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db; // a fresh file with an empty items table, per test
    int m_files = 0;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        m_db = open(QStringLiteral("test-%1.db").arg(m_files++));
        QVERIFY(m_db);
        QVERIFY(run(m_db->connection(),
                    QStringLiteral("CREATE TABLE items (name TEXT PRIMARY KEY, n INTEGER)")));
    }

    void cleanup() { m_db.reset(); }

    void connectionSetupIsApplied_data()
    {
        QTest::addColumn<QString>("pragma");
        QTest::addColumn<QString>("expected");
        QTest::newRow("journal_mode") << QStringLiteral("journal_mode") << QStringLiteral("wal");
        QTest::newRow("page_size") << QStringLiteral("page_size") << QStringLiteral("8192");
        QTest::newRow("foreign_keys") << QStringLiteral("foreign_keys") << QStringLiteral("1");
        QTest::newRow("synchronous NORMAL") << QStringLiteral("synchronous") << QStringLiteral("1");
        QTest::newRow("busy_timeout") << QStringLiteral("busy_timeout") << QStringLiteral("1234");
        QTest::newRow("temp_store MEMORY") << QStringLiteral("temp_store") << QStringLiteral("2");
        QTest::newRow("journal_size_limit 64 MiB")
            << QStringLiteral("journal_size_limit") << QStringLiteral("67108864");
    }

    void connectionSetupIsApplied()
    {
        QFETCH(QString, pragma);
        QFETCH(QString, expected);
        auto db = open(QStringLiteral("pragma-%1.db").arg(pragma), 1234);
        QVERIFY(db);
        QVERIFY2(db->lastOpenError().isEmpty(), qPrintable(db->lastOpenError()));

        // On this thread's connection and on another thread's: the setup is per connection.
        const QString sql = QStringLiteral("PRAGMA ") + pragma;
        const auto here = queryValue(db->connection(), sql);
        QVERIFY2(here, qPrintable(why(here)));
        QCOMPARE(here->toString().toLower(), expected);
        const auto there = onOtherThread(*db, [&] { return queryValue(db->connection(), sql); });
        QVERIFY2(there, qPrintable(why(there)));
        QCOMPARE(there->toString().toLower(), expected);
    }

    void pageSizeIsWrittenIntoANewFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("pages.db"));
        {
            auto db = open(QStringLiteral("pages.db"));
            QVERIFY(db);
            QVERIFY(run(db->connection(), QStringLiteral("CREATE TABLE t (x INTEGER)")));
        } // the last connection closes: the WAL is checkpointed into the file
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray header = file.read(100);
        QCOMPARE(header.left(16), QByteArray("SQLite format 3\0", 16));
        // Bytes 16-17: the page size, big-endian. Bytes 18-19: 2 = WAL.
        QCOMPARE((static_cast<quint8>(header[16]) << 8) | static_cast<quint8>(header[17]), 8192);
        QCOMPARE(static_cast<int>(header[18]), 2);
        QCOMPARE(static_cast<int>(header[19]), 2);
    }

    void foreignKeysAreEnforced()
    {
        const QSqlDatabase c = m_db->connection();
        QVERIFY(run(c, QStringLiteral("CREATE TABLE parent (id INTEGER PRIMARY KEY)")));
        QVERIFY(run(c, QStringLiteral("CREATE TABLE child (parent_id INTEGER NOT NULL "
                                      "REFERENCES parent (id))")));
        const auto orphan = execSql(c, QStringLiteral("INSERT INTO child VALUES (42)"));
        QVERIFY(!orphan);
        QVERIFY2(orphan.error().message.contains(QLatin1String("FOREIGN KEY")),
                 qPrintable(orphan.error().message));
        QVERIFY(run(c, QStringLiteral("INSERT INTO parent VALUES (42)")));
        QVERIFY(run(c, QStringLiteral("INSERT INTO child VALUES (42)")));
    }

    void eachThreadGetsItsOwnConnection()
    {
        const QString mine = m_db->connection().connectionName();
        QCOMPARE(m_db->connection().connectionName(), mine); // reused on the same thread

        struct Seen
        {
            QString name;
            bool open = false;
            bool wrote = false;
            QStringList names;
        };
        const Seen other = onOtherThread(*m_db, [&] {
            Seen s;
            s.name = m_db->connection().connectionName();
            s.open = m_db->connection().isOpen();
            s.wrote = m_db->transact([](Transaction &tx) {
                              return insertItem(tx, QStringLiteral("from-thread"));
                          })
                          .has_value();
            s.names = itemNames(*m_db);
            return s;
        });
        QVERIFY(other.open);
        QVERIFY(!other.name.isEmpty());
        QVERIFY2(other.name != mine, qPrintable(other.name));
        QVERIFY(other.wrote);
        QCOMPARE(other.names, QStringList{QStringLiteral("from-thread")});

        // This thread's connection still works and sees the other thread's commit.
        QVERIFY(
            m_db->transact([](Transaction &tx) { return insertItem(tx, QStringLiteral("main")); }));
        QCOMPARE(itemNames(*m_db),
                 (QStringList{QStringLiteral("from-thread"), QStringLiteral("main")}));
        QVERIFY(!QSqlDatabase::connectionNames().contains(other.name)); // closed when done
    }

    void transactCommitsAndReturnsTheValue()
    {
        const auto r = m_db->transact([](Transaction &tx) -> Result<int> {
            if (auto done = insertItem(tx, QStringLiteral("a")); !done) {
                return fail(done.error());
            }
            return 42;
        });
        QVERIFY2(r, qPrintable(why(r)));
        QCOMPARE(*r, 42);
        QCOMPARE(itemNames(*m_db), QStringList{QStringLiteral("a")});
        // Committed, not merely visible to this connection.
        QCOMPARE(onOtherThread(*m_db, [&] { return itemNames(*m_db); }),
                 QStringList{QStringLiteral("a")});
    }

    void transactRollsBackOnFailure_data()
    {
        QTest::addColumn<bool>("throws");
        QTest::newRow("error result") << false;
        QTest::newRow("exception") << true;
    }

    void transactRollsBackOnFailure()
    {
        QFETCH(bool, throws);
        QVERIFY(
            m_db->transact([](Transaction &tx) { return insertItem(tx, QStringLiteral("kept")); }));

        auto failing = [&](Transaction &tx) -> Result<void> {
            if (auto done = insertItem(tx, QStringLiteral("lost")); !done) {
                return done;
            }
            if (throws) {
                throw std::runtime_error("boom");
            }
            return fail(Error::invalid(QStringLiteral("nope"), QStringLiteral("field")));
        };
        if (throws) {
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, (void)m_db->transact(failing));
        } else {
            const auto r = m_db->transact(failing);
            QVERIFY(!r);
            // The callback's error comes back unchanged.
            QCOMPARE(r.error().code, ErrorCode::InvalidInput);
            QCOMPARE(r.error().message, QStringLiteral("nope"));
            QCOMPARE(r.error().field, QStringLiteral("field"));
        }
        QCOMPARE(itemNames(*m_db), QStringList{QStringLiteral("kept")});

        // The connection is out of the transaction: the next one is a fresh BEGIN that commits.
        QVERIFY(
            m_db->transact([](Transaction &tx) { return insertItem(tx, QStringLiteral("next")); }));
        QCOMPARE(onOtherThread(*m_db, [&] { return itemNames(*m_db); }),
                 (QStringList{QStringLiteral("kept"), QStringLiteral("next")}));
    }

    void nestedTransactionRollsBackOnlyItsSavepoint_data()
    {
        QTest::addColumn<bool>("throws");
        QTest::newRow("inner error result") << false;
        QTest::newRow("inner exception, caught by outer") << true;
    }

    void nestedTransactionRollsBackOnlyItsSavepoint()
    {
        QFETCH(bool, throws);
        std::optional<ErrorCode> innerError;
        const auto outer = m_db->transact([&](Transaction &tx) -> Result<void> {
            if (auto done = insertItem(tx, QStringLiteral("outer-before")); !done) {
                return done;
            }
            auto inner = [&](Transaction &itx) -> Result<void> {
                if (auto done = insertItem(itx, QStringLiteral("inner")); !done) {
                    return done;
                }
                if (throws) {
                    throw std::runtime_error("inner boom");
                }
                return fail(Error::conflict(QStringLiteral("inner fails")));
            };
            try {
                const auto r = m_db->transact(inner);
                innerError = r ? std::nullopt : std::optional(r.error().code);
            } catch (const std::runtime_error &) {
                innerError = ErrorCode::Internal;
            }
            return insertItem(tx, QStringLiteral("outer-after"));
        });
        QVERIFY2(outer, qPrintable(why(outer)));
        QVERIFY(innerError.has_value());
        QCOMPARE(*innerError, throws ? ErrorCode::Internal : ErrorCode::Conflict);
        QCOMPARE(onOtherThread(*m_db, [&] { return itemNames(*m_db); }),
                 (QStringList{QStringLiteral("outer-after"), QStringLiteral("outer-before")}));
    }

    void innerCommitIsUndoneByOuterRollback()
    {
        const auto outer = m_db->transact([&](Transaction &tx) -> Result<void> {
            if (auto done = insertItem(tx, QStringLiteral("outer")); !done) {
                return done;
            }
            const auto inner = m_db->transact(
                [](Transaction &itx) { return insertItem(itx, QStringLiteral("inner")); });
            if (!inner) {
                return inner;
            }
            // The savepoint is released: its row is visible inside the outer transaction.
            if (itemNames(*m_db).size() != 2) {
                return fail(Error::internal(QStringLiteral("inner row not visible")));
            }
            return fail(Error::conflict(QStringLiteral("outer fails")));
        });
        QVERIFY(!outer);
        QCOMPARE(outer.error().code, ErrorCode::Conflict);
        QCOMPARE(itemNames(*m_db), QStringList());
    }

    void commitHookRunsOnlyAfterCommit()
    {
        int runs = 0;
        QStringList seenByOtherConnection;
        const auto r = m_db->transact([&](Transaction &tx) -> Result<void> {
            tx.onCommit([&] {
                ++runs;
                seenByOtherConnection = onOtherThread(*m_db, [&] { return itemNames(*m_db); });
            });
            if (auto done = insertItem(tx, QStringLiteral("a")); !done) {
                return done;
            }
            if (runs != 0) {
                return fail(Error::internal(QStringLiteral("hook ran inside the transaction")));
            }
            return {};
        });
        QVERIFY2(r, qPrintable(why(r)));
        QCOMPARE(runs, 1);
        // When the hook ran the data was durable: another connection could read it.
        QCOMPARE(seenByOtherConnection, QStringList{QStringLiteral("a")});
    }

    void commitHooksRunInRegistrationOrder()
    {
        QStringList order;
        QVERIFY(m_db->transact([&](Transaction &tx) -> Result<void> {
            tx.onCommit([&] { order << QStringLiteral("first"); });
            tx.onCommit([&] { order << QStringLiteral("second"); });
            return m_db->transact([&](Transaction &inner) -> Result<void> {
                inner.onCommit([&] { order << QStringLiteral("third"); });
                return {};
            });
        }));
        QCOMPARE(order, (QStringList{QStringLiteral("first"), QStringLiteral("second"),
                                     QStringLiteral("third")}));
    }

    void commitHookNeverRunsAfterRollback_data()
    {
        QTest::addColumn<bool>("throws");
        QTest::newRow("error result") << false;
        QTest::newRow("exception") << true;
    }

    void commitHookNeverRunsAfterRollback()
    {
        QFETCH(bool, throws);
        int runs = 0;
        auto failing = [&](Transaction &tx) -> Result<void> {
            tx.onCommit([&] { ++runs; });
            if (throws) {
                throw std::runtime_error("boom");
            }
            return fail(Error::conflict(QStringLiteral("no")));
        };
        if (throws) {
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, (void)m_db->transact(failing));
        } else {
            QVERIFY(!m_db->transact(failing));
        }
        QCOMPARE(runs, 0);
        // Nor later, with the next commit on this thread.
        QVERIFY(
            m_db->transact([](Transaction &tx) { return insertItem(tx, QStringLiteral("x")); }));
        QCOMPARE(runs, 0);
    }

    void nestedCommitHookWaitsForOutermostCommit_data()
    {
        QTest::addColumn<bool>("outerCommits");
        QTest::newRow("outer commits") << true;
        QTest::newRow("outer rolls back") << false;
    }

    void nestedCommitHookWaitsForOutermostCommit()
    {
        QFETCH(bool, outerCommits);
        int runs = 0;
        int runsAfterInner = -1;
        const auto r = m_db->transact([&](Transaction &) -> Result<void> {
            const auto inner = m_db->transact([&](Transaction &itx) -> Result<void> {
                itx.onCommit([&] { ++runs; });
                return insertItem(itx, QStringLiteral("inner"));
            });
            if (!inner) {
                return inner;
            }
            runsAfterInner = runs;
            if (!outerCommits) {
                return fail(Error::conflict(QStringLiteral("outer fails")));
            }
            return {};
        });
        QCOMPARE(r.has_value(), outerCommits);
        QCOMPARE(runsAfterInner, 0); // the savepoint's release is not a commit
        QCOMPARE(runs, outerCommits ? 1 : 0);
    }

    void commitHookOfRolledBackSavepointIsDropped()
    {
        // The inner writes are undone, so their hook must not run, even though the outer commits.
        int innerRuns = 0;
        int outerRuns = 0;
        const auto r = m_db->transact([&](Transaction &tx) -> Result<void> {
            tx.onCommit([&] { ++outerRuns; });
            const auto inner = m_db->transact([&](Transaction &itx) -> Result<void> {
                itx.onCommit([&] { ++innerRuns; });
                if (auto done = insertItem(itx, QStringLiteral("inner")); !done) {
                    return done;
                }
                return fail(Error::conflict(QStringLiteral("inner fails")));
            });
            if (inner) {
                return fail(Error::internal(QStringLiteral("inner should have failed")));
            }
            return insertItem(tx, QStringLiteral("outer"));
        });
        QVERIFY2(r, qPrintable(why(r)));
        QCOMPARE(itemNames(*m_db), QStringList{QStringLiteral("outer")});
        QCOMPARE(outerRuns, 1);
        QCOMPARE(innerRuns, 0);
    }

    void concurrentReadThenWriteTransactionsAllSucceed_data()
    {
        QTest::addColumn<bool>("separateInstances");
        QTest::newRow("two threads, one Database") << false;
        // Each thread its own Database on the same file: only SQLite's locking (BEGIN
        // IMMEDIATE and the busy timeout) stands between them, as between two processes.
        QTest::newRow("two Database instances, as two processes") << true;
    }

    void concurrentReadThenWriteTransactionsAllSucceed()
    {
        QFETCH(bool, separateInstances);
        constexpr int kThreads = 2;
        constexpr int kIncrements = 200;
        QVERIFY(run(m_db->connection(),
                    QStringLiteral("INSERT INTO items (name, n) VALUES ('counter', 0)")));
        std::vector<std::unique_ptr<Database>> others;
        for (int t = 0; t < kThreads && separateInstances; ++t) {
            others.push_back(open(QStringLiteral("test-%1.db").arg(m_files - 1)));
            QVERIFY(others.back());
            QCOMPARE(others.back()->path(), m_db->path());
        }

        std::atomic<int> failures{0};
        QString firstFailure;
        std::mutex failureMutex;
        auto worker = [&](Database *db) {
            for (int i = 0; i < kIncrements; ++i) {
                // Read, then write what was read plus one: a lost update shows in the total.
                const auto r = db->transact([](Transaction &tx) -> Result<void> {
                    const auto n = queryValue(
                        tx.db(), QStringLiteral("SELECT n FROM items WHERE name = 'counter'"));
                    if (!n) {
                        return fail(n.error());
                    }
                    auto q = execSql(
                        tx.db(), QStringLiteral("UPDATE items SET n = ? WHERE name = 'counter'"),
                        {n->toLongLong() + 1});
                    if (!q) {
                        return fail(q.error());
                    }
                    return {};
                });
                if (!r && failures++ == 0) {
                    std::lock_guard lock(failureMutex);
                    firstFailure = describe(r.error());
                }
            }
            db->closeThreadConnection();
        };
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back(worker, separateInstances ? others[t].get() : m_db.get());
        }
        for (auto &t : threads) {
            t.join();
        }
        QVERIFY2(
            failures == 0,
            qPrintable(
                QStringLiteral("%1 failed, first: %2").arg(failures.load()).arg(firstFailure)));
        const auto n = queryValue(m_db->connection(),
                                  QStringLiteral("SELECT n FROM items WHERE name = 'counter'"));
        QVERIFY(n);
        QCOMPARE(n->toLongLong(), qint64(kThreads * kIncrements));
    }

    void writerBlockedPastBusyTimeoutGetsUnavailable()
    {
        // The lock is held by another Database on the file, which stands for another process.
        auto db = open(QStringLiteral("busy.db"), 50);
        QVERIFY(db);
        auto holderDb = open(QStringLiteral("busy.db"));
        QVERIFY(holderDb);
        QVERIFY(run(db->connection(),
                    QStringLiteral("CREATE TABLE items (name TEXT PRIMARY KEY, n INTEGER)")));

        std::promise<void> holding;
        std::promise<void> release;
        std::shared_future<void> released = release.get_future().share();
        std::atomic<bool> holderCommitted{false};
        std::thread holder([&] {
            bool signalled = false;
            const auto r = holderDb->transact([&](Transaction &tx) -> Result<void> {
                auto done = insertItem(tx, QStringLiteral("holder"));
                signalled = true;
                holding.set_value();
                released.wait();
                return done;
            });
            if (!signalled) {
                holding.set_value(); // BEGIN failed: never leave the test waiting
            }
            holderCommitted = r.has_value();
            holderDb->closeThreadConnection();
        });
        bool releasedYet = false;
        auto joinHolder = qScopeGuard([&] {
            if (!releasedYet) {
                release.set_value();
            }
            holder.join();
        });
        holding.get_future().wait();

        // BEGIN IMMEDIATE waits for the writer lock for the busy timeout, then reports "try again".
        QElapsedTimer timer;
        timer.start();
        const auto blocked =
            db->transact([](Transaction &tx) { return insertItem(tx, QStringLiteral("main")); });
        const qint64 waited = timer.elapsed();
        QVERIFY(!blocked);
        QCOMPARE(blocked.error().code, ErrorCode::Unavailable);
        QVERIFY(blocked.error().isTransient());
        QVERIFY2(waited < 2500, qPrintable(QStringLiteral("waited %1 ms, not ~50").arg(waited)));

        release.set_value();
        releasedYet = true;
        holder.join();
        joinHolder.dismiss();
        QVERIFY(holderCommitted);
        QVERIFY(
            db->transact([](Transaction &tx) { return insertItem(tx, QStringLiteral("main")); }));
        QCOMPARE(itemNames(*db), (QStringList{QStringLiteral("holder"), QStringLiteral("main")}));
    }

    void constraintViolationMapsToErrorCode_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<ErrorCode>("code");
        QTest::newRow("unique column")
            << QStringLiteral("INSERT INTO things (id, tag, label) VALUES (2, 't', 'x')")
            << ErrorCode::Conflict;
        QTest::newRow("primary key")
            << QStringLiteral("INSERT INTO things (id, tag, label) VALUES (1, 'u', 'x')")
            << ErrorCode::Conflict;
        QTest::newRow("not null")
            << QStringLiteral("INSERT INTO things (id, tag, label) VALUES (3, 'v', NULL)")
            << ErrorCode::Internal;
        QTest::newRow("syntax") << QStringLiteral("INSERT INTO nowhere VALUES (1)")
                                << ErrorCode::Internal;
    }

    void constraintViolationMapsToErrorCode()
    {
        QFETCH(QString, sql);
        QFETCH(ErrorCode, code);
        const QSqlDatabase c = m_db->connection();
        QVERIFY(
            run(c, QStringLiteral("CREATE TABLE things (id INTEGER PRIMARY KEY, tag TEXT UNIQUE, "
                                  "label TEXT NOT NULL)")));
        QVERIFY(
            run(c, QStringLiteral("INSERT INTO things (id, tag, label) VALUES (1, 't', 'first')")));

        const auto r = execSql(c, sql);
        QVERIFY(!r);
        QCOMPARE(r.error().code, code);
        QVERIFY2(r.error().message.startsWith(sql.left(20)), qPrintable(r.error().message));

        // The same error comes out of a transaction, which leaves nothing behind.
        const auto tx = m_db->transact([&](Transaction &t) -> Result<void> {
            if (!run(t.db(),
                     QStringLiteral("INSERT INTO things (id, tag, label) VALUES (9, 'z', 'z')"))) {
                return fail(Error::internal(QStringLiteral("setup insert failed")));
            }
            auto q = execSql(t.db(), sql);
            if (!q) {
                return fail(q.error());
            }
            return {};
        });
        QVERIFY(!tx);
        QCOMPARE(tx.error().code, code);
        const auto count = queryValue(c, QStringLiteral("SELECT COUNT(*) FROM things"));
        QVERIFY(count);
        QCOMPARE(count->toInt(), 1);
    }

    // No commit folds the write-ahead log into the database file before it
    // returns (SQLite's auto-checkpoint is off on every connection); a thread
    // of its own does, and every row is there for every connection.
    void aBigCommitIsCheckpointedOnAThreadOfItsOwn()
    {
        const auto autoCheckpoint = [&] {
            auto v = queryValue(m_db->connection(), QStringLiteral("PRAGMA wal_autocheckpoint"));
            return v ? v->toInt() : -1;
        };
        QCOMPARE(autoCheckpoint(), 0);
        QCOMPARE(onOtherThread(*m_db, autoCheckpoint), 0);
        const qint64 fileBefore = QFileInfo(m_db->path()).size();
        auto written = m_db->transact([&](Transaction &tx) -> Result<void> {
            // 3,000 rows of 8 KB: far past the 1,000 pages that start a checkpoint.
            for (int i = 0; i < 3000; ++i) {
                auto q = execSql(tx.db(), QStringLiteral("INSERT INTO items VALUES (?, ?)"),
                                 {QStringLiteral("item %1 ").arg(i, 5, 10, QLatin1Char('0')) +
                                      QString(8000, QLatin1Char('x')),
                                  i});
                if (!q) {
                    return fail(q.error());
                }
            }
            return {};
        });
        QVERIFY2(written, qPrintable(why(written)));
        const auto count = onOtherThread(*m_db, [&] {
            return queryValue(m_db->connection(), QStringLiteral("SELECT COUNT(*) FROM items"));
        });
        QVERIFY(count);
        QCOMPARE(count->toInt(), 3000);
        m_db->waitForCheckpoint();
        // Every frame of the log is in the database file now.
        QVERIFY(QFileInfo(m_db->path()).size() > fileBefore + 3000 * 8000);
        auto q = execSql(m_db->connection(), QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toInt(), 0);
        QVERIFY2(q->value(1).toInt() > 3000, qPrintable(q->value(1).toString()));
        QCOMPARE(q->value(2).toInt(), q->value(1).toInt());
    }

    // Small commits add up: once a thousand pages wait in the log, one of
    // them starts a checkpoint.
    void smallCommitsAreCheckpointedOnceTheirPagesAddUp()
    {
        const qint64 fileBefore = QFileInfo(m_db->path()).size();
        for (int i = 0; i < 600; ++i) {
            auto written = m_db->transact([&](Transaction &tx) -> Result<void> {
                auto q = execSql(
                    tx.db(), QStringLiteral("INSERT INTO items VALUES (?, ?)"),
                    {QStringLiteral("small %1 ").arg(i) + QString(12000, QLatin1Char('y')), i});
                return q ? Result<void>{} : fail(q.error());
            });
            QVERIFY2(written, qPrintable(why(written)));
        }
        m_db->waitForCheckpoint();
        // At least the first thousand pages went into the file.
        QVERIFY2(QFileInfo(m_db->path()).size() >= fileBefore + 1000 * 8192,
                 qPrintable(QString::number(QFileInfo(m_db->path()).size() - fileBefore)));
    }

    // Under steady writes the checkpoint thread never finds the whole log
    // copied at a writer's start; the commit after it copies the rest, so
    // the log starts over instead of growing without end.
    void theLogStartsOverUnderSteadyWrites()
    {
        // The log's header counts its restarts (the checkpoint sequence, bytes 12-15).
        const QString walPath = m_db->path() + QStringLiteral("-wal");
        const auto restarts = [&]() -> qint64 {
            QFile wal(walPath);
            const QByteArray header = wal.open(QIODevice::ReadOnly) ? wal.read(16) : QByteArray();
            return header.size() < 16 ? -1 : qFromBigEndian<quint32>(header.constData() + 12);
        };
        const qint64 before = restarts();
        QVERIFY(before >= 0);
        // Without a pause: the thread finishes while writers go on. Unfixed,
        // 12,000 commits grew the log to 24,000 pages and never restarted it;
        // fixed, it restarts once the thread's first run is over.
        bool restarted = false;
        int commits = 0;
        for (; commits < 12000 && !restarted; ++commits) {
            auto written = m_db->transact([&](Transaction &tx) -> Result<void> {
                auto q = execSql(
                    tx.db(), QStringLiteral("INSERT INTO items VALUES (?, ?)"),
                    {QStringLiteral("steady %1 ").arg(commits) + QString(7000, QLatin1Char('z')),
                     commits});
                return q ? Result<void>{} : fail(q.error());
            });
            QVERIFY2(written, qPrintable(why(written)));
            restarted = commits % 20 == 0 && restarts() != before;
        }
        QVERIFY2(restarted, qPrintable(QStringLiteral("no restart in %1 commits").arg(commits)));
    }

    void openingInAMissingFolderFailsClearly()
    {
        const QString folder = m_dir.filePath(QStringLiteral("no/such/folder"));
        const QString path = folder + QStringLiteral("/replica.db");
        const auto db = Database::openSqlite(path);
        QVERIFY(!db);
        QCOMPARE(db.error().code, ErrorCode::Unavailable);
        QVERIFY2(db.error().message.contains(path), qPrintable(db.error().message));
        QVERIFY2(db.error().message.contains(QLatin1String("cannot open")),
                 qPrintable(db.error().message));
        QVERIFY(!QDir(folder).exists()); // nothing was created on the way
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
