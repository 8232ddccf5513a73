// SPDX-License-Identifier: MIT
// Limits on failed sign-ins (private to services/user), so passwords and
// codes cannot be guessed at speed.
//
// Two counters, both kept in the database so every server process over it
// shares them and a restart forgets nothing:
//   - per account (keyed by the normalised email, known or not, so a lock
//     says nothing about whether the account exists): from the
//     accountFailures-th failure on, each failure locks the account for a
//     delay that doubles, from lockBaseSeconds up to lockMaxSeconds; the count
//     is forgotten after addressWindowSeconds without failures once any lock
//     has ended, and at a successful sign-in;
//   - per client address: addressFailures failures inside a fixed window of
//     addressWindowSeconds lock the address until the window ends.
// A locked key refuses before any password is checked: RateLimited, with the
// seconds until it opens. A zero limit switches that counter off.
#pragma once

#include "backend/core/error.h"

#include <QString>

namespace colophon {

class Transaction;
class UserStore;
// Failed sign-ins counted under a key ("account:<email>", "address:<ip>").
struct LoginFailures
{
    int failures = 0;
    qint64 windowStartMs = 0;
    qint64 lastFailureMs = 0;
    qint64 lockedUntilMs = 0;
};

struct ThrottleSettings
{
    int accountFailures = 5;
    int lockBaseSeconds = 30;
    int lockMaxSeconds = 15 * 60;
    int addressFailures = 20;
    int addressWindowSeconds = 10 * 60;
};

class LoginThrottle final
{
public:
    LoginThrottle(UserStore &store, ThrottleSettings settings);

    // The keys of one attempt; either may be empty (no address for the
    // console, no account for a malformed email).
    static QString accountKey(const QString &normalisedEmail);
    static QString addressKey(const QString &address);

    Result<void> check(const QString &accountKey, const QString &addressKey, qint64 nowMs) const;
    Result<void> recordFailure(Transaction &tx, const QString &accountKey,
                               const QString &addressKey, qint64 nowMs) const;
    Result<void> recordSuccess(Transaction &tx, const QString &accountKey) const;

    // The counters' next states after a failure at nowMs.
    static LoginFailures afterAccountFailure(const ThrottleSettings &settings, LoginFailures f,
                                             qint64 nowMs);
    static LoginFailures afterAddressFailure(const ThrottleSettings &settings, LoginFailures f,
                                             qint64 nowMs);

private:
    UserStore &m_store;
    ThrottleSettings m_settings;
};

} // namespace colophon
