// SPDX-License-Identifier: MIT
// The user service's tables and queries (private to services/user):
// user_accounts, user_sessions, user_refresh_tokens. Writes take the
// caller's Transaction; nothing here decides whether a change is allowed.
#pragma once

#include "services/user/user.h"

#include <optional>
#include <vector>

namespace colophon {

class Database;
class MigrationRegistry;
class Transaction;

struct StoredAccount
{
    User user;
    QString passwordHash;
};

struct StoredRefreshToken
{
    QString sessionId;
    qint64 expiresAtMs = 0;
    bool rotated = false;
};

class UserStore final
{
public:
    explicit UserStore(Database &db) : m_db(db) {}
    static void registerMigrations(MigrationRegistry &registry);

    Result<std::optional<StoredAccount>> accountByEmail(const QString &email);
    Result<std::optional<StoredAccount>> accountById(const QString &id);
    Result<void> insertAccount(Transaction &tx, const StoredAccount &account);
    Result<void> updateProfile(Transaction &tx, const User &user);
    Result<void> updatePassword(Transaction &tx, const QString &userId, const QString &hash,
                                qint64 nowMs);

    Result<void> insertSession(Transaction &tx, const Session &session);
    Result<std::optional<Session>> liveSession(const QString &sessionId, qint64 nowMs);
    Result<std::vector<Session>> liveSessions(const QString &userId, qint64 nowMs);
    Result<void> touchSession(Transaction &tx, const QString &sessionId, qint64 nowMs);
    // Revokes one session; false when it is not the user's or already gone.
    Result<bool> revokeSession(Transaction &tx, const QString &userId, const QString &sessionId,
                               qint64 nowMs, const QString &reason);
    Result<void> insertRefreshToken(Transaction &tx, const QString &tokenHash,
                                    const QString &sessionId, qint64 nowMs, qint64 expiresAtMs);
    Result<std::optional<StoredRefreshToken>> refreshToken(Transaction &tx,
                                                           const QString &tokenHash);
    Result<void> markRotated(Transaction &tx, const QString &tokenHash, qint64 nowMs);

private:
    Database &m_db;
};

} // namespace colophon
