// SPDX-License-Identifier: MIT
// The user service: accounts, sign-in with passwords and TOTP, access and
// refresh tokens, sessions, limits on failed sign-ins, the admins' management
// of accounts and a person's export of their data. Other code includes only
// this header.
//
// Invariants: a password is stored only as an argon2id hash and never leaves
// the service; every change is a domain event appended in the same
// transaction as its rows (UserCreated, UserUpdated, UserDeleted,
// UserAuthenticated, UserSessionRevoked), with no secret in any payload; a
// TOTP secret is stored sealed, recovery codes and the MFA sign-in token only
// as hashes, and a TOTP time step is accepted once; a refresh token is
// stored only as its hash, used once, and presenting a used one revokes its
// whole session; an access token is honoured only while its session is live
// and its user active; an OAuth authorization code is stored only as its
// hash and works once, for its client, redirect and verifier; there is
// always an active admin; authorize() decides every action, whichever
// program calls.
#pragma once

#include "services/user/loginthrottle.h"
#include "services/user/user.h"

#include <QByteArray>
#include <QHash>
#include <QStringList>
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
struct StoredAccount;

struct UserSettings
{
    bool openRegistration = true;
    Role selfRegisteredRole = Role::Consumer;
    qint64 accessTokenSeconds = 15 * 60;
    qint64 refreshTokenSeconds = 30 * 24 * 3600;
    QByteArray secretKey; // 32 bytes sealing TOTP secrets; without it MFA cannot be enrolled
    QString totpIssuer = QStringLiteral("Colophon");
    qint64 mfaChallengeSeconds = 5 * 60;  // from a right password to its code
    int mfaChallengeAttempts = 5;         // wrong codes before the password is asked again
    qint64 authorizationCodeSeconds = 60; // an OAuth code, from the sign-in page to its exchange
    ThrottleSettings throttle;
};

// What a right password gets: tokens, or (with MFA) a token for the code step.
struct LoginResult
{
    std::optional<TokenPair> tokens;
    QString mfaToken;
    nlohmann::json toJson() const;
};

struct TotpEnrolment
{
    QString secret; // base32
    QString otpauthUri;
    QString qrSvg;
    nlohmann::json toJson() const;
};

struct MfaStatus
{
    bool totpEnabled = false;
    bool totpPending = false; // enrolled, not yet confirmed
    int recoveryCodesLeft = 0;
    nlohmann::json toJson() const;
};

// What an OAuth 2.0 authorization code is bound to (RFC 6749 §4.1, RFC 7636):
// the routes (useroauth.h) have checked the client, the loopback redirect
// and the S256 challenge before the service sees them.
struct AuthorizationRequest
{
    QString clientId;
    QString redirectUri;
    QString codeChallenge; // base64url SHA-256 of the client's verifier
};

// The token request that redeems an authorization code.
struct CodeExchange
{
    QString code;
    QString clientId;
    QString redirectUri;
    QString codeVerifier;
};

// An admin's change to an account; absent fields stay.
struct UserChange
{
    std::optional<QString> firstName;
    std::optional<QString> lastName;
    std::optional<Role> role;
    std::optional<QString> status;
    std::optional<qint64> expectedUpdatedAtMs; // If-Match: refused when the account moved on
};

struct UserPage
{
    std::vector<User> items;
    qint64 total = 0;
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
    // the same amount of work; RateLimited while the account or address is
    // locked (see LoginThrottle). A hash made with other argon2id parameters
    // is replaced by one with the current parameters. With MFA enabled the
    // result holds an mfaToken for verifyMfa() instead of tokens.
    Result<LoginResult> login(const QString &email, const QString &password,
                              const ClientInfo &client);
    // The second step: a current TOTP code not used before, or an unused
    // recovery code. Wrong codes count as failed sign-ins.
    Result<TokenPair> verifyMfa(const QString &mfaToken, const QString &code,
                                const ClientInfo &client);
    Result<TokenPair> refresh(const QString &refreshToken, const ClientInfo &client);
    // OAuth 2.0 for the native clients (see useroauth.h). A session just
    // signed in through login() or verifyMfa() waits behind a one-time code,
    // valid authorizationCodeSeconds and stored as a hash: the sign-in's own
    // tokens are dropped, and only the exchange, with the verifier of the
    // challenge, gives tokens for it. A session never exchanged ends with
    // its code.
    Result<QString> issueAuthorizationCode(const TokenPair &signedIn,
                                           const AuthorizationRequest &request);
    // Unauthenticated for an unknown or expired code, another client or
    // redirect_uri, or a wrong verifier; any attempt uses the code up. A
    // code presented again after its exchange revokes the session it gave
    // (RFC 6749 §4.1.2).
    Result<TokenPair> exchangeAuthorizationCode(const CodeExchange &exchange);
    // The acting user of a valid access token whose session is live.
    Result<Actor> authenticate(const QString &accessToken);
    Result<void> logout(const Actor &actor);
    // A user of this replica acting without a password, for the tools that
    // work on the replica's own files (colophonctl --as EMAIL): whoever can
    // open the data folder can do this anyway. Unauthenticated for an unknown
    // email or an account that is not active.
    Result<Actor> localActor(const QString &email);

    Result<User> me(const Actor &actor);
    Result<User> updateMe(const Actor &actor, const ProfileChange &change);
    // Requires the current password; revokes the user's other sessions.
    Result<void> changePassword(const Actor &actor, const QString &currentPassword,
                                const QString &newPassword);
    Result<std::vector<Session>> sessions(const Actor &actor);
    Result<void> revokeSession(const Actor &actor, const QString &sessionId);
    // Everything the service holds about the caller, and the events about
    // them or by them: {exportedAt, user, sessions, mfa, events}.
    Result<nlohmann::json> exportMe(const Actor &actor);

    // MFA of the caller. Enrolment starts over until confirmed; confirming
    // answers ten recovery codes, once.
    Result<MfaStatus> mfaStatus(const Actor &actor);
    Result<TotpEnrolment> enrolTotp(const Actor &actor);
    Result<QStringList> confirmTotp(const Actor &actor, const QString &code);
    Result<void> disableTotp(const Actor &actor, const QString &password, const QString &code);
    Result<QStringList> regenerateRecoveryCodes(const Actor &actor, const QString &code);

    // Admin.
    Result<UserPage> listUsers(const Actor &actor, const UserQuery &query);
    Result<User> user(const Actor &actor, const QString &userId);
    // Suspending or deactivating revokes the account's sessions.
    Result<User> updateUser(const Actor &actor, const QString &userId, const UserChange &change);
    // Anonymises the account: names, email, preferences and sessions' client
    // details are replaced and erased from the account's own events; the id
    // (and with it the authorship of content) stays. Sign-in is impossible.
    Result<void> deleteUser(const Actor &actor, const QString &userId);
    Result<std::vector<Session>> userSessions(const Actor &actor, const QString &userId);
    // The number of sessions revoked.
    Result<int> revokeUserSessions(const Actor &actor, const QString &userId);
    Result<void> resetMfa(const Actor &actor, const QString &userId);

    // How people appear beside their work (bylines, history, activity):
    // "First Last" per known id, "Deleted user" for an anonymised account;
    // unknown ids are left out. For the roles that work on content.
    Result<QHash<QString, QString>> displayNames(const Actor &actor, const QStringList &userIds);

private:
    enum class CodeKind { Totp, RecoveryCode };
    // Checks a TOTP code (recording its step) or, when allowRecovery, a
    // recovery code (using it up); InvalidInput naming "code" when neither.
    Result<CodeKind> useCode(Transaction &tx, const QString &userId, const QString &code,
                             bool allowRecovery, qint64 nowMs);
    Result<QByteArray> totpSecret(const QString &sealed) const;
    Result<QStringList> newRecoveryCodes(Transaction &tx, const QString &userId, qint64 nowMs);
    Result<TokenPair> startSignedIn(Transaction &tx, const User &user, const ClientInfo &client,
                                    const QString &method, qint64 nowMs);
    Result<StoredAccount> existingAccount(const QString &userId);
    // Revokes every live session of the user but keepSessionId; how many.
    Result<int> revokeAll(Transaction &tx, const QString &userId, const QString &reason,
                          qint64 nowMs, const QString &keepSessionId = {});
    Result<void> appendUserEvent(Transaction &tx, const QString &type, const QString &userId,
                                 const QString &actorId, nlohmann::json payload);

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
    std::unique_ptr<LoginThrottle> m_throttle;
};

} // namespace colophon
