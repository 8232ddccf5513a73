// SPDX-License-Identifier: MIT
#include "services/user/userstore.h"

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"

namespace colophon {

namespace {

const QString kAccountColumns =
    QStringLiteral("id, email, first_name, last_name, role, status, preferences, created_at, "
                   "updated_at, password_hash");
const QString kSessionColumns =
    QStringLiteral("id, user_id, address, user_agent, created_at, last_used_at, expires_at");

StoredAccount accountFromRow(const QSqlQuery &q)
{
    StoredAccount a;
    a.user.id = q.value(0).toString();
    a.user.email = q.value(1).toString();
    a.user.firstName = q.value(2).toString();
    a.user.lastName = q.value(3).toString();
    a.user.role = parseRole(q.value(4).toString()).value_or(Role::Consumer);
    a.user.status = q.value(5).toString();
    a.user.preferences = UserPreferences::fromStored(
        nlohmann::json::parse(q.value(6).toString().toStdString(), nullptr, false));
    a.user.createdAtMs = q.value(7).toLongLong();
    a.user.updatedAtMs = q.value(8).toLongLong();
    a.passwordHash = q.value(9).toString();
    return a;
}

Session sessionFromRow(const QSqlQuery &q)
{
    return {q.value(0).toString(),  q.value(1).toString(),   q.value(2).toString(),
            q.value(3).toString(),  q.value(4).toLongLong(), q.value(5).toLongLong(),
            q.value(6).toLongLong()};
}

Result<std::optional<StoredAccount>> oneAccount(Result<QSqlQuery> q)
{
    if (!q) {
        return fail(q.error());
    }
    if (!q->next()) {
        return std::optional<StoredAccount>();
    }
    return std::optional<StoredAccount>(accountFromRow(*q));
}

Result<void> done(const Result<QSqlQuery> &q)
{
    if (!q) {
        return fail(q.error());
    }
    return {};
}

} // namespace

void UserStore::registerMigrations(MigrationRegistry &registry)
{
    registry.add({QStringLiteral("user"),
                  1,
                  QStringLiteral("accounts, sessions, refresh tokens"),
                  {
                      QStringLiteral("CREATE TABLE user_accounts ("
                                     " id TEXT PRIMARY KEY,"
                                     " email TEXT NOT NULL UNIQUE,"
                                     " password_hash TEXT NOT NULL,"
                                     " first_name TEXT NOT NULL,"
                                     " last_name TEXT NOT NULL,"
                                     " role TEXT NOT NULL,"
                                     " status TEXT NOT NULL,"
                                     " preferences TEXT NOT NULL,"
                                     " created_at INTEGER NOT NULL,"
                                     " updated_at INTEGER NOT NULL)"),
                      QStringLiteral("CREATE TABLE user_sessions ("
                                     " id TEXT PRIMARY KEY,"
                                     " user_id TEXT NOT NULL REFERENCES user_accounts (id),"
                                     " address TEXT NOT NULL,"
                                     " user_agent TEXT NOT NULL,"
                                     " created_at INTEGER NOT NULL,"
                                     " last_used_at INTEGER NOT NULL,"
                                     " expires_at INTEGER NOT NULL,"
                                     " revoked_at INTEGER,"
                                     " revoked_reason TEXT)"),
                      QStringLiteral("CREATE INDEX user_sessions_user ON user_sessions (user_id)"),
                      QStringLiteral("CREATE TABLE user_refresh_tokens ("
                                     " token_hash TEXT PRIMARY KEY,"
                                     " session_id TEXT NOT NULL REFERENCES user_sessions (id),"
                                     " issued_at INTEGER NOT NULL,"
                                     " expires_at INTEGER NOT NULL,"
                                     " rotated_at INTEGER)"),
                  },
                  {}});
}

Result<std::optional<StoredAccount>> UserStore::accountByEmail(const QString &email)
{
    return oneAccount(
        execSql(m_db.connection(),
                QStringLiteral("SELECT %1 FROM user_accounts WHERE email = ?").arg(kAccountColumns),
                {email}));
}

Result<std::optional<StoredAccount>> UserStore::accountById(const QString &id)
{
    // On every authenticated request: through the statement cache.
    auto q = m_db.execCached(
        QStringLiteral("SELECT %1 FROM user_accounts WHERE id = ?").arg(kAccountColumns), {id});
    if (!q) {
        return fail(q.error());
    }
    if (!(*q)->next()) {
        return std::optional<StoredAccount>();
    }
    return std::optional<StoredAccount>(accountFromRow(**q));
}

Result<void> UserStore::insertAccount(Transaction &tx, const StoredAccount &a)
{
    return done(
        execSql(tx.db(),
                QStringLiteral(
                    "INSERT INTO user_accounts (id, email, password_hash, first_name, last_name, "
                    "role, status, preferences, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                {a.user.id, a.user.email, a.passwordHash, a.user.firstName, a.user.lastName,
                 roleName(a.user.role), a.user.status,
                 QString::fromStdString(a.user.preferences.toJson().dump()), a.user.createdAtMs,
                 a.user.updatedAtMs}));
}

Result<void> UserStore::updateProfile(Transaction &tx, const User &u)
{
    return done(
        execSql(tx.db(),
                QStringLiteral("UPDATE user_accounts SET first_name = ?, last_name = ?, role = ?, "
                               "status = ?, preferences = ?, updated_at = ? WHERE id = ?"),
                {u.firstName, u.lastName, roleName(u.role), u.status,
                 QString::fromStdString(u.preferences.toJson().dump()), u.updatedAtMs, u.id}));
}

Result<void> UserStore::updatePassword(Transaction &tx, const QString &userId, const QString &hash,
                                       qint64 nowMs)
{
    return done(execSql(
        tx.db(),
        QStringLiteral("UPDATE user_accounts SET password_hash = ?, updated_at = ? WHERE id = ?"),
        {hash, nowMs, userId}));
}

Result<void> UserStore::insertSession(Transaction &tx, const Session &s)
{
    return done(execSql(
        tx.db(),
        QStringLiteral(
            "INSERT INTO user_sessions (id, user_id, address, user_agent, created_at, "
            "last_used_at, expires_at) VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), ?, ?, ?)"),
        {s.id, s.userId, s.address, s.userAgent, s.createdAtMs, s.lastUsedAtMs, s.expiresAtMs}));
}

Result<std::optional<Session>> UserStore::liveSession(const QString &sessionId, qint64 nowMs)
{
    auto q = m_db.execCached(
        QStringLiteral("SELECT %1 FROM user_sessions WHERE id = ? AND revoked_at IS NULL "
                       "AND expires_at > ?")
            .arg(kSessionColumns),
        {sessionId, nowMs});
    if (!q) {
        return fail(q.error());
    }
    if (!(*q)->next()) {
        return std::optional<Session>();
    }
    return std::optional<Session>(sessionFromRow(**q));
}

Result<std::vector<Session>> UserStore::liveSessions(const QString &userId, qint64 nowMs)
{
    auto q = execSql(
        m_db.connection(),
        QStringLiteral("SELECT %1 FROM user_sessions WHERE user_id = ? AND revoked_at IS NULL "
                       "AND expires_at > ? ORDER BY created_at")
            .arg(kSessionColumns),
        {userId, nowMs});
    if (!q) {
        return fail(q.error());
    }
    std::vector<Session> out;
    while (q->next()) {
        out.push_back(sessionFromRow(*q));
    }
    return out;
}

Result<void> UserStore::touchSession(Transaction &tx, const QString &sessionId, qint64 nowMs)
{
    return done(execSql(tx.db(),
                        QStringLiteral("UPDATE user_sessions SET last_used_at = ? WHERE id = ?"),
                        {nowMs, sessionId}));
}

Result<bool> UserStore::revokeSession(Transaction &tx, const QString &userId,
                                      const QString &sessionId, qint64 nowMs, const QString &reason)
{
    auto q = execSql(tx.db(),
                     QStringLiteral("UPDATE user_sessions SET revoked_at = ?, revoked_reason = ? "
                                    "WHERE id = ? AND user_id = ? AND revoked_at IS NULL"),
                     {nowMs, reason, sessionId, userId});
    if (!q) {
        return fail(q.error());
    }
    return q->numRowsAffected() > 0;
}

Result<void> UserStore::insertRefreshToken(Transaction &tx, const QString &tokenHash,
                                           const QString &sessionId, qint64 nowMs,
                                           qint64 expiresAtMs)
{
    return done(execSql(
        tx.db(),
        QStringLiteral("INSERT INTO user_refresh_tokens (token_hash, session_id, issued_at, "
                       "expires_at) VALUES (?, ?, ?, ?)"),
        {tokenHash, sessionId, nowMs, expiresAtMs}));
}

Result<std::optional<StoredRefreshToken>> UserStore::refreshToken(Transaction &tx,
                                                                  const QString &tokenHash)
{
    auto q = execSql(
        tx.db(),
        QStringLiteral(
            "SELECT session_id, expires_at, rotated_at IS NOT NULL FROM user_refresh_tokens "
            "WHERE token_hash = ?"),
        {tokenHash});
    if (!q) {
        return fail(q.error());
    }
    if (!q->next()) {
        return std::optional<StoredRefreshToken>();
    }
    return std::optional<StoredRefreshToken>(
        StoredRefreshToken{q->value(0).toString(), q->value(1).toLongLong(), q->value(2).toBool()});
}

Result<void> UserStore::markRotated(Transaction &tx, const QString &tokenHash, qint64 nowMs)
{
    return done(execSql(
        tx.db(),
        QStringLiteral("UPDATE user_refresh_tokens SET rotated_at = ? WHERE token_hash = ?"),
        {nowMs, tokenHash}));
}

} // namespace colophon
