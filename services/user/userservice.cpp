// SPDX-License-Identifier: MIT
#include "services/user/userservice.h"

#include "backend/auth/jwt.h"
#include "backend/auth/passwordhasher.h"
#include "backend/auth/recoverycodes.h"
#include "backend/db/database.h"
#include "backend/events/eventlog.h"
#include "backend/observability/logger.h"
#include "services/user/userstore.h"

#include <QDateTime>
#include <QUuid>
#include <optional>

namespace colophon {

namespace {

Error unauthenticated(const QString &message)
{
    return {ErrorCode::Unauthenticated, message, {}};
}

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

NewEvent userEvent(const QString &type, const QString &userId, const QString &actorId,
                   nlohmann::json payload)
{
    payload["id"] = userId.toStdString();
    return {type, QStringLiteral("user/") + userId, std::move(payload), actorId, 1};
}

} // namespace

UserService::UserService(Database &db, EventLog &log, const PasswordHasher &hasher,
                         const JwtSigner &signer, UserSettings settings, Clock clock)
    : m_db(db), m_log(log), m_hasher(hasher), m_signer(signer), m_settings(settings),
      m_clock(clock ? std::move(clock) : [] { return QDateTime::currentMSecsSinceEpoch(); }),
      m_store(std::make_unique<UserStore>(db)),
      m_throttle(std::make_unique<LoginThrottle>(*m_store, m_settings.throttle))
{
}

UserService::~UserService() = default;

void UserService::registerMigrations(MigrationRegistry &registry)
{
    UserStore::registerMigrations(registry);
}

Result<User> UserService::registerUser(const NewUser &input)
{
    if (!m_settings.openRegistration) {
        return fail(Error{ErrorCode::PermissionDenied,
                          QStringLiteral("registration is closed on this server"),
                          {}});
    }
    NewUser self = input;
    self.role = m_settings.selfRegisteredRole;
    return create(Actor{}, self, true);
}

Result<User> UserService::createUser(const Actor &actor, const NewUser &input)
{
    if (auto allowed = authorize(actor.role, Action::UserCreate); !allowed) {
        return fail(allowed.error());
    }
    return create(actor, input, false);
}

Result<User> UserService::create(const Actor &actor, const NewUser &input, bool selfService)
{
    auto email = normaliseEmail(input.email);
    if (!email) {
        return fail(email.error());
    }
    auto first = validName(input.firstName, QStringLiteral("firstName"));
    if (!first) {
        return fail(first.error());
    }
    auto last = validName(input.lastName, QStringLiteral("lastName"));
    if (!last) {
        return fail(last.error());
    }
    if (auto ok = m_hasher.checkPolicy(input.password, *email); !ok) {
        return fail(ok.error());
    }
    auto hash = m_hasher.hash(input.password);
    if (!hash) {
        return fail(hash.error());
    }
    const qint64 now = m_clock();
    StoredAccount account{
        User{newId(), *email, *first, *last, input.role, QStringLiteral("active"), {}, now, now},
        *hash};
    return m_db.transact([&](Transaction &tx) -> Result<User> {
        if (auto existing = m_store->accountByEmail(*email); !existing || existing->has_value()) {
            return fail(existing
                            ? Error::conflict(QStringLiteral("an account with this email exists"))
                            : existing.error());
        }
        if (auto stored = m_store->insertAccount(tx, account); !stored) {
            return fail(stored.error());
        }
        nlohmann::json payload = account.user.toJson();
        // A self-registered account is its own author, not the system's.
        const QString author = selfService ? account.user.id : actor.userId;
        auto ev = m_log.append(
            tx, userEvent(QStringLiteral("UserCreated"), account.user.id, author, payload),
            currentTraceparent());
        if (!ev) {
            return fail(ev.error());
        }
        return account.user;
    });
}

Result<Session> UserService::startSession(Transaction &tx, const User &user,
                                          const ClientInfo &client, qint64 nowMs)
{
    Session s{newId(),
              user.id,
              client.address.left(64),
              client.userAgent.left(512),
              nowMs,
              nowMs,
              nowMs + m_settings.refreshTokenSeconds * 1000};
    if (auto stored = m_store->insertSession(tx, s); !stored) {
        return fail(stored.error());
    }
    return s;
}

Result<TokenPair> UserService::issueTokens(Transaction &tx, const User &user,
                                           const QString &sessionId, qint64 nowMs)
{
    JwtClaims claims;
    claims.subject = user.id;
    claims.role = roleName(user.role);
    claims.sessionId = sessionId;
    claims.tokenId = randomToken(12);
    claims.issuedAt = nowMs / 1000;
    claims.expiresAt = claims.issuedAt + m_settings.accessTokenSeconds;
    TokenPair pair{m_signer.sign(claims), randomToken(32), m_settings.accessTokenSeconds};
    if (auto stored =
            m_store->insertRefreshToken(tx, hashToken(pair.refreshToken), sessionId, nowMs,
                                        nowMs + m_settings.refreshTokenSeconds * 1000);
        !stored) {
        return fail(stored.error());
    }
    return pair;
}

Result<LoginResult> UserService::login(const QString &email, const QString &password,
                                       const ClientInfo &client)
{
    const Error refused = unauthenticated(QStringLiteral("the email or password is wrong"));
    auto normalised = normaliseEmail(email);
    const QString accountKey = LoginThrottle::accountKey(normalised ? *normalised : QString());
    const QString addressKey = LoginThrottle::addressKey(client.address);
    if (auto open = m_throttle->check(accountKey, addressKey, m_clock()); !open) {
        return fail(open.error());
    }
    auto account =
        normalised ? m_store->accountByEmail(*normalised) : Result<std::optional<StoredAccount>>();
    if (!account) {
        return fail(account.error());
    }
    // An unknown email costs the same work as a wrong password, and counts alike.
    const bool known = account->has_value();
    const bool right =
        m_hasher.verify(password, known ? (*account)->passwordHash : m_hasher.dummyHash());
    const qint64 now = m_clock();
    if (!known || !right) {
        auto counted = m_db.transact([&](Transaction &tx) {
            return m_throttle->recordFailure(tx, accountKey, addressKey, now);
        });
        return fail(counted ? refused : counted.error());
    }
    const StoredAccount &a = **account;
    if (a.user.status != QLatin1String("active")) {
        return fail(Error{ErrorCode::PermissionDenied,
                          QStringLiteral("this account is %1").arg(a.user.status),
                          {}});
    }
    // The password is at hand only now: the moment to move a hash made with
    // older argon2id parameters to the current ones.
    std::optional<QString> rehashed;
    if (m_hasher.needsRehash(a.passwordHash)) {
        if (auto h = m_hasher.hash(password)) {
            rehashed = *h;
        }
    }
    return m_db.transact([&](Transaction &tx) -> Result<LoginResult> {
        if (rehashed) {
            if (auto stored = m_store->updatePassword(tx, a.user.id, *rehashed, now); !stored) {
                return fail(stored.error());
            }
        }
        if (a.user.mfaEnabled) {
            const QString token = randomToken(32);
            MfaChallenge challenge{a.user.id, client.address.left(64), client.userAgent.left(512),
                                   now + m_settings.mfaChallengeSeconds * 1000, 0};
            if (auto stored = m_store->insertChallenge(tx, hashToken(token), challenge); !stored) {
                return fail(stored.error());
            }
            return LoginResult{std::nullopt, token};
        }
        if (auto cleared = m_throttle->recordSuccess(tx, accountKey); !cleared) {
            return fail(cleared.error());
        }
        auto tokens = startSignedIn(tx, a.user, client, QStringLiteral("password"), now);
        if (!tokens) {
            return fail(tokens.error());
        }
        return LoginResult{*tokens, {}};
    });
}

Result<TokenPair> UserService::startSignedIn(Transaction &tx, const User &user,
                                             const ClientInfo &client, const QString &method,
                                             qint64 nowMs)
{
    auto session = startSession(tx, user, client, nowMs);
    if (!session) {
        return fail(session.error());
    }
    auto tokens = issueTokens(tx, user, session->id, nowMs);
    if (!tokens) {
        return fail(tokens.error());
    }
    if (auto ev = appendUserEvent(
            tx, QStringLiteral("UserAuthenticated"), user.id, user.id,
            {{"sessionId", session->id.toStdString()}, {"method", method.toStdString()}});
        !ev) {
        return fail(ev.error());
    }
    return tokens;
}

Result<void> UserService::appendUserEvent(Transaction &tx, const QString &type,
                                          const QString &userId, const QString &actorId,
                                          nlohmann::json payload)
{
    auto ev = m_log.append(tx, userEvent(type, userId, actorId, std::move(payload)),
                           currentTraceparent());
    if (!ev) {
        return fail(ev.error());
    }
    return {};
}

Result<TokenPair> UserService::refresh(const QString &refreshToken, const ClientInfo &client)
{
    Q_UNUSED(client);
    const qint64 now = m_clock();
    const QString hash = hashToken(refreshToken);
    // A reused token revokes its session; that must commit even though the
    // caller is refused, so the outcome travels out of the transaction.
    bool reused = false;
    auto result = m_db.transact([&](Transaction &tx) -> Result<TokenPair> {
        auto stored = m_store->refreshToken(tx, hash);
        if (!stored) {
            return fail(stored.error());
        }
        if (!stored->has_value() || (*stored)->expiresAtMs <= now) {
            return fail(unauthenticated(QStringLiteral("the refresh token is not valid")));
        }
        const StoredRefreshToken &token = **stored;
        auto session = m_store->liveSession(token.sessionId, now);
        if (!session) {
            return fail(session.error());
        }
        if (!session->has_value()) {
            return fail(unauthenticated(QStringLiteral("the session has ended")));
        }
        if (token.rotated) {
            reused = true;
            if (auto revoked = revoke(tx, (*session)->userId, token.sessionId,
                                      QStringLiteral("refresh-token-reuse"), now);
                !revoked) {
                return fail(revoked.error());
            }
            return TokenPair{}; // committed; refused below
        }
        auto account = m_store->accountById((*session)->userId);
        if (!account || !account->has_value() ||
            (*account)->user.status != QLatin1String("active")) {
            return fail(unauthenticated(QStringLiteral("the account is not active")));
        }
        if (auto marked = m_store->markRotated(tx, hash, now); !marked) {
            return fail(marked.error());
        }
        if (auto touched = m_store->touchSession(tx, token.sessionId, now); !touched) {
            return fail(touched.error());
        }
        return issueTokens(tx, (*account)->user, token.sessionId, now);
    });
    if (result && reused) {
        return fail(unauthenticated(
            QStringLiteral("the refresh token was already used; the session is revoked")));
    }
    return result;
}

namespace {

// Sessions this thread found live, by id, with the database's ChangeToken at
// the time: while the token is the same nothing was committed since, so the
// answer stands (expiry aside, which is checked on each use). Any commit, of
// this process or another, sends the next request back to the database.
struct CheckedSession
{
    ChangeToken token;
    QString userId;
    Role role;
    qint64 expiresAtMs;
};
thread_local QHash<QString, CheckedSession> t_checkedSessions;
constexpr qsizetype kMaxCheckedSessions = 4096;

} // namespace

Result<Actor> UserService::authenticate(const QString &accessToken)
{
    const qint64 now = m_clock();
    auto claims = m_signer.verify(accessToken, now / 1000);
    if (!claims) {
        return fail(claims.error());
    }
    // The role comes from the account, not the token: a change applies at
    // once, as does a revoked session or an account no longer active.
    // What a transaction reads may yet be rolled back: no token, no cache.
    std::optional<ChangeToken> token;
    if (!m_db.inTransaction()) {
        if (auto now = m_db.changeToken()) {
            token = *now;
        }
    }
    if (token) {
        const auto hit = t_checkedSessions.constFind(claims->sessionId);
        if (hit != t_checkedSessions.cend() && hit->token == *token &&
            hit->userId == claims->subject && now < hit->expiresAtMs) {
            return Actor{claims->subject, hit->role, claims->sessionId};
        }
    }
    auto live = m_store->liveSessionRole(claims->sessionId, claims->subject, now);
    if (!live) {
        return fail(live.error());
    }
    if (!live->has_value()) {
        t_checkedSessions.remove(claims->sessionId);
        return fail(unauthenticated(QStringLiteral("the session has ended")));
    }
    if (token) {
        if (t_checkedSessions.size() >= kMaxCheckedSessions) {
            t_checkedSessions.clear();
        }
        t_checkedSessions.insert(claims->sessionId,
                                 {*token, claims->subject, (*live)->role, (*live)->expiresAtMs});
    }
    return Actor{claims->subject, (*live)->role, claims->sessionId};
}

Result<void> UserService::revoke(Transaction &tx, const QString &userId, const QString &sessionId,
                                 const QString &reason, qint64 nowMs)
{
    auto revoked = m_store->revokeSession(tx, userId, sessionId, nowMs, reason);
    if (!revoked) {
        return fail(revoked.error());
    }
    if (!*revoked) {
        return fail(Error::notFound(QStringLiteral("no such session")));
    }
    auto ev = m_log.append(
        tx,
        userEvent(QStringLiteral("UserSessionRevoked"), userId, userId,
                  {{"sessionId", sessionId.toStdString()}, {"reason", reason.toStdString()}}),
        currentTraceparent());
    if (!ev) {
        return fail(ev.error());
    }
    return {};
}

Result<Actor> UserService::localActor(const QString &email)
{
    auto normalised = normaliseEmail(email);
    if (!normalised) {
        return fail(normalised.error());
    }
    auto account = m_store->accountByEmail(*normalised);
    if (!account) {
        return fail(account.error());
    }
    if (!account->has_value() || (*account)->user.status != QLatin1String("active")) {
        return fail(unauthenticated(
            QStringLiteral("no active account %1 in this replica").arg(*normalised)));
    }
    return Actor{(*account)->user.id, (*account)->user.role, QString()};
}

Result<void> UserService::logout(const Actor &actor)
{
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        return revoke(tx, actor.userId, actor.sessionId, QStringLiteral("logout"), m_clock());
    });
}

Result<User> UserService::me(const Actor &actor)
{
    if (auto allowed = authorize(actor.role, Action::UserReadSelf); !allowed) {
        return fail(allowed.error());
    }
    auto account = m_store->accountById(actor.userId);
    if (!account) {
        return fail(account.error());
    }
    if (!account->has_value()) {
        return fail(Error::notFound(QStringLiteral("no such user")));
    }
    return (*account)->user;
}

Result<User> UserService::updateMe(const Actor &actor, const ProfileChange &change)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdateSelf); !allowed) {
        return fail(allowed.error());
    }
    auto current = me(actor);
    if (!current) {
        return current;
    }
    User next = *current;
    nlohmann::json changed = nlohmann::json::object();
    if (change.firstName) {
        auto v = validName(*change.firstName, QStringLiteral("firstName"));
        if (!v) {
            return fail(v.error());
        }
        next.firstName = *v;
        changed["firstName"] = v->toStdString();
    }
    if (change.lastName) {
        auto v = validName(*change.lastName, QStringLiteral("lastName"));
        if (!v) {
            return fail(v.error());
        }
        next.lastName = *v;
        changed["lastName"] = v->toStdString();
    }
    if (change.preferences) {
        if (auto merged = next.preferences.merge(*change.preferences); !merged) {
            return fail(merged.error());
        }
        changed["preferences"] = next.preferences.toJson();
    }
    if (changed.empty()) {
        return next;
    }
    next.updatedAtMs = m_clock();
    return m_db.transact([&](Transaction &tx) -> Result<User> {
        if (auto stored = m_store->updateProfile(tx, next); !stored) {
            return fail(stored.error());
        }
        auto ev = m_log.append(
            tx,
            userEvent(QStringLiteral("UserUpdated"), next.id, actor.userId, {{"changes", changed}}),
            currentTraceparent());
        if (!ev) {
            return fail(ev.error());
        }
        return next;
    });
}

Result<void> UserService::changePassword(const Actor &actor, const QString &currentPassword,
                                         const QString &newPassword)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdateSelf); !allowed) {
        return fail(allowed.error());
    }
    auto account = m_store->accountById(actor.userId);
    if (!account) {
        return fail(account.error());
    }
    if (!account->has_value() || !m_hasher.verify(currentPassword, (*account)->passwordHash)) {
        return fail(unauthenticated(QStringLiteral("the current password is wrong")));
    }
    if (auto ok = m_hasher.checkPolicy(newPassword, (*account)->user.email); !ok) {
        return fail(ok.error());
    }
    auto hash = m_hasher.hash(newPassword);
    if (!hash) {
        return fail(hash.error());
    }
    const qint64 now = m_clock();
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        if (auto stored = m_store->updatePassword(tx, actor.userId, *hash, now); !stored) {
            return stored;
        }
        auto others =
            revokeAll(tx, actor.userId, QStringLiteral("password-changed"), now, actor.sessionId);
        if (!others) {
            return fail(others.error());
        }
        auto ev = m_log.append(
            tx,
            userEvent(QStringLiteral("UserUpdated"), actor.userId, actor.userId,
                      {{"changes", {{"password", "changed"}}}, {"sessionsRevoked", *others}}),
            currentTraceparent());
        if (!ev) {
            return fail(ev.error());
        }
        return {};
    });
}

Result<std::vector<Session>> UserService::sessions(const Actor &actor)
{
    if (auto allowed = authorize(actor.role, Action::UserReadSelf); !allowed) {
        return fail(allowed.error());
    }
    return m_store->liveSessions(actor.userId, m_clock());
}

Result<void> UserService::revokeSession(const Actor &actor, const QString &sessionId)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdateSelf); !allowed) {
        return fail(allowed.error());
    }
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        return revoke(tx, actor.userId, sessionId, QStringLiteral("revoked-by-user"), m_clock());
    });
}

} // namespace colophon
