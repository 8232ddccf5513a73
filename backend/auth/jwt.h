// SPDX-License-Identifier: MIT
// Compact JWS access tokens signed with HS256, and the signing key on disk.
//
// Only HS256 is produced or accepted: the algorithm is fixed by the server,
// never chosen by the token, so "none" and any other "alg" are refused before
// the signature is even looked at. Signatures are compared in constant time.
// verify() reports every failure as Unauthenticated with a fixed message that
// never echoes token content, so errors are safe to log and return. The signer
// holds only its key and is safe to share between threads.
#pragma once

#include "backend/core/error.h"

#include <QByteArray>
#include <QString>
#include <nlohmann/json.hpp>

namespace colophon {

struct JwtClaims
{
    QString subject;      // "sub": the user id
    QString role;         // "role"
    QString sessionId;    // "sid": lets one session be revoked without the others
    QString tokenId;      // "jti"
    qint64 issuedAt = 0;  // "iat", Unix seconds
    qint64 expiresAt = 0; // "exp", Unix seconds
    // Further claims, kept as given. Keys that clash with the ones above are
    // overwritten by them when signing and never appear here after verify().
    nlohmann::json extra = nlohmann::json::object();
};

class JwtSigner final
{
public:
    // At least 32 bytes (the HMAC-SHA-256 output size), else std::invalid_argument:
    // a short key is a deployment bug, not a runtime condition.
    explicit JwtSigner(QByteArray key);
    static QByteArray generateKey(); // 32 random bytes

    // Header {"alg":"HS256","typ":"JWT"}; payload {"sub","role","sid","jti","iat","exp", ...extra}.
    // Empty role, sid and jti are left out.
    QString sign(const JwtClaims &claims) const;

    // Unauthenticated for: malformed token, any alg but HS256 (including
    // "none"), a bad signature, expiry (exp <= nowSeconds), iat more than
    // leewaySeconds in the future, or a missing sub or exp. A token this
    // thread verified before is looked up rather than checked again; its
    // times are checked on every call.
    Result<JwtClaims> verify(const QString &token, qint64 nowSeconds,
                             qint64 leewaySeconds = 30) const;

private:
    Result<JwtClaims> verifyUncached(const QString &token, qint64 nowSeconds,
                                     qint64 leewaySeconds) const;
    static Result<JwtClaims> checkTimes(const JwtClaims &claims, qint64 nowSeconds,
                                        qint64 leewaySeconds);
    QByteArray mac(QByteArrayView signingInput) const;

    QByteArray m_key;
    quint64 m_id; // which signer verified a cached token
};

// Loads the key from path, creating it if absent: 32 random bytes written to a
// 0600 temp file in the same directory, then renamed into place so no reader
// ever sees a partial key. Refuses (Error) a key file that group or others can
// access, or one shorter than 32 bytes.
Result<QByteArray> loadOrCreateSigningKey(const QString &path);

} // namespace colophon
