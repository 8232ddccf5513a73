// SPDX-License-Identifier: MIT
// Password policy and argon2id password hashing.
//
// PasswordHasher is the only place passwords are turned into something
// storable. Stored hashes are libsodium's self-describing "$argon2id$v=19$..."
// strings, so the cost parameters travel with each hash and can be raised
// later: needsRehash() tells the sign-in path to re-hash with the current
// parameters once it holds the plain password. verify() never throws and
// treats anything it cannot parse as a mismatch. The hasher is immutable after
// construction and safe to share between threads. hash() and verify() take
// turns across the whole process, one argon2id run at a time, so however many
// sign-ins arrive at once the process holds one run's memory (memLimit).
#pragma once

#include "backend/core/error.h"

#include <QSet>
#include <QString>
#include <cstddef>
#include <mutex>

namespace colophon {

struct PasswordPolicy
{
    int minLength = 10;   // in Unicode code points
    int maxLength = 1024; // bounds the work an attacker can make us do
};

struct Argon2Params
{
    unsigned long long opsLimit;
    std::size_t memLimit;

    // libsodium's presets: interactive for sign-in, moderate for stronger
    // needs where a slower (~0.7 s) hash is acceptable.
    static Argon2Params interactive();
    static Argon2Params moderate();
};

class PasswordHasher final
{
public:
    explicit PasswordHasher(Argon2Params params = Argon2Params::interactive(),
                            PasswordPolicy policy = {}, QSet<QString> commonPasswords = {});

    // One password per line; blank lines and lines starting with '#' are
    // skipped; entries are lower-cased so the check is case-insensitive.
    static Result<QSet<QString>> loadCommonPasswords(const QString &path);

    // InvalidInput on field "password" when the password is too short or too
    // long, is in the common list (case-insensitive), or equals the email or
    // its local part (case-insensitive).
    Result<void> checkPolicy(const QString &password, const QString &email = {}) const;

    // "$argon2id$v=19$m=...". Internal error if libsodium fails (out of memory).
    Result<QString> hash(const QString &password) const;
    // False for a wrong password and for a malformed hash; never throws.
    bool verify(const QString &password, const QString &storedHash) const;
    // True when the hash was made with other parameters or another algorithm
    // (or cannot be parsed), so it should be replaced on the next sign-in.
    bool needsRehash(const QString &storedHash) const;

    // A hash of a random password, made on first use (not at start: it costs
    // a full argon2id run), so checking an unknown email costs the same time
    // as a wrong password. Thread-safe.
    const QString &dummyHash() const;

    const Argon2Params &params() const { return m_params; }
    const PasswordPolicy &policy() const { return m_policy; }

private:
    Argon2Params m_params;
    PasswordPolicy m_policy;
    QSet<QString> m_common;
    mutable std::once_flag m_dummyOnce;
    mutable QString m_dummyHash;
};

} // namespace colophon
