// SPDX-License-Identifier: MIT
// Tests of Statement (SQLite's C API through Database::statement) and of
// Database::changeToken and RequestScope, on a real SQLite file.
#include "backend/db/database.h"
#include "backend/db/sqlquery.h"

#include <QTemporaryDir>
#include <QTest>
#include <thread>

using namespace colophon;

namespace {

// The failure of a result, empty when it holds a value (QVERIFY2 evaluates it anyway).
template <typename T> QString why(const Result<T> &r)
{
    return r ? QString()
             : QStringLiteral("%1: %2").arg(errorCodeName(r.error().code), r.error().message);
}

} // namespace

class TestStatement : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;

    Result<int> insert(std::string_view name, qint64 n)
    {
        return m_db->transact([&](Transaction &tx) -> Result<int> {
            auto s = tx.statement("INSERT INTO t (name, n) VALUES (?, ?)");
            if (!s) {
                return fail(s.error());
            }
            return s->bind(1, name).bind(2, n).run();
        });
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        auto db = Database::openSqlite(m_dir.filePath(QStringLiteral("t.db")));
        QVERIFY(db);
        m_db = std::move(*db);
        QVERIFY(
            execSql(m_db->connection(), QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, "
                                                       "name TEXT UNIQUE, n INTEGER)")));
    }
    void cleanup()
    {
        m_db.reset();
        QFile::remove(m_dir.filePath(QStringLiteral("t.db")));
    }

    void writesAndReadsUtf8AndIntegersAndNulls()
    {
        const std::string unicode = "Ünïcødé — 日本語 🎉";
        auto inserted = insert(unicode, 42);
        QVERIFY2(inserted, qPrintable(why(inserted)));
        QCOMPARE(*inserted, 1);
        QVERIFY(m_db->transact([&](Transaction &tx) -> Result<int> {
            auto s = tx.statement("INSERT INTO t (name, n) VALUES (?, ?)");
            return s->bind(1, QStringLiteral("from a QString")).bindNull(2).run();
        }));

        auto s = m_db->statement("SELECT name, n FROM t ORDER BY id");
        QVERIFY(s);
        QCOMPARE(*s->next(), true);
        QCOMPARE(std::string(s->text(0)), unicode);
        QCOMPARE(s->string(0), QString::fromUtf8(unicode.c_str()));
        QCOMPARE(s->integer(1), qint64(42));
        QVERIFY(!s->isNull(1));
        QCOMPARE(*s->next(), true);
        QCOMPARE(s->string(0), QStringLiteral("from a QString"));
        QVERIFY(s->isNull(1));
        QCOMPARE(*s->next(), false);
        // Qt's driver reads the same bytes.
        auto viaQt =
            queryValue(m_db->connection(), QStringLiteral("SELECT name FROM t WHERE n = 42"));
        QVERIFY(viaQt);
        QCOMPARE(viaQt->toString(), QString::fromUtf8(unicode.c_str()));
    }

    void bindsQVariantsByType()
    {
        QVERIFY(insert("a", 1));
        QVERIFY(insert("b", 2));
        auto s = m_db->statement("SELECT name FROM t WHERE n >= ? AND name <> ? AND ? IS NULL");
        QVERIFY(s);
        s->bindAll({qint64(2), QStringLiteral("x"), QVariant()});
        QCOMPARE(*s->next(), true);
        QCOMPARE(s->string(0), QStringLiteral("b"));
        QCOMPARE(*s->next(), false);
    }

    void reportsErrorsByKind()
    {
        auto bad = m_db->statement("SELEKT nothing");
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, ErrorCode::Internal);
        QVERIFY2(bad.error().message.contains(QLatin1String("SELEKT")),
                 qPrintable(bad.error().message));

        QVERIFY(insert("same", 1));
        auto again = insert("same", 2);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::Conflict);
        // The failed transaction changed nothing.
        auto count = queryValue(m_db->connection(), QStringLiteral("SELECT COUNT(*) FROM t"));
        QCOMPARE(count->toInt(), 1);

        // A bind past the last parameter is reported by the step, which runs nothing.
        auto s = m_db->statement("SELECT ?");
        QVERIFY(s);
        auto row = s->bind(1, qint64(1)).bind(2, qint64(2)).next();
        QVERIFY(!row);
        QCOMPARE(row.error().code, ErrorCode::Internal);
    }

    void aStatementInUseIsNotReusedUnderItsReader()
    {
        QVERIFY(insert("a", 1));
        QVERIFY(insert("b", 2));
        auto outer = m_db->statement("SELECT n FROM t ORDER BY n");
        QVERIFY(outer);
        QCOMPARE(*outer->next(), true);
        QCOMPARE(outer->integer(0), qint64(1));
        {
            // The same SQL while outer's rows are being read: a one-off.
            auto inner = m_db->statement("SELECT n FROM t ORDER BY n");
            QVERIFY(inner);
            QCOMPARE(*inner->next(), true);
            QCOMPARE(inner->integer(0), qint64(1));
        }
        QCOMPARE(*outer->next(), true);
        QCOMPARE(outer->integer(0), qint64(2)); // outer kept its place
    }

    void theHandleEndsItsReadWhenItGoes()
    {
        QVERIFY(insert("a", 1));
        {
            auto s = m_db->statement("SELECT n FROM t");
            QCOMPARE(*s->next(), true); // a read is open: the WAL cannot be reset past it
        }
        // With no read open, a TRUNCATE checkpoint can complete.
        auto q = execSql(m_db->connection(), QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        QVERIFY(q && q->next());
        QCOMPARE(q->value(0).toInt(), 0); // not busy
    }

    void connectionsCloseWithTheirStatements()
    {
        // Statements on a worker's connection and on this one: both close
        // cleanly, the worker's when it says so, this one's with the Database.
        std::thread worker([&] {
            QVERIFY(m_db->statement("SELECT 1"));
            m_db->closeThreadConnection();
            QVERIFY(m_db->statement("SELECT 2")); // opens again
        });
        worker.join();
        QVERIFY(m_db->statement("SELECT 3"));
        m_db.reset(); // finalizes the worker thread's statements before closing its connection
        auto reopened = Database::openSqlite(m_dir.filePath(QStringLiteral("t.db")));
        QVERIFY(reopened);
        QVERIFY((*reopened)->statement("SELECT COUNT(*) FROM t"));
    }

    void theChangeTokenMovesWithEveryCommitFromAnywhere()
    {
        auto before = m_db->changeToken();
        QVERIFY(before);
        QCOMPARE(*m_db->changeToken(), *before); // nothing committed

        QVERIFY(insert("own", 1)); // this thread's own commit
        auto afterOwn = m_db->changeToken();
        QVERIFY(*afterOwn != *before);

        std::thread other([&] { QVERIFY(insert("other thread", 2)); });
        other.join();
        auto afterOther = m_db->changeToken();
        QVERIFY(*afterOther != *afterOwn);

        // Another process's commit: a separate Database on the same file.
        {
            auto elsewhere = Database::openSqlite(m_dir.filePath(QStringLiteral("t.db")));
            QVERIFY(elsewhere);
            QVERIFY((*elsewhere)->transact([](Transaction &tx) -> Result<int> {
                return tx.statement("INSERT INTO t (name, n) VALUES ('elsewhere', 3)")->run();
            }));
        }
        QVERIFY(*m_db->changeToken() != *afterOther);

        // A rolled-back transaction commits nothing.
        const ChangeToken settled = *m_db->changeToken();
        auto rolledBack = m_db->transact([](Transaction &tx) -> Result<int> {
            if (auto s = tx.statement("INSERT INTO t (name, n) VALUES ('gone', 4)");
                !s || !s->run()) {
                return fail(Error::internal(QStringLiteral("insert failed")));
            }
            return fail(Error::invalid(QStringLiteral("changed my mind")));
        });
        QVERIFY(!rolledBack);
        QCOMPARE(*m_db->changeToken(), settled);
    }

    void aRequestScopeReadsDataVersionOnceButSeesOwnCommits()
    {
        QVERIFY(insert("a", 1));
        Database::RequestScope scope(*m_db);
        const ChangeToken first = *m_db->changeToken();
        std::thread other([&] { QVERIFY(insert("other thread", 2)); });
        other.join();
        // Another thread's commit: this process counts its commits, so the
        // token moves although data_version is not read again in the scope.
        QVERIFY(*m_db->changeToken() != first);
        const ChangeToken second = *m_db->changeToken();
        QCOMPARE(second.dataVersion, first.dataVersion); // data_version read once
        QVERIFY(insert("own", 3));
        QVERIFY(*m_db->changeToken() != second);
    }

    void aScopeEndsItsReadOfDataVersion()
    {
        ChangeToken inScope;
        {
            Database::RequestScope scope(*m_db);
            inScope = *m_db->changeToken();
        }
        {
            auto elsewhere = Database::openSqlite(m_dir.filePath(QStringLiteral("t.db")));
            QVERIFY((*elsewhere)->transact([](Transaction &tx) -> Result<int> {
                return tx.statement("INSERT INTO t (name, n) VALUES ('elsewhere', 1)")->run();
            }));
        }
        const ChangeToken after = *m_db->changeToken();
        QCOMPARE(after.commits, inScope.commits); // not this process's commit
        QVERIFY(after.dataVersion != inScope.dataVersion);
    }

    void aReadingScopeReadsOneSnapshotUntilItWrites()
    {
        QVERIFY(insert("a", 1));
        const auto count = [&] {
            auto s = m_db->statement("SELECT COUNT(*) FROM t");
            return s && s->next().value_or(false) ? s->integer(0) : -1;
        };
        {
            Database::RequestScope scope(*m_db, Database::Reads::OneSnapshot);
            QCOMPARE(count(), 1); // the first read takes the snapshot
            std::thread other([&] {
                QVERIFY(insert("other thread", 2));
                m_db->closeThreadConnection(); // before the next thread reuses its name
            });
            other.join();
            QCOMPARE(count(), 1); // still the snapshot: the other commit is not seen
            // A write ends the snapshot and starts from the newest state.
            QVERIFY(insert("own", 3));
            QCOMPARE(count(), 3);
        }
        {
            Database::RequestScope scope(*m_db, Database::Reads::OneSnapshot);
            QCOMPARE(count(), 3);
        }
        // After the scope, reads are on their own again: nothing held it open.
        std::thread other([&] {
            QVERIFY(insert("later", 4));
            m_db->closeThreadConnection();
        });
        other.join();
        QCOMPARE(count(), 4);
        QVERIFY(!m_db->inTransaction());
    }
};

QTEST_GUILESS_MAIN(TestStatement)
#include "tst_statement.moc"
