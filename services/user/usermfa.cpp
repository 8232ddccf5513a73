// SPDX-License-Identifier: MIT
// UserService: TOTP enrolment, the code step of sign-in, recovery codes.
#include "backend/auth/passwordhasher.h"
#include "backend/auth/recoverycodes.h"
#include "backend/auth/secretbox.h"
#include "backend/auth/totp.h"
#include "backend/db/database.h"
#include "services/user/userservice.h"
#include "services/user/userstore.h"

namespace colophon {

namespace {

Error wrongCode()
{
    return Error::invalid(QStringLiteral("the code is wrong, expired or already used"),
                          QStringLiteral("code"));
}

} // namespace

nlohmann::json LoginResult::toJson() const
{
    if (tokens) {
        return tokens->toJson();
    }
    return {{"mfaRequired", true}, {"mfaToken", mfaToken.toStdString()}};
}

nlohmann::json TotpEnrolment::toJson() const
{
    return {{"secret", secret.toStdString()},
            {"otpauthUri", otpauthUri.toStdString()},
            {"qrSvg", qrSvg.toStdString()}};
}

nlohmann::json MfaStatus::toJson() const
{
    return {{"totpEnabled", totpEnabled},
            {"totpPending", totpPending},
            {"recoveryCodesLeft", recoveryCodesLeft}};
}

Result<QByteArray> UserService::totpSecret(const QString &sealed) const
{
    auto secret = SecretBox(m_settings.secretKey).open(sealed);
    if (!secret) {
        // Not the caller's fault: the key file changed under the database.
        return fail(Error::internal(QStringLiteral("a TOTP secret cannot be unsealed")));
    }
    return secret;
}

Result<UserService::CodeKind> UserService::useCode(Transaction &tx, const QString &userId,
                                                   const QString &code, bool allowRecovery,
                                                   qint64 nowMs)
{
    auto stored = m_store->totp(userId);
    if (!stored) {
        return fail(stored.error());
    }
    if (!stored->has_value() || !(*stored)->confirmed) {
        return fail(Error::conflict(QStringLiteral("two-factor sign-in is not enabled")));
    }
    auto secret = totpSecret((*stored)->sealedSecret);
    if (!secret) {
        return fail(secret.error());
    }
    if (auto step = Totp::verify(*secret, code, nowMs / 1000)) {
        auto fresh = m_store->useTotpStep(tx, userId, *step);
        if (!fresh) {
            return fail(fresh.error());
        }
        if (*fresh) {
            return CodeKind::Totp;
        }
        return fail(wrongCode()); // a replay inside its window
    }
    if (allowRecovery) {
        auto used =
            m_store->useRecoveryCode(tx, userId, hashToken(normalizeRecoveryCode(code)), nowMs);
        if (!used) {
            return fail(used.error());
        }
        if (*used) {
            return CodeKind::RecoveryCode;
        }
    }
    return fail(wrongCode());
}

Result<QStringList> UserService::newRecoveryCodes(Transaction &tx, const QString &userId,
                                                  qint64 nowMs)
{
    const QStringList codes = generateRecoveryCodes(10);
    QStringList hashes;
    for (const QString &c : codes) {
        hashes << hashToken(c);
    }
    if (auto stored = m_store->replaceRecoveryCodes(tx, userId, hashes, nowMs); !stored) {
        return fail(stored.error());
    }
    return codes;
}

Result<MfaStatus> UserService::mfaStatus(const Actor &actor)
{
    if (auto allowed = authorize(actor.role, Action::UserReadSelf); !allowed) {
        return fail(allowed.error());
    }
    auto stored = m_store->totp(actor.userId);
    if (!stored) {
        return fail(stored.error());
    }
    auto left = m_store->recoveryCodesLeft(actor.userId);
    if (!left) {
        return fail(left.error());
    }
    MfaStatus status;
    status.totpEnabled = stored->has_value() && (*stored)->confirmed;
    status.totpPending = stored->has_value() && !(*stored)->confirmed;
    status.recoveryCodesLeft = *left;
    return status;
}

Result<TotpEnrolment> UserService::enrolTotp(const Actor &actor)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdateSelf); !allowed) {
        return fail(allowed.error());
    }
    const SecretBox box(m_settings.secretKey);
    if (!box.isValid()) {
        return fail(Error::internal(QStringLiteral("no key to seal TOTP secrets is configured")));
    }
    auto account = existingAccount(actor.userId);
    if (!account) {
        return fail(account.error());
    }
    if (account->user.mfaEnabled) {
        return fail(Error::conflict(
            QStringLiteral("two-factor sign-in is already enabled; disable it first")));
    }
    const QByteArray secret = Totp::generateSecret();
    const QString uri = Totp::otpauthUri(m_settings.totpIssuer, account->user.email, secret);
    auto stored = m_db.transact([&](Transaction &tx) {
        return m_store->putPendingTotp(tx, actor.userId, box.seal(secret), m_clock());
    });
    if (!stored) {
        return fail(stored.error());
    }
    return TotpEnrolment{Totp::toBase32(secret), uri, Totp::qrSvg(uri)};
}

Result<QStringList> UserService::confirmTotp(const Actor &actor, const QString &code)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdateSelf); !allowed) {
        return fail(allowed.error());
    }
    auto stored = m_store->totp(actor.userId);
    if (!stored) {
        return fail(stored.error());
    }
    if (!stored->has_value()) {
        return fail(Error::conflict(QStringLiteral("no TOTP enrolment is waiting; start one")));
    }
    if ((*stored)->confirmed) {
        return fail(Error::conflict(QStringLiteral("two-factor sign-in is already enabled")));
    }
    auto secret = totpSecret((*stored)->sealedSecret);
    if (!secret) {
        return fail(secret.error());
    }
    const qint64 now = m_clock();
    const auto step = Totp::verify(*secret, code, now / 1000);
    if (!step) {
        return fail(wrongCode());
    }
    return m_db.transact([&](Transaction &tx) -> Result<QStringList> {
        if (auto confirmed = m_store->confirmTotp(tx, actor.userId, *step, now); !confirmed) {
            return fail(confirmed.error());
        }
        auto codes = newRecoveryCodes(tx, actor.userId, now);
        if (!codes) {
            return codes;
        }
        if (auto ev = appendUserEvent(tx, QStringLiteral("UserUpdated"), actor.userId, actor.userId,
                                      {{"changes", {{"mfaEnabled", true}}}});
            !ev) {
            return fail(ev.error());
        }
        return codes;
    });
}

Result<void> UserService::disableTotp(const Actor &actor, const QString &password,
                                      const QString &code)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdateSelf); !allowed) {
        return fail(allowed.error());
    }
    auto account = existingAccount(actor.userId);
    if (!account) {
        return fail(account.error());
    }
    if (!m_hasher.verify(password, account->passwordHash)) {
        return fail(
            Error::invalid(QStringLiteral("the password is wrong"), QStringLiteral("password")));
    }
    const qint64 now = m_clock();
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        if (auto used = useCode(tx, actor.userId, code, true, now); !used) {
            return fail(used.error());
        }
        if (auto removed = m_store->deleteMfa(tx, actor.userId); !removed) {
            return removed;
        }
        return appendUserEvent(tx, QStringLiteral("UserUpdated"), actor.userId, actor.userId,
                               {{"changes", {{"mfaEnabled", false}}}});
    });
}

Result<QStringList> UserService::regenerateRecoveryCodes(const Actor &actor, const QString &code)
{
    if (auto allowed = authorize(actor.role, Action::UserUpdateSelf); !allowed) {
        return fail(allowed.error());
    }
    const qint64 now = m_clock();
    return m_db.transact([&](Transaction &tx) -> Result<QStringList> {
        // Only a current TOTP code: a recovery code would renew the very codes it proves.
        if (auto used = useCode(tx, actor.userId, code, false, now); !used) {
            return fail(used.error());
        }
        return newRecoveryCodes(tx, actor.userId, now);
    });
}

Result<TokenPair> UserService::verifyMfa(const QString &mfaToken, const QString &code,
                                         const ClientInfo &client)
{
    const qint64 now = m_clock();
    const QString tokenHash = hashToken(mfaToken);
    const Error expired =
        Error{ErrorCode::Unauthenticated,
              QStringLiteral("the sign-in has expired or was not started; sign in again"),
              {}};
    // Peek at the challenge to learn whose limits apply before any code is tried.
    auto peek = m_db.transact([&](Transaction &tx) { return m_store->challenge(tx, tokenHash); });
    if (!peek) {
        return fail(peek.error());
    }
    if (!peek->has_value() || (*peek)->expiresAtMs <= now) {
        return fail(expired);
    }
    const MfaChallenge challenge = **peek;
    auto account = existingAccount(challenge.userId);
    if (!account) {
        return fail(expired);
    }
    const QString accountKey = LoginThrottle::accountKey(account->user.email);
    const QString addressKey = LoginThrottle::addressKey(client.address);
    if (auto open = m_throttle->check(accountKey, addressKey, now); !open) {
        return fail(open.error());
    }
    if (account->user.status != QLatin1String("active")) {
        return fail(Error{ErrorCode::PermissionDenied,
                          QStringLiteral("this account is %1").arg(account->user.status),
                          {}});
    }
    // A wrong code must still be counted, so the transaction commits and the
    // refusal travels out beside the result.
    std::optional<Error> refusal;
    auto result = m_db.transact([&](Transaction &tx) -> Result<TokenPair> {
        auto current = m_store->challenge(tx, tokenHash);
        if (!current) {
            return fail(current.error());
        }
        if (!current->has_value() || (*current)->expiresAtMs <= now) {
            return fail(expired);
        }
        auto kind = useCode(tx, challenge.userId, code, true, now);
        if (!kind && kind.error().code == ErrorCode::Conflict) {
            return fail(expired); // MFA was reset meanwhile: the password step again
        }
        if (!kind) {
            if (kind.error().code != ErrorCode::InvalidInput) {
                return fail(kind.error());
            }
            // Names the code: the sign-in itself is still open for another try.
            refusal =
                Error{ErrorCode::Unauthenticated, kind.error().message, QStringLiteral("code")};
            const int attempts = (*current)->attempts + 1;
            auto counted = attempts >= m_settings.mfaChallengeAttempts
                               ? m_store->deleteChallenge(tx, tokenHash, now)
                               : m_store->setChallengeAttempts(tx, tokenHash, attempts);
            if (!counted) {
                return fail(counted.error());
            }
            if (auto recorded = m_throttle->recordFailure(tx, accountKey, addressKey, now);
                !recorded) {
                return fail(recorded.error());
            }
            return TokenPair{};
        }
        if (auto consumed = m_store->deleteChallenge(tx, tokenHash, now); !consumed) {
            return fail(consumed.error());
        }
        if (auto cleared = m_throttle->recordSuccess(tx, accountKey); !cleared) {
            return fail(cleared.error());
        }
        const ClientInfo origin{challenge.address, challenge.userAgent};
        return startSignedIn(tx, account->user, client.address.isEmpty() ? origin : client,
                             *kind == CodeKind::Totp ? QStringLiteral("password+totp")
                                                     : QStringLiteral("password+recovery-code"),
                             now);
    });
    if (result && refusal) {
        return fail(*refusal);
    }
    return result;
}

Result<void> UserService::resetMfa(const Actor &actor, const QString &userId)
{
    if (auto allowed = authorize(actor.role, Action::UserResetMfa); !allowed) {
        return fail(allowed.error());
    }
    auto stored = m_store->totp(userId);
    if (!stored) {
        return fail(stored.error());
    }
    if (auto account = existingAccount(userId); !account) {
        return fail(account.error());
    }
    if (!stored->has_value()) {
        return {}; // nothing to reset: no event either
    }
    return m_db.transact([&](Transaction &tx) -> Result<void> {
        if (auto removed = m_store->deleteMfa(tx, userId); !removed) {
            return removed;
        }
        return appendUserEvent(
            tx, QStringLiteral("UserUpdated"), userId, actor.userId,
            {{"changes", {{"mfaEnabled", false}}}, {"reason", "reset-by-admin"}});
    });
}

} // namespace colophon
