// SPDX-License-Identifier: MIT
#include "backend/db/database.h"

#include "backend/db/sqlquery.h"

#include <QMutexLocker>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <atomic>
#include <optional>
#include <sqlite3.h>
#include <string_view>
#include <unordered_map>

namespace colophon {

// One connection's C API statements by their SQL.
struct StatementCache
{
    struct Slot
    {
        sqlite3_stmt *stmt = nullptr;
        bool inUse = false;
    };
    struct Hash
    {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };

    explicit StatementCache(sqlite3 *db) : handle(db) {}
    StatementCache(const StatementCache &) = delete;
    StatementCache &operator=(const StatementCache &) = delete;
    ~StatementCache()
    {
        for (auto &entry : bySql) {
            sqlite3_finalize(entry.second->stmt);
        }
    }

    sqlite3 *handle;
    std::unordered_map<std::string, std::unique_ptr<Slot>, Hash, std::equal_to<>> bySql;
};

namespace {

std::atomic<quint64> g_nextInstance{1};

struct CachedStatement
{
    std::unique_ptr<QSqlQuery> query;
    bool inUse = false;
};

struct ThreadState
{
    quint64 instance = 0;
    QSqlDatabase db;
    Transaction *current = nullptr;         // innermost open transaction
    StatementCache *cStatements = nullptr;  // owned by the Database; SQLite only
    int requestScopes = 0;                  // RequestScopes open on this thread
    bool snapshot = false;                  // their read transaction is open
    std::optional<qint64> scopeDataVersion; // read once per outermost scope
    int depth = 0;
    // After db: destroyed first, as statements must go before their connection.
    std::unordered_map<QString, std::unique_ptr<CachedStatement>> statements;
};

// Per thread, one entry per Database this thread has used.
thread_local std::vector<std::unique_ptr<ThreadState>> t_states;

ThreadState *threadState(quint64 instance)
{
    for (auto &s : t_states) {
        if (s->instance == instance) {
            return s.get();
        }
    }
    return nullptr;
}

} // namespace

void Transaction::onCommit(std::function<void()> hook)
{
    // Kept on this transaction: a savepoint hands its hooks to the outer
    // transaction when released, and drops them when rolled back.
    m_hooks.push_back(std::move(hook));
}

Result<std::unique_ptr<Database>> Database::openSqlite(const QString &path, int busyTimeoutMs)
{
    // SQLite counts every allocation in global statistics under one mutex,
    // which every connection of the process takes for every malloc and free
    // (2% of an item read, some of it waiting). Nothing here reads them. It
    // can only be turned off before SQLite's first use; later it stays on.
    static const int kNoMemoryStatistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    Q_UNUSED(kNoMemoryStatistics);
    std::unique_ptr<Database> db(
        new Database(path, std::make_unique<SqliteDialect>(busyTimeoutMs), busyTimeoutMs));
    if (!db->connection().isOpen()) {
        return fail(Error::unavailable(
            QStringLiteral("cannot open database %1: %2").arg(path, db->lastOpenError())));
    }
    return db;
}

Database::Database(QString path, std::unique_ptr<SqlDialect> dialect, int busyTimeoutMs)
    : m_path(std::move(path)), m_dialect(std::move(dialect)), m_instance(g_nextInstance++),
      m_busyTimeoutMs(busyTimeoutMs)
{
}

Database::~Database()
{
    waitForCheckpoint();
    closeThreadConnection();
    QMutexLocker lock(&m_mutex);
    m_statementCaches.clear(); // other threads' statements, before their connections close
    for (const QString &name : std::as_const(m_connectionNames)) {
        QSqlDatabase::removeDatabase(name);
    }
}

QString Database::connectionName() const
{
    return QStringLiteral("colophon-%1-%2")
        .arg(m_instance)
        .arg(reinterpret_cast<quintptr>(QThread::currentThreadId()), 0, 16);
}

QString Database::lastOpenError() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastOpenError;
}

QSqlDatabase Database::connection()
{
    if (ThreadState *s = threadState(m_instance)) {
        return s->db;
    }
    const QString name = connectionName();
    QSqlDatabase db = QSqlDatabase::addDatabase(m_dialect->driverName(), name);
    db.setDatabaseName(m_path);
    if (!db.open()) {
        QMutexLocker lock(&m_mutex);
        m_lastOpenError = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        return db;
    }
    for (const QString &statement : m_dialect->connectionSetup()) {
        QSqlQuery q(db);
        if (!q.exec(statement)) {
            QMutexLocker lock(&m_mutex);
            m_lastOpenError = q.lastError().text();
        }
    }
    {
        QMutexLocker lock(&m_mutex);
        m_connectionNames.append(name);
    }
    auto state = std::make_unique<ThreadState>();
    state->instance = m_instance;
    state->db = db;
    if (const QVariant handle = db.driver()->handle();
        handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0) {
        sqlite3 *raw = *static_cast<sqlite3 *const *>(handle.data());
        // Replaces SQLite's own auto-checkpoint, which runs in the committer.
        sqlite3_wal_hook(raw, &Database::walCommitted, this);
        auto cache = std::make_unique<StatementCache>(raw);
        state->cStatements = cache.get();
        QMutexLocker lock(&m_mutex);
        m_statementCaches.push_back(std::move(cache));
    }
    t_states.push_back(std::move(state));
    return db;
}

void Database::closeThreadConnection()
{
    for (auto it = t_states.begin(); it != t_states.end(); ++it) {
        if ((*it)->instance != m_instance) {
            continue;
        }
        const QString name = (*it)->db.connectionName();
        (*it)->statements.clear();
        if (StatementCache *cache = (*it)->cStatements) {
            QMutexLocker lock(&m_mutex);
            std::erase_if(m_statementCaches, [&](const auto &c) { return c.get() == cache; });
        }
        (*it)->db.close();
        t_states.erase(it); // drops our handle before removeDatabase
        QSqlDatabase::removeDatabase(name);
        QMutexLocker lock(&m_mutex);
        m_connectionNames.removeAll(name);
        return;
    }
}

int Database::walCommitted(void *database, sqlite3 *db, const char *, int walFrames)
{
    auto *self = static_cast<Database *>(database);
    if (self->m_checkpoint.running()) {
        return SQLITE_OK; // its end is dealt with by the first commit after it
    }
    // What the last background checkpoint copied of the log it found; -1
    // once a commit has dealt with it.
    const int copied = self->m_walFramesCopied.exchange(-1);
    if (copied >= 0 && walFrames >= copied && walFrames - copied <= kCommitterFrames) {
        // Copy what was committed while the thread copied, here, while this
        // commit still keeps this process's writers out: the next writer
        // then finds the whole log copied and starts it over. A log that
        // only a thread copies, while writers go on appending, is never
        // whole at a writer's start and never starts over: it grew to
        // 8 GiB in a benchmark.
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (walFrames >= kCheckpointFrames) {
        self->checkpointInBackground();
    }
    return SQLITE_OK;
}

void Database::checkpointInBackground()
{
    // While one runs, this starts nothing; a later commit starts the next.
    m_checkpoint.start([this] {
        connection();
        if (ThreadState *s = threadState(m_instance); s != nullptr && s->cStatements != nullptr) {
            // PASSIVE: never waits for, nor blocks, a reader or a writer.
            int frames = 0;
            int done = 0;
            if (sqlite3_wal_checkpoint_v2(s->cStatements->handle, nullptr,
                                          SQLITE_CHECKPOINT_PASSIVE, &frames, &done) == SQLITE_OK) {
                m_walFramesCopied.store(done);
            }
        }
        closeThreadConnection();
    });
}

void Database::waitForCheckpoint()
{
    m_checkpoint.wait();
}

Result<CachedQuery> Transaction::execCached(const QString &sql, const QVariantList &values) const
{
    return m_database.execCached(sql, values);
}

Result<CachedQuery> Database::execCached(const QString &sql, const QVariantList &values)
{
    QSqlDatabase db = connection();
    if (!db.isOpen()) {
        return fail(
            Error::unavailable(QStringLiteral("database not open: %1").arg(lastOpenError())));
    }
    ThreadState *s = threadState(m_instance);
    auto &slot = s->statements[sql];
    if (!slot) {
        slot = std::make_unique<CachedStatement>();
        slot->query = std::make_unique<QSqlQuery>(db);
        if (!slot->query->prepare(sql)) {
            Error e = sqlError(*slot->query, sql);
            s->statements.erase(sql);
            return fail(e);
        }
    }
    CachedQuery handle = [&] {
        if (slot->inUse) { // re-entered while its rows are read: use a one-off
            auto own = std::make_unique<QSqlQuery>(db);
            own->prepare(sql);
            QSqlQuery *raw = own.get();
            return CachedQuery(raw, nullptr, std::move(own));
        }
        slot->inUse = true;
        return CachedQuery(slot->query.get(), &slot->inUse);
    }();
    for (int i = 0; i < values.size(); ++i) {
        handle->bindValue(i, values.at(i));
    }
    if (!handle->exec()) {
        return fail(sqlError(*handle, sql));
    }
    return handle;
}

Result<Statement> Transaction::statement(std::string_view sql) const
{
    return m_database.statement(sql);
}

Result<int> Transaction::run(const QString &sql, const QVariantList &values) const
{
    auto s = statement(sql.toStdString());
    if (!s) {
        return fail(s.error());
    }
    return s->bindAll(values).run();
}

Result<Statement> Database::statement(std::string_view sql)
{
    ThreadState *s = threadState(m_instance);
    if (s == nullptr) {
        if (!connection().isOpen()) {
            return fail(
                Error::unavailable(QStringLiteral("database not open: %1").arg(lastOpenError())));
        }
        s = threadState(m_instance);
    }
    StatementCache *cache = s->cStatements;
    if (cache == nullptr) {
        return fail(Error::internal(QStringLiteral("C API statements need SQLite")));
    }
    const auto prepare = [&](unsigned flags) -> Result<sqlite3_stmt *> {
        sqlite3_stmt *stmt = nullptr;
        const int rc =
            sqlite3_prepare_v3(cache->handle, sql.data(), int(sql.size()), flags, &stmt, nullptr);
        if (rc != SQLITE_OK) {
            return fail(sqliteError(cache->handle, rc, sql));
        }
        return stmt;
    };
    auto found = cache->bySql.find(sql);
    if (found == cache->bySql.end()) {
        auto stmt = prepare(SQLITE_PREPARE_PERSISTENT);
        if (!stmt) {
            return fail(stmt.error());
        }
        auto slot = std::make_unique<StatementCache::Slot>();
        slot->stmt = *stmt;
        found = cache->bySql.emplace(std::string(sql), std::move(slot)).first;
    }
    StatementCache::Slot &slot = *found->second;
    if (slot.inUse) { // re-entered while its rows are read: a one-off
        auto stmt = prepare(0);
        if (!stmt) {
            return fail(stmt.error());
        }
        return Statement(*stmt, nullptr, true);
    }
    slot.inUse = true;
    return Statement(slot.stmt, &slot.inUse, false);
}

bool Database::inTransaction() const
{
    const ThreadState *s = threadState(m_instance);
    return s != nullptr && s->current != nullptr;
}

bool Database::transactionIntact() const
{
    const ThreadState *s = threadState(m_instance);
    if (s == nullptr || s->current == nullptr) {
        return false;
    }
    return s->cStatements == nullptr || sqlite3_get_autocommit(s->cStatements->handle) == 0;
}

Result<ChangeToken> Database::changeToken()
{
    ChangeToken token{m_instance, m_commits.load(), -1};
    ThreadState *s = threadState(m_instance);
    if (s != nullptr && s->scopeDataVersion) {
        token.dataVersion = *s->scopeDataVersion;
        return token;
    }
    auto version = statement("PRAGMA data_version");
    if (!version) {
        return fail(version.error());
    }
    auto row = version->next();
    if (!row) {
        return fail(row.error());
    }
    token.dataVersion = *row ? version->integer(0) : -1;
    s = threadState(m_instance); // statement() opened the connection if need be
    if (s->requestScopes > 0) {
        s->scopeDataVersion = token.dataVersion;
    }
    return token;
}

Database::RequestScope::RequestScope(Database &db, Reads reads) : m_db(db)
{
    const QSqlDatabase connection = m_db.connection();
    if (!connection.isOpen()) {
        return; // changeToken() reports it
    }
    ThreadState *s = threadState(m_db.m_instance);
    ++s->requestScopes;
    m_counted = true;
    // A deferred BEGIN takes no lock: the first read takes the snapshot.
    if (reads == Reads::OneSnapshot && s->requestScopes == 1 && s->current == nullptr &&
        s->cStatements != nullptr) {
        s->snapshot = m_db.control(connection, "BEGIN").has_value();
    }
}

Database::RequestScope::~RequestScope()
{
    ThreadState *s = m_counted ? threadState(m_db.m_instance) : nullptr;
    if (s != nullptr && s->requestScopes > 0 && --s->requestScopes == 0) {
        s->scopeDataVersion.reset();
        m_db.endSnapshot();
    }
}

void Database::endSnapshot()
{
    ThreadState *s = threadState(m_instance);
    if (s == nullptr || !s->snapshot) {
        return;
    }
    s->snapshot = false;
    // Nothing was written in it, so COMMIT only lets go of the read lock.
    if (!control(s->db, "COMMIT")) {
        (void)control(s->db, "ROLLBACK");
    }
}

Result<void> Database::control(const QSqlDatabase &db, std::string_view sql)
{
    if (const ThreadState *s = threadState(m_instance); s != nullptr && s->cStatements) {
        // Prepared once per connection: a group commit runs four of these
        // per write, and preparing each through QSqlQuery was a sixth of it.
        auto stmt = statement(sql);
        if (!stmt) {
            return fail(stmt.error());
        }
        if (auto ran = stmt->run(); !ran) {
            return fail(ran.error());
        }
        return {};
    }
    const QString text = QString::fromUtf8(sql.data(), qsizetype(sql.size()));
    QSqlQuery q(db);
    if (!q.exec(text)) {
        return fail(sqlError(q, text));
    }
    return {};
}

Result<Transaction *> Database::begin()
{
    QSqlDatabase db = connection();
    if (!db.isOpen()) {
        return fail(
            Error::unavailable(QStringLiteral("database not open: %1").arg(lastOpenError())));
    }
    ThreadState *s = threadState(m_instance);
    const bool nested = s->current != nullptr;
    if (!nested) {
        endSnapshot();
    }
    const std::string sql = nested ? "SAVEPOINT sp" + std::to_string(s->depth)
                                   : m_dialect->beginWriteTransaction().toStdString();
    if (!nested && !m_writeMutex.try_lock_for(std::chrono::milliseconds(m_busyTimeoutMs))) {
        return fail(
            Error::unavailable(QStringLiteral("database busy: another writer held it for %1 ms")
                                   .arg(m_busyTimeoutMs)));
    }
    if (auto begun = control(db, sql); !begun) {
        if (!nested) {
            m_writeMutex.unlock();
        }
        return fail(begun.error());
    }
    auto *tx = new Transaction(*this, db);
    tx->m_outer = s->current;
    s->current = tx;
    ++s->depth;
    return tx;
}

Result<void> Database::finish(Transaction *tx, bool commit)
{
    ThreadState *s = threadState(m_instance);
    Q_ASSERT(s && s->current == tx);
    --s->depth;
    s->current = tx->m_outer;
    const bool nested = tx->m_outer != nullptr;
    std::unique_ptr<Transaction> owned(tx);
    const QSqlDatabase db = tx->db();

    if (nested) {
        const std::string sp = "sp" + std::to_string(s->depth);
        if (commit) {
            if (auto released = control(db, "RELEASE " + sp); !released) {
                return released;
            }
            auto &outerHooks = tx->m_outer->m_hooks;
            outerHooks.insert(outerHooks.end(), std::make_move_iterator(owned->m_hooks.begin()),
                              std::make_move_iterator(owned->m_hooks.end()));
            return {};
        }
        if (auto undone = control(db, "ROLLBACK TO " + sp); !undone) {
            return undone;
        }
        return control(db, "RELEASE " + sp);
    }
    std::unique_lock writer(m_writeMutex, std::adopt_lock); // released on every path below
    if (!commit) {
        return control(db, "ROLLBACK");
    }
    if (auto committed = control(db, "COMMIT"); !committed) {
        (void)control(db, "ROLLBACK");
        return committed;
    }
    m_commits.fetch_add(1);
    writer.unlock(); // hooks may start transactions of their own
    for (auto &hook : owned->m_hooks) {
        hook();
    }
    return {};
}

} // namespace colophon
