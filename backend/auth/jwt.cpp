// SPDX-License-Identifier: MIT
// HS256 JWT signing and verification, and signing-key file handling.
#include "backend/auth/jwt.h"

#include "backend/auth/cryptoutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sodium.h>
#include <stdexcept>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace colophon {

namespace {

using StatBuffer = struct stat;

constexpr qsizetype kMinKeyBytes = 32;
// Far above any token we issue; bounds the work done on hostile input.
constexpr qsizetype kMaxTokenChars = 8192;

Error unauthenticated(const char *message)
{
    return {ErrorCode::Unauthenticated, QString::fromLatin1(message), {}};
}

std::string toStd(const QString &s)
{
    return s.toStdString();
}

std::optional<nlohmann::json> decodeJsonObject(QByteArrayView part)
{
    const auto bytes = authdetail::base64UrlDecode(part);
    if (!bytes)
        return std::nullopt;
    auto j = nlohmann::json::parse(bytes->cbegin(), bytes->cend(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return std::nullopt;
    return j;
}

bool readString(const nlohmann::json &payload, const char *key, QString &out)
{
    const auto it = payload.find(key);
    if (it == payload.end())
        return true;
    if (!it->is_string())
        return false;
    out = QString::fromStdString(it->get<std::string>());
    return true;
}

bool readSeconds(const nlohmann::json &payload, const char *key, qint64 &out)
{
    const auto it = payload.find(key);
    if (it == payload.end())
        return true;
    if (it->is_number_integer()) { // also true for unsigned values
        if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(INT64_MAX))
            return false;
        out = it->get<qint64>();
        return true;
    }
    return false;
}

QString posixError(const QString &what, const QString &path)
{
    return QStringLiteral("%1 %2: %3")
        .arg(what, path, QString::fromLocal8Bit(std::strerror(errno)));
}

Result<QByteArray> readKeyFile(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(
            Error::unavailable(posixError(QStringLiteral("cannot open signing key"), path)));
    StatBuffer st{};
    if (::fstat(fd, &st) != 0) {
        const Error e =
            Error::unavailable(posixError(QStringLiteral("cannot stat signing key"), path));
        ::close(fd);
        return fail(e);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(
            Error::internal(QStringLiteral("signing key %1 is not a regular file").arg(path)));
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        return fail(Error::internal(
            QStringLiteral(
                "signing key %1 is accessible to group or others (mode %2); chmod 600 it")
                .arg(path)
                .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'))));
    }
    QByteArray key;
    std::array<char, 4096> buffer{};
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const Error e =
                Error::unavailable(posixError(QStringLiteral("cannot read signing key"), path));
            ::close(fd);
            return fail(e);
        }
        if (n == 0)
            break;
        key.append(buffer.data(), n);
        if (key.size() > 1024 * 1024) {
            ::close(fd);
            return fail(
                Error::internal(QStringLiteral("signing key %1 is implausibly large").arg(path)));
        }
    }
    ::close(fd);
    sodium_memzero(buffer.data(), buffer.size());
    if (key.size() < kMinKeyBytes)
        return fail(Error::internal(
            QStringLiteral("signing key %1 is shorter than %2 bytes").arg(path).arg(kMinKeyBytes)));
    return key;
}

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n =
            ::write(fd, bytes.constData() + done, static_cast<std::size_t>(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

// Returns the key actually in place afterwards: ours, or a concurrent
// creator's if it won the race.
Result<QByteArray> createKeyFile(const QString &path)
{
    const QFileInfo info(path);
    const QString dir = info.absolutePath();
    if (!QDir().mkpath(dir))
        return fail(Error::unavailable(QStringLiteral("cannot create directory %1").arg(dir)));

    QByteArray tmpl =
        QFile::encodeName(dir + QStringLiteral("/.") + info.fileName() + QStringLiteral(".XXXXXX"));
    const int fd = ::mkstemp(tmpl.data()); // O_EXCL, mode 0600
    if (fd < 0)
        return fail(Error::unavailable(
            posixError(QStringLiteral("cannot create temporary key file in"), dir)));
    const QByteArray key = JwtSigner::generateKey();
    const bool written =
        ::fchmod(fd, S_IRUSR | S_IWUSR) == 0 && writeAll(fd, key) && ::fsync(fd) == 0;
    const int savedErrno = errno;
    ::close(fd);
    if (!written) {
        ::unlink(tmpl.constData());
        errno = savedErrno;
        return fail(
            Error::unavailable(posixError(QStringLiteral("cannot write signing key"), path)));
    }

    const QByteArray target = QFile::encodeName(info.absoluteFilePath());
    // No-replace rename: if another process created the key meanwhile, keep
    // theirs, since tokens may already be signed with it.
    int rc =
        ::renameat2(AT_FDCWD, tmpl.constData(), AT_FDCWD, target.constData(), RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS))
        rc = ::rename(tmpl.constData(), target.constData()); // file system without RENAME_NOREPLACE
    if (rc != 0) {
        const int renameErrno = errno;
        ::unlink(tmpl.constData());
        if (renameErrno == EEXIST)
            return readKeyFile(path);
        errno = renameErrno;
        return fail(
            Error::unavailable(posixError(QStringLiteral("cannot install signing key"), path)));
    }
    // Make the rename itself durable.
    const int dirFd =
        ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return key;
}

} // namespace

namespace {

std::atomic<quint64> g_nextSigner{1};

// Tokens this thread has verified, with their claims. A token is the same
// bytes on every request of a session, and checking its MAC and parsing its
// two JSON parts cost about a fifth of a cached listing's CPU. Only the
// signature and the parse are skipped: expiry and issue time are checked on
// every use. Keyed by the whole token (QHash's seed is random per process).
struct VerifiedToken
{
    quint64 signer = 0;
    JwtClaims claims;
};
thread_local QHash<QString, VerifiedToken> t_verified;
constexpr qsizetype kMaxVerified = 512;

} // namespace

JwtSigner::JwtSigner(QByteArray key) : m_key(std::move(key)), m_id(g_nextSigner++)
{
    if (m_key.size() < kMinKeyBytes)
        throw std::invalid_argument("JWT signing key must be at least 32 bytes");
    authdetail::ensureSodium();
}

QByteArray JwtSigner::generateKey()
{
    return authdetail::randomBytes(kMinKeyBytes);
}

QByteArray JwtSigner::mac(QByteArrayView signingInput) const
{
    // The streaming API takes keys of any length (HMAC hashes long ones);
    // the one-shot crypto_auth_hmacsha256 insists on exactly 32 bytes.
    crypto_auth_hmacsha256_state state;
    QByteArray out(crypto_auth_hmacsha256_BYTES, '\0');
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char *>(m_key.constData()),
                                static_cast<std::size_t>(m_key.size()));
    crypto_auth_hmacsha256_update(&state,
                                  reinterpret_cast<const unsigned char *>(signingInput.data()),
                                  static_cast<unsigned long long>(signingInput.size()));
    crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char *>(out.data()));
    sodium_memzero(&state, sizeof state);
    return out;
}

QString JwtSigner::sign(const JwtClaims &claims) const
{
    static const QString header =
        authdetail::base64UrlEncode(QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})"));
    nlohmann::json payload = claims.extra.is_object() ? claims.extra : nlohmann::json::object();
    payload["sub"] = toStd(claims.subject);
    if (!claims.role.isEmpty())
        payload["role"] = toStd(claims.role);
    if (!claims.sessionId.isEmpty())
        payload["sid"] = toStd(claims.sessionId);
    if (!claims.tokenId.isEmpty())
        payload["jti"] = toStd(claims.tokenId);
    payload["iat"] = claims.issuedAt;
    payload["exp"] = claims.expiresAt;
    const std::string body = payload.dump();
    const QString signingInput =
        header + QLatin1Char('.') + authdetail::base64UrlEncode(QByteArray::fromStdString(body));
    return signingInput + QLatin1Char('.') +
           authdetail::base64UrlEncode(mac(signingInput.toLatin1()));
}

Result<JwtClaims> JwtSigner::verify(const QString &token, qint64 nowSeconds,
                                    qint64 leewaySeconds) const
{
    if (const auto hit = t_verified.constFind(token);
        hit != t_verified.cend() && hit->signer == m_id) {
        return checkTimes(hit->claims, nowSeconds, leewaySeconds);
    }
    auto claims = verifyUncached(token, nowSeconds, leewaySeconds);
    if (claims) {
        if (t_verified.size() >= kMaxVerified) {
            t_verified.clear();
        }
        t_verified.insert(token, {m_id, *claims});
    }
    return claims;
}

Result<JwtClaims> JwtSigner::checkTimes(const JwtClaims &claims, qint64 nowSeconds,
                                        qint64 leewaySeconds)
{
    if (claims.expiresAt <= nowSeconds)
        return fail(unauthenticated("token has expired"));
    if (claims.issuedAt > nowSeconds + leewaySeconds)
        return fail(unauthenticated("token issued in the future"));
    return claims;
}

Result<JwtClaims> JwtSigner::verifyUncached(const QString &token, qint64 nowSeconds,
                                            qint64 leewaySeconds) const
{
    if (token.isEmpty() || token.size() > kMaxTokenChars)
        return fail(unauthenticated("malformed token"));
    for (const QChar c : token) {
        if (c.unicode() > 0x7f)
            return fail(unauthenticated("malformed token"));
    }
    const QByteArray ascii = token.toLatin1();
    const qsizetype dot1 = ascii.indexOf('.');
    const qsizetype dot2 = dot1 < 0 ? -1 : ascii.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 < 0 || ascii.indexOf('.', dot2 + 1) >= 0 || dot2 == dot1 + 1 ||
        dot2 == ascii.size() - 1)
        return fail(unauthenticated("malformed token"));
    const QByteArrayView view(ascii);
    const QByteArrayView headerPart = view.first(dot1);
    const QByteArrayView payloadPart = view.sliced(dot1 + 1, dot2 - dot1 - 1);
    const QByteArrayView signaturePart = view.sliced(dot2 + 1);

    const auto header = decodeJsonObject(headerPart);
    if (!header)
        return fail(unauthenticated("malformed token"));
    const auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string() || alg->get<std::string>() != "HS256")
        return fail(unauthenticated("unsupported token algorithm"));
    // Critical extensions must be understood to be honoured; we understand none.
    if (header->contains("crit"))
        return fail(unauthenticated("unsupported token header"));

    const auto signature = authdetail::base64UrlDecode(signaturePart);
    if (!signature || signature->size() != crypto_auth_hmacsha256_BYTES)
        return fail(unauthenticated("invalid token signature"));
    const QByteArray expected = mac(view.first(dot2));
    if (sodium_memcmp(expected.constData(), signature->constData(), crypto_auth_hmacsha256_BYTES) !=
        0)
        return fail(unauthenticated("invalid token signature"));

    const auto payload = decodeJsonObject(payloadPart);
    if (!payload)
        return fail(unauthenticated("malformed token"));
    JwtClaims claims;
    if (!readString(*payload, "sub", claims.subject) ||
        !readString(*payload, "role", claims.role) ||
        !readString(*payload, "sid", claims.sessionId) ||
        !readString(*payload, "jti", claims.tokenId) ||
        !readSeconds(*payload, "iat", claims.issuedAt) ||
        !readSeconds(*payload, "exp", claims.expiresAt))
        return fail(unauthenticated("malformed token claims"));
    if (claims.subject.isEmpty() || !payload->contains("exp"))
        return fail(unauthenticated("token is missing required claims"));
    if (auto timely = checkTimes(claims, nowSeconds, leewaySeconds); !timely)
        return fail(timely.error());

    for (auto it = payload->begin(); it != payload->end(); ++it) {
        static constexpr std::array<std::string_view, 6> known = {"sub", "role", "sid",
                                                                  "jti", "iat",  "exp"};
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            claims.extra[it.key()] = it.value();
    }
    return claims;
}

Result<QByteArray> loadOrCreateSigningKey(const QString &path)
{
    authdetail::ensureSodium();
    if (path.isEmpty())
        return fail(Error::invalid(QStringLiteral("signing key path is empty")));
    StatBuffer st{};
    if (::stat(QFile::encodeName(path).constData(), &st) == 0)
        return readKeyFile(path);
    if (errno != ENOENT)
        return fail(
            Error::unavailable(posixError(QStringLiteral("cannot stat signing key"), path)));
    return createKeyFile(path);
}

} // namespace colophon
