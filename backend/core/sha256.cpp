// SPDX-License-Identifier: MIT
#include "backend/core/sha256.h"

#include <array>
#include <openssl/evp.h>
#include <stdexcept>

namespace colophon {

QString sha256Hex(QByteArrayView data)
{
    // Fetched once: an implicit fetch per call costs as much as the digest.
    static EVP_MD *const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    std::array<unsigned char, 32> digest{};
    unsigned int size = 0;
    if (kSha256 == nullptr ||
        EVP_Digest(data.data(), size_t(data.size()), digest.data(), &size, kSha256, nullptr) != 1 ||
        size != digest.size()) {
        throw std::runtime_error("OpenSSL has no working SHA-256");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    QString out(2 * qsizetype(digest.size()), Qt::Uninitialized);
    QChar *p = out.data();
    for (const unsigned char byte : digest) {
        *p++ = QLatin1Char(kHex[byte >> 4]);
        *p++ = QLatin1Char(kHex[byte & 0xf]);
    }
    return out;
}

} // namespace colophon
