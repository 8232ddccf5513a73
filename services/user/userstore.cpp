// SPDX-License-Identifier: MIT
#include "services/user/userstore.h"

#include "backend/db/database.h"
#include "backend/db/migrations.h"
#include "backend/db/sqlquery.h"

#include <QMap>

namespace colophon {

namespace {

const QString kAccountColumns = QStringLiteral(
    "id, email, first_name, last_name, role, status, preferences, created_at, updated_at, "
    "password_hash, deleted_at, EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = "
    "user_accounts.id AND t.confirmed_at IS NOT NULL)");
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
    a.user.deletedAtMs = q.value(10).toLongLong();
    a.user.mfaEnabled = q.value(11).toBool();
    return a;
}

Session sessionFromRow(const QSqlQuery &q)
{
    return {q.value(0).toString(),  q.value(1).toString(),   q.value(2).toString(),
            q.value(3).toString(),  q.value(4).toLongLong(), q.value(5).toLongLong(),
            q.value(6).toLongLong()};
}

Result<void> done(const Result<QSqlQuery> &q)
{
    if (!q) {
        return fail(q.error());
    }
    return {};
}

// The first row as a T made by fromRow, or nullopt when there is none.
template <typename F>
auto firstRow(Result<QSqlQuery> q, F fromRow)
    -> Result<std::optional<decltype(fromRow(std::declval<const QSqlQuery &>()))>>
{
    using T = decltype(fromRow(std::declval<const QSqlQuery &>()));
    if (!q) {
        return fail(q.error());
    }
    if (!q->next()) {
        return std::optional<T>();
    }
    return std::optional<T>(fromRow(*q));
}

// Every row, each made by fromRow.
template <typename F>
auto allRows(Result<QSqlQuery> q, F fromRow)
    -> Result<std::vector<decltype(fromRow(std::declval<const QSqlQuery &>()))>>
{
    if (!q) {
        return fail(q.error());
    }
    std::vector<decltype(fromRow(std::declval<const QSqlQuery &>()))> out;
    while (q->next()) {
        out.push_back(fromRow(*q));
    }
    return out;
}

// Whether the statement changed a row.
Result<bool> changedARow(const Result<QSqlQuery> &q)
{
    if (!q) {
        return fail(q.error());
    }
    return q->numRowsAffected() > 0;
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
    registry.add(
        {QStringLiteral("user"),
         2,
         QStringLiteral("MFA, sign-in failures, account deletion"),
         {
             QStringLiteral("ALTER TABLE user_accounts ADD COLUMN deleted_at INTEGER"),
             QStringLiteral("CREATE INDEX user_accounts_created ON user_accounts (created_at)"),
             QStringLiteral("CREATE TABLE user_totp ("
                            " user_id TEXT PRIMARY KEY REFERENCES user_accounts (id),"
                            " secret TEXT NOT NULL,"
                            " created_at INTEGER NOT NULL,"
                            " confirmed_at INTEGER,"
                            " last_step INTEGER NOT NULL DEFAULT 0)"),
             QStringLiteral("CREATE TABLE user_recovery_codes ("
                            " code_hash TEXT PRIMARY KEY,"
                            " user_id TEXT NOT NULL REFERENCES user_accounts (id),"
                            " created_at INTEGER NOT NULL,"
                            " used_at INTEGER)"),
             QStringLiteral(
                 "CREATE INDEX user_recovery_codes_user ON user_recovery_codes (user_id)"),
             QStringLiteral("CREATE TABLE user_mfa_challenges ("
                            " token_hash TEXT PRIMARY KEY,"
                            " user_id TEXT NOT NULL REFERENCES user_accounts (id),"
                            " address TEXT NOT NULL,"
                            " user_agent TEXT NOT NULL,"
                            " expires_at INTEGER NOT NULL,"
                            " attempts INTEGER NOT NULL DEFAULT 0)"),
             QStringLiteral("CREATE TABLE user_login_failures ("
                            " key TEXT PRIMARY KEY,"
                            " failures INTEGER NOT NULL,"
                            " window_start INTEGER NOT NULL,"
                            " last_failure INTEGER NOT NULL,"
                            " locked_until INTEGER NOT NULL)"),
         },
         {}});
    registry.add({QStringLiteral("user"),
                  3,
                  QStringLiteral("OAuth authorization codes"),
                  {
                      QStringLiteral("CREATE TABLE user_oauth_codes ("
                                     " code_hash TEXT PRIMARY KEY,"
                                     " client_id TEXT NOT NULL,"
                                     " redirect_uri TEXT NOT NULL,"
                                     " code_challenge TEXT NOT NULL,"
                                     " user_id TEXT NOT NULL REFERENCES user_accounts (id),"
                                     " session_id TEXT NOT NULL REFERENCES user_sessions (id),"
                                     " created_at INTEGER NOT NULL,"
                                     " expires_at INTEGER NOT NULL,"
                                     " used_at INTEGER)"),
                      QStringLiteral(
                          "CREATE INDEX user_oauth_codes_expiry ON user_oauth_codes (expires_at)"),
                  },
                  {}});
}

Result<std::optional<StoredAccount>> UserStore::accountByEmail(const QString &email)
{
    return firstRow(
        execSql(m_db.connection(),
                QStringLiteral("SELECT %1 FROM user_accounts WHERE email = ?").arg(kAccountColumns),
                {email}),
        accountFromRow);
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

Result<std::optional<UserStore::SessionRole>>
UserStore::liveSessionRole(const QString &sessionId, const QString &userId, qint64 nowMs)
{
    // On every authenticated request: through the C API.
    auto q = m_db.statement(
        "SELECT a.role, s.expires_at FROM user_sessions s JOIN user_accounts a ON a.id = "
        "s.user_id WHERE s.id = "
        "? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND a.status = "
        "'active' AND a.deleted_at IS NULL");
    if (!q) {
        return fail(q.error());
    }
    auto row = q->bind(1, sessionId).bind(2, userId).bind(3, nowMs).next();
    if (!row) {
        return fail(row.error());
    }
    if (!*row) {
        return std::optional<SessionRole>();
    }
    const std::optional<Role> role = parseRole(q->string(0));
    if (!role) {
        return std::optional<SessionRole>();
    }
    return std::optional<SessionRole>(SessionRole{*role, q->integer(1)});
}

Result<std::vector<Session>> UserStore::liveSessions(const QString &userId, qint64 nowMs)
{
    return allRows(
        execSql(
            m_db.connection(),
            QStringLiteral("SELECT %1 FROM user_sessions WHERE user_id = ? AND revoked_at IS NULL "
                           "AND expires_at > ? ORDER BY created_at")
                .arg(kSessionColumns),
            {userId, nowMs}),
        sessionFromRow);
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
    return changedARow(
        execSql(tx.db(),
                QStringLiteral("UPDATE user_sessions SET revoked_at = ?, revoked_reason = ? "
                               "WHERE id = ? AND user_id = ? AND revoked_at IS NULL"),
                {nowMs, reason, sessionId, userId}));
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
    return firstRow(
        execSql(tx.db(),
                QStringLiteral("SELECT session_id, expires_at, rotated_at IS NOT NULL FROM "
                               "user_refresh_tokens WHERE token_hash = ?"),
                {tokenHash}),
        [](const QSqlQuery &q) {
            return StoredRefreshToken{q.value(0).toString(), q.value(1).toLongLong(),
                                      q.value(2).toBool()};
        });
}

Result<void> UserStore::markRotated(Transaction &tx, const QString &tokenHash, qint64 nowMs)
{
    return done(execSql(
        tx.db(),
        QStringLiteral("UPDATE user_refresh_tokens SET rotated_at = ? WHERE token_hash = ?"),
        {nowMs, tokenHash}));
}

const QStringList &UserStore::sortFields()
{
    static const QStringList fields{QStringLiteral("email"),    QStringLiteral("firstName"),
                                    QStringLiteral("lastName"), QStringLiteral("role"),
                                    QStringLiteral("status"),   QStringLiteral("createdAt"),
                                    QStringLiteral("updatedAt")};
    return fields;
}

Result<std::pair<std::vector<User>, qint64>> UserStore::listUsers(const UserQuery &query)
{
    static const QMap<QString, QString> columns{
        {QStringLiteral("email"), QStringLiteral("email")},
        {QStringLiteral("firstName"), QStringLiteral("first_name")},
        {QStringLiteral("lastName"), QStringLiteral("last_name")},
        {QStringLiteral("role"), QStringLiteral("role")},
        {QStringLiteral("status"), QStringLiteral("status")},
        {QStringLiteral("createdAt"), QStringLiteral("created_at")},
        {QStringLiteral("updatedAt"), QStringLiteral("updated_at")}};
    QStringList where;
    QVariantList values;
    if (!query.includeDeleted) {
        where << QStringLiteral("deleted_at IS NULL");
    }
    if (query.role) {
        where << QStringLiteral("role = ?");
        values << roleName(*query.role);
    }
    if (!query.status.isEmpty()) {
        where << QStringLiteral("status = ?");
        values << query.status;
    }
    if (!query.text.isEmpty()) {
        QString pattern = query.text;
        pattern.replace(u'\\', QStringLiteral("\\\\"))
            .replace(u'%', QStringLiteral("\\%"))
            .replace(u'_', QStringLiteral("\\_"));
        pattern = u'%' + pattern + u'%';
        where << QStringLiteral("(email LIKE ? ESCAPE '\\' OR first_name LIKE ? ESCAPE '\\' "
                                "OR last_name LIKE ? ESCAPE '\\' OR (first_name || ' ' || "
                                "last_name) LIKE ? ESCAPE '\\')");
        values << pattern << pattern << pattern << pattern;
    }
    const QString filter = where.isEmpty()
                               ? QString()
                               : QStringLiteral(" WHERE ") + where.join(QLatin1String(" AND "));
    auto counted = execSql(m_db.connection(),
                           QStringLiteral("SELECT COUNT(*) FROM user_accounts") + filter, values);
    if (!counted) {
        return fail(counted.error());
    }
    const qint64 total = counted->next() ? counted->value(0).toLongLong() : 0;
    const QString column = columns.value(query.sortField, QStringLiteral("created_at"));
    const QString direction = query.descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
    // The id breaks ties, so pages never overlap or skip rows.
    QVariantList pageValues = values;
    pageValues << query.limit << query.offset;
    auto q = execSql(m_db.connection(),
                     QStringLiteral("SELECT %1 FROM user_accounts%2 ORDER BY %3%4, id%4 "
                                    "LIMIT ? OFFSET ?")
                         .arg(kAccountColumns, filter, column, direction),
                     pageValues);
    if (!q) {
        return fail(q.error());
    }
    std::vector<User> users;
    while (q->next()) {
        users.push_back(accountFromRow(*q).user);
    }
    return std::pair{std::move(users), total};
}

Result<qint64> UserStore::countActiveAdmins(Transaction &tx)
{
    auto v = queryValue(tx.db(),
                        QStringLiteral("SELECT COUNT(*) FROM user_accounts WHERE role = 'admin' "
                                       "AND status = 'active' AND deleted_at IS NULL"));
    if (!v) {
        return fail(v.error());
    }
    return v->toLongLong();
}

Result<void> UserStore::anonymise(Transaction &tx, const User &p, const QString &unusableHash)
{
    if (auto mfa = deleteMfa(tx, p.id); !mfa) {
        return mfa;
    }
    if (auto challenges = done(execSql(
            tx.db(), QStringLiteral("DELETE FROM user_mfa_challenges WHERE user_id = ?"), {p.id}));
        !challenges) {
        return challenges;
    }
    // Sessions keep no personal data once anonymised: the address and agent go.
    if (auto sessions = done(
            execSql(tx.db(),
                    QStringLiteral(
                        "UPDATE user_sessions SET address = '', user_agent = '' WHERE user_id = ?"),
                    {p.id}));
        !sessions) {
        return sessions;
    }
    return done(execSql(
        tx.db(),
        QStringLiteral("UPDATE user_accounts SET email = ?, password_hash = ?, first_name = ?, "
                       "last_name = ?, status = ?, preferences = ?, updated_at = ?, deleted_at = ? "
                       "WHERE id = ?"),
        {p.email, unusableHash, p.firstName, p.lastName, p.status,
         QString::fromStdString(p.preferences.toJson().dump()), p.updatedAtMs, p.deletedAtMs,
         p.id}));
}

Result<std::vector<Session>> UserStore::allSessions(const QString &userId)
{
    return allRows(execSql(m_db.connection(),
                           QStringLiteral("SELECT %1 FROM user_sessions WHERE user_id = ? "
                                          "ORDER BY created_at DESC")
                               .arg(kSessionColumns),
                           {userId}),
                   sessionFromRow);
}

Result<std::optional<StoredTotp>> UserStore::totp(const QString &userId)
{
    return firstRow(
        execSql(m_db.connection(),
                QStringLiteral("SELECT secret, confirmed_at IS NOT NULL, last_step "
                               "FROM user_totp WHERE user_id = ?"),
                {userId}),
        [](const QSqlQuery &q) {
            return StoredTotp{q.value(0).toString(), q.value(1).toBool(), q.value(2).toLongLong()};
        });
}

Result<void> UserStore::putPendingTotp(Transaction &tx, const QString &userId,
                                       const QString &sealed, qint64 nowMs)
{
    if (auto cleared = done(execSql(
            tx.db(),
            QStringLiteral("DELETE FROM user_totp WHERE user_id = ? AND confirmed_at IS NULL"),
            {userId}));
        !cleared) {
        return cleared;
    }
    return done(execSql(tx.db(),
                        QStringLiteral("INSERT INTO user_totp (user_id, secret, created_at) "
                                       "VALUES (?, ?, ?)"),
                        {userId, sealed, nowMs}));
}

Result<void> UserStore::confirmTotp(Transaction &tx, const QString &userId, qint64 step,
                                    qint64 nowMs)
{
    return done(execSql(
        tx.db(),
        QStringLiteral("UPDATE user_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ?"),
        {nowMs, step, userId}));
}

Result<bool> UserStore::useTotpStep(Transaction &tx, const QString &userId, qint64 step)
{
    return changedARow(execSql(
        tx.db(),
        QStringLiteral("UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ?"),
        {step, userId, step}));
}

Result<void> UserStore::deleteMfa(Transaction &tx, const QString &userId)
{
    if (auto codes = done(
            execSql(tx.db(), QStringLiteral("DELETE FROM user_recovery_codes WHERE user_id = ?"),
                    {userId}));
        !codes) {
        return codes;
    }
    return done(
        execSql(tx.db(), QStringLiteral("DELETE FROM user_totp WHERE user_id = ?"), {userId}));
}

Result<void> UserStore::replaceRecoveryCodes(Transaction &tx, const QString &userId,
                                             const QStringList &codeHashes, qint64 nowMs)
{
    if (auto cleared = done(
            execSql(tx.db(), QStringLiteral("DELETE FROM user_recovery_codes WHERE user_id = ?"),
                    {userId}));
        !cleared) {
        return cleared;
    }
    for (const QString &hash : codeHashes) {
        if (auto stored = done(execSql(tx.db(),
                                       QStringLiteral("INSERT INTO user_recovery_codes (code_hash, "
                                                      "user_id, created_at) VALUES (?, ?, ?)"),
                                       {hash, userId, nowMs}));
            !stored) {
            return stored;
        }
    }
    return {};
}

Result<bool> UserStore::useRecoveryCode(Transaction &tx, const QString &userId,
                                        const QString &codeHash, qint64 nowMs)
{
    return changedARow(
        execSql(tx.db(),
                QStringLiteral("UPDATE user_recovery_codes SET used_at = ? WHERE code_hash = "
                               "? AND user_id = ? AND used_at IS NULL"),
                {nowMs, codeHash, userId}));
}

Result<int> UserStore::recoveryCodesLeft(const QString &userId)
{
    auto v = queryValue(m_db.connection(),
                        QStringLiteral("SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ? "
                                       "AND used_at IS NULL"),
                        {userId});
    if (!v) {
        return fail(v.error());
    }
    return v->toInt();
}

Result<void> UserStore::insertChallenge(Transaction &tx, const QString &tokenHash,
                                        const MfaChallenge &c)
{
    return done(execSql(tx.db(),
                        QStringLiteral("INSERT INTO user_mfa_challenges (token_hash, user_id, "
                                       "address, user_agent, expires_at) VALUES (?, ?, ?, ?, ?)"),
                        {tokenHash, c.userId, c.address, c.userAgent, c.expiresAtMs}));
}

Result<std::optional<MfaChallenge>> UserStore::challenge(Transaction &tx, const QString &tokenHash)
{
    return firstRow(
        execSql(tx.db(),
                QStringLiteral("SELECT user_id, address, user_agent, expires_at, "
                               "attempts FROM user_mfa_challenges WHERE token_hash = ?"),
                {tokenHash}),
        [](const QSqlQuery &q) {
            return MfaChallenge{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                                q.value(3).toLongLong(), q.value(4).toInt()};
        });
}

Result<void> UserStore::setChallengeAttempts(Transaction &tx, const QString &tokenHash,
                                             int attempts)
{
    return done(execSql(
        tx.db(), QStringLiteral("UPDATE user_mfa_challenges SET attempts = ? WHERE token_hash = ?"),
        {attempts, tokenHash}));
}

Result<void> UserStore::deleteChallenge(Transaction &tx, const QString &tokenHash, qint64 nowMs)
{
    // The expired ones of everybody go too: the table holds only what is pending.
    return done(execSql(
        tx.db(),
        QStringLiteral("DELETE FROM user_mfa_challenges WHERE token_hash = ? OR expires_at <= ?"),
        {tokenHash, nowMs}));
}

Result<void> UserStore::insertAuthorizationCode(Transaction &tx, const QString &codeHash,
                                                const StoredAuthorizationCode &c, qint64 nowMs)
{
    constexpr qint64 kDayMs = 24 * 3600 * 1000;
    if (auto forgotten = done(
            execSql(tx.db(), QStringLiteral("DELETE FROM user_oauth_codes WHERE expires_at <= ?"),
                    {nowMs - kDayMs}));
        !forgotten) {
        return forgotten;
    }
    return done(execSql(tx.db(),
                        QStringLiteral("INSERT INTO user_oauth_codes (code_hash, client_id, "
                                       "redirect_uri, code_challenge, user_id, session_id, "
                                       "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                        {codeHash, c.clientId, c.redirectUri, c.codeChallenge, c.userId,
                         c.sessionId, nowMs, c.expiresAtMs}));
}

Result<std::optional<StoredAuthorizationCode>> UserStore::authorizationCode(Transaction &tx,
                                                                            const QString &codeHash)
{
    return firstRow(execSql(tx.db(),
                            QStringLiteral("SELECT client_id, redirect_uri, code_challenge, "
                                           "user_id, session_id, expires_at, COALESCE(used_at, 0) "
                                           "FROM user_oauth_codes WHERE code_hash = ?"),
                            {codeHash}),
                    [](const QSqlQuery &q) {
                        return StoredAuthorizationCode{
                            q.value(0).toString(),  q.value(1).toString(), q.value(2).toString(),
                            q.value(3).toString(),  q.value(4).toString(), q.value(5).toLongLong(),
                            q.value(6).toLongLong()};
                    });
}

Result<bool> UserStore::useAuthorizationCode(Transaction &tx, const QString &codeHash, qint64 nowMs)
{
    return changedARow(execSql(tx.db(),
                               QStringLiteral("UPDATE user_oauth_codes SET used_at = ? "
                                              "WHERE code_hash = ? AND used_at IS NULL"),
                               {nowMs, codeHash}));
}

Result<void> UserStore::setSessionExpiry(Transaction &tx, const QString &sessionId,
                                         qint64 expiresAtMs)
{
    return done(execSql(tx.db(),
                        QStringLiteral("UPDATE user_sessions SET expires_at = ? WHERE id = ?"),
                        {expiresAtMs, sessionId}));
}

Result<LoginFailures> UserStore::loginFailures(const QString &key)
{
    auto q = m_db.execCached(QStringLiteral("SELECT failures, window_start, last_failure, "
                                            "locked_until FROM user_login_failures WHERE key = ?"),
                             {key});
    if (!q) {
        return fail(q.error());
    }
    if (!(*q)->next()) {
        return LoginFailures{};
    }
    return LoginFailures{(*q)->value(0).toInt(), (*q)->value(1).toLongLong(),
                         (*q)->value(2).toLongLong(), (*q)->value(3).toLongLong()};
}

Result<void> UserStore::putLoginFailures(Transaction &tx, const QString &key,
                                         const LoginFailures &f)
{
    return done(execSql(
        tx.db(),
        QStringLiteral("INSERT INTO user_login_failures (key, failures, window_start, "
                       "last_failure, locked_until) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO "
                       "UPDATE SET failures = excluded.failures, window_start = "
                       "excluded.window_start, last_failure = excluded.last_failure, "
                       "locked_until = excluded.locked_until"),
        {key, f.failures, f.windowStartMs, f.lastFailureMs, f.lockedUntilMs}));
}

Result<void> UserStore::clearLoginFailures(Transaction &tx, const QString &key)
{
    return done(
        execSql(tx.db(), QStringLiteral("DELETE FROM user_login_failures WHERE key = ?"), {key}));
}

} // namespace colophon
