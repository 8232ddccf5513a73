// SPDX-License-Identifier: MIT
// Recovery code generation, token digests and constant-time comparison.
#include "backend/auth/recoverycodes.h"

#include "backend/auth/cryptoutil.h"

#include <QSet>
#include <array>
#include <sodium.h>

namespace colophon {

namespace {

constexpr char kAlphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
constexpr int kAlphabetSize = sizeof kAlphabet - 1;
constexpr int kGroups = 3;
constexpr int kGroupLength = 4;

} // namespace

QStringList generateRecoveryCodes(int count)
{
    authdetail::ensureSodium();
    QStringList codes;
    QSet<QString> seen;
    while (codes.size() < count) {
        QString code;
        for (int g = 0; g < kGroups; ++g) {
            if (g > 0)
                code += QLatin1Char('-');
            for (int i = 0; i < kGroupLength; ++i)
                code += QLatin1Char(kAlphabet[randombytes_uniform(kAlphabetSize)]); // unbiased
        }
        // A repeat is astronomically unlikely, but two equal codes would share
        // one stored digest and so be a single use, not two.
        if (!seen.contains(code)) {
            seen.insert(code);
            codes.append(code);
        }
    }
    return codes;
}

QString normalizeRecoveryCode(const QString &typed)
{
    QString compact;
    for (const QChar c : typed) {
        if (!c.isSpace() && c != QLatin1Char('-'))
            compact += c.toLower();
    }
    if (compact.size() != kGroups * kGroupLength)
        return compact; // cannot match any code; hashing it is harmless
    QString out;
    for (int g = 0; g < kGroups; ++g) {
        if (g > 0)
            out += QLatin1Char('-');
        out += compact.mid(g * kGroupLength, kGroupLength);
    }
    return out;
}

QString hashToken(const QString &token)
{
    authdetail::ensureSodium();
    const QByteArray utf8 = token.toUtf8();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char *>(utf8.constData()),
                       static_cast<unsigned long long>(utf8.size()));
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return QString::fromLatin1(hex.data());
}

QString randomToken(int bytes)
{
    return authdetail::base64UrlEncode(authdetail::randomBytes(bytes));
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    if (a.isEmpty())
        return true;
    authdetail::ensureSodium();
    return sodium_memcmp(a.constData(), b.constData(), static_cast<std::size_t>(a.size())) == 0;
}

} // namespace colophon
