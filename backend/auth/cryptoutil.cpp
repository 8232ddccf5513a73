// SPDX-License-Identifier: MIT
// libsodium initialisation, base64url and randomness for the auth module.
#include "backend/auth/cryptoutil.h"

#include <QtGlobal>
#include <sodium.h>

namespace colophon::authdetail {

void ensureSodium()
{
    // A function-local static is initialised once even under concurrent first
    // calls; sodium_init() is itself idempotent, this only skips its lock.
    static const bool ready = sodium_init() >= 0;
    if (!ready)
        qFatal("libsodium could not be initialised (no entropy source?)");
}

QString base64UrlEncode(const QByteArray &bytes)
{
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    const std::size_t capacity =
        sodium_base64_ENCODED_LEN(static_cast<std::size_t>(bytes.size()), variant);
    QByteArray out(static_cast<qsizetype>(capacity), '\0');
    sodium_bin2base64(out.data(), capacity,
                      reinterpret_cast<const unsigned char *>(bytes.constData()),
                      static_cast<std::size_t>(bytes.size()), variant);
    out.truncate(static_cast<qsizetype>(qstrlen(out.constData())));
    return QString::fromLatin1(out);
}

std::optional<QByteArray> base64UrlDecode(QByteArrayView text)
{
    if (text.isEmpty())
        return QByteArray();
    // Three bytes per four characters, rounded up, bounds the decoded size.
    QByteArray out((text.size() / 4 + 1) * 3, '\0');
    std::size_t length = 0;
    const char *end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char *>(out.data()),
                          static_cast<std::size_t>(out.size()), text.data(),
                          static_cast<std::size_t>(text.size()), nullptr, &length, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return std::nullopt;
    // sodium stops at the first character it cannot use; anything left over
    // means the input was not pure base64url.
    if (end != text.data() + text.size())
        return std::nullopt;
    out.truncate(static_cast<qsizetype>(length));
    return out;
}

QByteArray randomBytes(qsizetype count)
{
    ensureSodium();
    QByteArray out(qMax<qsizetype>(count, 0), '\0');
    if (!out.isEmpty())
        randombytes_buf(out.data(), static_cast<std::size_t>(out.size()));
    return out;
}

} // namespace colophon::authdetail
