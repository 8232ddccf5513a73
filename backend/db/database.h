// SPDX-License-Identifier: MIT
// The replica's database: one connection per thread, opened on first use with
// the dialect's settings, and one way to write: transact().
//
// Invariants: a write transaction begins with the dialect's write statement
// (BEGIN IMMEDIATE on SQLite); a nested transact() on the same thread is a
// savepoint of the outer one; after-commit hooks run only once the outermost
// transaction has committed, never after a rollback.
#pragma once

#include "backend/core/error.h"
#include "backend/core/singleflight.h"
#include "backend/db/sqldialect.h"
#include "backend/db/statement.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

namespace colophon {

class Database;
struct StatementCache;

// A statement prepared once per thread connection and reused, for hot paths.
// Read its rows while the handle lives; it is reset (releasing SQLite's read
// snapshot) when the handle goes.
class CachedQuery final
{
public:
    CachedQuery(QSqlQuery *query, bool *inUse, std::unique_ptr<QSqlQuery> owned = {})
        : m_query(query), m_inUse(inUse), m_owned(std::move(owned))
    {
    }
    CachedQuery(CachedQuery &&other) noexcept
        : m_query(std::exchange(other.m_query, nullptr)),
          m_inUse(std::exchange(other.m_inUse, nullptr)), m_owned(std::move(other.m_owned))
    {
    }
    CachedQuery &operator=(CachedQuery &&) = delete;
    ~CachedQuery()
    {
        if (m_query) {
            m_query->finish();
        }
        if (m_inUse) {
            *m_inUse = false;
        }
    }
    QSqlQuery &operator*() { return *m_query; }
    QSqlQuery *operator->() { return m_query; }

private:
    QSqlQuery *m_query;
    bool *m_inUse;
    std::unique_ptr<QSqlQuery> m_owned; // when the cached one was busy
};

// What a cache of query results is keyed on: two tokens are equal only if
// nothing was committed to the database between them, by this process (a
// counter of its commits) or by any other connection or process (SQLite's
// data_version, read on this thread's connection).
struct ChangeToken
{
    quint64 database = 0;
    quint64 commits = 0;
    qint64 dataVersion = -1;
    bool operator==(const ChangeToken &) const = default;
};

// The write transaction a transact() callback runs in.
class Transaction final
{
public:
    const QSqlDatabase &db() const { return m_db; }
    // Runs sql through this thread's statement cache (see Database::execCached):
    // for statements a transaction runs many times, such as a projection's.
    Result<CachedQuery> execCached(const QString &sql, const QVariantList &values) const;
    // A C API statement in this transaction (see Database::statement).
    Result<Statement> statement(std::string_view sql) const;
    // Runs a write through statement(), values bound by type (see
    // Statement::bindAll); returns the rows it changed.
    Result<int> run(const QString &sql, const QVariantList &values) const;
    // Runs after the outermost transaction commits (on this thread), e.g. to
    // wake event subscribers. Dropped on rollback.
    void onCommit(std::function<void()> hook);

private:
    friend class Database;
    struct StatementCache;
    Transaction(Database &database, QSqlDatabase db) : m_database(database), m_db(std::move(db)) {}
    Database &m_database;
    QSqlDatabase m_db;
    std::vector<std::function<void()>> m_hooks;
    Transaction *m_outer = nullptr;
};

class Database final
{
public:
    // Opens (creating if needed) an SQLite database file and checks the first
    // connection works. The folder must exist.
    static Result<std::unique_ptr<Database>> openSqlite(const QString &path,
                                                        int busyTimeoutMs = 5000);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    const SqlDialect &dialect() const { return *m_dialect; }
    QString path() const { return m_path; }

    // This thread's connection, opened on first use. Invalid only if the open
    // failed (see lastOpenError()).
    QSqlDatabase connection();
    // Closes this thread's connection; call before a worker thread ends.
    void closeThreadConnection();
    QString lastOpenError() const;

    // Runs sql with positional values through this thread's statement cache.
    // Parsing and planning happen once per thread; measured ~1.6x faster
    // than preparing per call for point reads.
    Result<CachedQuery> execCached(const QString &sql, const QVariantList &values);
    // sql prepared once on this thread's connection for SQLite's C API (see
    // statement.h), for the hot paths. Inside transact() it runs in that
    // transaction, as any statement on this thread does.
    Result<Statement> statement(std::string_view sql);

    // True inside transact() on this thread: what is read there may yet be
    // rolled back, so it is no result to cache.
    bool inTransaction() const;
    // False when this thread is inside transact() but the database has ended
    // its transaction by itself: SQLite rolls the whole transaction back on a
    // full disk, an I/O error or running out of memory, and the statements
    // after would run, and commit, on their own.
    bool transactionIntact() const;
    // Now's ChangeToken. Inside a RequestScope, data_version is read once
    // per scope; this process's commits still change the token at once.
    Result<ChangeToken> changeToken();

    // For the length of one request on this thread: the caches a request
    // consults validate against one read of data_version instead of one
    // each, as if the request were served at its start. Nests.
    // With Reads::OneSnapshot (a GET), SQLite also reads in one transaction
    // for the whole scope: every read sees the same state, and the log's read
    // lock is taken once rather than per statement (two were a sixth of an
    // item read's CPU). A write in the scope (through transact(), as every
    // write must be: an autocommit write would join the snapshot's
    // transaction) ends that transaction first, as a write starts from the
    // newest state.
    enum class Reads { EachOnItsOwn, OneSnapshot };
    class RequestScope final
    {
    public:
        explicit RequestScope(Database &db, Reads reads = Reads::EachOnItsOwn);
        ~RequestScope();
        RequestScope(const RequestScope &) = delete;
        RequestScope &operator=(const RequestScope &) = delete;

    private:
        Database &m_db;
        bool m_counted = false;
    };

    // Runs fn(Transaction &) in a write transaction. fn returns Result<T>:
    // a value commits, an error (or an exception) rolls back. A failed COMMIT
    // is returned as an error; so is waiting longer than the busy timeout for
    // another writer (Unavailable).
    template <typename F> auto transact(F &&fn) -> std::invoke_result_t<F, Transaction &>;
    // A commit that leaves kCheckpointFrames or more pages in the write-ahead
    // log starts a checkpoint on a thread of its own (readers and writers go
    // on meanwhile). SQLite's own auto-checkpoint would copy them in the
    // committer, before COMMIT returned, holding every writer of this
    // process: a tenth of a single create's time, and seconds after a
    // snapshot's install. The first commit after that thread finished
    // copies what was committed meanwhile itself (up to kCommitterFrames;
    // more goes to the thread again), so that the log starts over rather
    // than growing.
    static constexpr int kCheckpointFrames = 1000; // SQLite's default
    static constexpr int kCommitterFrames = 8 * kCheckpointFrames;
    // Waits for the background checkpoint, if one runs.
    void waitForCheckpoint();

private:
    Database(QString path, std::unique_ptr<SqlDialect> dialect, int busyTimeoutMs);
    Result<Transaction *> begin();
    Result<void> finish(Transaction *tx, bool commit);
    // BEGIN, SAVEPOINT, RELEASE, COMMIT and ROLLBACK on this thread's connection.
    Result<void> control(const QSqlDatabase &db, std::string_view sql);
    // Ends a RequestScope's read transaction on this thread, if one is open.
    void endSnapshot();
    static int walCommitted(void *database, sqlite3 *, const char *, int walFrames);
    void checkpointInBackground();
    QString connectionName() const;

    QString m_path;
    std::unique_ptr<SqlDialect> m_dialect;
    quint64 m_instance;
    mutable QMutex m_mutex;
    // Writers of this process queue here before BEGIN IMMEDIATE: a mutex
    // wakes the next writer at once, where SQLite's busy handler sleeps in
    // steps of 1 to 100 ms. Other processes still meet the busy timeout, and
    // so does a writer here (Unavailable), so a transaction must never wait
    // on another thread's write.
    std::timed_mutex m_writeMutex;
    int m_busyTimeoutMs;
    QStringList m_connectionNames; // guarded by m_mutex
    QString m_lastOpenError;       // guarded by m_mutex
    // Each connection's C API statements, finalized before it closes (Qt's
    // driver cannot close a connection with statements it does not know of).
    std::vector<std::unique_ptr<StatementCache>> m_statementCaches; // guarded by m_mutex
    SingleFlight m_checkpoint;                                      // the background checkpoint
    // Frames the last background checkpoint copied; -1 once a commit dealt with it.
    std::atomic<int> m_walFramesCopied{-1};
    std::atomic<quint64> m_commits{0}; // outermost transactions committed here
};

template <typename F> auto Database::transact(F &&fn) -> std::invoke_result_t<F, Transaction &>
{
    auto tx = begin();
    if (!tx) {
        return fail(tx.error());
    }
    try {
        auto result = fn(**tx);
        if (!result) {
            (void)finish(*tx, false);
            return result;
        }
        if (auto done = finish(*tx, true); !done) {
            return fail(done.error());
        }
        return result;
    } catch (...) {
        (void)finish(*tx, false);
        throw;
    }
}

} // namespace colophon
