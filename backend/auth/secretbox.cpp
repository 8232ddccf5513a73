// SPDX-License-Identifier: MIT
#include "backend/auth/secretbox.h"

#include "backend/auth/cryptoutil.h"

#include <sodium.h>

namespace colophon {

SecretBox::SecretBox(QByteArray key) : m_key(std::move(key))
{
    static_assert(crypto_secretbox_KEYBYTES == 32);
    authdetail::ensureSodium();
}

QString SecretBox::seal(const QByteArray &plaintext) const
{
    if (!isValid()) {
        return {};
    }
    QByteArray out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(),
                   Qt::Uninitialized);
    auto *nonce = reinterpret_cast<unsigned char *>(out.data());
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char *>(plaintext.constData()),
                          static_cast<unsigned long long>(plaintext.size()), nonce,
                          reinterpret_cast<const unsigned char *>(m_key.constData()));
    return authdetail::base64UrlEncode(out);
}

Result<QByteArray> SecretBox::open(const QString &sealed) const
{
    const Error refused = Error::invalid(QStringLiteral("the sealed value cannot be opened"));
    const QByteArray latin = sealed.toLatin1();
    auto raw = authdetail::base64UrlDecode(latin);
    if (!isValid() || !raw ||
        raw->size() < qsizetype(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)) {
        return fail(refused);
    }
    const auto *nonce = reinterpret_cast<const unsigned char *>(raw->constData());
    const qsizetype cipherSize = raw->size() - crypto_secretbox_NONCEBYTES;
    QByteArray plain(cipherSize - crypto_secretbox_MACBYTES, Qt::Uninitialized);
    if (crypto_secretbox_open_easy(
            reinterpret_cast<unsigned char *>(plain.data()), nonce + crypto_secretbox_NONCEBYTES,
            static_cast<unsigned long long>(cipherSize), nonce,
            reinterpret_cast<const unsigned char *>(m_key.constData())) != 0) {
        return fail(refused);
    }
    return plain;
}

} // namespace colophon
