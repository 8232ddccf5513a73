// SPDX-License-Identifier: MIT
// The user service's tables and queries (private to services/user):
// user_accounts, user_sessions, user_refresh_tokens, user_totp,
// user_recovery_codes, user_mfa_challenges, user_login_failures,
// user_oauth_codes. Writes take the
// caller's Transaction; nothing here decides whether a change is allowed.
#pragma once

#include "services/user/loginthrottle.h"
#include "services/user/user.h"

#include <QStringList>
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

struct StoredTotp
{
    QString sealedSecret; // SecretBox-sealed raw secret
    bool confirmed = false;
    qint64 lastStep = 0; // the newest time step used; older or equal ones are refused
};

// A password that was right for an account with MFA, waiting for its code.
struct MfaChallenge
{
    QString userId;
    QString address;
    QString userAgent;
    qint64 expiresAtMs = 0;
    int attempts = 0;
};

// An OAuth authorization code (stored under its hash) and what it is bound to.
struct StoredAuthorizationCode
{
    QString clientId;
    QString redirectUri;
    QString codeChallenge;
    QString userId;
    QString sessionId; // the signed-in session waiting behind the code
    qint64 expiresAtMs = 0;
    qint64 usedAtMs = 0; // 0: not presented yet
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
    // The role of the user of a live session of an active, undeleted account,
    // and when the session expires: what every authenticated request needs,
    // in one indexed read.
    struct SessionRole
    {
        Role role;
        qint64 expiresAtMs;
    };
    Result<std::optional<SessionRole>> liveSessionRole(const QString &sessionId,
                                                       const QString &userId, qint64 nowMs);
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

    // Admin listing: one page and the total matching.
    static const QStringList &sortFields();
    Result<std::pair<std::vector<User>, qint64>> listUsers(const UserQuery &query);
    Result<qint64> countActiveAdmins(Transaction &tx);
    // Personal data replaced by placeholders, password unusable, MFA gone,
    // deleted_at set; the row (and so authorship) stays.
    Result<void> anonymise(Transaction &tx, const User &placeholder, const QString &unusableHash);
    // All sessions, live or not, newest first (for the user's export).
    Result<std::vector<Session>> allSessions(const QString &userId);

    Result<std::optional<StoredTotp>> totp(const QString &userId);
    // Replaces an unconfirmed enrolment (never a confirmed one).
    Result<void> putPendingTotp(Transaction &tx, const QString &userId, const QString &sealed,
                                qint64 nowMs);
    Result<void> confirmTotp(Transaction &tx, const QString &userId, qint64 step, qint64 nowMs);
    // Records step as used if it is newer than the last one; false for a replay.
    Result<bool> useTotpStep(Transaction &tx, const QString &userId, qint64 step);
    Result<void> deleteMfa(Transaction &tx, const QString &userId);
    Result<void> replaceRecoveryCodes(Transaction &tx, const QString &userId,
                                      const QStringList &codeHashes, qint64 nowMs);
    // Marks an unused code used; false when there is none such.
    Result<bool> useRecoveryCode(Transaction &tx, const QString &userId, const QString &codeHash,
                                 qint64 nowMs);
    Result<int> recoveryCodesLeft(const QString &userId);

    Result<void> insertChallenge(Transaction &tx, const QString &tokenHash,
                                 const MfaChallenge &challenge);
    Result<std::optional<MfaChallenge>> challenge(Transaction &tx, const QString &tokenHash);
    Result<void> setChallengeAttempts(Transaction &tx, const QString &tokenHash, int attempts);
    Result<void> deleteChallenge(Transaction &tx, const QString &tokenHash, qint64 nowMs);

    // Also forgets codes expired a day ago: long enough to notice one presented again.
    Result<void> insertAuthorizationCode(Transaction &tx, const QString &codeHash,
                                         const StoredAuthorizationCode &code, qint64 nowMs);
    Result<std::optional<StoredAuthorizationCode>> authorizationCode(Transaction &tx,
                                                                     const QString &codeHash);
    // Marks the code presented; false when it already was.
    Result<bool> useAuthorizationCode(Transaction &tx, const QString &codeHash, qint64 nowMs);
    Result<void> setSessionExpiry(Transaction &tx, const QString &sessionId, qint64 expiresAtMs);

    Result<LoginFailures> loginFailures(const QString &key);
    Result<void> putLoginFailures(Transaction &tx, const QString &key, const LoginFailures &f);
    Result<void> clearLoginFailures(Transaction &tx, const QString &key);

private:
    Database &m_db;
};

} // namespace colophon
