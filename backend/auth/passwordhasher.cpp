// SPDX-License-Identifier: MIT
// argon2id hashing through libsodium's crypto_pwhash_str family.
#include "backend/auth/passwordhasher.h"

#include "backend/auth/cryptoutil.h"

#include <QFile>
#include <QTextStream>
#include <algorithm>
#include <array>
#include <optional>
#include <sodium.h>

namespace colophon {

namespace {

constexpr char kArgon2idPrefix[] = "$argon2id$";

int codePoints(const QString &s)
{
    int n = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s.at(i).isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate())
            ++i;
        ++n;
    }
    return n;
}

Error passwordError(const QString &message)
{
    return Error::invalid(message, QStringLiteral("password"));
}

// crypto_pwhash_str_verify and _needs_rehash take a NUL-terminated buffer of
// crypto_pwhash_STRBYTES; copying into one keeps an over-long or unterminated
// stored value from ever being read past its end.
std::optional<std::array<char, crypto_pwhash_STRBYTES>> hashBuffer(const QString &storedHash)
{
    const QByteArray bytes = storedHash.toUtf8();
    if (bytes.isEmpty() || bytes.size() >= static_cast<qsizetype>(crypto_pwhash_STRBYTES) ||
        bytes.contains('\0'))
        return std::nullopt;
    std::array<char, crypto_pwhash_STRBYTES> buffer{};
    std::copy(bytes.cbegin(), bytes.cend(), buffer.begin());
    return buffer;
}

// An argon2id run takes memLimit bytes (64 MiB at the interactive setting)
// for its length. Runs take turns, one at a time in the process, so its peak
// memory holds one of them however many sign-ins arrive together: they wait
// their turn instead, about 60 ms each on the machines we measured.
std::mutex &argon2Turn()
{
    static std::mutex turn;
    return turn;
}

} // namespace

Argon2Params Argon2Params::interactive()
{
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Argon2Params Argon2Params::moderate()
{
    return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

PasswordHasher::PasswordHasher(Argon2Params params, PasswordPolicy policy,
                               QSet<QString> commonPasswords)
    : m_params(params), m_policy(policy)
{
    authdetail::ensureSodium();
    for (const QString &p : std::as_const(commonPasswords))
        m_common.insert(p.toLower());
}

const QString &PasswordHasher::dummyHash() const
{
    // If this fails (out of memory) the dummy stays empty and verify() against
    // it returns early; sign-in still refuses unknown emails, only the timing
    // equalisation is lost, and hash() will report the same failure loudly.
    std::call_once(m_dummyOnce, [this] {
        if (auto h = hash(authdetail::base64UrlEncode(authdetail::randomBytes(24))))
            m_dummyHash = *h;
    });
    return m_dummyHash;
}

Result<QSet<QString>> PasswordHasher::loadCommonPasswords(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return fail(Error::notFound(QStringLiteral("cannot read common-password list %1: %2")
                                        .arg(path, file.errorString())));
    QSet<QString> out;
    QTextStream in(&file);
    in.setEncoding(QStringConverter::Utf8);
    QString line;
    while (in.readLineInto(&line)) {
        const QString entry = line.trimmed();
        if (entry.isEmpty() || entry.startsWith(QLatin1Char('#')))
            continue;
        out.insert(entry.toLower());
    }
    return out;
}

Result<void> PasswordHasher::checkPolicy(const QString &password, const QString &email) const
{
    const int length = codePoints(password);
    if (length < m_policy.minLength)
        return fail(passwordError(
            QStringLiteral("password must be at least %1 characters").arg(m_policy.minLength)));
    if (length > m_policy.maxLength)
        return fail(passwordError(
            QStringLiteral("password must be at most %1 characters").arg(m_policy.maxLength)));
    const QString lowered = password.toLower();
    if (m_common.contains(lowered))
        return fail(passwordError(QStringLiteral("password is too common")));
    const QString mail = email.trimmed().toLower();
    if (!mail.isEmpty()) {
        const qsizetype at = mail.lastIndexOf(QLatin1Char('@'));
        const QString local = at > 0 ? mail.left(at) : QString();
        if (lowered == mail || (!local.isEmpty() && lowered == local))
            return fail(passwordError(QStringLiteral("password must not be the email address")));
    }
    return {};
}

Result<QString> PasswordHasher::hash(const QString &password) const
{
    authdetail::ensureSodium();
    const QByteArray utf8 = password.toUtf8();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    const std::lock_guard turn(argon2Turn());
    if (crypto_pwhash_str_alg(out.data(), utf8.constData(),
                              static_cast<unsigned long long>(utf8.size()), m_params.opsLimit,
                              m_params.memLimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail(Error::internal(QStringLiteral("password hashing failed (out of memory)")));
    return QString::fromLatin1(out.data());
}

bool PasswordHasher::verify(const QString &password, const QString &storedHash) const
{
    authdetail::ensureSodium();
    const auto buffer = hashBuffer(storedHash);
    if (!buffer)
        return false;
    const QByteArray utf8 = password.toUtf8();
    const std::lock_guard turn(argon2Turn());
    return crypto_pwhash_str_verify(buffer->data(), utf8.constData(),
                                    static_cast<unsigned long long>(utf8.size())) == 0;
}

bool PasswordHasher::needsRehash(const QString &storedHash) const
{
    authdetail::ensureSodium();
    // The generic call accepts argon2i hashes as current; we want every stored
    // hash moved to argon2id.
    if (!storedHash.startsWith(QLatin1String(kArgon2idPrefix)))
        return true;
    const auto buffer = hashBuffer(storedHash);
    if (!buffer)
        return true;
    return crypto_pwhash_str_needs_rehash(buffer->data(), m_params.opsLimit, m_params.memLimit) !=
           0;
}

} // namespace colophon
