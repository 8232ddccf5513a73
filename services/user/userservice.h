// SPDX-License-Identifier: MIT
// The user service: accounts, sign-in with passwords, access and refresh
// tokens, sessions. Other code includes only this header.
//
// Invariants: a password is stored only as an argon2id hash and never leaves
// the service; every change is a domain event appended in the same
// transaction as its rows (UserCreated, UserUpdated, UserAuthenticated,
// UserSessionRevoked), with no secret in any payload; a refresh token is
// stored only as its hash, used once, and presenting a used one revokes its
// whole session; an access token is honoured only while its session is live
// and its user active; authorize() decides every action, whichever program
// calls.
#pragma once

#include "services/user/user.h"

#include <QByteArray>
#include <functional>
#include <memory>
#include <vector>

namespace colophon {

class Database;
class EventLog;
class JwtSigner;
class MigrationRegistry;
class PasswordHasher;
class Transaction;
class UserStore;

struct UserSettings
{
    bool openRegistration = true;
    Role selfRegisteredRole = Role::Consumer;
    qint64 accessTokenSeconds = 15 * 60;
    qint64 refreshTokenSeconds = 30 * 24 * 3600;
};

struct NewUser
{
    QString email;
    QString password;
    QString firstName;
    QString lastName;
    Role role = Role::Consumer;
};

struct ProfileChange
{
    std::optional<QString> firstName;
    std::optional<QString> lastName;
    std::optional<nlohmann::json> preferences; // the fields to change
};

class UserService final
{
public:
    using Clock = std::function<qint64()>; // epoch milliseconds
    UserService(Database &db, EventLog &log, const PasswordHasher &hasher, const JwtSigner &signer,
                UserSettings settings, Clock clock = {});
    ~UserService();
    static void registerMigrations(MigrationRegistry &registry);

    // Self-service sign-up (when open), with the configured role.
    Result<User> registerUser(const NewUser &input);
    // An account made by an admin (or the system, for the first admin).
    Result<User> createUser(const Actor &actor, const NewUser &input);

    // Unauthenticated for a wrong password and an unknown email alike, after
    // the same amount of work. A hash made with other argon2id parameters is
    // replaced by one with the current parameters.
    Result<TokenPair> login(const QString &email, const QString &password,
                            const ClientInfo &client);
    Result<TokenPair> refresh(const QString &refreshToken, const ClientInfo &client);
    // The acting user of a valid access token whose session is live.
    Result<Actor> authenticate(const QString &accessToken);
    Result<void> logout(const Actor &actor);

    Result<User> me(const Actor &actor);
    Result<User> updateMe(const Actor &actor, const ProfileChange &change);
    // Requires the current password; revokes the user's other sessions.
    Result<void> changePassword(const Actor &actor, const QString &currentPassword,
                                const QString &newPassword);
    Result<std::vector<Session>> sessions(const Actor &actor);
    Result<void> revokeSession(const Actor &actor, const QString &sessionId);

private:
    Result<User> create(const Actor &actor, const NewUser &input, bool selfService);
    Result<TokenPair> issueTokens(Transaction &tx, const User &user, const QString &sessionId,
                                  qint64 nowMs);
    Result<Session> startSession(Transaction &tx, const User &user, const ClientInfo &client,
                                 qint64 nowMs);
    Result<void> revoke(Transaction &tx, const QString &userId, const QString &sessionId,
                        const QString &reason, qint64 nowMs);

    Database &m_db;
    EventLog &m_log;
    const PasswordHasher &m_hasher;
    const JwtSigner &m_signer;
    UserSettings m_settings;
    Clock m_clock;
    std::unique_ptr<UserStore> m_store;
};

} // namespace colophon
