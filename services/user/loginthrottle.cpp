// SPDX-License-Identifier: MIT
#include "services/user/loginthrottle.h"

#include "services/user/userstore.h"

#include <algorithm>

namespace colophon {

LoginThrottle::LoginThrottle(UserStore &store, ThrottleSettings settings)
    : m_store(store), m_settings(settings)
{
}

QString LoginThrottle::accountKey(const QString &normalisedEmail)
{
    return normalisedEmail.isEmpty() ? QString() : QStringLiteral("account:") + normalisedEmail;
}

QString LoginThrottle::addressKey(const QString &address)
{
    return address.isEmpty() ? QString() : QStringLiteral("address:") + address.left(64);
}

Result<void> LoginThrottle::check(const QString &accountKey, const QString &addressKey,
                                  qint64 nowMs) const
{
    qint64 lockedUntil = 0;
    for (const QString &key : {accountKey, addressKey}) {
        if (key.isEmpty()) {
            continue;
        }
        auto f = m_store.loginFailures(key);
        if (!f) {
            return fail(f.error());
        }
        lockedUntil = std::max(lockedUntil, f->lockedUntilMs);
    }
    if (lockedUntil <= nowMs) {
        return {};
    }
    const int seconds = static_cast<int>((lockedUntil - nowMs + 999) / 1000);
    return fail(Error::rateLimited(
        QStringLiteral("too many failed sign-ins; try again in %1 s").arg(seconds), seconds));
}

LoginFailures LoginThrottle::afterAccountFailure(const ThrottleSettings &settings, LoginFailures f,
                                                 qint64 nowMs)
{
    const qint64 window = qint64(settings.addressWindowSeconds) * 1000;
    if (nowMs >= std::max(f.lockedUntilMs, f.lastFailureMs) + window) {
        f = LoginFailures{0, nowMs, 0, 0}; // quiet for long enough: forgotten
    }
    ++f.failures;
    f.lastFailureMs = nowMs;
    if (settings.accountFailures > 0 && f.failures >= settings.accountFailures) {
        const int doublings = std::min(f.failures - settings.accountFailures, 30);
        const qint64 delay = std::min(qint64(settings.lockBaseSeconds) << doublings,
                                      qint64(settings.lockMaxSeconds));
        f.lockedUntilMs = nowMs + delay * 1000;
    }
    return f;
}

LoginFailures LoginThrottle::afterAddressFailure(const ThrottleSettings &settings, LoginFailures f,
                                                 qint64 nowMs)
{
    const qint64 window = qint64(settings.addressWindowSeconds) * 1000;
    if (nowMs >= f.windowStartMs + window) {
        f = LoginFailures{0, nowMs, 0, 0};
    }
    ++f.failures;
    f.lastFailureMs = nowMs;
    if (settings.addressFailures > 0 && f.failures >= settings.addressFailures) {
        f.lockedUntilMs = f.windowStartMs + window;
    }
    return f;
}

Result<void> LoginThrottle::recordFailure(Transaction &tx, const QString &accountKey,
                                          const QString &addressKey, qint64 nowMs) const
{
    const std::pair<const QString &, bool> keys[] = {{accountKey, true}, {addressKey, false}};
    for (const auto &[key, isAccount] : keys) {
        if (key.isEmpty()) {
            continue;
        }
        auto current = m_store.loginFailures(key);
        if (!current) {
            return fail(current.error());
        }
        const LoginFailures next = isAccount ? afterAccountFailure(m_settings, *current, nowMs)
                                             : afterAddressFailure(m_settings, *current, nowMs);
        if (auto stored = m_store.putLoginFailures(tx, key, next); !stored) {
            return stored;
        }
    }
    return {};
}

Result<void> LoginThrottle::recordSuccess(Transaction &tx, const QString &accountKey) const
{
    return accountKey.isEmpty() ? Result<void>() : m_store.clearLoginFailures(tx, accountKey);
}

} // namespace colophon
