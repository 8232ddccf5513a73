// SPDX-License-Identifier: MIT
// Authenticated encryption of small secrets at rest (libsodium secretbox:
// XSalsa20-Poly1305), for values the server must read back, such as TOTP
// secrets, unlike passwords and tokens, which are only ever hashed.
//
// A sealed value is base64url(nonce || ciphertext): a fresh random nonce per
// seal, so sealing the same text twice gives different values. Opening with
// the wrong key, or a value changed by even one bit, fails. Thread-safe.
#pragma once

#include "backend/core/error.h"

#include <QByteArray>
#include <QString>

namespace colophon {

class SecretBox final
{
public:
    // key: 32 bytes (as loadOrCreateSigningKey makes them); others are refused
    // by isValid().
    explicit SecretBox(QByteArray key);
    bool isValid() const { return m_key.size() == 32; }

    QString seal(const QByteArray &plaintext) const;
    // InvalidInput when the value is malformed or fails authentication.
    Result<QByteArray> open(const QString &sealed) const;

private:
    QByteArray m_key;
};

} // namespace colophon
