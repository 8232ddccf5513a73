// SPDX-License-Identifier: MIT
// GroupCommit: the writes waiting together share one transaction and one
// commit; each runs in a savepoint of its own, so a failing one is rolled
// back alone; none is told it was committed before it is, nor when the
// transaction was lost.
#include "backend/db/database.h"
#include "backend/db/groupcommit.h"
#include "backend/db/sqlquery.h"

#include <QTemporaryDir>
#include <QTest>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>

using colophon::Database;
using colophon::Error;
using colophon::execSql;
using colophon::fail;
using colophon::GroupCommit;
using colophon::queryValue;
using colophon::Result;
using colophon::Transaction;

namespace {

// What a job was told, filled in on the group's thread.
struct Outcome
{
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<int> committed; // per job: -1 not yet told, 0 no, 1 yes

    explicit Outcome(int jobs) : committed(jobs, -1) {}
    GroupCommit::Done doneFor(int job)
    {
        return [this, job](bool ok) {
            std::lock_guard lock(mutex);
            committed[job] = ok ? 1 : 0;
            changed.notify_all();
        };
    }
    bool waitAll(int timeoutMs = 10000)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::milliseconds(timeoutMs), [this] {
            return std::none_of(committed.cbegin(), committed.cend(), [](int c) { return c < 0; });
        });
    }
};

// A job inserting one row by name, in a transaction of its own (a savepoint
// inside the group's) as a service call does.
GroupCommit::Job insertJob(Database &db, const QString &name)
{
    return [&db, name] {
        auto written = db.transact([&](Transaction &tx) -> Result<void> {
            auto q =
                execSql(tx.db(), QStringLiteral("INSERT INTO items (name) VALUES (?)"), {name});
            return q ? Result<void>{} : fail(q.error());
        });
        if (!written) {
            qWarning("insert %s: %s", qPrintable(name), qPrintable(written.error().message));
        }
    };
}

// Occupies the group's thread with a job of its own until release() is
// called: what is submitted meanwhile waits, and runs as one group after it.
class Hold final
{
public:
    explicit Hold(GroupCommit &group)
    {
        auto started = std::make_shared<std::promise<void>>();
        auto running = started->get_future();
        group.submit(
            [started, released = m_released.get_future().share()] {
                started->set_value();
                released.wait();
            },
            [](bool) {});
        running.wait();
    }
    ~Hold() { release(); }
    void release()
    {
        if (!m_done) {
            m_done = true;
            m_released.set_value();
        }
    }

private:
    std::promise<void> m_released;
    bool m_done = false;
};

} // namespace

class TestGroupCommit final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_files = 0;

    // The names in the items table as a fresh connection on another thread sees them.
    QStringList committedNames()
    {
        return std::async(std::launch::async,
                          [this] {
                              QStringList names;
                              {
                                  auto q = execSql(
                                      m_db->connection(),
                                      QStringLiteral("SELECT name FROM items ORDER BY name"));
                                  while (q && q->next()) {
                                      names << q->value(0).toString();
                                  }
                              }
                              m_db->closeThreadConnection();
                              return names;
                          })
            .get();
    }

    // Submits one insert of name and waits: true when it was committed.
    bool commitsAlone(GroupCommit &group, const QString &name)
    {
        Outcome outcome(1);
        group.submit(insertJob(*m_db, name), outcome.doneFor(0));
        return outcome.waitAll() && outcome.committed == std::vector<int>{1};
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        auto db =
            Database::openSqlite(m_dir.filePath(QStringLiteral("g%1.db").arg(m_files++)), 300);
        QVERIFY(db);
        m_db = std::move(*db);
        QVERIFY(execSql(m_db->connection(),
                        QStringLiteral("CREATE TABLE items (name TEXT PRIMARY KEY)")));
    }

    void cleanup() { m_db.reset(); }

    // While the group's thread is busy, writes queue; then they all run in
    // one transaction, and there is one commit for them.
    void writesWaitingTogetherShareOneCommit()
    {
        Outcome outcome(20);
        {
            GroupCommit group(*m_db);
            Hold hold(group);
            for (int i = 0; i < 20; ++i) {
                group.submit(
                    insertJob(*m_db, QStringLiteral("n%1").arg(i, 2, 10, QLatin1Char('0'))),
                    outcome.doneFor(i));
            }
            const auto commitsBefore = m_db->changeToken()->commits;
            hold.release();
            QVERIFY(outcome.waitAll());
            // The held group's commit, then one for the twenty.
            QCOMPARE(m_db->changeToken()->commits - commitsBefore, quint64(2));
            QCOMPARE(group.stats().groups, std::uint64_t(2));
            QCOMPARE(group.stats().jobs, std::uint64_t(21));
        }
        QVERIFY(std::all_of(outcome.committed.cbegin(), outcome.committed.cend(),
                            [](int c) { return c == 1; }));
        const QStringList names = committedNames();
        QCOMPARE(names.size(), 20);
        QCOMPARE(names.first(), QStringLiteral("n00"));
    }

    // A job whose own transaction fails keeps nothing of it, one that throws
    // is rolled back to its savepoint; the jobs around them are committed.
    void aFailingWriteIsRolledBackAloneInItsGroup()
    {
        Outcome outcome(4);
        {
            GroupCommit group(*m_db);
            Hold hold(group);
            group.submit(insertJob(*m_db, QStringLiteral("a")), outcome.doneFor(0));
            group.submit(
                [this] {
                    // Writes, then fails: its transaction is rolled back.
                    (void)m_db->transact([&](Transaction &tx) -> Result<void> {
                        (void)execSql(tx.db(), QStringLiteral("INSERT INTO items VALUES ('b')"));
                        return fail(Error::invalid(QStringLiteral("refused")));
                    });
                },
                outcome.doneFor(1));
            group.submit(
                [this] {
                    // Writes outside a transaction of its own, then throws.
                    (void)execSql(m_db->connection(),
                                  QStringLiteral("INSERT INTO items VALUES ('c')"));
                    throw std::runtime_error("a bug");
                },
                outcome.doneFor(2));
            group.submit(insertJob(*m_db, QStringLiteral("d")), outcome.doneFor(3));
            hold.release();
            QVERIFY(outcome.waitAll());
            QCOMPARE(group.stats().groups, std::uint64_t(2));
        }
        // The one that returned its error was still committed: what it kept, nothing.
        QCOMPARE(outcome.committed, (std::vector<int>{1, 1, 0, 1}));
        QCOMPARE(committedNames(), (QStringList{QStringLiteral("a"), QStringLiteral("d")}));
    }

    // When the database ends the group's transaction by itself (SQLite does
    // on a full disk or an I/O error; here a ROLLBACK stands in), nothing of
    // the group is committed, no later job of it runs, and every job hears so.
    void aGroupTheDatabaseRolledBackTellsEveryJobAndRunsNoMore()
    {
        Outcome outcome(3);
        bool lastRan = false;
        {
            GroupCommit group(*m_db);
            Hold hold(group);
            group.submit(insertJob(*m_db, QStringLiteral("lost")), outcome.doneFor(0));
            group.submit([this] { (void)execSql(m_db->connection(), QStringLiteral("ROLLBACK")); },
                         outcome.doneFor(1));
            group.submit(
                [&] {
                    lastRan = true;
                    insertJob(*m_db, QStringLiteral("unguarded"))();
                },
                outcome.doneFor(2));
            hold.release();
            QVERIFY(outcome.waitAll());
            QCOMPARE(outcome.committed, (std::vector<int>{0, 0, 0}));
            QVERIFY(!lastRan);
            QVERIFY(committedNames().isEmpty());

            QVERIFY(commitsAlone(group, QStringLiteral("after"))); // the next group works
        }
        QCOMPARE(committedNames(), QStringList{QStringLiteral("after")});
    }

    // Another process holding the write lock past the busy timeout: the
    // group runs none of its jobs and says none was committed.
    void aBusyDatabaseRunsNoJobAndSaysSo()
    {
        auto other = Database::openSqlite(m_db->path(), 300);
        QVERIFY(other);
        QVERIFY(execSql((*other)->connection(), QStringLiteral("BEGIN IMMEDIATE")));
        Outcome outcome(1);
        bool ran = false;
        {
            GroupCommit group(*m_db);
            group.submit([&] { ran = true; }, outcome.doneFor(0));
            QVERIFY(outcome.waitAll());
            QCOMPARE(outcome.committed, std::vector<int>{0});
            QVERIFY(!ran);
            QVERIFY(execSql((*other)->connection(), QStringLiteral("ROLLBACK")));
            QVERIFY(commitsAlone(group, QStringLiteral("later")));
        }
        QCOMPARE(committedNames(), QStringList{QStringLiteral("later")});
    }

    // A job's commit hooks run after the group's commit and before it hears
    // that it was committed.
    void commitHooksRunBeforeTheJobHearsOfItsCommit()
    {
        std::atomic<bool> hooked{false};
        bool hookedFirst = false;
        std::promise<void> heard;
        {
            GroupCommit group(*m_db);
            group.submit(
                [&] {
                    (void)m_db->transact([&](Transaction &tx) -> Result<void> {
                        tx.onCommit([&] { hooked = true; });
                        return {};
                    });
                },
                [&](bool ok) {
                    hookedFirst = ok && hooked.load();
                    heard.set_value();
                });
            QCOMPARE(heard.get_future().wait_for(std::chrono::seconds(10)),
                     std::future_status::ready);
        }
        QVERIFY(hookedFirst);
    }

    // Going away runs every job already submitted.
    void destructionRunsWhatWasSubmitted()
    {
        Outcome outcome(50);
        {
            GroupCommit group(*m_db, 8);
            for (int i = 0; i < 50; ++i) {
                group.submit(insertJob(*m_db, QStringLiteral("k%1").arg(i)), outcome.doneFor(i));
            }
        }
        QVERIFY(outcome.waitAll(0));
        QVERIFY(std::all_of(outcome.committed.cbegin(), outcome.committed.cend(),
                            [](int c) { return c == 1; }));
        QCOMPARE(committedNames().size(), 50);
    }
};

QTEST_GUILESS_MAIN(TestGroupCommit)
#include "tst_groupcommit.moc"
